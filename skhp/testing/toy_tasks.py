"""Generated labelled texts: toy LLM tasks and a three-topic classification set.

The texts are made by code from short word lists, so that there is no
third-party text to download or license and every run is the same.
"""

import numpy as np

__all__ = [
    "TOPICS",
    "TOY_CLASSIFY_PROMPT",
    "TOY_EXTRACT_PROMPT",
    "TOY_LABELS",
    "make_topic_texts",
    "make_toy_classification",
    "make_toy_extraction",
]

_WORDS = {
    "animal": ["cat", "dog", "horse", "cow", "lion", "tiger", "sheep", "goat"],
    "fruit": ["apple", "banana", "cherry", "grape", "lemon", "mango", "peach", "plum"],
    "color": ["red", "blue", "green", "yellow", "purple", "black", "white", "pink"],
}
#: The labels of :func:`make_toy_classification`, sorted.
TOY_LABELS = sorted(_WORDS)

#: The classification template the tiny GPT-2 is trained on; equal to the
#: default template of :class:`skhp.llm.LLMClassifier`.
TOY_CLASSIFY_PROMPT = (
    "Choose one label from: {labels}.\n{examples}Text: {text}\nAnswer:"
)
#: The extraction template the tiny GPT-2 is trained on.
TOY_EXTRACT_PROMPT = "Find the fruit.\n{examples}Text: {text}\nAnswer:"

#: The topic words of :func:`make_topic_texts`, by label.
TOPICS = {
    "sports": (
        "goal match team player coach league score referee stadium season "
        "striker keeper penalty tournament champion"
    ).split(),
    "cooking": (
        "recipe garlic sauce oven simmer onion butter flour bake pasta "
        "salt pepper kitchen roast dough"
    ).split(),
    "computing": (
        "python compiler kernel server memory thread database cache network "
        "binary debug function variable cloud software"
    ).split(),
}
_FILLER = (
    "the a an and of to in with for on it was is this that very really "
    "today yesterday we they our new old good great"
).split()


def make_toy_classification(n_samples=200, *, random_state=0):
    """Texts of 3-4 theme words, labelled with the theme.

    The themes are animals, fruits and colours; a text holds words of its
    theme only, so a model that knows the words classifies it perfectly.

    Parameters
    ----------
    n_samples : int, default=200
        Number of texts.
    random_state : int, default=0
        Seed.

    Returns
    -------
    X : list of str
        The texts.
    y : ndarray of str
        Their labels, among :data:`TOY_LABELS`.

    Examples
    --------
    >>> from skhp.testing import TOY_LABELS, make_toy_classification
    >>> X, y = make_toy_classification(5, random_state=0)
    >>> len(X), set(y) <= set(TOY_LABELS)
    (5, True)
    """
    rng = np.random.default_rng(random_state)
    X, y = [], []
    for _ in range(n_samples):
        label = TOY_LABELS[rng.integers(len(TOY_LABELS))]
        n = int(rng.integers(3, 5))
        X.append(" ".join(rng.choice(_WORDS[label], size=n, replace=False)))
        y.append(label)
    return X, np.asarray(y, dtype=object)


def make_toy_extraction(n_samples=200, *, random_state=0):
    """Texts of animal and color words with one fruit; the answer is the fruit.

    Parameters
    ----------
    n_samples : int, default=200
        Number of texts.
    random_state : int, default=0
        Seed.

    Returns
    -------
    X : list of str
        The texts.
    y : ndarray of str
        The fruit in each text.
    """
    rng = np.random.default_rng(random_state)
    others = _WORDS["animal"] + _WORDS["color"]
    X, y = [], []
    for _ in range(n_samples):
        fruit = str(rng.choice(_WORDS["fruit"]))
        words = list(rng.choice(others, size=3, replace=False)) + [fruit]
        rng.shuffle(words)
        X.append(" ".join(words))
        y.append(fruit)
    return X, np.asarray(y, dtype=object)


def make_topic_texts(n_per_class, seed):
    """Sentences mixing 3-5 topic words with 4-8 common filler words.

    Three topics (sports, cooking, computing: :data:`TOPICS`); the filler
    words are shared by all, so that a tiny model has to find the topic
    words among them.

    Parameters
    ----------
    n_per_class : int
        Number of sentences of each topic.
    seed : int
        Seed of the sentences and their order.

    Returns
    -------
    texts : list of str
        ``3 * n_per_class`` sentences, in random order.
    labels : ndarray of str
        The topic of each sentence.

    Examples
    --------
    >>> from skhp.testing import make_topic_texts
    >>> texts, labels = make_topic_texts(2, seed=0)
    >>> len(texts), sorted(set(labels))
    (6, ['computing', 'cooking', 'sports'])
    """
    rng = np.random.RandomState(seed)
    texts, labels = [], []
    for _ in range(n_per_class):
        for label, words in TOPICS.items():
            topic = rng.choice(words, size=rng.randint(3, 6)).tolist()
            filler = rng.choice(_FILLER, size=rng.randint(4, 9)).tolist()
            tokens = topic + filler
            rng.shuffle(tokens)
            texts.append(" ".join(tokens).capitalize() + ".")
            labels.append(label)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.array(labels, dtype=object)[order]
