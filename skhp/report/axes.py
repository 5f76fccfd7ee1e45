"""How a hyperparameter is laid out on a plot axis: linear, log or categories.

Shared by the plots of :mod:`skhp.report` and :mod:`skhp.explain`: the scale
of a column, the short text of a value and when tick labels need turning.
"""

import numbers

import numpy as np

__all__ = [
    "category_label",
    "is_absent",
    "is_crowded",
    "param_scale",
    "scale_label",
    "sorted_categories",
]

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


def category_label(value, *, width=_MAX_LABEL, float_format=".4g"):
    """A short text for one categorical value (None included).

    Parameters
    ----------
    value : object
        A string is shown as it is, a float with ``float_format``, anything
        else by its ``repr``.
    width : int, default=20
        Longer texts are cut to this many characters, ending in "...".
    float_format : str or None, default=".4g"
        Format of a float; None shows its ``repr``.

    Returns
    -------
    label : str
    """
    if isinstance(value, str):
        text = value
    elif float_format is not None and isinstance(value, float | np.floating):
        text = format(value, float_format)
    else:
        text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def is_crowded(labels):
    """Whether tick labels are too many or too long to stand side by side."""
    return len(labels) > 3 or max(map(len, labels), default=0) > 8


def scale_label(label, scale, *, sep=" "):
    """An axis label that says when the axis is logarithmic: ``"C (log)"``."""
    return f"{label}{sep}(log)" if scale == "log" else label


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
