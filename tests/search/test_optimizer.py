import math
import pickle
import re

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from skopt.space import Categorical, Integer, Real
from threadpoolctl import threadpool_info, threadpool_limits

from skhp.search.optimizer import SurrogateOptimizer

CATEGORIES = ["relu", "tanh", "sigmoid"]


def make_space():
    return [
        Real(1e-4, 1.0, prior="log-uniform"),
        Real(-1.0, 1.0),
        Integer(1, 8),
        Categorical(CATEGORIES),
    ]


def objective(x):
    lr, shift, layers, act = x
    return (
        (math.log10(lr) + 2.0) ** 2
        + (shift - 0.3) ** 2
        + 0.1 * (layers - 3) ** 2
        + CATEGORIES.index(act) * 0.5
    )


def run(opt, n_evals, n_points=1):
    asked = []
    while opt.n_told < n_evals:
        xs = opt.ask(n_points)
        asked.extend(xs)
        opt.tell(xs, [objective(x) for x in xs])
    return asked


def assert_in_space(x, space=None):
    space = make_space() if space is None else space
    assert len(x) == len(space)
    for value, dim in zip(x, space):
        if isinstance(dim, Categorical):
            assert value in dim.categories
        else:
            assert dim.low <= value <= dim.high


def test_same_seed_same_tells_give_same_asks():
    a = SurrogateOptimizer(make_space(), n_initial_points=4, random_state=3)
    b = SurrogateOptimizer(make_space(), n_initial_points=4, random_state=3)
    asked_a = run(a, 6) + run(a, 9, n_points=3)
    asked_b = run(b, 6) + run(b, 9, n_points=3)
    assert asked_a == asked_b
    assert a.ask(2) == b.ask(2)


def test_different_seeds_give_different_asks():
    a = SurrogateOptimizer(make_space(), random_state=0)
    b = SurrogateOptimizer(make_space(), random_state=1)
    assert a.ask(3) != b.ask(3)


@pytest.mark.parametrize("n_told", [0, 6])
def test_batch_asks_are_distinct_and_within_bounds(n_told):
    opt = SurrogateOptimizer(make_space(), n_initial_points=5, random_state=0)
    run(opt, n_told)
    xs = opt.ask(4)
    assert len(xs) == 4
    assert len({tuple(x) for x in xs}) == 4
    for x in xs:
        assert_in_space(x)


def test_batch_on_small_discrete_space_covers_it():
    opt = SurrogateOptimizer([Categorical(["a", "b", "c"])], random_state=0)
    assert sorted(x[0] for x in opt.ask(3)) == ["a", "b", "c"]


def test_values_have_the_dimension_types():
    categories = ["relu", 2, None]
    space = [Real(0.0, 1.0), Integer(-3, 3), Categorical(categories)]
    opt = SurrogateOptimizer(space, n_initial_points=3, random_state=0)
    for _ in range(3):
        xs = opt.ask(2)
        for real, integer, category in xs:
            assert type(real) is float
            assert type(integer) is int and -3 <= integer <= 3
            assert any(category is c for c in categories)
        opt.tell(xs, [x[0] + x[1] for x in xs])
    assert opt.model_ready


@pytest.mark.parametrize("base_estimator", ["gp", "rf", "et", "gbrt"])
def test_base_estimators_fit_and_predict(base_estimator):
    opt = SurrogateOptimizer(
        make_space(),
        base_estimator=base_estimator,
        n_initial_points=4,
        random_state=0,
        # Keep the tree models' acquisition sampling small for test speed.
        optimizer_kwargs={"acq_optimizer_kwargs": {"n_points": 200}},
    )
    assert not opt.model_ready
    run(opt, 4)
    assert opt.model_ready and opt.n_told == 4
    xs = opt.ask(2)
    assert len({tuple(x) for x in xs}) == 2
    for x in xs:
        assert_in_space(x)
    opt.tell(xs, [objective(x) for x in xs])
    assert opt.n_told == 6
    mean, std = opt.predict(xs + [opt.ask()[0]])
    assert mean.shape == (3,) and std.shape == (3,)
    assert np.all(np.isfinite(mean)) and np.all(std >= 0)


def test_gp_predicts_told_values():
    opt = SurrogateOptimizer(make_space(), n_initial_points=5, random_state=0)
    xs = run(opt, 15)
    mean, std = opt.predict(xs)
    ys = np.array([objective(x) for x in xs])
    # A noise level is fitted, so not exact, but close relative to the spread.
    assert np.corrcoef(mean, ys)[0, 1] > 0.9
    assert std.shape == (15,)


def test_predict_before_a_model_raises():
    opt = SurrogateOptimizer(make_space(), n_initial_points=5, random_state=0)
    run(opt, 3)
    with pytest.raises(NotFittedError, match="No surrogate fitted yet"):
        opt.predict(opt.ask())


def test_gp_batches_keep_the_fitted_hyperparameters(monkeypatch):
    from skhp.search.bo import policy

    # No random proposals: every point of the batch comes from a lied model.
    opt = SurrogateOptimizer(
        make_space(),
        n_initial_points=5,
        random_state=0,
        optimizer_kwargs={"random_share": 0.0},
    )
    run(opt, 8)
    fitted = opt.model.theta_.copy()
    conditioned = []
    real_condition = policy.GaussianProcess.condition

    def spy(self, X, y, theta=None):
        conditioned.append(None if theta is None else np.array(theta))
        return real_condition(self, X, y, theta)

    monkeypatch.setattr(policy.GaussianProcess, "condition", spy)
    opt.ask(3)
    # Two lies, each conditioned on with the hyperparameters of the last fit.
    assert len(conditioned) == 2
    for theta in conditioned:
        np.testing.assert_array_equal(theta, fitted)
    np.testing.assert_array_equal(opt.model.theta_, fitted)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -np.inf, "1.0", None])
def test_tell_rejects_non_finite_values(bad):
    opt = SurrogateOptimizer(make_space(), random_state=0)
    xs = opt.ask(2)
    with pytest.raises(ValueError, match=r"ys\[1\] is " + re.escape(repr(bad))):
        opt.tell(xs, [1.0, bad])
    assert opt.n_told == 0


def test_tell_rejects_mismatched_lengths():
    opt = SurrogateOptimizer(make_space(), random_state=0)
    xs = opt.ask(2)
    with pytest.raises(ValueError, match="2 points and 3 values"):
        opt.tell(xs, [1.0, 2.0, 3.0])


def test_tell_rejects_points_of_the_wrong_length():
    opt = SurrogateOptimizer(make_space(), random_state=0)
    with pytest.raises(ValueError, match=r"4 values; xs\[0\] has 3"):
        opt.tell([[0.1, 0.0, 2]], [1.0])


def test_tell_rejects_points_outside_the_space():
    opt = SurrogateOptimizer(make_space(), random_state=0)
    with pytest.raises(ValueError, match="is not in the space"):
        opt.tell([[0.1, 5.0, 2, "relu"]], [1.0])


def test_empty_tell_is_a_no_op():
    opt = SurrogateOptimizer(make_space(), random_state=0)
    opt.tell([], [])
    assert opt.n_told == 0


@pytest.mark.parametrize("n_points", [0, -1, 1.5, True])
def test_ask_rejects_bad_n_points(n_points):
    opt = SurrogateOptimizer(make_space(), random_state=0)
    with pytest.raises(ValueError, match="n_points must be a positive integer"):
        opt.ask(n_points)


def test_bad_base_estimator():
    with pytest.raises(ValueError, match="base_estimator must be one of"):
        SurrogateOptimizer(make_space(), base_estimator="svm")


def test_bad_dimension():
    with pytest.raises(TypeError, match="dimensions must be skopt.space"):
        SurrogateOptimizer([(0.0, 1.0)])


def test_optimizer_kwargs_cannot_repeat_own_parameters():
    with pytest.raises(ValueError, match=r"cannot set \['acq_func'\]"):
        SurrogateOptimizer(make_space(), optimizer_kwargs={"acq_func": "LCB"})


def test_optimizer_kwargs_override_defaults():
    opt = SurrogateOptimizer(
        make_space(),
        optimizer_kwargs={
            "acq_optimizer": "sampling",
            "acq_optimizer_kwargs": {"n_points": 321},
            "acq_func_kwargs": {"xi": 0.2},
        },
    )
    assert opt._gp.local_search is False
    assert opt._gp.n_samples == 321
    # Keys not given keep the defaults.
    assert opt._gp.n_restarts == 10
    assert opt.acq_func_kwargs == {"xi": 0.2, "kappa": 1.96}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_jobs": 2}, r"keys \['n_jobs'\] have no meaning with the Gaussian"),
        ({"acq_func_kwargs": {"eta": 1}}, r"keys \['eta'\] are not used here"),
        ({"acq_func_kwargs": [1]}, r"'acq_func_kwargs'\] must be a dict"),
        ({"acq_func_kwargs": {"xi": "big"}}, r"'xi'\] must be a finite number"),
        ({"acq_optimizer": "cma"}, r"must be one of \['auto', 'lbfgs', 'sampling'\]"),
        (
            {"acq_optimizer_kwargs": {"n_points": 0}},
            r"'n_points'\] must be a positive integer, got 0",
        ),
        ({"random_share": 1.5}, r"must be a number in \[0, 1\], got 1.5"),
        ({"random_share": "some"}, r"'random_share'\] must be a number in \[0, 1\]"),
    ],
)
def test_bad_gp_optimizer_kwargs_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SurrogateOptimizer(make_space(), optimizer_kwargs=kwargs)


def test_bad_gp_acq_func_is_named():
    with pytest.raises(ValueError, match=r"acq_func must be one of .*got 'MES'"):
        SurrogateOptimizer(make_space(), acq_func="MES")


def test_caller_thread_limits_are_restored():
    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        opt = SurrogateOptimizer(make_space(), n_initial_points=3, random_state=0)
        run(opt, 5)
        opt.predict(opt.ask(2))
        assert blas_threads() == before


def test_pickle_round_trip_keeps_state():
    opt = SurrogateOptimizer(make_space(), n_initial_points=4, random_state=0)
    run(opt, 6)
    clone = pickle.loads(pickle.dumps(opt))
    assert clone.n_told == 6 and clone.model_ready
    xs = opt.ask(2)
    assert clone.ask(2) == xs
    ys = [objective(x) for x in xs]
    opt.tell(xs, ys)
    clone.tell(xs, ys)
    assert clone.ask() == opt.ask()
