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
* Python overhead in the arithmetic. Most of what is left is many small
  NumPy operations wrapped in scikit-learn's kernel objects, parameter
  bookkeeping and input validation: a few dozen log-marginal-likelihood
  evaluations per fit and a few dozen predictions per L-BFGS polish.
  :class:`_GaussianProcess` and :class:`_Optimizer` run them without the
  wrappers, for skopt's default kernel
  (``ConstantKernel * Matern(nu=2.5) + WhiteKernel``) and the acquisition
  functions ``"EI"``, ``"PI"``, ``"LCB"`` and ``"gp_hedge"``; other kernels
  and acquisition functions run skopt's code. Predictions and the
  acquisition search run the same operations in the same order as skopt's
  classes (``_FAST_PATHS = False``), so with scikit-learn's likelihood the
  proposals are bitwise skopt's (``tests/search/test_optimizer.py``). The
  likelihood's gradient is computed differently, without scikit-learn's
  ``(n, n, n_hyperparameters)`` array (3x faster at 50 points, half the
  kernel fit); it agrees to rounding (1e-15 relative), and the fitted
  hyperparameters to about 1e-10. Rounding differences do change later
  proposals: near the data the predictive variance is the difference of two
  nearly equal numbers, and late in a search the best of the acquisition's
  random candidates lie there, so the L-BFGS polish starts elsewhere.
  Measured on the benchmark tasks (40 seeds), the search is as good as
  before (docs/benchmarks.md).
* Output warping (the one change to what is modelled, not to its cost).
  Before each Gaussian-process fit the values told are mapped through a
  strictly increasing Yeo-Johnson transform fitted to them
  (:class:`skhp.search.warping.YeoJohnsonWarping`), so that a few failed
  candidates do not flatten the model of the good region. skopt's optimiser
  sees only warped values (its ``yi``); :meth:`SurrogateOptimizer.predict`
  maps predictions back. Measured on the benchmark tasks (20 seeds, with the
  incumbent polish below; docs/benchmarks.md): better medians after 20
  evaluations on SVC and on the synthetic task, the same elsewhere. The
  warping itself costs 0.5 ms; the kernel fit on warped values takes about a
  quarter more likelihood evaluations. ``_OUTPUT_WARPING = False`` switches
  it off.
* Noisy values. ``tell(..., noise=)`` takes each value's standard error
  (BayesSearchCV passes the folds' ``std_test_score / sqrt(n_splits)``).
  EI and PI then ask for an improvement of at least half the median standard
  error (``xi``, in the units modelled), so that the search does not circle
  an incumbent whose lead is within the noise. Noise-free values change
  nothing. ``_NOISE_XI = 0`` switches it off.
* BLAS threads. The matrices are tiny (tens of rows), too small for a
  multi-threaded BLAS to pay off, and a search may run cross-validation in
  parallel next to the optimiser; every surrogate fit and prediction runs with
  one BLAS thread, and the caller's setting is restored afterwards.
"""

import math
import numbers
import warnings

import numpy as np
from scipy.linalg.lapack import dpotrf, dpotrs
from scipy.optimize import fmin_l_bfgs_b
from scipy.spatial.distance import cdist
from scipy.special import ndtr
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.gaussian_process import kernels as sk_kernels
from sklearn.utils import check_random_state
from skopt import Optimizer
from skopt.acquisition import _gaussian_acquisition
from skopt.learning import GaussianProcessRegressor, GradientBoostingQuantileRegressor
from skopt.learning.gaussian_process.kernels import WhiteKernel
from skopt.space import Categorical, Integer, Real
from skopt.space.transformers import CategoricalEncoder
from skopt.utils import cook_estimator, create_result, has_gradients
from threadpoolctl import ThreadpoolController

from .warping import YeoJohnsonWarping

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


# How far above the worst success a failed point is modelled, as a share of
# the successes' range: bad enough to steer the surrogate away, near enough not
# to flatten the rest of its model. Used on the warped values here, and by
# BayesSearchCV for the raw stand-in values it tells.
_FAILURE_MARGIN = 0.5
# skopt's default ``xi`` for EI and PI.
_DEFAULT_XI = 0.01


def _is_real(value):
    """Whether ``value`` is a real number (NaN and inf included), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


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
        ...). Expected improvement is the cheapest step; ``"gp_hedge"``
        (skopt's default, a hedge over EI, LCB and PI) polishes three
        candidates instead of one and costs about 1.5 times as much. Their
        sample efficiency is compared in ``docs/benchmarks.md``.

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
        The wrapped optimiser (a subclass with the shortcuts described in the
        module docstring). Reading it is fine; calling its ``tell`` directly
        bypasses the hyperparameter bookkeeping.

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
    # Fit the Gaussian process to Yeo-Johnson-warped values (see the module
    # docstring and skhp/search/warping.py); the tree surrogates get the raw
    # values.
    _OUTPUT_WARPING = True
    # After skopt's proposal, also polish the acquisition with L-BFGS from
    # the best point told, and propose that point instead when its
    # acquisition value is better (single EI, PI or LCB on a Gaussian
    # process). Measured with the warping: median regret after 30
    # evaluations on the synthetic benchmark task 0.0012 against 0.0063
    # (20 seeds, docs/benchmarks.md).
    _POLISH_INCUMBENT = True
    # EI and PI look for an improvement of at least ``xi``. When the values
    # told are noisy (the folds of a cross-validation disagree), improvements
    # smaller than the noise are mostly luck, and chasing them keeps the
    # search near a lucky incumbent: ``xi`` is raised to this fraction of the
    # values' typical (median) standard error, at the incumbent, in the units
    # the surrogate models. Noise-free values (or none given) leave ``xi`` as
    # it is. Measured on the benchmark tasks, 40 seeds: HGB best @30 ahead of
    # the plain ``xi`` on 26 seeds, behind on 6 (mean +0.0011); SVC and
    # logistic regression within noise; the synthetic task, noise-free, is
    # unchanged (docs/benchmarks.md).
    _NOISE_XI = 0.5
    # Run skopt's Gaussian-process arithmetic through the shortcuts of
    # ``_GaussianProcess`` and ``_Optimizer`` (same results, less overhead).
    # False runs skopt's own classes; the tests compare the two.
    _FAST_PATHS = True

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

        optimizer_class = _Optimizer if self._FAST_PATHS else Optimizer
        self.optimizer_ = optimizer_class(
            dimensions,
            base_estimator=estimator,
            n_initial_points=n_initial_points,
            acq_func=acq_func,
            random_state=opt_seed,
            **kwargs,
        )
        self._n_at_hyper_fit = 0
        self._y_told = []
        self._failed = []
        self._noise = []
        self._warping = (
            YeoJohnsonWarping()
            if self.base_estimator == "gp" and self._OUTPUT_WARPING
            else None
        )

    # -- Gaussian-process hyperparameter bookkeeping -------------------------

    def _make_gp(self, dimensions, rng):
        gp = cook_estimator(
            "gp", space=dimensions, random_state=rng.randint(np.iinfo(np.int32).max)
        )
        if self._FAST_PATHS:
            gp = _GaussianProcess(**gp.get_params(deep=False))
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
            self._n_at_hyper_fit = self.n_told
        model = models[-1]
        # The fitted kernel is ``k1 + WhiteKernel`` like the template, but skopt
        # zeroes its WhiteKernel (it predicts the noise-free function) and keeps
        # the fitted noise level in ``noise_``.
        theta = np.append(model.kernel_.k1.theta, math.log(model.noise_))
        bounds = self._kernel_template.bounds
        theta = np.clip(theta, bounds[:, 0], bounds[:, 1])
        self._fitted_kernel = self._kernel_template.clone_with_theta(theta)

    def _warp(self, values, failed):
        """Warped values: successes through the fitted warping, failures above."""
        ok = ~failed
        if not ok.any():
            return values.tolist()
        self._warping.fit(values[ok])
        warped = self._warping.transform(values)
        if failed.any():
            good = warped[ok]
            spread = np.ptp(good) if good.size > 1 else 1.0
            warped[failed] = good.max() + _FAILURE_MARGIN * max(spread, 1e-6)
        return warped.tolist()

    @staticmethod
    def _check_noise(noise, n):
        if noise is None:
            return [math.nan] * n
        noise = list(noise)
        if len(noise) != n:
            raise ValueError(
                f"noise must have one standard error per point, got "
                f"{len(noise)} for {n} points."
            )
        for i, v in enumerate(noise):
            if not _is_real(v) or v < 0 or math.isinf(v):
                raise ValueError(
                    "noise must hold standard errors: real numbers >= 0, NaN "
                    f"where unknown; noise[{i}] is {v!r}."
                )
        return [float(v) for v in noise]

    def _acq_func_kwargs(self, told, failed, noise):
        """The acquisition's arguments: the user's, with ``xi`` above the noise."""
        kwargs = dict(self.optimizer_kwargs.get("acq_func_kwargs") or {})
        known = ~failed & np.isfinite(noise)
        if not (self._NOISE_XI and known.any()):
            return kwargs
        se = float(np.median(noise[known]))
        if se <= 0:
            return kwargs
        best = float(told[~failed].min())
        band = np.array([best - se, best + se])
        if self._warping is not None:
            band = self._warping.transform(band)
        floor = self._NOISE_XI * float(band[1] - band[0]) / 2
        kwargs["xi"] = max(float(kwargs.get("xi", _DEFAULT_XI)), floor)
        return kwargs

    def _polish_incumbent(self):
        """Propose the acquisition's optimum near the best point, if better.

        skopt polishes the best of its random candidates; late in a search
        the best region is small and the random candidates rarely fall in
        it, so the final refinement stalls (regret 0.002-0.008 where skopt's
        five polishes of 10000 points reach 0.001). One more L-BFGS run,
        from the best point told, costs a few milliseconds. Its point
        replaces skopt's ``_next_x`` (what ``ask`` returns next) when its
        acquisition value (at the continuous point L-BFGS returned, compared
        with skopt's polished point, ``next_xs_[0]``) is better
        and it was not evaluated before.
        """
        opt = self.optimizer_
        if not (
            self._POLISH_INCUMBENT
            and opt.models
            and opt.acq_func in ("EI", "PI", "LCB")
            and opt.acq_optimizer == "lbfgs"
            and isinstance(opt.models[-1], GaussianProcessRegressor)
            and getattr(opt, "_next_x", None) is not None
        ):
            return
        space = opt.space
        model = opt.models[-1]
        kwargs = opt.acq_func_kwargs or {}
        args = (
            model,
            np.min(opt.yi),
            opt.acq_func,
            kwargs.get("xi", _DEFAULT_XI),
            kwargs.get("kappa", 1.96),
        )
        # The model was fitted to the transformed points: start from its copy
        # of the best one (skopt's space transforms cost ~1 ms a call).
        start = np.array(model.X_train_[int(np.argmin(opt.yi))], dtype=float)
        bounds = space.transformed_bounds
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x, value, _ = fmin_l_bfgs_b(
                _acquisition_1d,
                start,
                args=args,
                bounds=bounds,
                approx_grad=False,
                maxiter=20,
            )
            if not space.is_categorical:
                bounds = np.asarray(bounds)
                x = np.clip(x, bounds[:, 0], bounds[:, 1])
            current = _acquisition_1d(np.asarray(opt.next_xs_[0]), *args)[0]
            if not float(np.ravel(value)[0]) < float(np.ravel(current)[0]):
                return
            candidate = space.inverse_transform(x.reshape((1, -1)))[0]
            if candidate not in opt.Xi:
                opt._next_x = candidate

    # -- public API ----------------------------------------------------------

    @property
    def n_told(self):
        """Number of observations told so far."""
        return len(self._y_told)

    @property
    def y_told(self):
        """The values told so far, in the order told, as told (not warped).

        The wrapped ``optimizer_.yi`` holds what the surrogate was fitted
        to: with a Gaussian process, these values after the output warping.
        """
        return np.asarray(self._y_told, dtype=float)

    @property
    def noise_told(self):
        """The standard errors told with the values (NaN where unknown)."""
        return np.asarray(self._noise, dtype=float)

    @property
    def warping(self):
        """The output warping the Gaussian process is fitted through, or None.

        A :class:`skhp.search.warping.YeoJohnsonWarping`, refitted to all
        values at every tell; None for the tree surrogates (they model the
        raw values).
        """
        return self._warping

    @property
    def space(self):
        """The :class:`skopt.space.Space` of the points; models see ``space.transform``."""
        return self.optimizer_.space

    @property
    def x_told(self):
        """The points told so far, in the order told (lists, one value per dimension)."""
        return [list(x) for x in self.optimizer_.Xi]

    @property
    def y_modelled(self):
        """The values the surrogate is fitted to, in the order told.

        With a Gaussian process, :attr:`y_told` after the output warping
        (failures placed above the successes); the raw values otherwise.
        """
        return np.asarray(self.optimizer_.yi, dtype=float)

    @property
    def model(self):
        """The last fitted surrogate, or None before the first fit.

        Its ``predict(space.transform(points), return_std=True)`` gives the
        mean and standard deviation in the units of :attr:`y_modelled`.
        """
        models = self.optimizer_.models
        return models[-1] if models else None

    @property
    def acq_func_kwargs(self):
        """The acquisition's ``xi`` and ``kappa`` as used by the last proposal."""
        return dict(self.optimizer_.acq_func_kwargs or {})

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

    def tell(self, xs, ys, *, failed=None, noise=None):
        """Record evaluated points and refit the surrogate.

        Parameters
        ----------
        xs : list of list
            Evaluated points, each a list with one value per dimension.

        ys : list of float
            Values at ``xs``, to be minimised; all must be finite.

        failed : list of bool, default=None
            Which of ``xs`` failed to evaluate (their ``ys`` are stand-ins,
            worse than every success). The output warping is fitted to the
            successes only, and a failure is modelled as half the warped
            range above the worst warped success, so that the warping, which
            compresses outliers, does not make failures look nearly as good
            as the rest. None: nothing failed.

        noise : list of float, default=None
            The standard error of each value in ``ys`` (for a cross-validated
            score, ``std_test_score / sqrt(n_splits)``), NaN where unknown.
            With noisy values, EI and PI ask for an improvement of at least
            half the median standard error (mapped through the output
            warping at the best value), or ``xi`` if that is larger.
            None: unknown.

        Raises
        ------
        ValueError
            If ``xs`` and ``ys`` (or ``failed``, ``noise``) differ in length,
            a value in ``ys`` is not a finite number, a value in ``noise`` is
            negative or infinite, or a point is not in the space.
        """
        xs = [list(x) for x in xs]
        ys = list(ys)
        if len(xs) != len(ys):
            raise ValueError(
                f"xs and ys must have the same length, got {len(xs)} points "
                f"and {len(ys)} values."
            )
        for i, y in enumerate(ys):
            if not _is_real(y) or not math.isfinite(y):
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

        noise = self._check_noise(noise, len(ys))
        fitted_before = self.optimizer_.models[-1] if self.optimizer_.models else None
        n_before = self.n_told
        self._prepare_gp_fit(n_before + len(ys))
        failed = [False] * len(ys) if failed is None else [bool(f) for f in failed]
        if len(failed) != len(ys):
            raise ValueError(
                f"failed must have one flag per point, got {len(failed)} for "
                f"{len(ys)} points."
            )
        told = self._y_told + ys
        flags = self._failed + failed
        noises = self._noise + noise
        if self._warping is not None:
            # The warping is refitted to all values, so the values told
            # before are re-mapped too; skopt refits its model on ``yi``.
            warped = self._warp(np.asarray(told), np.asarray(flags, dtype=bool))
            self.optimizer_.yi[:] = warped[:n_before]
            ys = warped[n_before:]
        # skopt's fit-and-propose inside ``tell`` (either path) and the
        # incumbent polish read the optimiser's ``acq_func_kwargs``.
        self.optimizer_.acq_func_kwargs = self._acq_func_kwargs(
            np.asarray(told), np.asarray(flags, dtype=bool), np.asarray(noises)
        )
        with _one_blas_thread():
            self.optimizer_.tell(xs, ys)
            self._polish_incumbent()
        self._y_told = told
        self._failed = flags
        self._noise = noises
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
            Predicted value (in the units told, to be minimised). With the
            output warping, the model's mean mapped back: the median of its
            predictive distribution in the units told.

        std : ndarray of shape (n_points,)
            Predicted standard deviation. With the output warping, half the
            width of the model's mean +- one standard deviation, mapped back
            (the warping is nonlinear, so the band need not be symmetric).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If no surrogate has been fitted yet (see :attr:`model_ready`).
        """
        if not self.model_ready:
            raise NotFittedError(
                "No surrogate fitted yet: the first one is fitted once "
                f"n_initial_points={self.n_initial_points} points are told "
                f"({self.n_told} so far). Check model_ready first."
            )
        xs = [list(x) for x in xs]
        model = self.optimizer_.models[-1]
        with _one_blas_thread():
            X = self.optimizer_.space.transform(xs)
            mean, std = model.predict(X, return_std=True)
        mean = np.asarray(mean, dtype=float).ravel()
        std = np.asarray(std, dtype=float).ravel()
        if self._warping is not None:
            low = self._warping.inverse_transform(mean - std)
            high = self._warping.inverse_transform(mean + std)
            mean = self._warping.inverse_transform(mean)
            std = (high - low) / 2.0
        return mean, std

    def unwarp(self, values):
        """Map values the surrogate models (``optimizer_.yi``) back to the units told.

        Parameters
        ----------
        values : array-like of shape (n_values,)

        Returns
        -------
        ndarray of shape (n_values,)
            ``values`` unchanged when the surrogate is fitted to raw values.
        """
        values = np.asarray(values, dtype=float)
        if self._warping is None:
            return values
        return self._warping.inverse_transform(values)

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


class _GaussianProcess(GaussianProcessRegressor):
    """skopt's Gaussian process, with its arithmetic run with less Python overhead.

    For skopt's default kernel on spaces that are not all categorical,
    ``ConstantKernel * Matern(nu=2.5) + WhiteKernel``, the log-marginal
    likelihood and its gradient (evaluated a few dozen times per fit) and
    ``predict`` (a few dozen times per acquisition search) skip scikit-learn's
    kernel objects, hyperparameter bookkeeping and input validation.
    ``predict`` runs the same NumPy and SciPy operations in the same order, so
    that its results are bitwise skopt's; the likelihood's gradient is summed
    differently and agrees to rounding (``tests/search/test_optimizer.py``
    checks both against the plain path). Other kernels, and inputs the
    shortcuts do not cover, take skopt's and scikit-learn's code.
    """

    def fit(self, X, y):
        self._lml_terms = None
        self._predict_terms = None
        try:
            super().fit(X, y)
        finally:
            self._lml_terms = None
        self._predict_terms = _predict_terms(self)
        return self

    def log_marginal_likelihood(
        self, theta=None, eval_gradient=False, clone_kernel=True
    ):
        # The hyperparameter search calls this with ``clone_kernel=False``,
        # which would also set ``kernel_.theta`` each time; ``fit`` sets it to
        # the optimum afterwards, so skipping that changes nothing.
        if theta is not None and eval_gradient and not clone_kernel:
            if getattr(self, "_lml_terms", None) is None:
                self._lml_terms = _lml_terms(self) or False
            if self._lml_terms:
                return _matern52_lml(self._lml_terms, self.alpha, theta)
        return super().log_marginal_likelihood(theta, eval_gradient, clone_kernel)

    def predict(
        self,
        X,
        return_std=False,
        return_cov=False,
        return_mean_grad=False,
        return_std_grad=False,
    ):
        terms = getattr(self, "_predict_terms", None)
        if (
            terms is None
            or return_cov
            or (return_std_grad and not return_std)
            or type(X) is not np.ndarray
            or X.dtype != np.float64
            or X.ndim != 2
            or X.shape[0] == 0
            or X.shape[1] != terms[0].shape[1]
            or (X.shape[0] != 1 and (return_mean_grad or return_std_grad))
            or not np.isfinite(X).all()
        ):
            return super().predict(
                X,
                return_std=return_std,
                return_cov=return_cov,
                return_mean_grad=return_mean_grad,
                return_std_grad=return_std_grad,
            )
        return _matern52_predict(
            self, terms, X, return_std, return_mean_grad, return_std_grad
        )


class _Optimizer(Optimizer):
    """skopt's Optimizer, with the acquisition search of the GP cases inlined.

    With a :class:`_GaussianProcess` surrogate, ``acq_func`` one of ``"EI"``,
    ``"PI"``, ``"LCB"`` or ``"gp_hedge"`` (the three, chosen by skopt's
    GP-Hedge rule), ``acq_optimizer="lbfgs"`` and ``n_jobs=1``, ``_tell`` runs
    skopt's steps (fit, update the hedge gains, score random points, polish the
    best with L-BFGS for each acquisition function, pick one) with the same
    arithmetic, random draws and order; only the L-BFGS objective is
    :func:`_acquisition_1d` instead of skopt's ``gaussian_acquisition_1D``,
    which computes the same values through ``scipy.stats.norm`` at about
    0.2 ms of overhead a call, and skopt's ``joblib.Parallel`` with one job
    is a plain loop. Every other case is skopt's ``_tell``.
    """

    def _tell(self, x, y, fit=True):
        if not (
            fit
            and isinstance(self.base_estimator_, _GaussianProcess)
            and self.acq_func in _FAST_ACQ_FUNCS
            and self.cand_acq_funcs_ == _FAST_ACQ_FUNCS[self.acq_func]
            and self.acq_optimizer == "lbfgs"
            and self.n_jobs == 1
        ):
            return super()._tell(x, y, fit=fit)
        # skopt's bookkeeping (Xi, yi, initial-point count, cache).
        super()._tell(x, y, fit=False)
        if self._n_initial_points <= 0:
            self._fit_and_propose()
        result = create_result(
            self.Xi, self.yi, self.space, self.rng, models=self.models
        )
        result.specs = self.specs
        return result

    def _fit_and_propose(self):
        # skopt.Optimizer._tell from "if fit and ...", for these cases.
        transformed_bounds = np.array(self.space.transformed_bounds)
        est = clone(self.base_estimator_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(_transform(self.space, self.Xi), self.yi)
        if hasattr(self, "next_xs_") and self.acq_func == "gp_hedge":
            self.gains_ -= est.predict(np.vstack(self.next_xs_))
        if self.max_model_queue_size is None:
            self.models.append(est)
        elif len(self.models) < self.max_model_queue_size:
            self.models.append(est)
        else:
            self.models.pop(0)
            self.models.append(est)
        X = _transform(
            self.space, self.space.rvs(n_samples=self.n_points, random_state=self.rng)
        )
        self.next_xs_ = []
        acq_func_kwargs = self.acq_func_kwargs or {}
        xi = acq_func_kwargs.get("xi", _DEFAULT_XI)
        kappa = acq_func_kwargs.get("kappa", 1.96)
        # The candidates score the same random points with the same model:
        # predict once (gp_hedge would otherwise predict three times).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scored = _Prediction(X, *est.predict(X, return_std=True))
        for cand_acq_func in self.cand_acq_funcs_:
            values = _gaussian_acquisition(
                X=X,
                model=scored,
                y_opt=np.min(self.yi),
                acq_func=cand_acq_func,
                acq_func_kwargs=self.acq_func_kwargs,
            )
            x0 = X[np.argsort(values)[: self.n_restarts_optimizer]]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results = [
                    fmin_l_bfgs_b(
                        _acquisition_1d,
                        x,
                        args=(est, np.min(self.yi), cand_acq_func, xi, kappa),
                        bounds=self.space.transformed_bounds,
                        approx_grad=False,
                        maxiter=20,
                    )
                    for x in x0
                ]
            cand_xs = np.array([r[0] for r in results])
            cand_acqs = np.array([r[1] for r in results])
            next_x = cand_xs[np.argmin(cand_acqs)]
            if not self.space.is_categorical:
                next_x = np.clip(
                    next_x, transformed_bounds[:, 0], transformed_bounds[:, 1]
                )
            self.next_xs_.append(next_x)
        if self.acq_func == "gp_hedge":
            logits = np.array(self.gains_)
            logits -= np.max(logits)
            exp_logits = np.exp(self.eta * logits)
            probs = exp_logits / np.sum(exp_logits)
            next_x = self.next_xs_[np.argmax(self.rng.multinomial(1, probs))]
        else:
            next_x = self.next_xs_[0]
        self._next_x = self.space.inverse_transform(next_x.reshape((1, -1)))[0]


def _transform(space, points):
    """``space.transform(points)``, with one-hot categories encoded directly.

    skopt one-hot encodes a categorical dimension through scikit-learn's
    ``LabelBinarizer``, whose input checks cost about 1 ms a call for the
    acquisition's 1000 random points. The same 0/1 columns are set here by
    index; every other dimension runs skopt's own transform, and the result
    is bitwise skopt's.
    """
    parts = []
    for dim, column in zip(space.dimensions, zip(*points)):
        encoder = getattr(dim, "transformer", None)
        n_classes = getattr(encoder, "n_classes", 0)
        if type(encoder) is not CategoricalEncoder or n_classes < 2:
            parts.append(np.asarray(dim.transform(list(column))))
            continue
        index = np.fromiter(
            (encoder.mapping_[v] for v in column), dtype=int, count=len(column)
        )
        if n_classes == 2:
            # LabelBinarizer's single column: 1 for the second category.
            parts.append(index.reshape(-1, 1))
        else:
            one_hot = np.zeros((len(column), n_classes), dtype=int)
            one_hot[np.arange(len(column)), index] = 1
            parts.append(one_hot)
    return np.hstack([part.reshape((len(points), -1)) for part in parts])


class _Prediction:
    """A model's ``predict(X, return_std=True)`` at fixed points, computed once.

    Stands in for the model where skopt's acquisition functions score the
    random candidates; they only call ``predict(X, return_std=True)``.
    """

    def __init__(self, X, mean, std):
        self.X = X
        self.mean = mean
        self.std = std

    def predict(self, X, return_std=False):
        if X is not self.X or not return_std:  # pragma: no cover - a misuse
            raise ValueError("_Prediction answers only the points it was made for.")
        return self.mean.copy(), self.std.copy()


# The acquisition functions the fast path covers, with the candidates skopt
# evaluates for each (``Optimizer.cand_acq_funcs_``).
_FAST_ACQ_FUNCS = {
    "EI": ["EI"],
    "PI": ["PI"],
    "LCB": ["LCB"],
    "gp_hedge": ["EI", "LCB", "PI"],
}

_NORM_PDF_C = np.sqrt(2 * np.pi)


def _acquisition_1d(x, model, y_opt, acq_func, xi, kappa):
    """skopt's ``gaussian_acquisition_1D`` for EI, PI and LCB, value and gradient.

    The operations of skopt's ``gaussian_ei``, ``gaussian_pi`` and
    ``gaussian_lcb`` with ``return_grad=True``, negated (EI, PI) as
    ``_gaussian_acquisition`` does, with ``scipy.stats.norm.cdf`` and ``.pdf``
    replaced by the functions they evaluate (``scipy.special.ndtr`` and
    ``exp(-x**2 / 2) / sqrt(2 pi)``; bitwise equal).
    """
    X = np.expand_dims(x, axis=0)
    mu, std, mu_grad, std_grad = model.predict(
        X, return_std=True, return_mean_grad=True, return_std_grad=True
    )
    if acq_func == "LCB":
        if kappa == "inf":
            return -std, -std_grad
        return mu - kappa * std, mu_grad - kappa * std_grad
    values = np.zeros_like(mu)
    mask = std > 0
    improve = y_opt - xi - mu[mask]
    scaled = improve / std[mask]
    cdf = ndtr(scaled)
    pdf = np.exp(-(scaled**2) / 2.0) / _NORM_PDF_C
    if acq_func == "PI":
        values[mask] = cdf
        if not np.all(mask):
            return -values, -np.zeros_like(std_grad)
        improve_grad = -mu_grad * std - std_grad * improve
        improve_grad /= std**2
        return -values, -(improve_grad * pdf)
    exploit = improve * cdf
    explore = std[mask] * pdf
    values[mask] = exploit + explore
    if not np.all(mask):
        return -values, -np.zeros_like(std_grad)
    improve_grad = -mu_grad * std - std_grad * improve
    improve_grad /= std**2
    cdf_grad = improve_grad * pdf
    pdf_grad = -improve * cdf_grad
    exploit_grad = -mu_grad * cdf - pdf_grad
    explore_grad = std_grad * pdf + pdf_grad
    grad = exploit_grad + explore_grad
    return -values, -grad


def _default_kernel_parts(kernel):
    """``(constant, matern, white)`` of ``C * Matern(nu=2.5) + White``, else None."""
    if not (
        isinstance(kernel, sk_kernels.Sum)
        and isinstance(kernel.k1, sk_kernels.Product)
        and isinstance(kernel.k2, sk_kernels.WhiteKernel)
        and isinstance(kernel.k1.k1, sk_kernels.ConstantKernel)
        and isinstance(kernel.k1.k2, sk_kernels.Matern)
        and kernel.k1.k2.nu == 2.5
    ):
        return None
    return kernel.k1.k1, kernel.k1.k2, kernel.k2


def _lml_terms(gp):
    """What :func:`_matern52_lml` needs for the training data of a fit, or None."""
    parts = _default_kernel_parts(gp.kernel_)
    if parts is None:
        return None
    constant, matern, white = parts
    X, y = gp.X_train_, gp.y_train_
    if (
        not matern.anisotropic
        or constant.hyperparameter_constant_value.fixed
        or matern.hyperparameter_length_scale.fixed
        or white.hyperparameter_noise_level.fixed
        or type(X) is not np.ndarray
        or X.dtype != np.float64
        or X.ndim != 2
        or len(matern.length_scale) != X.shape[1]
        or y.ndim != 1
        or np.ndim(gp.alpha) != 0
    ):
        return None
    n, d = X.shape
    # The squared differences per feature do not depend on the
    # hyperparameters: computed once per fit, feature-major and flattened,
    # so that the scaled squared distances of every likelihood evaluation
    # are one matrix-vector product.
    diff_sq = (X.T[:, :, np.newaxis] - X.T[:, np.newaxis, :]) ** 2
    return n, d, diff_sq.reshape(d, n * n), np.asarray(y, dtype=float)


def _matern52_lml(terms, jitter, theta):
    """Log-marginal likelihood and its gradient, as scikit-learn defines them.

    The value and gradient of ``GaussianProcessRegressor.log_marginal_likelihood``
    for the kernel ``ConstantKernel * Matern(nu=2.5) + WhiteKernel`` (all
    hyperparameters free, anisotropic length scales); ``theta`` is
    ``[log c, log length_scale..., log noise_level]``. scikit-learn stacks
    the kernel's gradient into an ``(n, n, n_theta)`` array and contracts it
    with an einsum; here each entry of the gradient is one contraction of
    ``(alpha alpha^T - K^-1) / 2`` with that hyperparameter's derivative of
    ``K``, without building the array (about 3x faster at 50 points). The
    results agree with scikit-learn's to rounding
    (``tests/search/test_optimizer.py``), not bitwise.
    """
    n, d, diff_sq, y = terms
    constant = math.exp(theta[0])
    inv_scale_sq = np.exp(-2.0 * theta[1 : 1 + d])
    noise_level = math.exp(theta[1 + d])
    # sqrt(5) r, with r the scaled distance, and Matern 5/2 of it.
    root5_r = np.sqrt(5.0 * (inv_scale_sq @ diff_sq)).reshape(n, n)
    decay = np.exp(-root5_r)
    K_matern = (1.0 + root5_r + root5_r * root5_r / 3.0) * decay
    K = constant * K_matern
    K.reshape(-1)[:: n + 1] += noise_level + jitter
    # LAPACK directly, as scipy.linalg's cholesky and cho_solve call it.
    L, info = dpotrf(K, lower=1, clean=1, overwrite_a=1)
    if info > 0:
        return -np.inf, np.zeros_like(theta)
    if info < 0:  # pragma: no cover - a bad argument, as scipy would raise
        raise ValueError(f"illegal value in argument {-info} of LAPACK dpotrf")
    alpha = _potrs(L, y)
    log_likelihood = (
        -0.5 * (y @ alpha) - np.log(np.diag(L)).sum() - n / 2 * np.log(2 * np.pi)
    )
    # d lml / d theta_k = trace((alpha alpha^T - K^-1) dK/dtheta_k) / 2.
    inner = np.outer(alpha, alpha)
    inner -= _potrs(L, np.eye(n))
    gradient = np.empty(d + 2)
    gradient[0] = 0.5 * constant * np.vdot(inner, K_matern)
    # d K_matern / d log l_k = 5/3 (1 + sqrt(5) r) exp(-sqrt(5) r) D_k / l_k^2.
    weights = inner * (root5_r + 1.0)
    weights *= decay
    gradient[1 : 1 + d] = (
        (5.0 / 6.0 * constant) * (diff_sq @ weights.reshape(-1)) * inv_scale_sq
    )
    gradient[1 + d] = 0.5 * noise_level * np.trace(inner)
    return log_likelihood, gradient


def _potrs(L, b):
    """``scipy.linalg.cho_solve((L, True), b)`` without its wrappers."""
    x, info = dpotrs(L, b, lower=1, overwrite_b=0)
    if info != 0:  # pragma: no cover - a bad argument, as scipy would raise
        raise ValueError(f"illegal value in argument {-info} of LAPACK dpotrs")
    return x


def _predict_terms(gp):
    """What :func:`_matern52_predict` needs from a fitted model, or None."""
    parts = _default_kernel_parts(gp.kernel_)
    X_train = getattr(gp, "X_train_", None)
    if (
        parts is None
        or type(X_train) is not np.ndarray
        or X_train.dtype != np.float64
        or X_train.ndim != 2
        or np.ndim(gp.alpha_) != 1
    ):
        return None
    constant, matern, white = parts
    if (
        np.array(constant.constant_value).dtype != np.float64
        or np.array(white.noise_level).dtype != np.float64
    ):
        return None
    length_scale = np.squeeze(matern.length_scale).astype(float)
    if np.ndim(length_scale) == 1 and length_scale.shape[0] != X_train.shape[1]:
        return None
    return (
        X_train,
        X_train / length_scale,
        length_scale,
        constant.constant_value,
        white.noise_level,
        matern,
    )


def _matern52_predict(gp, terms, X, return_std, return_mean_grad, return_std_grad):
    """skopt's ``GaussianProcessRegressor.predict`` for the default kernel.

    The same operations in the same order as skopt's ``predict`` and the
    kernels' ``__call__``, ``diag`` and ``gradient_x`` it calls; only the
    object dispatch and the input validation (done by the caller) are gone.
    """
    X_train, X_train_scaled, length_scale, constant, noise_level, matern = terms
    n_x = X.shape[0]
    # kernel_(X, X_train): C * Matern + White, where White(X, Y) is zero.
    dists = cdist(X / length_scale, X_train_scaled, metric="euclidean")
    K_matern = dists * math.sqrt(5)
    K_matern = (1.0 + K_matern + K_matern**2 / 3.0) * np.exp(-K_matern)
    K_constant = np.full((n_x, X_train.shape[0]), constant)
    K_trans = K_constant * K_matern + np.zeros((n_x, X_train.shape[0]))
    y_mean = K_trans.dot(gp.alpha_)
    y_mean = gp.y_train_std_ * y_mean + gp.y_train_mean_
    if return_std:
        K_inv = gp.K_inv_
        y_var = np.full(n_x, constant) * np.ones(n_x) + np.full(n_x, noise_level)
        y_var -= np.einsum("ki,kj,ij->k", K_trans, K_trans, K_inv)
        y_var_negative = y_var < 0
        if np.any(y_var_negative):
            warnings.warn(
                "Predicted variances smaller than 0. Setting those variances to 0.",
                stacklevel=2,
            )
            y_var[y_var_negative] = 0.0
        y_var = y_var * gp.y_train_std_**2
        y_std = np.sqrt(y_var)
    if return_mean_grad:
        # Sum.gradient_x -> Product.gradient_x (C' = 0) + White (0).
        zeros = np.zeros_like(X_train)
        grad = (
            K_constant[0][:, np.newaxis] * matern.gradient_x(X[0], X_train)
            + K_matern[0][:, np.newaxis] * zeros
        ) + zeros
        grad_mean = np.dot(grad.T, gp.alpha_)
        grad_mean = grad_mean * gp.y_train_std_
        if return_std_grad:
            grad_std = np.zeros(X.shape[1])
            # np.allclose(y_std, 0) without its overhead.
            if not np.all(np.abs(y_std) <= 1e-08):
                grad_std = -np.dot(K_trans, np.dot(K_inv, grad))[0] / y_std
                grad_std = grad_std * gp.y_train_std_**2
            return y_mean, y_std, grad_mean, grad_std
        if return_std:
            return y_mean, y_std, grad_mean
        return y_mean, grad_mean
    if return_std:
        return y_mean, y_std
    return y_mean


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
