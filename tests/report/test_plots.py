import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skhp.report import (
    ConvergenceDisplay,
    ParallelCoordinatesDisplay,
    ParameterImportanceDisplay,
    ParameterScoreDisplay,
    results_frame,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _saved(display, tmp_path):
    path = tmp_path / "plot.png"
    display.figure_.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def test_convergence_draws_one_line_per_searcher(searches, tmp_path):
    display = ConvergenceDisplay.from_results(searches)
    assert len(display.lines_) == 3
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == [
        "grid (5 evaluations)",
        "random (6 evaluations)",
        "bayes (6 evaluations)",
    ]
    assert display.ax_.get_xlabel() == "evaluations"
    assert display.ax_.get_ylabel() == "best mean CV score so far"
    frame = results_frame(searches)
    for line, name in zip(display.lines_, ["grid", "random", "bayes"]):
        part = frame[frame["searcher"] == name]
        np.testing.assert_array_equal(line.get_xdata(), part["iteration"])
        np.testing.assert_allclose(line.get_ydata(), part["best_so_far"])
    _saved(display, tmp_path)


def test_convergence_against_time_accumulates_fit_time(searches):
    display = ConvergenceDisplay.from_results(searches["grid"], x="time")
    (line,) = display.lines_
    x = np.asarray(line.get_xdata())
    assert np.all(np.diff(x) > 0)
    assert "time" in display.ax_.get_xlabel()
    assert display.ax_.get_legend().get_texts()[0].get_text() == (
        "GridSearchCV (5 evaluations)"
    )


def test_convergence_follows_the_metric_asked(multimetric):
    display = ConvergenceDisplay.from_search(multimetric, metric="acc")
    np.testing.assert_allclose(
        display.lines_[0].get_ydata(),
        np.maximum.accumulate(multimetric.cv_results_["mean_test_acc"]),
    )
    assert display.ax_.get_ylabel() == "best mean CV acc so far"


def test_convergence_draws_on_a_given_axes(searches):
    _, ax = plt.subplots()
    display = ConvergenceDisplay.from_results(searches["bayes"], ax=ax)
    assert display.ax_ is ax and display.figure_ is ax.figure


def test_parallel_coordinates_one_line_per_success_log_and_categories(
    searches, tmp_path
):
    display = ParallelCoordinatesDisplay.from_results(searches["random"])
    assert len(display.lines_) == 6
    assert display.scales_ == {
        "C": "log",
        "class_weight": "category",
        "score": "linear",
    }
    labels = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert labels == ["C\n(log)", "class_weight", "score"]
    texts = {t.get_text() for t in display.ax_.texts}
    assert {"None", "balanced"} <= texts
    assert display.colorbar_.ax.get_ylabel() == "mean CV score"
    # The best line is drawn last, on top.
    best = searches["random"].cv_results_["mean_test_score"].max()
    assert display.lines_[-1].get_ydata()[-1] == pytest.approx(1.0)
    assert display.scores.max() == pytest.approx(best)
    _saved(display, tmp_path)


def test_parallel_coordinates_skips_failed_candidates(failing):
    display = ParallelCoordinatesDisplay.from_search(failing)
    assert len(display.lines_) == 2


def test_parallel_coordinates_breaks_lines_at_absent_parameters(conditional):
    display = ParallelCoordinatesDisplay.from_results(
        conditional, params=["kernel", "gamma", "C"]
    )
    gamma = display.positions[:, 1]
    kernels = results_frame(conditional)["kernel"].to_numpy()
    assert np.isnan(gamma[kernels == "linear"]).all()
    assert not np.isnan(gamma[kernels == "rbf"]).any()
    assert len(display.lines_) == 5


@pytest.mark.parametrize(
    "values, scale", [([0.1, 1.0, 10.0], "linear"), ([0.01, 1.0, 10.0], "log")]
)
def test_parameter_scores_use_log_x_beyond_two_decades(iris, values, scale):
    X, y = iris
    search = GridSearchCV(LogisticRegression(max_iter=300), {"C": values}, cv=2)
    display = ParameterScoreDisplay.from_search(search.fit(X, y))
    (ax,) = display.axes_
    assert ax.get_xscale() == scale
    assert ax.get_xlabel() == "C"


def test_parameter_scores_one_subplot_per_parameter(searches, tmp_path):
    display = ParameterScoreDisplay.from_results(
        {"random": searches["random"], "bayes": searches["bayes"]}
    )
    assert [ax.get_xlabel() for ax in display.axes_] == ["C", "class_weight"]
    c_ax, weight_ax = display.axes_
    assert c_ax.get_xscale() == "log"
    assert [t.get_text() for t in weight_ax.get_xticklabels()] == ["None", "balanced"]
    assert [t.get_text() for t in c_ax.get_legend().get_texts()] == ["random", "bayes"]
    n_points = sum(len(c.get_offsets()) for c in c_ax.collections)
    assert n_points == 12
    _saved(display, tmp_path)


def test_parameter_scores_need_one_axes_per_parameter(searches):
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"one Axes per parameter \(2\), but got 1"):
        ParameterScoreDisplay.from_results(searches["random"], ax=[ax])


@pytest.mark.parametrize("display", [ParallelCoordinatesDisplay, ParameterScoreDisplay])
def test_unknown_params_are_refused(searches, display):
    with pytest.raises(ValueError, match=r"do not have: \['gamma'\]; choose among"):
        display.from_results(searches["random"], params=["C", "gamma"])


def test_importance_bars_put_the_parameter_that_matters_on_top(peaked, tmp_path):
    display = ParameterImportanceDisplay.from_search(peaked)
    assert len(display.bars_) == 2
    labels = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert labels == ["noise", "x"]  # barh draws bottom-up: the largest last
    widths = [bar.get_width() for bar in display.bars_]
    assert widths[1] > widths[0]
    assert "R²" in display.ax_.get_xlabel()
    _saved(display, tmp_path)


@pytest.mark.parametrize(
    "display",
    [
        ConvergenceDisplay,
        ParallelCoordinatesDisplay,
        ParameterScoreDisplay,
        ParameterImportanceDisplay,
    ],
)
def test_from_search_wants_a_fitted_search(searches, display):
    with pytest.raises(ValueError, match=r"must be a fitted search.*call"):
        display.from_search(searches["grid"].cv_results_)


def test_convergence_x_is_checked(searches):
    with pytest.raises(ValueError, match=r"x must be 'evaluations' or 'time'.*'iter'"):
        ConvergenceDisplay.from_results(searches["grid"], x="iter")


def test_a_frame_is_accepted_and_its_metric_can_change(multimetric):
    frame = results_frame(multimetric)
    display = ConvergenceDisplay.from_results(frame, metric="acc")
    np.testing.assert_allclose(
        display.lines_[0].get_ydata(),
        np.maximum.accumulate(multimetric.cv_results_["mean_test_acc"]),
    )
    assert frame.attrs["metric"] == "f1"  # the caller's frame is left alone
    with pytest.raises(ValueError, match=r"metric='nope' is not a metric"):
        ConvergenceDisplay.from_results(frame, metric="nope")


@pytest.mark.parametrize(
    "display",
    [ConvergenceDisplay, ParallelCoordinatesDisplay, ParameterScoreDisplay],
)
def test_nothing_to_plot_when_every_candidate_failed(failing, display):
    cv = dict(failing.cv_results_)
    cv["mean_test_score"] = np.full(3, np.nan)
    with pytest.raises(ValueError, match=r"No candidate succeeded \(all 3 failed"):
        display.from_results(cv)


def test_each_searcher_has_one_colour_on_every_plot(searches):
    from matplotlib.colors import to_hex

    from skhp.report.style import searcher_color

    convergence = ConvergenceDisplay.from_results(searches)
    colours = {
        name: to_hex(line.get_color())
        for name, line in zip(["grid", "random", "bayes"], convergence.lines_)
    }
    assert colours == {
        "grid": searcher_color("grid"),
        "random": searcher_color("random"),
        "bayes": searcher_color("bayes"),
    }
    scores = ParameterScoreDisplay.from_results(searches, params=["C"])
    axis = scores.axes_[0]
    dots = {c.get_label(): to_hex(c.get_facecolor()[0]) for c in axis.collections}
    assert dots == colours
    # Box medians are black, not a searcher's colour.
    scores = ParameterScoreDisplay.from_results(searches, params=["class_weight"])
    medians = [
        line for line in scores.axes_[0].lines if to_hex(line.get_color()) == "#000000"
    ]
    assert medians


def test_convergence_ticks_are_whole_and_a_long_run_is_clipped(searches, iris):
    X, y = iris
    fine = GridSearchCV(LogisticRegression(max_iter=300), {"C": np.logspace(-3, 2, 40)})
    results = {"grid": fine.fit(X, y), "bayes": searches["bayes"]}
    display = ConvergenceDisplay.from_results(results)
    display.figure_.canvas.draw()
    ticks = display.ax_.get_xticks()
    assert np.allclose(ticks, np.round(ticks))
    # 40 against 6 evaluations: the x axis stops at twice the smaller run.
    assert display.clipped_ == 12
    assert display.ax_.get_xlim()[1] == pytest.approx(12.5)
    notes = [t.get_text() for t in display.ax_.texts]
    assert any("clipped at 12 evaluations (longest run: 40)" in n for n in notes)
    assert display.ax_.get_title() == "Convergence: best score so far"
    # Comparable budgets: nothing clipped.
    assert ConvergenceDisplay.from_results(searches).clipped_ is None


def test_pipeline_prefixes_are_left_out_of_the_labels(iris):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = iris
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
    grid = {
        "logisticregression__C": [0.01, 1.0, 100.0],
        "logisticregression__fit_intercept": [True, False],
    }
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    parallel = ParallelCoordinatesDisplay.from_results(search)
    labels = [t.get_text() for t in parallel.ax_.get_xticklabels()]
    assert labels == ["C\n(log)", "fit_intercept", "score"]
    scores = ParameterScoreDisplay.from_results(search)
    assert [a.get_xlabel() for a in scores.axes_] == ["C", "fit_intercept"]


def test_partial_dependence_matrix_of_the_top_parameters(iris):
    from sklearn.model_selection import RandomizedSearchCV

    from skhp import Real
    from skhp.report import PartialDependenceMatrixDisplay

    X, y = iris
    space = {
        "C": Real(1e-3, 1e2, prior="log-uniform"),
        "tol": Real(1e-5, 1e-1, prior="log-uniform"),
        "intercept_scaling": Real(0.5, 2.0),
    }
    search = RandomizedSearchCV(
        LogisticRegression(max_iter=300), space, n_iter=12, cv=3, random_state=0
    ).fit(X, y)
    display = PartialDependenceMatrixDisplay.from_results(search, n_params=3)
    # C matters on iris, so it comes first.
    assert display.params[0] == "C" and len(display.params) == 3
    assert display.axes_.shape == (3, 3)
    assert display.labels[0] == "log10 C"
    assert display.surfaces[(1, 0)].shape == (
        len(display.grids[1]),
        len(display.grids[0]),
    )
    # The PD of C rises from small C to large C.
    assert display.curves[0][-1] > display.curves[0][0]
    assert not display.axes_[0, 1].get_visible()
    assert display.axes_[2, 0].get_xlabel() == "log10 C"


def test_partial_dependence_matrix_needs_two_varied_parameters(searches):
    from skhp.report import PartialDependenceMatrixDisplay

    with pytest.raises(ValueError, match="needs 2 parameters that vary"):
        PartialDependenceMatrixDisplay.from_results(searches["grid"])


def test_convergence_bands_over_repeated_runs(iris, tmp_path):
    from sklearn.model_selection import RandomizedSearchCV

    from skhp import Real
    from skhp.report import write_report

    X, y = iris
    space = {"C": Real(1e-3, 1e2, prior="log-uniform")}
    runs = [
        RandomizedSearchCV(
            LogisticRegression(max_iter=300), space, n_iter=n, cv=3, random_state=seed
        ).fit(X, y)
        for seed, n in ((0, 5), (1, 6), (2, 5))
    ]
    display = ConvergenceDisplay.from_repeats({"random": runs})
    assert display.n_runs_ == {"random": 3}
    (median,) = display.best_scores
    assert len(median) == 5  # the shortest run
    curves = np.vstack([results_frame(r)["best_so_far"].to_numpy()[:5] for r in runs])
    np.testing.assert_allclose(median, np.median(curves, axis=0))
    assert len(display.bands_) == 1
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == ["random, median of 3 runs (5 evaluations)"]
    # A report of runs named "<searcher>@<run>" draws the bands.
    named = {f"random@{i}": r for i, r in enumerate(runs)}
    text = write_report(tmp_path, named).read_text()
    assert "median over the repeated runs" in text
    with pytest.raises(ValueError, match="non-empty list of results"):
        ConvergenceDisplay.from_repeats({"random": runs[0]})
