"""The surrogate plots render headless and show what the surrogate says."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402

from skhp.explain import PartialDependenceDisplay, SurrogateDisplay  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _png(display, path):
    display.figure_.savefig(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_surrogate_display_log_parameter(surrogate, tmp_path):
    reference = surrogate.best()[0]
    display = SurrogateDisplay.from_surrogate(surrogate, "C", n_points=40)
    assert display.ax_.get_xscale() == "log"
    assert display.acquisition_ax_.get_xscale() == "log"
    # One point per evaluation of the branch, at its C and score.
    params, scores = surrogate.observed()
    offsets = display.scatter_.get_offsets()
    assert len(offsets) == surrogate.n_observed == 16
    np.testing.assert_allclose(offsets[:, 0], [p["C"] for p in params])
    np.testing.assert_allclose(offsets[:, 1], scores)
    # The curve is the surrogate along C with the rest at the best candidate.
    values = surrogate.grid("C", 40)
    candidates = [{**reference, "C": c} for c in values]
    mean, std = surrogate.predict(candidates)
    np.testing.assert_allclose(display.line_.get_xdata(), values)
    np.testing.assert_allclose(display.line_.get_ydata(), mean)
    np.testing.assert_allclose(
        display.acquisition_artist_.get_ydata(), surrogate.acquisition(candidates)
    )
    band = display.band_.get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx((mean - 1.96 * std).min())
    assert band.max() == pytest.approx((mean + 1.96 * std).max())
    _png(display, tmp_path / "surrogate.png")


def test_surrogate_display_categorical_parameter_as_bars(surrogate, tmp_path):
    display = SurrogateDisplay.from_surrogate(surrogate, "kernel", acq_func="PI")
    assert display.line_ is None and display.band_ is None
    assert isinstance(display.bars_, BarContainer)
    assert len(display.bars_) == 3
    assert display.bars_.errorbar is not None
    assert isinstance(display.acquisition_artist_, BarContainer)
    labels = [t.get_text() for t in display.acquisition_ax_.get_xticklabels()]
    assert labels == ["linear", "rbf", "poly"]
    assert display.ax_.get_xscale() == "linear"
    # Bars reach the surrogate mean of each kernel.
    tops = [b.get_y() + b.get_height() for b in display.bars_]
    np.testing.assert_allclose(tops, display.mean)
    assert len(display.scatter_.get_offsets()) == 16
    _png(display, tmp_path / "kernel.png")


def test_surrogate_display_integer_without_acquisition(surrogate):
    fig, ax = plt.subplots()
    display = SurrogateDisplay.from_surrogate(surrogate, "degree", acq_func=None, ax=ax)
    assert display.ax_ is ax and display.acquisition_ax_ is None
    np.testing.assert_array_equal(display.line_.get_xdata(), [1, 2, 3, 4, 5])
    assert ax.get_xscale() == "linear"
    with pytest.raises(ValueError, match="ax must hold 2 Axes"):
        SurrogateDisplay.from_surrogate(surrogate, "degree", ax=ax)
    with pytest.raises(ValueError, match="'shrinking' is not a free parameter"):
        SurrogateDisplay.from_surrogate(surrogate, "shrinking")


def test_partial_dependence_one_parameter_is_the_average_over_observed(surrogate):
    display = PartialDependenceDisplay.from_surrogate(surrogate, "C", n_points=10)
    params, _ = surrogate.observed()
    expected = [
        surrogate.predict([{**p, "C": c} for p in params])[0].mean()
        for c in surrogate.grid("C", 10)
    ]
    np.testing.assert_allclose(display.line_.get_ydata(), expected)
    assert display.ax_.get_xscale() == "log"
    assert len(display.scatter_.get_offsets()) == 16
    assert display.n_background == 16


def test_partial_dependence_categorical_and_sampled_background(surrogate, tmp_path):
    display = PartialDependenceDisplay.from_surrogate(
        surrogate, ["kernel"], background=30, random_state=0
    )
    assert display.n_background == 30
    assert len(display.bars_) == 3
    # rbf carries the bonus in the true surface; the surrogate learned it.
    assert int(np.argmax(display.average)) == 1
    _png(display, tmp_path / "pd_kernel.png")


@pytest.mark.parametrize(
    "params, surface",
    [(["C", "degree"], "QuadContourSet"), (["C", "kernel"], "QuadMesh")],
)
def test_partial_dependence_two_parameters(surrogate, params, surface, tmp_path):
    display = PartialDependenceDisplay.from_surrogate(surrogate, params, n_points=8)
    assert type(display.surface_).__name__ == surface
    n0 = len(surrogate.grid(params[0], 8))
    n1 = len(surrogate.grid(params[1], 8))
    assert display.average.shape == (n0, n1)
    assert display.ax_.get_xscale() == "log"
    assert display.ax_.get_yscale() == "linear"
    assert display.colorbar_ is not None
    assert len(display.scatter_.get_offsets()) == 16
    _png(display, tmp_path / "pd2.png")


@pytest.mark.parametrize(
    "params, background, match",
    [
        (["C", "C"], "observed", "one or two distinct"),
        (["C", "kernel", "degree"], "observed", "one or two distinct"),
        ("C", 0, "positive number of draws"),
        ("C", "all", "positive number of draws"),
    ],
)
def test_partial_dependence_errors(surrogate, params, background, match):
    with pytest.raises(ValueError, match=match):
        PartialDependenceDisplay.from_surrogate(
            surrogate, params, background=background
        )
