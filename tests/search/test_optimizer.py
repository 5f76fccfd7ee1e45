import math
import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from skopt.space import Categorical, Integer, Real
from threadpoolctl import threadpool_info, threadpool_limits

from skhp.search import optimizer as optimizer_module
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


def test_gp_refits_start_fresh_and_batches_reuse_the_last_fit():
    opt = SurrogateOptimizer(make_space(), n_initial_points=5, random_state=0)
    run(opt, 8)
    gp = opt.optimizer_.base_estimator_
    # Each re-optimisation starts from skopt's default hyperparameters (a warm
    # start from the last fit over-exploits; see docs/benchmarks.md).
    np.testing.assert_allclose(gp.kernel.theta, opt._kernel_template.theta)
    assert gp.optimizer == "fmin_l_bfgs_b" and gp.n_restarts_optimizer == 0
    # The constant-liar lies of a batch are fitted with the learnt ones.
    fitted = opt.optimizer_.models[-1]
    opt.ask(3)
    np.testing.assert_allclose(gp.kernel.k1.theta, fitted.kernel_.k1.theta)
    assert gp.kernel.k2.noise_level == pytest.approx(fitted.noise_)
    assert gp.optimizer is None


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
    with pytest.raises(ValueError, match="within the bounds"):
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
        },
    )
    assert opt.optimizer_.acq_optimizer == "sampling"
    assert opt.optimizer_.n_points == 321
    # Keys not given keep the tuned defaults.
    expected = SurrogateOptimizer._GP_ACQ_OPTIMIZER_KWARGS["n_restarts_optimizer"]
    assert opt.optimizer_.n_restarts_optimizer == expected


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


# -- the shortcuts through skopt's Gaussian-process arithmetic ---------------


class PlainSurrogateOptimizer(SurrogateOptimizer):
    """The same optimiser on skopt's own Optimizer and GaussianProcessRegressor."""

    _FAST_PATHS = False


@pytest.mark.parametrize(
    "space, n_points, acq_func, noise",
    [
        (make_space(), 1, "EI", None),
        (make_space(), 3, "EI", None),
        # One dimension: an isotropic length scale, which the likelihood
        # shortcut leaves to scikit-learn.
        ([Real(-2.0, 2.0)], 1, "EI", None),
        (make_space(), 1, "gp_hedge", None),
        (make_space(), 3, "gp_hedge", None),
        (make_space(), 1, "PI", None),
        (make_space(), 1, "LCB", None),
        # Noisy values raise xi; both paths read it from acq_func_kwargs.
        (make_space(), 1, "EI", 0.3),
        (make_space(), 3, "gp_hedge", 0.3),
    ],
)
def test_fast_paths_propose_exactly_what_skopt_proposes(
    space, n_points, acq_func, noise, monkeypatch
):
    def value(x):
        return objective(x) if len(x) == 4 else (x[0] - 0.5) ** 2

    # With scikit-learn's likelihood (the shortcut for it agrees to rounding
    # only, tested below), every other shortcut must give skopt's proposals
    # bit for bit.
    monkeypatch.setattr(optimizer_module, "_lml_terms", lambda gp: None)
    # The fast acquisition search must actually run (not fall back to skopt's).
    calls = []
    fast_acquisition = optimizer_module._acquisition_1d

    def counted(x, model, y_opt, acq, *args):
        calls.append(acq)
        return fast_acquisition(x, model, y_opt, acq, *args)

    monkeypatch.setattr(optimizer_module, "_acquisition_1d", counted)
    asked, gains = [], []
    for cls in (SurrogateOptimizer, PlainSurrogateOptimizer):
        opt = cls(space, n_initial_points=5, random_state=4, acq_func=acq_func)
        points = []
        while opt.n_told < 14:
            xs = opt.ask(n_points)
            points.extend(xs)
            opt.tell(
                xs,
                [value(x) for x in xs],
                noise=None if noise is None else [noise] * len(xs),
            )
        asked.append(points)
        gains.append(getattr(opt.optimizer_, "gains_", None))
    expected = {"gp_hedge": {"EI", "LCB", "PI"}}.get(acq_func, {acq_func})
    assert set(calls) == expected
    # Bitwise: the shortcuts run the same operations in the same order. (Any
    # rounding difference shows: near the data the predictive variance is a
    # difference of nearly equal numbers, and it moves the L-BFGS start.)
    assert asked[0] == asked[1]
    if acq_func == "gp_hedge":
        np.testing.assert_array_equal(gains[0], gains[1])


def fitted_gp(n_evals=12):
    opt = SurrogateOptimizer(make_space(), n_initial_points=5, random_state=0)
    run(opt, n_evals)
    gp = opt.optimizer_.models[-1]
    assert type(gp).__name__ == "_GaussianProcess"
    return opt, gp


def test_fast_log_marginal_likelihood_is_scikit_learns():
    from sklearn.gaussian_process import GaussianProcessRegressor as SkGP

    from skhp.search.optimizer import _lml_terms, _matern52_lml

    opt, gp = fitted_gp()
    gp.kernel_ = opt._fitted_kernel  # with its noise term, as during a fit
    terms = _lml_terms(gp)
    assert terms is not None
    bounds = gp.kernel_.bounds
    rng = np.random.RandomState(0)
    for _ in range(20):
        theta = rng.uniform(bounds[:, 0], bounds[:, 1])
        fast = _matern52_lml(terms, gp.alpha, theta)
        plain = SkGP.log_marginal_likelihood(
            gp, theta, eval_gradient=True, clone_kernel=False
        )
        np.testing.assert_allclose(fast[0], plain[0], rtol=1e-12)
        scale = np.abs(plain[1]).max()
        np.testing.assert_allclose(fast[1], plain[1], rtol=1e-9, atol=1e-12 * scale)


def test_fast_likelihood_fits_scikit_learns_hyperparameters(monkeypatch):
    from skopt.learning import GaussianProcessRegressor as SkoptGP

    from skhp.search.optimizer import _GaussianProcess

    calls = []
    fast_lml = optimizer_module._matern52_lml

    def counted(*args):
        calls.append(1)
        return fast_lml(*args)

    monkeypatch.setattr(optimizer_module, "_matern52_lml", counted)
    opt, gp = fitted_gp(n_evals=20)
    X, y = gp.X_train_, opt.optimizer_.yi
    params = gp.get_params(deep=False)
    params.update(kernel=opt._kernel_template, n_restarts_optimizer=0)
    calls.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the noise level at its lower bound
        fast = _GaussianProcess(**params).fit(X, y)
        plain = SkoptGP(**params).fit(X, y)
    assert len(calls) > 5
    # The same L-BFGS run from the same start, on gradients that differ by
    # rounding: the same optimum (measured: to about 1e-10).
    np.testing.assert_allclose(fast.kernel_.k1.theta, plain.kernel_.k1.theta, atol=1e-7)
    np.testing.assert_allclose(fast.noise_, plain.noise_, rtol=1e-7)
    np.testing.assert_allclose(
        fast.log_marginal_likelihood_value_,
        plain.log_marginal_likelihood_value_,
        rtol=1e-9,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"return_std": True},
        {"return_mean_grad": True},
        {"return_std": True, "return_mean_grad": True},
        {"return_std": True, "return_mean_grad": True, "return_std_grad": True},
    ],
)
def test_fast_predict_is_skopts(kwargs):
    from skopt.learning import GaussianProcessRegressor as SkoptGP

    opt, gp = fitted_gp()
    X = opt.optimizer_.space.transform(opt.ask(3) + opt.optimizer_.Xi[:2])
    for rows in ([0], [3], slice(None)):
        if len(X[rows]) > 1 and kwargs.get("return_mean_grad"):
            continue  # skopt's gradients are for one point only
        fast = gp.predict(X[rows], **kwargs)
        plain = SkoptGP.predict(gp, X[rows], **kwargs)
        if not isinstance(fast, tuple):
            fast, plain = (fast,), (plain,)
        assert len(fast) == len(plain)
        for a, b in zip(fast, plain):
            np.testing.assert_array_equal(a, b)


def test_fast_predict_falls_back_on_other_inputs():
    opt, gp = fitted_gp()
    X = opt.optimizer_.space.transform(opt.optimizer_.Xi[:3])
    # A list takes skopt's validating path, and agrees.
    np.testing.assert_array_equal(gp.predict(X.tolist()), gp.predict(X))
    with pytest.raises(ValueError, match="NaN"):
        gp.predict(np.full_like(X, np.nan))


@pytest.mark.parametrize(
    "dimensions",
    [
        [Real(1e-5, 1.0, prior="log-uniform"), Integer(1, 10), Categorical("abc")],
        [Categorical(["l1", "l2"]), Real(-1.0, 1.0)],
        [Categorical([1, 2, 3, 4]), Integer(2, 64, prior="log-uniform")],
        [Categorical([True, False]), Categorical(["only"]), Real(0.0, 1.0)],
    ],
)
@pytest.mark.parametrize("n_points", [1, 7, 1000])
def test_fast_transform_is_skopts(dimensions, n_points):
    from skhp.search.optimizer import _transform

    opt = SurrogateOptimizer(dimensions, random_state=0)
    space = opt.optimizer_.space
    points = space.rvs(n_samples=n_points, random_state=1)
    expected = space.transform(points)
    got = _transform(space, points)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
