import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from skhp.report import GridCoverageDisplay, results_frame, write_report
from skhp.report.coverage import best_region

from .conftest import Peaked


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def grid_and_random(iris, peaked):
    """A 5-point grid and 30 random draws on a score peaked at x = 0.3."""
    X, y = iris
    grid = GridSearchCV(
        Peaked(), {"x": [-2.0, -1.0, 0.0, 1.0, 2.0], "noise": [0.0]}, cv=2
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid.fit(X, y)
    return {"grid": grid, "random": peaked}


def _span_bounds(span):
    return span.get_x(), span.get_x() + span.get_width()


def test_best_region_is_the_range_of_the_top_scores():
    values = [1.0, 2.0, 3.0, 4.0, 5.0, np.nan, 7.0, 8.0, 9.0, 10.0, 11.0]
    scores = [0.1, 0.9, 0.2, 0.95, 0.3, 0.99, 0.4, 0.5, 0.6, 0.7, 0.8]
    # 10 candidates with a value: the best ceil(1.0) = 1 is x=4.
    assert best_region(values, scores) == (4.0, 4.0)
    # Best 3 of 10: 0.95 (x=4), 0.9 (x=2), 0.8 (x=11).
    assert best_region(values, scores, top_fraction=0.3) == (2.0, 11.0)
    # A tie with the last of the best is included.
    assert best_region([1.0, 2.0, 3.0], [0.5, 0.9, 0.9], top_fraction=0.1) == (
        2.0,
        3.0,
    )
    assert all(math.isnan(v) for v in best_region([np.nan], [1.0]))


def test_the_shaded_region_is_the_range_of_the_best_tenth(searches, tmp_path):
    display = GridCoverageDisplay.from_results(searches, params=["C"])
    frame = results_frame(searches)
    scores = frame["mean_test_score"].to_numpy(dtype=float)
    c = frame["C"].to_numpy(dtype=float)
    n_top = math.ceil(0.1 * len(scores))  # 17 candidates -> 2
    threshold = np.sort(scores)[::-1][n_top - 1]
    expected = (c[scores >= threshold].min(), c[scores >= threshold].max())
    assert display.regions["C"] == pytest.approx(expected)
    assert _span_bounds(display.spans_["C"]) == pytest.approx(expected)
    top, strip = display.axes_[:, 0]
    assert top.get_xscale() == "log"
    assert strip.get_xlabel() == "C (log)"
    assert [t.get_text() for t in strip.get_yticklabels()] == [
        "grid",
        "random",
        "bayes",
    ]
    # Each searcher's row of the strip holds its candidates, at their C.
    offsets = [c.get_offsets() for c in strip.collections]
    for k, name in enumerate(["grid", "random", "bayes"]):
        expected_c = frame.loc[frame["searcher"] == name, "C"].to_numpy(dtype=float)
        np.testing.assert_allclose(np.sort(offsets[k][:, 0]), np.sort(expected_c))
        np.testing.assert_array_equal(offsets[k][:, 1], k)
        inside = np.sum((expected_c >= expected[0]) & (expected_c <= expected[1]))
        assert display.inside_["C"][name] == inside
    path = tmp_path / "coverage.png"
    display.figure_.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_grid_misses_a_narrow_best_region_between_its_points(grid_and_random):
    display = GridCoverageDisplay.from_results(grid_and_random)
    # The score depends on x only, so importance puts it first.
    assert list(display.values) == ["x", "noise"]
    low, high = display.regions["x"]
    assert low < 0.3 < high and high - low < 0.5
    # No grid point (-2, -1, 0, 1, 2) lies in the best region; random ones do.
    assert display.inside_["x"]["grid"] == 0
    assert display.inside_["x"]["random"] == math.ceil(0.1 * 35)
    assert display.axes_[0, 0].get_xscale() == "linear"
    assert display.axes_.shape == (2, 2)


def test_n_params_picks_the_most_important(grid_and_random):
    display = GridCoverageDisplay.from_results(grid_and_random, n_params=1)
    assert list(display.values) == ["x"]
    assert display.axes_.shape == (2, 1)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"params": ["class_weight"]}, r"categorical parameters \['class_weight'\]"),
        ({"params": ["gamma"]}, r"do not have: \['gamma'\]"),
        ({"top_fraction": 0.0}, r"top_fraction must be in \(0, 1\]"),
    ],
)
def test_bad_arguments_are_refused(searches, kwargs, match):
    with pytest.raises(ValueError, match=match):
        GridCoverageDisplay.from_results(searches, **kwargs)


def test_the_comparison_report_draws_the_coverage(grid_and_random, tmp_path):
    path = write_report(tmp_path, grid_and_random)
    text = path.read_text()
    assert "## Where each searcher looked\n\n![Where each searcher looked]" in text
    assert "(grid_coverage.png)" in text and "best 10% of the scores" in text
    assert (tmp_path / "grid_coverage.png").read_bytes()[:4] == b"\x89PNG"
    # A single search has nothing to compare: no coverage plot, no target table.
    single = write_report(tmp_path / "one", grid_and_random["grid"])
    assert "grid_coverage" not in single.read_text()
    assert "Evaluations to target" not in single.read_text()
