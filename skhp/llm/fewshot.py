"""Choosing few-shot examples from the training fold: random, balanced, nearest.

``fit`` makes the choice from its own training data only, so that a
cross-validated search never shows the model an example from the fold it is
scored on. "random" and "balanced" choose one block for every prompt;
"nearest" keeps the training pairs and picks, for each text to classify, the
ones most similar to it (TF-IDF cosine similarity).
"""

import numpy as np

__all__ = ["balanced_examples", "fit_nearest", "nearest_examples", "random_examples"]


def random_examples(n_train, n_examples, rng):
    """Indices of ``n_examples`` training samples drawn without replacement."""
    if not n_examples:
        return []
    return rng.choice(n_train, size=n_examples, replace=False).tolist()


def balanced_examples(answers, n_examples, rng):
    """Indices of ``n_examples`` samples, as evenly spread over classes as possible.

    Every class gets ``n_examples // n_classes`` examples and the remainder
    goes to classes drawn at random, so no class is left out when
    ``n_examples >= n_classes`` (with fewer, ``n_examples`` distinct classes
    are drawn). A class with fewer samples than its share gives all it has,
    and the rest is drawn from the other samples. The order is shuffled, so
    that the block does not group the classes.

    Parameters
    ----------
    answers : sequence of str
        The label of each training sample.
    n_examples : int
        How many examples; at most ``len(answers)``.
    rng : numpy.random.RandomState
        Source of randomness.

    Returns
    -------
    indices : list of int
    """
    if not n_examples:
        return []
    answers = np.asarray([str(a) for a in answers], dtype=object)
    classes = sorted(set(answers.tolist()))
    base, extra = divmod(n_examples, len(classes))
    lucky = set(rng.choice(len(classes), size=extra, replace=False).tolist())
    picks = []
    for c, label in enumerate(classes):
        members = rng.permutation(np.flatnonzero(answers == label))
        picks.extend(members[: base + (c in lucky)].tolist())
    if len(picks) < n_examples:
        taken = set(picks)
        rest = [i for i in rng.permutation(len(answers)).tolist() if i not in taken]
        picks.extend(rest[: n_examples - len(picks)])
    return rng.permutation(picks).tolist()


def fit_nearest(texts, rng):
    """Order the training texts for tie-breaking and fit TF-IDF on them.

    Parameters
    ----------
    texts : sequence of str
        Training texts.
    rng : numpy.random.RandomState
        Draws the order in which equally similar examples are preferred.

    Returns
    -------
    order : list of int
        The training indices, in tie-breaking order.
    vectorizer : sklearn.feature_extraction.text.TfidfVectorizer
        Fitted on the training texts.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    order = rng.permutation(len(texts)).tolist()
    # Words of one character count too: short texts have few words.
    vectorizer = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b")
    try:
        vectorizer.fit([texts[i] for i in order])
    except ValueError:
        raise ValueError(
            "example_selection='nearest' compares words, but the training texts "
            "contain none. Use example_selection='random' or 'balanced'."
        ) from None
    return order, vectorizer


def nearest_examples(vectorizer, pool, queries, n_examples):
    """The ``n_examples`` pairs of ``pool`` most similar to each query.

    Parameters
    ----------
    vectorizer : TfidfVectorizer
        Fitted on the texts of ``pool`` (by :func:`fit_nearest`).
    pool : list of (str, str)
        Training ``(text, label)`` pairs, in tie-breaking order.
    queries : sequence of str
        The texts the prompts are for.
    n_examples : int
        Examples per query.

    Returns
    -------
    examples : list of list of (str, str)
        Per query, its nearest pairs by TF-IDF cosine similarity, the most
        similar last (next to the query in the prompt); equally similar pairs
        keep the pool's order.
    """
    train = vectorizer.transform([t for t, _ in pool])
    sims = (vectorizer.transform(list(queries)) @ train.T).toarray()
    top = np.argsort(-sims, axis=1, kind="stable")[:, :n_examples]
    return [[pool[j] for j in row[::-1]] for row in top.tolist()]
