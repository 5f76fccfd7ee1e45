"""A Gaussian process with a Matérn 5/2 kernel, fitted by maximum a posteriori.

The model of the search: ``f ~ GP(0, s * Matern52(x, x'; l)) ``, observations
``y = f + e`` with ``e ~ N(0, noise)``, on inputs scaled to ``[0, 1]`` and
standardised values. Its hyperparameters ``theta = [log s, log l_1..l_d,
log noise]`` (one length scale per feature: automatic relevance
determination) maximise the log-marginal likelihood plus the log-prior of
:class:`~skhp.search.bo.prior.HyperPrior`, with L-BFGS-B from the prior's mode
and from the previous fit. The likelihood and its gradient are computed in
plain NumPy and LAPACK: one Cholesky factorisation per evaluation, and each
entry of the gradient as one contraction of ``(alpha alpha^T - K^-1) / 2``
with that hyperparameter's derivative of ``K``
(``tests/search/bo/test_gp.py`` checks them against scikit-learn's
``GaussianProcessRegressor``).

Predictions give the posterior mean and standard deviation of ``f`` (not of
``y``: the acquisition asks where the function is good, not where a noisy
draw might be) and, for the acquisition optimiser, their gradients with
respect to the inputs.
"""

import math
import warnings

import numpy as np
from scipy.linalg.lapack import dpotrf, dpotri, dpotrs, dtrtrs
from scipy.optimize import fmin_l_bfgs_b
from scipy.spatial.distance import cdist

from .prior import HyperPrior

__all__ = ["GaussianProcess"]

_SQRT5 = math.sqrt(5.0)
# Bounds of the log-hyperparameters: signal variance and length scales within
# six orders of magnitude of standardised values and unit inputs; the noise
# variance floor keeps the factorisation stable next to nearly repeated points.
_LOG_SIGNAL_BOUNDS = (math.log(1e-3), math.log(1e3))
_LOG_LENGTHSCALE_BOUNDS = (math.log(1e-3), math.log(1e3))
_LOG_NOISE_BOUNDS = (math.log(1e-6), math.log(10.0))
# Added to the diagonal on top of the noise, as scikit-learn's ``alpha``.
_JITTER = 1e-10


def matern52(r):
    """Matérn 5/2 correlation at scaled distances ``r`` (any shape)."""
    s = _SQRT5 * r
    return (1.0 + s + s * s / 3.0) * np.exp(-s)


def _potrs(L, b):
    x, info = dpotrs(L, b, lower=1, overwrite_b=0)
    if info != 0:  # pragma: no cover - a bad argument, as scipy would raise
        raise ValueError(f"illegal value in argument {-info} of LAPACK dpotrs")
    return x


def _trtrs(L, b, trans=0):
    """``L^-1 b`` (or ``L^-T b`` with ``trans=1``) for lower-triangular ``L``."""
    x, info = dtrtrs(L, b, lower=1, trans=trans)
    if info != 0:  # pragma: no cover - a singular factor, as scipy would raise
        raise ValueError(f"LAPACK dtrtrs failed with info={info}")
    return x


def _cho_inverse(L):
    """``K^-1`` from the Cholesky factor ``L`` of ``K`` (LAPACK potri)."""
    inv, info = dpotri(L, lower=1)
    if info != 0:  # pragma: no cover - a singular factor
        raise ValueError(f"LAPACK dpotri failed with info={info}")
    # potri fills the lower triangle; the upper one is the factor's, zeros.
    full = inv + inv.T
    full.reshape(-1)[:: inv.shape[0] + 1] *= 0.5
    return full


class _Likelihood:
    """Log-marginal likelihood of one data set as a function of ``theta``."""

    def __init__(self, X, y):
        self.n, self.d = X.shape
        self.y = y
        # The squared differences per feature do not depend on theta: once per
        # fit, feature-major, so the scaled distances are one product.
        diff_sq = (X.T[:, :, np.newaxis] - X.T[:, np.newaxis, :]) ** 2
        self.diff_sq = diff_sq.reshape(self.d, self.n * self.n)

    def __call__(self, theta):
        """Log-marginal likelihood at ``theta`` and its gradient."""
        n, d, y = self.n, self.d, self.y
        signal = math.exp(theta[0])
        inv_scale_sq = np.exp(-2.0 * theta[1 : 1 + d])
        noise = math.exp(theta[1 + d])
        root5_r = np.sqrt(5.0 * (inv_scale_sq @ self.diff_sq)).reshape(n, n)
        decay = np.exp(-root5_r)
        K_corr = (1.0 + root5_r + root5_r * root5_r / 3.0) * decay
        K = signal * K_corr
        K.reshape(-1)[:: n + 1] += noise + _JITTER
        L, info = dpotrf(K, lower=1, clean=1, overwrite_a=1)
        if info != 0:
            return -np.inf, np.zeros_like(theta)
        alpha = _potrs(L, y)
        value = (
            -0.5 * (y @ alpha)
            - np.log(np.diag(L)).sum()
            - n / 2 * math.log(2 * math.pi)
        )
        # d lml / d theta_k = trace((alpha alpha^T - K^-1) dK/dtheta_k) / 2.
        inner = np.outer(alpha, alpha)
        inner -= _cho_inverse(L)
        grad = np.empty(d + 2)
        grad[0] = 0.5 * signal * np.vdot(inner, K_corr)
        # d K_corr / d log l_k = 5/3 (1 + sqrt(5) r) exp(-sqrt(5) r) D_k / l_k^2.
        weights = inner * (root5_r + 1.0)
        weights *= decay
        grad[1 : 1 + d] = (
            (5.0 / 6.0 * signal) * (self.diff_sq @ weights.reshape(-1)) * inv_scale_sq
        )
        grad[1 + d] = 0.5 * noise * np.trace(inner)
        return value, grad


class GaussianProcess:
    """Gaussian process regression for Bayesian optimisation (Matérn 5/2, ARD).

    Parameters
    ----------
    prior : HyperPrior or None, default=None
        Prior of the hyperparameters; None fits by maximum likelihood.
    theta_start : array-like or None, default=None
        An extra starting point of the hyperparameter fit (for example the
        previous fit's ``theta_``), next to two fixed ones; with
        ``fit(..., optimize=False)``, the hyperparameters used.

    Attributes
    ----------
    theta_ : ndarray of shape (n_features + 2,)
        Fitted ``[log signal variance, log length scales..., log noise variance]``,
        for values standardised by ``y_mean_`` and ``y_std_``.
    X_train_ : ndarray of shape (n_samples, n_features)
    y_mean_, y_std_ : float
        The standardisation of the values fitted.
    log_marginal_likelihood_value_ : float
        At ``theta_``, without the prior.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(0, 1, 8).reshape(-1, 1)
    >>> gp = GaussianProcess().fit(X, np.sin(6 * X[:, 0]))
    >>> mean, std = gp.predict(X[:2], return_std=True)
    >>> bool(np.allclose(mean, np.sin(6 * X[:2, 0]), atol=1e-3))
    True
    """

    def __init__(self, prior=None, theta_start=None):
        self.prior = prior
        self.theta_start = theta_start

    # -- fitting -----------------------------------------------------------------

    def _bounds(self, d):
        return (
            [_LOG_SIGNAL_BOUNDS] + [_LOG_LENGTHSCALE_BOUNDS] * d + [_LOG_NOISE_BOUNDS]
        )

    def _objective(self, likelihood):
        prior = self.prior

        def negative_posterior(theta):
            value, grad = likelihood(theta)
            if not np.isfinite(value):
                return np.inf, np.zeros_like(theta)
            if prior is not None:
                p, g = prior.log_prob(theta)
                value, grad = value + p, grad + g
            return -value, -grad

        return negative_posterior

    def fit(self, X, y, optimize=True):
        """Fit the hyperparameters and condition on ``(X, y)``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Inputs, scaled to ``[0, 1]``.
        y : ndarray of shape (n_samples,)
            Values.
        optimize : bool, default=True
            False keeps ``theta_start`` as the hyperparameters (it must be
            given) and only conditions on the data.

        Returns
        -------
        self
        """
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        self.y_mean_ = float(y.mean())
        std = float(y.std())
        self.y_std_ = std if std > 0 else 1.0
        y_scaled = (y - self.y_mean_) / self.y_std_
        d = X.shape[1]
        if not optimize:
            return self.condition(X, y, theta=np.asarray(self.theta_start, float))
        likelihood = _Likelihood(X, y_scaled)
        objective = self._objective(likelihood)
        bounds = self._bounds(d)
        low = np.array([b[0] for b in bounds])
        high = np.array([b[1] for b in bounds])
        prior = self.prior if self.prior is not None else HyperPrior(d)
        # Two fixed starts (the prior's mode, and the same with length scales
        # a third as long, for wiggly functions), so that the fit is a
        # function of the data alone; ``theta_start`` is a third.
        mode = prior.mode()
        short = mode.copy()
        short[1 : 1 + d] -= math.log(3.0)
        starts = [np.clip(mode, low, high), np.clip(short, low, high)]
        if self.theta_start is not None and len(self.theta_start) == d + 2:
            starts.append(np.clip(np.asarray(self.theta_start, float), low, high))
        best_theta, best_value = starts[0], np.inf
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for start in starts:
                theta, value, _ = fmin_l_bfgs_b(
                    objective, start, bounds=bounds, maxiter=200, factr=1e9
                )
                if value < best_value:
                    best_theta, best_value = theta, value
        self.theta_ = np.asarray(best_theta, dtype=float)
        self.log_marginal_likelihood_value_ = float(likelihood(self.theta_)[0])
        return self.condition(X, y)

    def condition(self, X, y, theta=None):
        """Condition on ``(X, y)`` with the hyperparameters kept (no refit).

        Used for the constant-liar points of a batch. The standardisation of
        the values is also kept when ``theta`` is None and the model is fitted.
        """
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        if theta is not None:
            self.theta_ = np.asarray(theta, dtype=float)
        d = X.shape[1]
        theta = self.theta_
        self.signal_ = math.exp(theta[0])
        self.length_scale_ = np.exp(theta[1 : 1 + d])
        self.noise_ = math.exp(theta[1 + d])
        self.X_train_ = X
        self._X_scaled = X / self.length_scale_
        self.y_train_ = y
        if not hasattr(self, "y_mean_"):
            self.y_mean_, self.y_std_ = 0.0, 1.0
        y_scaled = (y - self.y_mean_) / self.y_std_
        K = self.signal_ * matern52(self._scaled_dist(X, X))
        K.reshape(-1)[:: X.shape[0] + 1] += self.noise_ + _JITTER
        L, info = dpotrf(K, lower=1, clean=1, overwrite_a=0)
        jitter = 1e-8
        while info != 0 and jitter < 1.0:
            # Nearly repeated points with a tiny noise: add what it takes.
            K.reshape(-1)[:: X.shape[0] + 1] += jitter
            L, info = dpotrf(K, lower=1, clean=1, overwrite_a=0)
            jitter *= 10
        self.L_ = L
        self.alpha_ = _potrs(L, y_scaled)
        return self

    # -- predictions ---------------------------------------------------------------

    def _scaled_dist(self, A, B):
        return cdist(A / self.length_scale_, B / self.length_scale_)

    def _scaled_dist_to_train(self, X):
        return cdist(X / self.length_scale_, self._X_scaled)

    def predict(self, X, return_std=False, return_grad=False):
        """Posterior mean (and standard deviation) of the function at ``X``.

        Parameters
        ----------
        X : ndarray of shape (n_points, n_features)
        return_std : bool, default=False
        return_grad : bool, default=False
            Also return the gradients of the mean and the standard deviation
            with respect to ``X``, each of shape ``(n_points, n_features)``
            (implies ``return_std``).

        Returns
        -------
        mean : ndarray of shape (n_points,)
        std : ndarray of shape (n_points,), if ``return_std`` or ``return_grad``
        mean_grad, std_grad : ndarray, if ``return_grad``
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        r = self._scaled_dist_to_train(X)
        K_trans = self.signal_ * matern52(r)
        mean = K_trans @ self.alpha_ * self.y_std_ + self.y_mean_
        if not (return_std or return_grad):
            return mean
        v = _trtrs(self.L_, K_trans.T)  # L^-1 k(x), shape (n_train, n_points)
        var = self.signal_ - np.einsum("ij,ij->j", v, v)
        var = np.maximum(var, 1e-12 * self.signal_)
        std_scaled = np.sqrt(var)
        std = std_scaled * self.y_std_
        if not return_grad:
            return mean, std
        # dk(x_m, z_n)/dx_mj = f_mn (x_mj - z_nj) / l_j^2, with
        # f = -5/3 s (1 + sqrt5 r) exp(-sqrt5 r); a sum over n of weights
        # c_mn times that is (x_m sum_n c_mn - sum_n c_mn z_n) / l^2.
        s5r = _SQRT5 * r
        factor = -(5.0 / 3.0) * self.signal_ * (1.0 + s5r) * np.exp(-s5r)
        inv_ls_sq = 1.0 / self.length_scale_**2

        def contract(weights):
            return (
                X * weights.sum(axis=1)[:, np.newaxis] - weights @ self.X_train_
            ) * inv_ls_sq

        mean_grad = contract(factor * self.alpha_) * self.y_std_
        w = _trtrs(self.L_, v, trans=1)  # K^-1 k(x)
        var_grad = -2.0 * contract(factor * w.T)
        std_grad = var_grad / (2.0 * std_scaled[:, np.newaxis]) * self.y_std_
        return mean, std, mean_grad, std_grad
