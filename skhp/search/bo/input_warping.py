"""Input warping: a learned Kumaraswamy CDF per numeric input feature.

A stationary kernel assumes the function varies alike everywhere along a
feature; a learning rate that matters near its lower bound and not above it
does not. Input warping (Snoek et al., 2014; BoTorch's ``Warp``; HEBO) maps
each numeric feature, scaled to ``[0, 1]``, through the cumulative
distribution function of a Kumaraswamy distribution,

``w(x) = 1 - (1 - x^a)^b``,

a monotone bijection of ``[0, 1]`` that is the identity at ``a = b = 1`` and
stretches the lower end (``a < 1``), the upper end (``b < 1``), both, or the
middle. ``log a`` and ``log b`` of each warped feature are fitted with the
kernel's hyperparameters by maximum a posteriori, under a normal prior on
each, centred on the identity: the data must ask for a warping. Its scale is
the one of BoTorch's ``LogNormalPrior(0, 0.75 ** 0.5)`` (whose density,
evaluated at ``a`` itself, has its mode at ``a = 0.47``; centred here on the
identity instead). Inputs are clipped into ``[eps, 1 - eps]`` before
warping, as BoTorch does, so that the derivatives stay finite at the bounds
(``x^(a-1)`` at ``x = 0`` with ``a < 1``); the derivative with respect to
``x`` is taken at the clipped point.

One-hot categorical features are not warped: they take the values 0 and 1
only, which every warping keeps.
"""

import math

import numpy as np

__all__ = ["InputWarping"]

# Inputs are clipped into [EPS, 1 - EPS] (BoTorch's default).
EPS = 1e-7
# Bounds of log a and log b: a and b within [0.14, 7.4].
_LOG_BOUNDS = (-2.0, 2.0)
# Standard deviation of the prior on log a and log b (BoTorch's).
PRIOR_SCALE = math.sqrt(0.75)


class InputWarping:
    """Per-feature Kumaraswamy CDF warping of inputs in ``[0, 1]``.

    Parameters
    ----------
    columns : array-like of int
        The features warped (the others pass unchanged).
    prior_scale : float, default=PRIOR_SCALE (sqrt(0.75))
        Standard deviation of the normal prior on each ``log a``, ``log b``
        (mean 0: the identity).

    Notes
    -----
    The parameters are ``[log a_1..log a_m, log b_1..log b_m]`` for the ``m``
    columns, in their order; :class:`~.gp.GaussianProcess` appends them to its
    ``theta``.

    Examples
    --------
    >>> import numpy as np
    >>> warping = InputWarping([0])
    >>> X = np.array([[0.25, 0.5]])
    >>> bool(np.allclose(warping.transform(X, warping.identity()), X))
    True
    """

    def __init__(self, columns, *, prior_scale=PRIOR_SCALE):
        self.columns = np.asarray(columns, dtype=int).reshape(-1)
        self.prior_scale = float(prior_scale)

    @property
    def n_params(self):
        """Number of parameters: two per warped feature."""
        return 2 * len(self.columns)

    def identity(self):
        """The parameters of the identity warping (``a = b = 1``)."""
        return np.zeros(self.n_params)

    def bounds(self):
        """L-BFGS-B bounds of the parameters."""
        return [_LOG_BOUNDS] * self.n_params

    def log_prior(self, params):
        """Log-density of the normal prior (up to a constant) and its gradient."""
        params = np.asarray(params, dtype=float)
        z = params / self.prior_scale
        return -0.5 * float(z @ z), -z / self.prior_scale

    def _split(self, params):
        m = len(self.columns)
        params = np.asarray(params, dtype=float)
        return np.exp(params[:m]), np.exp(params[m:])

    def transform(self, X, params):
        """``X`` with its warped columns mapped through ``w`` (a copy)."""
        return self._warp(X, params, derivatives=False)[0]

    def transform_with_derivatives(self, X, params):
        """Warped ``X`` and the derivatives of its warped columns.

        Returns
        -------
        W : ndarray of shape (n_points, n_features)
        dw_dx : ndarray of shape (n_points, m)
            ``w'(x)`` of each warped column (at the clipped point).
        dw_dlog_a, dw_dlog_b : ndarray of shape (n_points, m)
        """
        return self._warp(X, params, derivatives=True)

    def _warp(self, X, params, derivatives):
        X = np.asarray(X, dtype=float)
        W = X.copy()
        if not len(self.columns):
            empty = np.empty((X.shape[0], 0))
            return W, empty, empty, empty
        a, b = self._split(params)
        u = np.clip(X[:, self.columns], EPS, 1.0 - EPS)
        log_u = np.log(u)
        u_a = np.exp(a * log_u)  # u^a
        one_minus = -np.expm1(a * log_u)  # 1 - u^a, accurate near u = 1
        log_one_minus = np.log(one_minus)
        tail = np.exp(b * log_one_minus)  # (1 - u^a)^b
        W[:, self.columns] = 1.0 - tail
        if not derivatives:
            return W, None, None, None
        # w = 1 - (1 - u^a)^b:
        # dw/du = a b u^(a-1) (1 - u^a)^(b-1) = a b u^a tail / (u (1 - u^a));
        # dw/dlog a = a dw/da = a b (1 - u^a)^(b-1) u^a log u;
        # dw/dlog b = b dw/db = -b (1 - u^a)^b log(1 - u^a).
        common = b * tail * u_a / one_minus
        dw_dx = a * common / u
        dw_dlog_a = a * common * log_u
        dw_dlog_b = -b * tail * log_one_minus
        return W, dw_dx, dw_dlog_a, dw_dlog_b
