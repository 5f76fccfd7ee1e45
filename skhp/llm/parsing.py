"""Turning generated text into labels or answers, and answer metrics."""

import re
import string
import unicodedata
from collections import Counter

__all__ = [
    "exact_match",
    "normalize_answer",
    "normalize_label",
    "parse_label",
    "token_f1",
]

_PUNCT = re.compile(r"[\W_]+", flags=re.UNICODE)
_ASCII_PUNCTUATION = frozenset(string.punctuation)


def normalize_label(text):
    """Lower-case, drop punctuation and collapse whitespace.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    normalized : str
        Words separated by single spaces, e.g. ``" Positive!"`` -> ``"positive"``.
    """
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def parse_label(answer, labels):
    """Index of the first label that appears in ``answer``, or None.

    Matching ignores case, whitespace and punctuation, and only matches whole
    words ("cat" is not found in "category"). When several labels appear, the
    one that appears first wins; at the same position the longest wins (so
    "very good" beats "good").

    Parameters
    ----------
    answer : str
        Generated text.
    labels : sequence of str
        Candidate label names, distinct after :func:`normalize_label`.

    Returns
    -------
    index : int or None
        Position in ``labels`` of the matched label, None when no label appears.
    """
    padded = " " + normalize_label(answer) + " "
    best = None
    for i, label in enumerate(labels):
        needle = " " + normalize_label(label) + " "
        pos = padded.find(needle)
        if pos < 0:
            continue
        key = (pos, -len(needle))
        if best is None or key < best[0]:
            best = (key, i)
    return None if best is None else best[1]


def normalize_answer(text):
    """SQuAD-style answer normalization: lower case, no punctuation/articles."""
    text = str(text).casefold()
    text = "".join(ch for ch in text if ch not in _ASCII_PUNCTUATION)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(y_true, y_pred):
    """Share of answers equal to the reference after :func:`normalize_answer`.

    Parameters
    ----------
    y_true : sequence of str
        Reference answers.
    y_pred : sequence of str
        Predicted answers.

    Returns
    -------
    score : float
        In [0, 1].
    """
    pairs = list(zip(y_true, y_pred, strict=True))
    if not pairs:
        raise ValueError("exact_match needs at least one answer, got none.")
    return sum(normalize_answer(t) == normalize_answer(p) for t, p in pairs) / len(
        pairs
    )


def _f1(truth, pred):
    t, p = normalize_answer(truth).split(), normalize_answer(pred).split()
    if not t or not p:
        return float(t == p)
    common = sum((Counter(t) & Counter(p)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(t)
    return 2 * precision * recall / (precision + recall)


def token_f1(y_true, y_pred):
    """Mean SQuAD-style token F1 between answers and references.

    Parameters
    ----------
    y_true : sequence of str
        Reference answers.
    y_pred : sequence of str
        Predicted answers.

    Returns
    -------
    score : float
        In [0, 1].
    """
    pairs = list(zip(y_true, y_pred, strict=True))
    if not pairs:
        raise ValueError("token_f1 needs at least one answer, got none.")
    return sum(_f1(t, p) for t, p in pairs) / len(pairs)
