"""How a hyperparameter is laid out on a plot axis: linear, log or categories."""

import numbers

import numpy as np

__all__ = ["category_label", "is_absent", "param_scale", "sorted_categories"]

# A positive parameter whose values span more than this ratio (two decades)
# is shown, and modelled, on a log scale.
_LOG_SPAN = 100.0
_MAX_LABEL = 20


def param_scale(values):
    """``"log"``, ``"linear"`` or ``"category"`` for a column of the frame.

    A numeric column is ``"log"`` when its values are all positive and span
    more than two decades, else ``"linear"``; anything else (strings,
    booleans, None, estimators, mixed types) is ``"category"``.
    """
    if values.dtype.kind not in "iuf":
        return "category"
    numbers_ = values.to_numpy(dtype=float)
    numbers_ = numbers_[np.isfinite(numbers_)]
    if (
        numbers_.size
        and numbers_.min() > 0
        and numbers_.max() / numbers_.min() > _LOG_SPAN
    ):
        return "log"
    return "linear"


def is_absent(value):
    """Whether a frame cell marks a parameter absent from the candidate's branch."""
    return isinstance(value, float | np.floating) and np.isnan(value)


def category_label(value):
    """A short text for one categorical value (None included)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, float | np.floating):
        text = f"{value:.4g}"
    else:
        text = repr(value)
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 3] + "..."


def _sort_key(value):
    # Numbers first, in order; then everything else by its label.
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        return (0, float(value), "")
    return (1, 0.0, category_label(value))


def sorted_categories(values):
    """The distinct labels of a categorical column, in a stable order.

    Absent values (NaN) are not a category.
    """
    seen = {}
    for value in values:
        if not is_absent(value):
            seen.setdefault(category_label(value), value)
    return [label for label, _ in sorted(seen.items(), key=lambda kv: _sort_key(kv[1]))]
