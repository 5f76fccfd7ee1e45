"""Acquisition functions: how much a point is worth evaluating next.

Values told are minimised, and acquisitions are maximised. Each function
takes the posterior mean and standard deviation at some points and returns
the acquisition value with its derivatives with respect to the mean and the
standard deviation; :class:`Acquisition` chains them with the model's input
gradients for the acquisition optimiser.

Expected improvement is computed in log space (LogEI; Ament et al., 2023,
"Unexpected improvements to expected improvement for Bayesian
optimization"): far from the incumbent EI underflows to exactly zero, its
gradient with it, and a gradient optimiser started there cannot move; the
logarithm keeps both finite everywhere, and its maximiser is EI's.
Probability of improvement is likewise maximised as ``log Phi``.
"""

import math

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

__all__ = [
    "Acquisition",
    "log_expected_improvement",
    "log_probability_of_improvement",
    "lower_confidence_bound",
]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_SQRT_HALF_PI = math.sqrt(math.pi / 2)
_SQRT2 = math.sqrt(2.0)


def _log_h(u):
    """``log(phi(u) + u Phi(u))`` and its derivative, stable for all ``u``.

    ``h(u) = phi(u) + u Phi(u)`` is EI for a unit standard deviation; its
    derivative is ``Phi(u)``. For ``u < -1`` it is written as
    ``phi(u) (1 - |u| Phi(u) / phi(u))`` with ``Phi / phi`` through the scaled
    complementary error function, which does not underflow.
    """
    u = np.asarray(u, dtype=float)
    value = np.empty_like(u)
    deriv = np.empty_like(u)
    upper = u >= -1.0
    if upper.any():
        uu = u[upper]
        h = np.exp(-0.5 * uu * uu - _LOG_SQRT_2PI) + uu * ndtr(uu)
        value[upper] = np.log(h)
        deriv[upper] = ndtr(uu) / h
    lower = ~upper
    if lower.any():
        ul = np.maximum(u[lower], -1e6)
        log_phi = -0.5 * ul * ul - _LOG_SQRT_2PI
        ratio = _SQRT_HALF_PI * erfcx(-ul / _SQRT2)  # Phi(u) / phi(u)
        rest = 1.0 - (-ul) * ratio
        # For u below about -1e4 the subtraction loses all digits; there
        # 1 - |u| Phi/phi = 1/u^2 - 3/u^4 + ... to double precision.
        tiny = rest <= 1e-10 / (ul * ul)
        rest = np.where(tiny, 1.0 / (ul * ul), rest)
        value[lower] = log_phi + np.log(rest)
        deriv[lower] = ratio / rest
    return value, deriv


def log_expected_improvement(mean, std, best, xi=0.0):
    """``log E[max(best - xi - f, 0)]`` with ``f ~ N(mean, std^2)``.

    Returns
    -------
    value, d_mean, d_std : ndarray
        The log-EI and its derivatives with respect to ``mean`` and ``std``.
    """
    std = np.maximum(std, 1e-12)
    u = (best - xi - mean) / std
    log_h, dlog_h = _log_h(u)
    value = np.log(std) + log_h
    d_mean = -dlog_h / std
    d_std = 1.0 / std - u * dlog_h / std
    return value, d_mean, d_std


def log_probability_of_improvement(mean, std, best, xi=0.0):
    """``log P(f < best - xi)`` with ``f ~ N(mean, std^2)``, with derivatives."""
    std = np.maximum(std, 1e-12)
    u = (best - xi - mean) / std
    value = log_ndtr(u)
    # phi(u) / Phi(u), through log_ndtr so that it stays finite far left.
    ratio = np.exp(-0.5 * u * u - _LOG_SQRT_2PI - value)
    return value, -ratio / std, -u * ratio / std


def lower_confidence_bound(mean, std, kappa=1.96):
    """``-(mean - kappa * std)``: the optimistic bound, negated to maximise."""
    value = -(mean - kappa * std)
    return value, -np.ones_like(mean), np.full_like(std, kappa)


class Acquisition:
    """One acquisition function of a fitted model, on encoded points.

    Parameters
    ----------
    model : GaussianProcess
        Fitted; its ``predict(X, return_std=True, return_grad=True)`` is used.
    name : {"EI", "PI", "LCB"}
        LogEI, log-PI or the lower confidence bound.
    best : float
        The incumbent value (the smallest modelled value told).
    xi : float, default=0.0
        Improvement EI and PI ask for, in the modelled units.
    kappa : float, default=1.96
        Width of the LCB.
    """

    def __init__(self, model, name, best, *, xi=0.0, kappa=1.96):
        self.model = model
        self.name = name
        self.best = best
        self.xi = xi
        self.kappa = kappa

    def _from_moments(self, mean, std):
        if self.name == "EI":
            return log_expected_improvement(mean, std, self.best, self.xi)
        if self.name == "PI":
            return log_probability_of_improvement(mean, std, self.best, self.xi)
        return lower_confidence_bound(mean, std, self.kappa)

    def __call__(self, X):
        """Acquisition values at the rows of ``X`` (higher is better)."""
        mean, std = self.model.predict(X, return_std=True)
        return self._from_moments(mean, std)[0]

    def value_and_grad(self, X):
        """Values at the rows of ``X`` and their gradients, row by row."""
        mean, std, mean_grad, std_grad = self.model.predict(X, return_grad=True)
        value, d_mean, d_std = self._from_moments(mean, std)
        grad = d_mean[:, np.newaxis] * mean_grad + d_std[:, np.newaxis] * std_grad
        return value, grad
