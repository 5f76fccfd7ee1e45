import numpy as np
import pytest
from scipy.optimize import OptimizeResult

import skhp
from skhp import Categorical, Integer, Real, minimize


def bowl(x):
    return (x[0] - 0.3) ** 2 + (x[1] - 4) ** 2 / 10 + {"a": 0.5, "b": 0.0}[x[2]]


SPACE = [(-1.0, 1.0), (1, 8), ["a", "b"]]


def test_minimize_is_exported_from_skhp():
    assert skhp.minimize is minimize


def test_minimize_returns_an_optimize_result_like_gp_minimize():
    calls = []

    def func(x):
        calls.append(list(x))
        return bowl(x)

    res = minimize(func, SPACE, n_calls=20, n_initial_points=6, random_state=0)
    assert isinstance(res, OptimizeResult)
    assert res.x_iters == calls
    np.testing.assert_allclose(res.func_vals, [bowl(x) for x in calls])
    assert res.fun == min(res.func_vals)
    assert res.x == calls[int(np.argmin(res.func_vals))]
    assert [type(v) for v in res.x] == [float, int, str]
    assert res.space.n_dims == 3
    assert len(res.models) == 1
    assert res.specs["args"]["n_calls"] == 20
    # The surrogate predicts in the function's units.
    mean = res.models[0].predict(res.space.transform([res.x]))
    assert mean[0] == pytest.approx(res.fun, abs=0.1)


def test_minimize_finds_the_minimum_region():
    res = minimize(bowl, SPACE, n_calls=30, n_initial_points=8, random_state=0)
    assert res.x[2] == "b"
    assert res.fun < 0.05


def test_same_seed_same_points():
    a = minimize(bowl, SPACE, n_calls=14, n_initial_points=5, random_state=3)
    b = minimize(bowl, SPACE, n_calls=14, n_initial_points=5, random_state=3)
    assert a.x_iters == b.x_iters


@pytest.mark.parametrize("base_estimator", ["GP", "rf", "ET", "gbrt"])
def test_every_surrogate_runs(base_estimator):
    res = minimize(
        bowl,
        SPACE,
        n_calls=10,
        n_initial_points=4,
        base_estimator=base_estimator,
        random_state=0,
    )
    assert len(res.func_vals) == 10


def test_skhp_dimensions_keep_their_names():
    dims = [Real(-1, 1, name="x"), Integer(1, 8, name="k"), Categorical(["a", "b"])]
    res = minimize(bowl, dims, n_calls=6, n_initial_points=3, random_state=0)
    assert res.space.dimension_names[:2] == ["x", "k"]


def test_a_skopt_space_is_read_dimension_by_dimension():
    from skopt.space import Space

    res = minimize(bowl, Space(SPACE), n_calls=6, n_initial_points=3, random_state=0)
    assert [type(v) for v in res.x] == [float, int, str]


def test_x0_is_evaluated_first_and_counts_towards_n_calls():
    x0 = [[0.3, 4, "b"], [0.0, 1, "a"]]
    res = minimize(bowl, SPACE, n_calls=8, n_initial_points=4, x0=x0, random_state=0)
    assert res.x_iters[:2] == x0
    assert len(res.x_iters) == 8
    assert res.x == [0.3, 4, "b"]


def test_x0_with_y0_is_told_without_evaluating():
    calls = []

    def func(x):
        calls.append(x)
        return bowl(x)

    res = minimize(
        func,
        SPACE,
        n_calls=5,
        n_initial_points=3,
        x0=[0.3, 4, "b"],
        y0=-1.0,
        random_state=0,
    )
    assert len(calls) == 5
    assert res.x_iters[0] == [0.3, 4, "b"]
    assert res.fun == -1.0


def test_callback_sees_each_step_and_can_stop():
    seen = []

    def callback(res):
        seen.append(len(res.x_iters))
        return len(seen) == 4

    res = minimize(bowl, SPACE, n_calls=20, random_state=0, callback=callback)
    assert seen == [1, 2, 3, 4]
    assert len(res.func_vals) == 4


def test_skopt_callbacks_work():
    from skopt.callbacks import DeltaYStopper

    res = minimize(
        bowl, SPACE, n_calls=20, random_state=0, callback=DeltaYStopper(1e9, n_best=3)
    )
    assert len(res.func_vals) == 3


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"dimensions": {"a": (0, 1)}}, "must be a list"),
        ({"dimensions": [(0.0, 1.0), "x"]}, r"dimensions\[1\]"),
        ({"dimensions": [["only"]]}, "nothing to minimise"),
        ({"n_calls": 0}, "`n_calls` must be >= 1"),
        ({"base_estimator": "svm"}, "'GP', 'RF', 'ET' or 'GBRT'"),
        ({"callback": "stop"}, "callable or a list of callables"),
        ({"x0": [[0.0, 99, "a"]]}, r"x0\[0\] = \[0.0, 99, 'a'\] is not a point"),
        ({"x0": [[0.0, 1]]}, "2 values for 3 dimensions"),
        ({"x0": [[0.0, 1, "a"]], "y0": [1.0, 2.0]}, "`y0` has 2 values"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    kwargs = {"dimensions": SPACE, **kwargs}
    with pytest.raises(ValueError, match=match):
        minimize(bowl, **kwargs)


def test_a_non_finite_value_is_refused():
    with pytest.raises(ValueError, match="must return a finite number"):
        minimize(lambda x: float("nan"), SPACE, n_calls=3, random_state=0)


@pytest.mark.parametrize(
    "plot", ["plot_objective", "plot_convergence", "plot_evaluations"]
)
def test_skopt_plots_draw_the_result(plot):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from skopt import plots

    res = minimize(bowl, SPACE, n_calls=12, n_initial_points=5, random_state=0)
    kwargs = {"n_points": 8, "n_samples": 20} if plot == "plot_objective" else {}
    axes = getattr(plots, plot)(res, **kwargs)
    if plot == "plot_objective":
        # The partial dependence is the surrogate's, in the function's units.
        curves = [
            ax.get_lines()[0].get_ydata() for ax in axes.figure.axes if ax.get_lines()
        ]
        assert len(curves) == 3
        ys = np.concatenate(curves)
        assert ys.min() > -0.5 and ys.max() < 5.0
    assert np.size(axes) >= 1
    plt.close("all")
