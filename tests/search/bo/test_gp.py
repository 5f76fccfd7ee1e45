"""The Gaussian process's maths against scikit-learn's and finite differences."""

import math

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from skhp.search.bo.gp import _JITTER, GaussianProcess, _Likelihood
from skhp.search.bo.prior import HyperPrior


def data(n=12, d=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, d)
    y = np.sin(5 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.randn(n)
    return X, (y - y.mean()) / y.std()


def sklearn_gp(theta, d):
    kernel = ConstantKernel(1.0) * Matern(np.ones(d), nu=2.5) + WhiteKernel(1.0)
    kernel = kernel.clone_with_theta(theta)
    return GaussianProcessRegressor(kernel, alpha=_JITTER, optimizer=None)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_likelihood_and_gradient_are_scikit_learns(seed):
    X, y = data(seed=seed)
    rng = np.random.RandomState(seed)
    theta = rng.uniform(-2, 1, size=5)
    value, grad = _Likelihood(X, y)(theta)
    gp = sklearn_gp(theta, 3).fit(X, y)
    ref_value, ref_grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    assert value == pytest.approx(ref_value, rel=1e-10)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-8, atol=1e-10)


def test_prior_gradient_by_finite_differences():
    prior = HyperPrior(4)
    theta = np.random.RandomState(0).randn(6)
    value, grad = prior.log_prob(theta)
    eps = 1e-6
    for i in range(6):
        step = np.zeros(6)
        step[i] = eps
        numeric = (
            prior.log_prob(theta + step)[0] - prior.log_prob(theta - step)[0]
        ) / (2 * eps)
        assert grad[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    # The mode of each log-normal density: exp(mu - sigma^2).
    assert np.allclose(prior.log_prob(prior.mode())[1], 0.0)
    assert math.exp(prior.mode()[1]) == pytest.approx(
        math.exp(math.sqrt(2) + math.log(4) / 2 - 3)
    )


def test_fit_maximises_the_posterior():
    X, y = data(n=20)
    gp = GaussianProcess(HyperPrior(3)).fit(X, y)
    likelihood = _Likelihood(X, (y - gp.y_mean_) / gp.y_std_)

    def posterior(theta):
        return likelihood(theta)[0] + gp.prior.log_prob(theta)[0]

    best = posterior(gp.theta_)
    rng = np.random.RandomState(0)
    for _ in range(20):
        assert posterior(gp.theta_ + 0.05 * rng.randn(5)) <= best + 1e-8
    # The irrelevant third feature gets the longest length scale.
    assert np.argmax(gp.length_scale_) == 2


def test_prediction_is_scikit_learns_and_interpolates():
    X, y = data(n=15)
    gp = GaussianProcess(HyperPrior(3)).fit(X, y)
    theta = gp.theta_
    ref = sklearn_gp(theta, 3).fit(X, (y - gp.y_mean_) / gp.y_std_)
    Z = np.random.RandomState(1).rand(7, 3)
    mean, std = gp.predict(Z, return_std=True)
    ref_mean, ref_std = ref.predict(Z, return_std=True)
    np.testing.assert_allclose(mean, ref_mean * gp.y_std_ + gp.y_mean_, rtol=1e-8)
    # scikit-learn's std includes the noise (WhiteKernel); ours is the
    # function's.
    noise = math.exp(theta[-1])
    np.testing.assert_allclose(
        std**2, (ref_std**2 - noise) * gp.y_std_**2, rtol=1e-6, atol=1e-12
    )
    np.testing.assert_allclose(gp.predict(X), y, atol=0.2)


def test_input_gradients_by_finite_differences():
    X, y = data()
    gp = GaussianProcess(HyperPrior(3)).fit(X, y)
    Z = np.random.RandomState(3).rand(5, 3)
    _, _, mean_grad, std_grad = gp.predict(Z, return_grad=True)
    eps = 1e-6
    for j in range(3):
        up, down = Z.copy(), Z.copy()
        up[:, j] += eps
        down[:, j] -= eps
        m_up, s_up = gp.predict(up, return_std=True)
        m_down, s_down = gp.predict(down, return_std=True)
        np.testing.assert_allclose(
            mean_grad[:, j], (m_up - m_down) / (2 * eps), atol=1e-6
        )
        np.testing.assert_allclose(
            std_grad[:, j], (s_up - s_down) / (2 * eps), atol=1e-6
        )


def test_condition_keeps_the_hyperparameters():
    X, y = data()
    gp = GaussianProcess(HyperPrior(3)).fit(X, y)
    theta = gp.theta_.copy()
    point = [[0.5, 0.5, 0.5]]
    before = gp.predict(point)[0]
    more = np.vstack([X, point])
    gp.condition(more, np.append(y, y.min()))
    np.testing.assert_array_equal(gp.theta_, theta)
    # The lie pulls the prediction there towards it.
    assert abs(gp.predict(point)[0] - y.min()) < abs(before - y.min()) / 2


def test_repeated_points_do_not_break_the_factorisation():
    X = np.array([[0.2, 0.3]] * 4 + [[0.8, 0.1]])
    y = np.array([1.0, 1.0, 1.0, 1.0, 0.0])
    gp = GaussianProcess(HyperPrior(2)).fit(X, y)
    mean, std = gp.predict(X, return_std=True)
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(std))
