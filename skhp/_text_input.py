"""Validation of raw-text input, shared by every estimator that takes strings."""

import numpy as np

__all__ = ["check_texts", "text_input_tags"]

_CONTAINERS = "Pass a list of strings, a 1-d array of str or a one-column DataFrame."


def _short_repr(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_texts(X, estimator_name=None):
    """Validate raw text input and return it as a list of str.

    Parameters
    ----------
    X : list, tuple, ndarray, pandas Series or one-column DataFrame of str
        Documents, one per sample. A 2-d array of shape ``(n_samples, 1)``
        and a one-column DataFrame are accepted and flattened.
    estimator_name : str, default=None
        Named in error messages ("X passed to TextClassifier ...").

    Returns
    -------
    texts : list of str
        One plain ``str`` per sample.

    Raises
    ------
    TypeError
        If ``X`` is a sparse matrix.
    ValueError
        If ``X`` is a single string, not a sequence, not 1-d (after
        flattening one column), empty, or holds a sample that is not a str.

    Examples
    --------
    >>> from skhp._text_input import check_texts
    >>> check_texts(["a cat", "a dog"])
    ['a cat', 'a dog']
    >>> check_texts(["a cat", None], "TextClassifier")
    Traceback (most recent call last):
    ...
    ValueError: X passed to TextClassifier must contain texts (str), but X[1] is ...
    """
    where = f" passed to {estimator_name}" if estimator_name else ""
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            f"X{where} is a sparse {type(X).__name__}; sparse input is not "
            "supported: X must be a sequence of texts (str), one per sample."
        )
    if isinstance(X, str):
        raise ValueError(
            f"X{where} must be a sequence of texts (str), one per sample, got a "
            "single string; wrap it in a list: [text]."
        )
    if hasattr(X, "columns") and len(getattr(X, "shape", ())) == 2:
        if X.shape[1] != 1:
            raise ValueError(
                f"X{where} must have one text column, got a DataFrame with "
                f"{X.shape[1]} columns. Select the text column, e.g. X['text']."
            )
    if not hasattr(X, "__len__") or isinstance(X, (set, frozenset, dict)):
        raise ValueError(
            f"X{where} must be an ordered sequence of texts (str), got "
            f"{type(X).__name__}. {_CONTAINERS}"
        )
    arr = np.asarray(X, dtype=object)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"X{where} must hold one text per sample (1-d), got an array of shape "
            f"{arr.shape}. {_CONTAINERS}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"X{where} holds no texts (0 samples); at least 1 is needed.")
    for i, text in enumerate(arr):
        if not isinstance(text, str):
            raise ValueError(
                f"X{where} must contain texts (str), but X[{i}] is "
                f"{_short_repr(text)} of type {type(text).__name__}. Convert the "
                "samples to str first: fill missing values (e.g. with ''), decode "
                "bytes, or map other inputs to text with a FunctionTransformer."
            )
    return [str(text) for text in arr]


def text_input_tags(tags):
    """scikit-learn tags of an estimator whose ``X`` is a 1-d sequence of texts.

    Sets ``tags.input_tags`` to 1-d string input (not a 2-d array) and
    returns ``tags``, for ``__sklearn_tags__``.
    """
    tags.input_tags.two_d_array = False
    tags.input_tags.one_d_array = True
    tags.input_tags.string = True
    return tags
