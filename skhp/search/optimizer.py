"""Ask/tell Bayesian optimisation over one flat space, on top of scikit-optimize.

:class:`SurrogateOptimizer` wraps :class:`skopt.Optimizer` and keeps its
surrogates (skopt's Gaussian process, random forest, extra trees and gradient
boosted trees) but makes a step (``ask`` + ``tell``) cheap enough for a search
loop whose evaluations may themselves be fast. With skopt's defaults a step on
a 4-D mixed space costs roughly half a second to a second at 50 observations;
the defaults here bring that to a few tens of milliseconds; the measured
overhead and sample efficiency are in ``docs/benchmarks.md``
(``benchmarks/optimizer_overhead.py``). Where the time went, and what replaced it:

* Gaussian-process kernel hyperparameters. skopt refits them at every
  ``tell`` with three L-BFGS runs (two from random starts). Here the first
  fit keeps skopt's restarts and later ones run once, from skopt's default
  hyperparameters. Warm-starting from the previous fit was cheaper still but
  lost sample efficiency: it stays in an over-smoothed optimum of the
  likelihood and the search over-exploits. (Skipping re-optimisations between tells,
  a Cholesky factorisation only, is supported by
  :attr:`SurrogateOptimizer._HYPER_REFIT_GROWTH` and
  :attr:`SurrogateOptimizer._HYPER_REFIT_MAX_GAP` but off by default: it
  saved little and cost sample efficiency.)
* Acquisition optimisation. skopt scores 10000 random points, then polishes
  the best five with gradient L-BFGS, each run a few dozen GP predictions with
  a lot of Python overhead. Here 1000 random points are scored and the best
  one is polished (:attr:`SurrogateOptimizer._GP_ACQ_OPTIMIZER_KWARGS`).
* BLAS threads. The matrices are tiny (tens of rows), too small for a
  multi-threaded BLAS to pay off, and a search may run cross-validation in
  parallel next to the optimiser; every surrogate fit and prediction runs with
  one BLAS thread, and the caller's setting is restored afterwards.
"""

import math
import numbers
import warnings

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from skopt import Optimizer
from skopt.learning import GaussianProcessRegressor, GradientBoostingQuantileRegressor
from skopt.learning.gaussian_process.kernels import WhiteKernel
from skopt.space import Categorical, Integer, Real
from skopt.utils import cook_estimator, has_gradients
from threadpoolctl import ThreadpoolController

__all__ = ["SurrogateOptimizer"]

_BASE_ESTIMATORS = ("gp", "rf", "et", "gbrt")

# Arguments SurrogateOptimizer sets itself; taking them from ``optimizer_kwargs``
# too would make two sources of truth.
_RESERVED_KWARGS = frozenset(
    {"dimensions", "base_estimator", "n_initial_points", "acq_func", "random_state"}
)

# Acquisition functions skopt only optimises by sampling.
_NO_GRADIENT_ACQ = frozenset({"MES", "PVRS"})

# skopt warns when the acquisition optimum is a point already evaluated and it
# falls back to a random point; with integer and categorical dimensions that is
# routine, not something the user can act on.
_DUPLICATE_WARNING = "The objective has been evaluated at point"


class SurrogateOptimizer:
    """Ask/tell Bayesian optimiser over one flat space, on skopt.Optimizer.

    Parameters
    ----------
    dimensions : list of skopt.space.Dimension
        The search space, one :class:`skopt.space.Real`,
        :class:`skopt.space.Integer` or :class:`skopt.space.Categorical` per
        parameter. Points are lists in the same order.

    base_estimator : {"gp", "rf", "et", "gbrt"}, default="gp"
        Surrogate model, by skopt's names: Gaussian process, random forest,
        extra trees or gradient boosted quantile trees. Only the Gaussian
        process gets the lighter hyperparameter fits and acquisition search
        described above; the tree models are skopt's defaults.

    n_initial_points : int, default=10
        Number of random points asked before the first surrogate is fitted.

    acq_func : str, default="EI"
        Acquisition function, by skopt's names ("EI", "PI", "LCB", "gp_hedge",
        ...). Expected improvement matched or beat skopt's default
        ``"gp_hedge"`` in our benchmarks while costing a third of the time.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial points, the surrogate and the acquisition
        optimisation. With the same seed and the same sequence of calls the
        asked points are identical.

    optimizer_kwargs : dict, default=None
        Extra keyword arguments for :class:`skopt.Optimizer`, overriding the
        defaults chosen here (for example ``{"acq_optimizer": "sampling"}``).
        ``acq_optimizer_kwargs`` is merged key by key into the tuned defaults,
        so ``{"acq_optimizer_kwargs": {"n_points": 5000}}`` keeps the tuned
        number of L-BFGS restarts. The arguments that have their own parameter
        here (``base_estimator``, ``acq_func``, ...) are refused.

    Attributes
    ----------
    optimizer_ : skopt.Optimizer
        The wrapped optimiser. Reading it is fine; calling its ``tell``
        directly bypasses the hyperparameter bookkeeping.

    See Also
    --------
    skopt.Optimizer : The ask/tell optimiser this class drives.

    Notes
    -----
    Values told are minimised. A batch (``ask(n_points)`` with
    ``n_points > 1``) is built with skopt's constant-liar strategy
    ``"cl_min"``; during the batch the Gaussian-process hyperparameters are
    kept at their last fitted values.

    Examples
    --------
    >>> from skopt.space import Categorical, Integer, Real
    >>> from skhp.search.optimizer import SurrogateOptimizer
    >>> opt = SurrogateOptimizer(
    ...     [Real(1e-4, 1.0, prior="log-uniform"), Integer(1, 8),
    ...      Categorical(["relu", "tanh"])],
    ...     n_initial_points=5, random_state=0)
    >>> for _ in range(8):
    ...     xs = opt.ask()
    ...     opt.tell(xs, [abs(x[0] - 0.01) + x[1] / 10 for x in xs])
    >>> opt.n_told, opt.model_ready
    (8, True)
    """

    # Tuned defaults (see the module docstring and docs/benchmarks.md). They
    # are class attributes, not parameters, so that the benchmark can vary them
    # without widening the public signature.
    _GP_ACQ_OPTIMIZER = "lbfgs"
    _GP_ACQ_OPTIMIZER_KWARGS = {"n_points": 1000, "n_restarts_optimizer": 1}
    # Re-optimise the kernel hyperparameters once the data grew by this
    # fraction, or after this many tells, whichever comes first. Measured:
    # skipping re-optimisations (growth 0.1, gap 5) saved ~8 ms a step but
    # lost sample efficiency (hartmann3_mixed), so every tell re-optimises,
    # with one L-BFGS run from skopt's default hyperparameters.
    _HYPER_REFIT_GROWTH = 0.0
    _HYPER_REFIT_MAX_GAP = 1
    # Random restarts of the first hyperparameter fit, when there is nothing to
    # warm-start from (skopt's own default).
    _FIRST_FIT_RESTARTS = 2
    _INITIAL_POINT_GENERATOR = "random"
    # Attempts at drawing a random replacement for a duplicate in a batch
    # before accepting the duplicate (the space may be exhausted).
    _MAX_REDRAWS = 100

    def __init__(
        self,
        dimensions,
        *,
        base_estimator="gp",
        n_initial_points=10,
        acq_func="EI",
        random_state=None,
        optimizer_kwargs=None,
    ):
        if not isinstance(base_estimator, str) or (
            base_estimator.lower() not in _BASE_ESTIMATORS
        ):
            raise ValueError(
                f"base_estimator must be one of {list(_BASE_ESTIMATORS)}, "
                f"got {base_estimator!r}."
            )
        dimensions = list(dimensions)
        for dim in dimensions:
            if not isinstance(dim, (Real, Integer, Categorical)):
                raise TypeError(
                    "dimensions must be skopt.space Real, Integer or Categorical "
                    f"instances, got {dim!r}."
                )
        optimizer_kwargs = dict(optimizer_kwargs or {})
        reserved = sorted(_RESERVED_KWARGS.intersection(optimizer_kwargs))
        if reserved:
            raise ValueError(
                f"optimizer_kwargs cannot set {reserved}; use the "
                "SurrogateOptimizer parameters of the same name."
            )

        self.dimensions = dimensions
        self.base_estimator = base_estimator.lower()
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.random_state = random_state
        self.optimizer_kwargs = dict(optimizer_kwargs)

        rng = check_random_state(random_state)
        # A private generator for our own randomness (batch de-duplication),
        # seeded from the user's so that skopt's stream is not disturbed.
        self._rng = np.random.RandomState(rng.randint(np.iinfo(np.int32).max))
        opt_seed = rng.randint(np.iinfo(np.int32).max)

        kwargs = {}
        acq_optimizer_kwargs = {}
        if self.base_estimator == "gp":
            estimator = self._make_gp(dimensions, rng)
            # skopt's "auto" picks gradient L-BFGS exactly when the kernel has
            # gradients (not on all-categorical spaces) and the acquisition
            # supports them; only then do the tuned settings apply.
            if has_gradients(estimator) and acq_func not in _NO_GRADIENT_ACQ:
                kwargs["acq_optimizer"] = self._GP_ACQ_OPTIMIZER
                acq_optimizer_kwargs.update(self._GP_ACQ_OPTIMIZER_KWARGS)
        elif self.base_estimator == "gbrt":
            estimator = _make_gbrt(rng)
        else:
            estimator = self.base_estimator
        acq_optimizer_kwargs.update(
            optimizer_kwargs.pop("acq_optimizer_kwargs", None) or {}
        )
        kwargs["acq_optimizer_kwargs"] = acq_optimizer_kwargs
        kwargs["initial_point_generator"] = self._INITIAL_POINT_GENERATOR
        # Only the latest model is ever used; skopt keeps all of them otherwise.
        kwargs["model_queue_size"] = 1
        kwargs.update(optimizer_kwargs)

        self.optimizer_ = Optimizer(
            dimensions,
            base_estimator=estimator,
            n_initial_points=n_initial_points,
            acq_func=acq_func,
            random_state=opt_seed,
            **kwargs,
        )
        self._n_told = 0
        self._n_at_hyper_fit = 0

    # -- Gaussian-process hyperparameter bookkeeping -------------------------

    def _make_gp(self, dimensions, rng):
        gp = cook_estimator(
            "gp", space=dimensions, random_state=rng.randint(np.iinfo(np.int32).max)
        )
        # skopt's GaussianProcessRegressor adds the WhiteKernel inside ``fit``
        # and zeroes it in the fitted ``kernel_``; adding it here makes the
        # kernel we warm-start from carry the fitted noise level.
        self._kernel_template = gp.kernel + WhiteKernel()
        gp.set_params(
            kernel=self._kernel_template,
            n_restarts_optimizer=self._FIRST_FIT_RESTARTS,
        )
        return gp

    def _gp(self):
        # ``base_estimator_`` is the template skopt clones and fits at each
        # tell; setting its parameters is the only way to steer those fits
        # through skopt's public ask/tell loop.
        est = self.optimizer_.base_estimator_
        return est if isinstance(est, GaussianProcessRegressor) else None

    def _prepare_gp_fit(self, n_after):
        """Choose, before a tell, whether its fit re-optimises hyperparameters."""
        gp = self._gp()
        if gp is None or not self.optimizer_.models:
            # No model yet: the first fit runs from skopt's default
            # hyperparameters with random restarts, as skopt does.
            return
        grown = n_after >= self._n_at_hyper_fit * (1.0 + self._HYPER_REFIT_GROWTH)
        stale = n_after - self._n_at_hyper_fit >= self._HYPER_REFIT_MAX_GAP
        if grown or stale:
            # Start from skopt's default hyperparameters, not from the last
            # fit: warm starts stay in a local optimum of the likelihood that
            # over-smooths the surface and makes the search over-exploit
            # (measured: median regret 0.11 against 0.015 on the synthetic
            # benchmark task; see docs/benchmarks.md).
            gp.set_params(
                kernel=self._kernel_template,
                optimizer="fmin_l_bfgs_b",
                n_restarts_optimizer=0,
            )
        else:
            gp.set_params(kernel=self._fitted_kernel, optimizer=None)

    def _record_gp_fit(self, fitted_before):
        """Keep the hyperparameters the last tell fitted, for fits that reuse them."""
        gp = self._gp()
        models = self.optimizer_.models
        if gp is None or not models or models[-1] is fitted_before:
            return
        if gp.optimizer is not None or fitted_before is None:
            self._n_at_hyper_fit = self._n_told
        model = models[-1]
        # The fitted kernel is ``k1 + WhiteKernel`` like the template, but skopt
        # zeroes its WhiteKernel (it predicts the noise-free function) and keeps
        # the fitted noise level in ``noise_``.
        theta = np.append(model.kernel_.k1.theta, math.log(model.noise_))
        bounds = self._kernel_template.bounds
        theta = np.clip(theta, bounds[:, 0], bounds[:, 1])
        self._fitted_kernel = self._kernel_template.clone_with_theta(theta)

    # -- public API ----------------------------------------------------------

    @property
    def n_told(self):
        """Number of observations told so far."""
        return self._n_told

    @property
    def model_ready(self):
        """Whether a surrogate has been fitted (the random phase is over)."""
        return bool(self.optimizer_.models)

    def ask(self, n_points=1):
        """Propose points to evaluate next.

        Parameters
        ----------
        n_points : int, default=1
            Number of points. More than one gives a constant-liar batch
            (skopt's ``"cl_min"``) of distinct points, unless the space has
            fewer distinct points than asked.

        Returns
        -------
        points : list of list
            ``n_points`` points, each a list with one value per dimension:
            ``float`` for Real, ``int`` for Integer and the category object
            itself for Categorical dimensions.
        """
        if (
            isinstance(n_points, (bool, np.bool_))
            or not isinstance(n_points, numbers.Integral)
            or n_points < 1
        ):
            raise ValueError(f"n_points must be a positive integer, got {n_points!r}.")
        n_points = int(n_points)
        with _one_blas_thread(), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_DUPLICATE_WARNING)
            if n_points == 1:
                points = [self.optimizer_.ask()]
            else:
                gp = self._gp()
                if gp is not None and self.optimizer_.models:
                    # The lies are not data; refitting hyperparameters to them
                    # would cost a full fit per point and learn nothing.
                    gp.set_params(kernel=self._fitted_kernel, optimizer=None)
                points = self.optimizer_.ask(n_points=n_points, strategy="cl_min")
        points = [self._to_python(x) for x in points]
        return self._deduplicate(points)

    def tell(self, xs, ys):
        """Record evaluated points and refit the surrogate.

        Parameters
        ----------
        xs : list of list
            Evaluated points, each a list with one value per dimension.

        ys : list of float
            Values at ``xs``, to be minimised; all must be finite.

        Raises
        ------
        ValueError
            If ``xs`` and ``ys`` differ in length, a value in ``ys`` is not a
            finite number, or a point is not in the space.
        """
        xs = [list(x) for x in xs]
        ys = list(ys)
        if len(xs) != len(ys):
            raise ValueError(
                f"xs and ys must have the same length, got {len(xs)} points "
                f"and {len(ys)} values."
            )
        for i, y in enumerate(ys):
            if (
                isinstance(y, (bool, np.bool_))
                or not isinstance(y, numbers.Real)
                or not math.isfinite(y)
            ):
                raise ValueError(f"ys must be finite real numbers; ys[{i}] is {y!r}.")
        if not xs:
            return
        ys = [float(y) for y in ys]
        n_dims = len(self.dimensions)
        for i, x in enumerate(xs):
            if len(x) != n_dims:
                raise ValueError(
                    f"Each point must have {n_dims} values; xs[{i}] has {len(x)}."
                )

        fitted_before = self.optimizer_.models[-1] if self.optimizer_.models else None
        self._prepare_gp_fit(self._n_told + len(ys))
        with _one_blas_thread():
            self.optimizer_.tell(xs, ys)
        self._n_told += len(ys)
        self._record_gp_fit(fitted_before)

    def predict(self, xs):
        """Surrogate mean and standard deviation at points.

        Parameters
        ----------
        xs : list of list
            Points in the space.

        Returns
        -------
        mean : ndarray of shape (n_points,)
            Predicted value (in the units told, to be minimised).

        std : ndarray of shape (n_points,)
            Predicted standard deviation.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If no surrogate has been fitted yet (see :attr:`model_ready`).
        """
        if not self.model_ready:
            raise NotFittedError(
                "No surrogate fitted yet: the first one is fitted once "
                f"n_initial_points={self.n_initial_points} points are told "
                f"({self._n_told} so far). Check model_ready first."
            )
        xs = [list(x) for x in xs]
        model = self.optimizer_.models[-1]
        with _one_blas_thread():
            X = self.optimizer_.space.transform(xs)
            mean, std = model.predict(X, return_std=True)
        mean = np.asarray(mean, dtype=float).ravel()
        return mean, np.asarray(std, dtype=float).ravel()

    # -- helpers -------------------------------------------------------------

    def _to_python(self, x):
        """Return ``x`` with builtin numbers and the original category objects."""
        out = []
        for dim, value in zip(self.dimensions, x):
            if isinstance(dim, Categorical):
                # skopt hands back numpy scalars (np.str_, np.int64) for
                # categories; users compare against the objects they listed.
                for category in dim.categories:
                    if category == value:
                        value = category
                        break
            elif isinstance(dim, Integer):
                value = int(value)
            else:
                value = float(value)
            out.append(value)
        return out

    def _deduplicate(self, points):
        """Replace repeated points in a batch with fresh random ones."""
        seen = {_key(self._to_python(x)) for x in self.optimizer_.Xi}
        out = []
        for x in points:
            key = _key(x)
            redraws = 0
            while key in seen and redraws < self._MAX_REDRAWS:
                x = self._to_python(
                    self.optimizer_.space.rvs(random_state=self._rng)[0]
                )
                key = _key(x)
                redraws += 1
            seen.add(key)
            out.append(x)
        return out


def _key(x):
    return tuple(repr(v) for v in x)


class _GradientBoostingQuantileRegressor(GradientBoostingQuantileRegressor):
    """skopt's quantile GBRT, made to work with current scikit-learn and NumPy.

    skopt 0.10.2's ``"gbrt"`` surrogate is broken twice: it lists
    ``BaseEstimator`` before ``RegressorMixin``, so with scikit-learn >= 1.6's
    tag-based estimator types ``is_regressor`` is False and ``skopt.Optimizer``
    refuses it; and ``predict(return_std=True)`` calls ``np.in1d``, removed in
    NumPy 2.4.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "regressor"
        return tags

    def predict(self, X, return_std=False, return_quantiles=False):
        if return_quantiles or not return_std:
            return super().predict(X, return_quantiles=return_quantiles)
        # Same as skopt: the spread of the 16% and 84% quantiles as std.
        index = {q: i for i, q in enumerate(self.quantiles)}
        if not {0.16, 0.5, 0.84} <= index.keys():
            raise ValueError(
                "return_std works only if the quantiles during "
                "instantiation include 0.16, 0.5 and 0.84"
            )
        low = self.regressors_[index[0.16]].predict(X)
        high = self.regressors_[index[0.84]].predict(X)
        mean = self.regressors_[index[0.5]].predict(X)
        return mean, (high - low) / 2.0


def _make_gbrt(rng):
    # The same model as ``cook_estimator("gbrt")``.
    return _GradientBoostingQuantileRegressor(
        base_estimator=GradientBoostingRegressor(n_estimators=30, loss="quantile"),
        random_state=rng.randint(np.iinfo(np.int32).max),
    )


_CONTROLLER = None


def _one_blas_thread():
    """Context manager running its body with one BLAS thread.

    On exit the caller's thread counts are restored. OpenMP is left alone:
    these surrogates do not use it.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        # ``threadpool_limits()`` rescans the loaded libraries on every call
        # (about 0.5-2 ms, twice a step); a controller scans once. The BLAS
        # libraries numpy and scipy use are loaded by the imports above, so
        # none that matters here can appear later.
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")
