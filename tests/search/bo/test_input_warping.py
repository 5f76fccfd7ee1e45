"""Input warping: its derivatives, the warped likelihood and predictions, the loop."""

import numpy as np
import pytest
from skopt.space import Categorical, Integer, Real

from skhp.search.bo.gp import GaussianProcess, _Likelihood
from skhp.search.bo.input_warping import InputWarping
from skhp.search.bo.policy import GPOptimizer
from skhp.search.bo.prior import HyperPrior
from skhp.search.optimizer import SurrogateOptimizer


def data(n=14, d=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, d)
    y = np.sin(6 * X[:, 0] ** 2) + X[:, 1] ** 2 + 0.05 * rng.randn(n)
    return X, (y - y.mean()) / y.std()


def finite_difference(f, x, eps=1e-6):
    """Central differences of a scalar function, one coordinate at a time."""
    out = np.empty(len(x))
    for i in range(len(x)):
        step = np.zeros(len(x))
        step[i] = eps
        out[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


def test_warping_is_a_monotone_bijection_of_the_unit_interval():
    warping = InputWarping([0, 1])
    params = np.log([0.3, 2.5, 2.0, 0.4])  # log a (two columns), log b
    x = np.linspace(0, 1, 101)
    W = warping.transform(np.column_stack([x, x, x]), params)
    for j in (0, 1):
        assert np.all(np.diff(W[:, j]) > 0)
        # Up to the clipping into [1e-7, 1 - 1e-7]: (1e-7)^0.3 = 0.008.
        assert W[0, j] == pytest.approx(0.0, abs=0.02)
        assert W[-1, j] == pytest.approx(1.0, abs=0.02)
    # a < 1 stretches the lower end: the first tenth takes more than a tenth.
    assert W[10, 0] > 0.3
    # The column not named passes unchanged.
    np.testing.assert_array_equal(W[:, 2], x)
    # The identity parameters give the identity inside the clipping margin.
    np.testing.assert_allclose(
        warping.transform(np.column_stack([x, x, x]), warping.identity()),
        np.column_stack([x, x, x]),
        atol=1e-6,
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_warping_derivatives_by_finite_differences(seed):
    rng = np.random.RandomState(seed)
    warping = InputWarping([0, 2])
    params = rng.uniform(-1.5, 1.5, size=4)
    X = rng.uniform(0.02, 0.98, size=(6, 3))
    _, dw_dx, dw_dlog_a, dw_dlog_b = warping.transform_with_derivatives(X, params)
    for i in range(6):
        for k, j in enumerate(warping.columns):

            def of_x(v, i=i, j=j):
                Z = X.copy()
                Z[i, j] = v[0]
                return warping.transform(Z, params)[i, j]

            def of_params(p, i=i, j=j):
                return warping.transform(X, p)[i, j]

            assert dw_dx[i, k] == pytest.approx(
                finite_difference(of_x, X[i, j : j + 1])[0], rel=1e-5, abs=1e-8
            )
            numeric = finite_difference(of_params, params)
            assert dw_dlog_a[i, k] == pytest.approx(numeric[k], rel=1e-5, abs=1e-8)
            assert dw_dlog_b[i, k] == pytest.approx(numeric[2 + k], rel=1e-5, abs=1e-8)


def test_warping_derivatives_stay_finite_at_the_bounds():
    warping = InputWarping([0])
    X = np.array([[0.0], [1.0]])
    for params in (np.log([0.15, 0.15]), np.log([7.0, 7.0])):
        parts = warping.transform_with_derivatives(X, params)
        assert all(np.all(np.isfinite(part)) for part in parts)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_likelihood_gradient_by_finite_differences_with_warping(seed):
    X, y = data(seed=seed)
    rng = np.random.RandomState(seed)
    warping = InputWarping([0, 2])
    # signal, three length scales, noise, then log a and log b of two columns.
    theta = np.concatenate(
        [rng.uniform(-1.5, 0.5, size=5), rng.uniform(-1.0, 1.0, size=4)]
    )
    likelihood = _Likelihood(X, y, warping)
    value, grad = likelihood(theta)
    assert np.isfinite(value)
    numeric = finite_difference(lambda t: likelihood(t)[0], theta)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)
    # The warping's parameters matter: their gradient is not zero.
    assert np.abs(grad[5:]).max() > 1e-3


def test_warping_prior_gradient_by_finite_differences():
    warping = InputWarping([1, 3, 4])
    params = np.random.RandomState(0).randn(6)
    value, grad = warping.log_prior(params)
    numeric = finite_difference(lambda p: warping.log_prior(p)[0], params)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)
    # Its mode is the identity.
    assert np.allclose(warping.log_prior(warping.identity())[1], 0.0)


def test_identity_warping_is_the_unwarped_gp():
    X, y = data(n=16)
    rng = np.random.RandomState(5)
    theta = rng.uniform(-1.5, 0.5, size=5)
    warping = InputWarping([0, 1, 2])
    theta_warped = np.concatenate([theta, warping.identity()])
    value, grad = _Likelihood(X, y)(theta)
    value_w, grad_w = _Likelihood(X, y, warping)(theta_warped)
    assert value_w == pytest.approx(value, rel=1e-10)
    np.testing.assert_allclose(grad_w[:5], grad, rtol=1e-8, atol=1e-10)
    plain = GaussianProcess(HyperPrior(3), theta_start=theta).fit(X, y, optimize=False)
    warped = GaussianProcess(
        HyperPrior(3), theta_start=theta_warped, warping=warping
    ).fit(X, y, optimize=False)
    Z = rng.rand(6, 3)
    for a, b in zip(
        plain.predict(Z, return_grad=True), warped.predict(Z, return_grad=True)
    ):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)


def test_input_gradients_by_finite_differences_with_warping():
    X, y = data()
    warping = InputWarping([0, 1])
    gp = GaussianProcess(HyperPrior(3), warping=warping).fit(X, y)
    # A warping that is far from the identity, whatever the fit found.
    theta = gp.theta_.copy()
    theta[5:] = [-0.8, 0.6, 0.5, -0.7]
    gp.condition(X, y, theta=theta)
    Z = np.random.RandomState(3).uniform(0.02, 0.98, size=(5, 3))
    _, _, mean_grad, std_grad = gp.predict(Z, return_grad=True)
    eps = 1e-6
    for j in range(3):
        up, down = Z.copy(), Z.copy()
        up[:, j] += eps
        down[:, j] -= eps
        m_up, s_up = gp.predict(up, return_std=True)
        m_down, s_down = gp.predict(down, return_std=True)
        np.testing.assert_allclose(
            mean_grad[:, j], (m_up - m_down) / (2 * eps), rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(
            std_grad[:, j], (s_up - s_down) / (2 * eps), rtol=1e-5, atol=1e-6
        )


def test_fit_maximises_the_posterior_with_warping():
    X, y = data(n=25)
    warping = InputWarping([0, 1, 2])
    gp = GaussianProcess(HyperPrior(3), warping=warping).fit(X, y)
    assert gp.theta_.shape == (11,)
    likelihood = _Likelihood(X, (y - gp.y_mean_) / gp.y_std_, warping)

    def posterior(theta):
        return (
            likelihood(theta)[0]
            + gp.prior.log_prob(theta[:5])[0]
            + warping.log_prior(theta[5:])[0]
        )

    best = posterior(gp.theta_)
    rng = np.random.RandomState(0)
    for _ in range(20):
        assert posterior(gp.theta_ + 0.05 * rng.randn(11)) <= best + 1e-8


def test_warping_learns_where_a_function_varies_fastest():
    # A function that oscillates near x = 0 and is flat near 1: the fit
    # stretches the lower end of the feature (a < 1).
    x = np.linspace(0, 1, 30)
    y = np.sin(3.0 / (x + 0.1))
    warping = InputWarping([0])
    gp = GaussianProcess(HyperPrior(1), warping=warping).fit(x[:, np.newaxis], y)
    log_a, log_b = gp.theta_[3:]
    assert log_a < -0.2
    # And the warped model explains the data better than the unwarped one.
    plain = GaussianProcess(HyperPrior(1)).fit(x[:, np.newaxis], y)
    assert gp.log_marginal_likelihood_value_ > plain.log_marginal_likelihood_value_


def test_only_numeric_features_are_warped():
    opt = GPOptimizer(
        [Categorical(["a", "b", "c"]), Real(0.0, 1.0), Integer(1, 100)],
        input_warping=True,
    )
    # The categorical's one-hot block is columns 0-2.
    np.testing.assert_array_equal(opt._warping.columns, [3, 4])
    assert GPOptimizer([Real(0.0, 1.0)])._warping is None


SPACE = [Real(1e-4, 1.0, prior="log-uniform"), Integer(1, 50), Categorical(["x", "y"])]


def objective(point):
    lr, depth, kind = point
    return (np.log10(lr) + 2.0) ** 2 + abs(depth - 7) / 10 + (kind == "y")


def run(seed, n=16, **kwargs):
    opt = SurrogateOptimizer(
        SPACE,
        n_initial_points=6,
        random_state=seed,
        optimizer_kwargs={"input_warping": True, **kwargs},
    )
    for _ in range(n):
        (x,) = opt.ask()
        opt.tell([x], [objective(x)])
    return opt


def test_warped_proposals_are_reproducible_with_a_seed():
    first, second = run(7), run(7)
    assert first.x_told == second.x_told
    assert first.ask(3) == second.ask(3)
    # The model carries the warping's parameters: signal, three length scales
    # (the two-way categorical is one 0/1 column), noise, and log a, log b of
    # the two numeric features.
    assert first._gp.model.theta_.shape == (1 + 3 + 1 + 4,)
    # A fresh optimiser told the same history proposes the same next point.
    fresh = SurrogateOptimizer(
        SPACE,
        n_initial_points=6,
        random_state=7,
        optimizer_kwargs={"input_warping": True},
    )
    fresh.tell(first.x_told, first.y_told.tolist())
    assert fresh.ask() == first.ask()


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_input_warping_must_be_a_bool(value):
    with pytest.raises(ValueError, match=r"'input_warping'\] must be True or False"):
        SurrogateOptimizer(SPACE, optimizer_kwargs={"input_warping": value})
