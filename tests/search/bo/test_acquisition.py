"""Acquisition functions: values against scipy, gradients by finite differences."""

import numpy as np
import pytest
from scipy.stats import norm

from skhp.search.bo.acquisition import (
    Acquisition,
    _log_h,
    log_expected_improvement,
    log_probability_of_improvement,
)
from skhp.search.bo.gp import GaussianProcess
from skhp.search.bo.prior import HyperPrior


def test_log_ei_is_the_log_of_ei_where_ei_is_representable():
    mean = np.linspace(-3, 6, 40)
    std = np.full(40, 0.7)
    value, _, _ = log_expected_improvement(mean, std, best=0.0, xi=0.1)
    u = (0.0 - 0.1 - mean) / std
    ei = std * (u * norm.cdf(u) + norm.pdf(u))
    np.testing.assert_allclose(value, np.log(ei), rtol=1e-9)


def test_log_ei_stays_finite_and_increasing_far_from_the_incumbent():
    u = -np.logspace(0, 6, 50)
    value, deriv = _log_h(u)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(deriv))
    # h is increasing in u, so log h is too, and the gradient points uphill.
    assert np.all(np.diff(value[::-1]) > 0)
    assert np.all(deriv > 0)
    # Where plain EI underflows to 0, log EI still orders the points.
    assert norm.pdf(u[-1]) == 0.0


@pytest.mark.parametrize("u", [-30.0, -5.0, -1.0 - 1e-9, -1.0, 0.3, 4.0])
def test_log_h_derivative_by_finite_differences(u):
    eps = 1e-6 * max(1.0, abs(u))
    numeric = (_log_h(np.array([u + eps]))[0] - _log_h(np.array([u - eps]))[0]) / (
        2 * eps
    )
    assert _log_h(np.array([u]))[1][0] == pytest.approx(numeric[0], rel=1e-5)


def test_log_pi_is_log_of_scipys():
    mean = np.linspace(-3, 3, 9)
    value, _, _ = log_probability_of_improvement(mean, np.ones(9), best=0.5)
    np.testing.assert_allclose(value, norm.logcdf(0.5 - mean))


@pytest.mark.parametrize("name", ["EI", "PI", "LCB"])
def test_gradients_by_finite_differences(name):
    rng = np.random.RandomState(0)
    X = rng.rand(15, 3)
    y = np.sin(5 * X[:, 0]) + X[:, 1] ** 2
    gp = GaussianProcess(HyperPrior(3)).fit(X, y)
    acq = Acquisition(gp, name, float(y.min()), xi=0.01)
    Z = rng.rand(6, 3)
    value, grad = acq.value_and_grad(Z)
    np.testing.assert_allclose(value, acq(Z))
    eps = 1e-6
    for j in range(3):
        up, down = Z.copy(), Z.copy()
        up[:, j] += eps
        down[:, j] -= eps
        numeric = (acq(up) - acq(down)) / (2 * eps)
        np.testing.assert_allclose(grad[:, j], numeric, rtol=1e-4, atol=1e-6)
