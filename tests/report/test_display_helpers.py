"""The display helpers that report/ and explain/ share: labels, scales, images."""

import numpy as np
import pytest

from skhp.explain.branch import bar_limits, short_value
from skhp.report.axes import category_label, is_crowded, scale_label


@pytest.mark.parametrize(
    "value, kwargs, expected",
    [
        ("rbf", {}, "rbf"),
        (0.123456, {}, "0.1235"),
        (np.float32(0.5), {}, "0.5"),
        (None, {}, "None"),
        ("x" * 25, {}, "x" * 17 + "..."),
        ("x" * 25, {"width": 18}, "x" * 15 + "..."),
        (0.123456, {"float_format": None}, "0.123456"),
        (0.123456, {"float_format": ".3g"}, "0.123"),
    ],
)
def test_category_label(value, kwargs, expected):
    assert category_label(value, **kwargs) == expected


def test_short_value_in_explain_titles():
    assert short_value(0.123456) == "0.123"
    assert short_value("a" * 30) == "a" * 15 + "..."


@pytest.mark.parametrize(
    "labels, expected",
    [(["a", "b", "c"], False), (["a", "b", "c", "d"], True), (["long label"], True)],
)
def test_is_crowded(labels, expected):
    assert is_crowded(labels) is expected


def test_scale_label_marks_log_axes_only():
    assert scale_label("C", "log") == "C (log)"
    assert scale_label("C", "log", sep="\n") == "C\n(log)"
    assert scale_label("C", "linear") == "C"


def test_bar_limits_pad_the_range():
    assert bar_limits([1.0, 3.0]) == pytest.approx((0.9, 3.1))
    assert bar_limits([2.0, 2.0]) == pytest.approx((1.95, 2.05))


def test_report_images_need_the_plot_extra(monkeypatch):
    import sys

    from skhp.report.display import new_axes

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match='pip install "skhp\\[plot\\]"'):
        new_axes(None, (4, 3))
