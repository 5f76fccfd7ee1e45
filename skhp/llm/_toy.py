"""A synthetic labelled text task and a tiny GPT-2 trained on it.

Used by the tests, the benchmark and the docs, so that everything about LLM
tuning can be exercised offline in seconds. The data are generated here (no
third-party text, nothing to license): short "texts" made of words from three
themes, labelled by their theme, plus an extraction task (find the fruit).
"""

import os

import numpy as np

__all__ = [
    "TOY_CLASSIFY_PROMPT",
    "TOY_EXTRACT_PROMPT",
    "TOY_LABELS",
    "make_toy_classification",
    "make_toy_extraction",
    "train_tiny_gpt2",
]

_WORDS = {
    "animal": ["cat", "dog", "horse", "cow", "lion", "tiger", "sheep", "goat"],
    "fruit": ["apple", "banana", "cherry", "grape", "lemon", "mango", "peach", "plum"],
    "color": ["red", "blue", "green", "yellow", "purple", "black", "white", "pink"],
}
TOY_LABELS = sorted(_WORDS)

#: The classification template the tiny model is trained on; equal to the
#: default template of :class:`skhp.llm.LLMClassifier`.
TOY_CLASSIFY_PROMPT = (
    "Choose one label from: {labels}.\n{examples}Text: {text}\nAnswer:"
)
#: The extraction template the tiny model is trained on.
TOY_EXTRACT_PROMPT = "Find the fruit.\n{examples}Text: {text}\nAnswer:"
_EXAMPLE = "Text: {text}\nAnswer: {label}\n"


def make_toy_classification(n_samples=200, *, random_state=0):
    """Texts of 3-4 theme words, labelled with the theme.

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
        Their labels, among ``TOY_LABELS``.
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


def _corpus(n, rng):
    labels = ", ".join(TOY_LABELS)
    texts = []
    Xc, yc = make_toy_classification(n, random_state=int(rng.integers(1 << 30)))
    Xe, ye = make_toy_extraction(n, random_state=int(rng.integers(1 << 30)))
    for template, X, y, extra in (
        (TOY_CLASSIFY_PROMPT, Xc, yc, {"labels": labels}),
        (TOY_EXTRACT_PROMPT, Xe, ye, {}),
    ):
        for i, (text, label) in enumerate(zip(X, y)):
            # A few-shot block on a third of the samples, so that templates with
            # {examples} are in-distribution too.
            k = int(rng.integers(0, 3)) if i % 3 == 0 else 0
            shots = "".join(
                _EXAMPLE.format(text=X[j], label=y[j])
                for j in rng.integers(0, len(X), size=k)
            )
            prompt = template.format(text=text, examples=shots, **extra)
            texts.append((prompt, " " + label + "<|endoftext|>"))
    return texts


def train_tiny_gpt2(path, *, steps=300, random_state=0):
    """Train a 2-layer GPT-2 on the toy tasks and save it to ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        Folder to save the model and tokenizer to (``save_pretrained``).
    steps : int, default=300
        Optimizer steps of 32 sequences (about 20 s on one CPU core). A fixed
        count, not a time budget, so the model is the same on any machine.
    random_state : int, default=0
        Seed for data, initialisation and batching.

    Returns
    -------
    path : str
        The folder, loadable with ``model=path``.
    """
    from skhp._optional import import_optional

    torch = import_optional("torch")
    transformers = import_optional("transformers")
    tokenizers = import_optional("tokenizers")

    rng = np.random.default_rng(random_state)
    torch.manual_seed(random_state)
    corpus = _corpus(600, rng)

    bpe = tokenizers.ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        [p + a for p, a in corpus],
        vocab_size=400,
        min_frequency=2,
        special_tokens=["<|endoftext|>"],
    )
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer,
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
    )
    config = transformers.GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=256,
        n_embd=64,
        n_layer=2,
        n_head=4,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.eos_token_id,
    )
    model = transformers.GPT2LMHeadModel(config)
    model.train()
    optim = torch.optim.AdamW(model.parameters(), lr=3e-3)
    tokenizer.padding_side = "right"
    for _ in range(steps):
        batch = [corpus[i] for i in rng.integers(0, len(corpus), size=32)]
        enc = tokenizer([p + a for p, a in batch], return_tensors="pt", padding=True)
        ids, mask = enc["input_ids"], enc["attention_mask"]
        # The answer is 1-2 of ~30 tokens; weighting it up makes the model
        # learn the task (not just the template) within a few hundred steps.
        weight = mask.float().clone()
        for r, (prompt, _) in enumerate(batch):
            weight[r, len(tokenizer(prompt).input_ids) :] *= 8.0
        logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1]
        nll = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            ids[:, 1:].reshape(-1),
            reduction="none",
        ).view(ids.shape[0], -1)
        w = weight[:, 1:]
        loss = (nll * w).sum() / w.sum()
        optim.zero_grad()
        loss.backward()
        optim.step()
    model.eval()
    os.makedirs(path, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)
