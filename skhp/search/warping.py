"""Output warping: what the surrogate models instead of the raw values told.

Cross-validated scores are rarely Gaussian across a search space: most
candidates score close to the best, a few fail badly (an SVC with a huge
``gamma``, a learning rate that diverges). A Gaussian process fitted to such
values spends its variance on the failures and models the good region as flat.
Before every fit, :class:`YeoJohnsonWarping` maps the values told through a
standardisation and a Yeo-Johnson power transform whose exponent is fitted by
maximum likelihood, then standardises the result. (The likelihood is
scipy's, ``scipy.stats.yeojohnson_llf``, maximised with Brent's method from
the same bracket as ``scipy.stats.yeojohnson_normmax``, but evaluated in
plain NumPy: scipy's takes ~9 ms for 50 values, this ~0.5 ms; the tests
check both agree.) The map is strictly
increasing, so the best point stays the best and the order of all points is
kept; only the distances between values change. The same idea is in HEBO
(Cowen-Rivers et al., 2022), which fits a power transform to the objective
before each Gaussian-process fit.

Measured on ``benchmarks/searchers.py`` (20 seeds; docs/benchmarks.md), the
warping alone: median best accuracy after 20 evaluations on SVC 0.9807
against 0.9789 without it, after 30 on HistGradientBoosting 0.9684 against
0.9666; of the other medians none was worse except the synthetic task's
regret after 30 evaluations (0.0063 against 0.0061).
"""

import warnings

import numpy as np
from scipy import optimize

__all__ = ["YeoJohnsonWarping"]


class YeoJohnsonWarping:
    """A strictly increasing map of values to minimise, fitted to make them Gaussian.

    ``transform(y) = (yeojohnson((y - loc) / scale, lambda) - out_loc) / out_scale``,
    with ``loc`` and ``scale`` the mean and standard deviation of the values
    fitted, ``lambda`` the maximum-likelihood Yeo-Johnson exponent, and
    ``out_loc`` and ``out_scale`` standardising the result. With fewer than
    three values, or values that are all equal, the map is the identity.

    Attributes
    ----------
    lambda_ : float
        The fitted Yeo-Johnson exponent (1 means no reshaping).

    Examples
    --------
    >>> import numpy as np
    >>> from skhp.search.warping import YeoJohnsonWarping
    >>> y = np.array([-0.97, -0.96, -0.95, -0.97, -0.63])  # negated accuracies
    >>> warping = YeoJohnsonWarping().fit(y)
    >>> t = warping.transform(y)
    >>> bool(np.all(np.argsort(t) == np.argsort(y)))  # order kept
    True
    >>> bool(np.allclose(warping.inverse_transform(t), y))
    True
    """

    def fit(self, y):
        """Fit the map to values.

        Parameters
        ----------
        y : array-like of shape (n_values,)
            Finite values (to be minimised).

        Returns
        -------
        self : YeoJohnsonWarping
        """
        y = np.asarray(y, dtype=float).ravel()
        self.loc_, self.scale_ = 0.0, 1.0
        self.lambda_ = 1.0
        self.out_loc_, self.out_scale_ = 0.0, 1.0
        if y.size < 3 or not np.ptp(y) > 0:
            return self
        self.loc_, self.scale_ = float(y.mean()), float(y.std())
        z = (y - self.loc_) / self.scale_
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            # Brent's search may overflow at extreme exponents on nearly
            # degenerate data; the exponent it returns is still the best it found.
            warnings.simplefilter("ignore", RuntimeWarning)
            lam = float(
                optimize.brent(_neg_yeojohnson_llf, brack=(-2.0, 2.0), args=(z,))
            )
            t = _yeojohnson(z, lam)
        if not np.all(np.isfinite(t)) or not np.ptp(t) > 0:
            # Overflow at an extreme exponent: keep the standardisation only.
            lam = 1.0
            t = z
        self.lambda_ = lam
        self.out_loc_, self.out_scale_ = float(t.mean()), float(t.std())
        return self

    def transform(self, y):
        """Map values into the warped space.

        Parameters
        ----------
        y : array-like of shape (n_values,)

        Returns
        -------
        t : ndarray of shape (n_values,)
        """
        z = (np.asarray(y, dtype=float) - self.loc_) / self.scale_
        if self.lambda_ != 1.0:
            z = _yeojohnson(z, self.lambda_)
        return (z - self.out_loc_) / self.out_scale_

    def inverse_transform(self, t):
        """Map warped values back to the units told.

        Warped values beyond what the power transform can reach (possible
        for a surrogate's extrapolation when ``lambda_`` is below 0 or above
        2) are clipped to the edge of its range first.

        Parameters
        ----------
        t : array-like of shape (n_values,)

        Returns
        -------
        y : ndarray of shape (n_values,)
        """
        z = np.asarray(t, dtype=float) * self.out_scale_ + self.out_loc_
        if self.lambda_ != 1.0:
            z = _yeojohnson_inverse(z, self.lambda_)
        return z * self.scale_ + self.loc_


def _yeojohnson(x, lam):
    """``scipy.stats.yeojohnson(x, lam)`` without scipy's input handling."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    if abs(lam) < np.spacing(1.0):
        out[pos] = np.log1p(x[pos])
    else:
        out[pos] = np.expm1(lam * np.log1p(x[pos])) / lam
    lam2 = 2.0 - lam
    if abs(lam2) > np.spacing(1.0):
        out[~pos] = -np.expm1(lam2 * np.log1p(-x[~pos])) / lam2
    else:
        out[~pos] = -np.log1p(-x[~pos])
    return out


def _neg_yeojohnson_llf(lam, x):
    """Minus ``scipy.stats.yeojohnson_llf(lam, x)`` (profile log-likelihood)."""
    t = _yeojohnson(x, lam)
    var = t.var()
    if not var > 0 or not np.isfinite(var):
        return np.inf
    jacobian = (lam - 1.0) * np.sum(np.sign(x) * np.log1p(np.abs(x)))
    return 0.5 * x.size * np.log(var) - jacobian


def _yeojohnson_inverse(t, lam):
    """Inverse of ``scipy.stats.yeojohnson(x, lam)``."""
    t = np.asarray(t, dtype=float)
    x = np.empty_like(t)
    pos = t >= 0
    tiny = np.finfo(float).eps
    if abs(lam) < 1e-12:
        x[pos] = np.expm1(t[pos])
    else:
        base = lam * t[pos] + 1.0
        x[pos] = np.maximum(base, tiny) ** (1.0 / lam) - 1.0
    lam2 = 2.0 - lam
    if abs(lam2) < 1e-12:
        x[~pos] = -np.expm1(-t[~pos])
    else:
        base = 1.0 - lam2 * t[~pos]
        x[~pos] = 1.0 - np.maximum(base, tiny) ** (1.0 / lam2)
    return x
