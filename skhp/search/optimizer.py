"""Ask/tell Bayesian optimisation over one flat space.

:class:`SurrogateOptimizer` is the optimiser behind every branch of
:class:`~skhp.BayesSearchCV`, and a public ask/tell interface of its own. Two
families of surrogates sit behind it:

* ``"gp"`` (default): skhp's own Gaussian-process loop, one concept per module
  in :mod:`skhp.search.bo` (the model and its priors, the acquisition
  functions, their optimiser, the ask/tell policy); only scikit-optimize's
  public dimensions and transforms are used.
* ``"rf"``, ``"et"``, ``"gbrt"``: scikit-optimize's tree surrogates, through
  its public :class:`skopt.Optimizer`.

Values told are minimised. Measurements (step cost, quality on the benchmark
suite) are in ``docs/benchmarks.md``.
"""

import math
import numbers
import warnings

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from skopt import Optimizer
from skopt.learning import GradientBoostingQuantileRegressor
from skopt.space import Categorical, Integer, Real
from threadpoolctl import ThreadpoolController

from .bo.policy import FAILURE_MARGIN, NOISE_XI_FRACTION, RANDOM_SHARE, GPOptimizer
from .bo.space import to_python
from .optimizer_names import ACQ_FUNCS, OPTIMIZERS

__all__ = ["SurrogateOptimizer"]

_BASE_ESTIMATORS = OPTIMIZERS

# Arguments SurrogateOptimizer sets itself; taking them from ``optimizer_kwargs``
# too would make two sources of truth.
_RESERVED_KWARGS = frozenset(
    {"dimensions", "base_estimator", "n_initial_points", "acq_func", "random_state"}
)
# What ``optimizer_kwargs`` may hold with the Gaussian process.
_GP_KWARGS = {
    "acq_func_kwargs": {"xi", "kappa"},
    "acq_optimizer": None,
    "acq_optimizer_kwargs": {"n_points", "n_restarts_optimizer"},
    "random_share": None,
}
_GP_ACQ_OPTIMIZERS = ("auto", "lbfgs", "sampling")
_GP_ACQ_FUNCS = ACQ_FUNCS

# skopt warns when the acquisition optimum is a point already evaluated and it
# falls back to a random point; with integer and categorical dimensions that is
# routine, not something the user can act on.
_DUPLICATE_WARNING = "The objective has been evaluated at point"
# skopt's default ``xi`` for EI and PI (the tree surrogates).
_DEFAULT_XI = 0.01


def _is_real(value):
    """Whether ``value`` is a real number (NaN and inf included), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_gp_kwargs(kwargs, acq_func):
    """The Gaussian process's settings from ``optimizer_kwargs``, checked."""
    unknown = sorted(set(kwargs) - set(_GP_KWARGS))
    if unknown:
        raise ValueError(
            f"optimizer_kwargs keys {unknown} have no meaning with the Gaussian "
            f"process (optimizer='gp'); the keys it takes are {sorted(_GP_KWARGS)}."
        )
    settings = {}
    for key in ("acq_func_kwargs", "acq_optimizer_kwargs"):
        given = kwargs.get(key) or {}
        if not isinstance(given, dict):
            raise ValueError(
                f"optimizer_kwargs[{key!r}] must be a dict, got {given!r}."
            )
        bad = sorted(set(given) - _GP_KWARGS[key])
        if bad:
            raise ValueError(
                f"optimizer_kwargs[{key!r}] keys {bad} are not used here; the "
                f"keys it takes are {sorted(_GP_KWARGS[key])}."
            )
        settings.update(given)
    for name in ("xi", "kappa"):
        if name in settings and (
            not _is_real(settings[name]) or not math.isfinite(settings[name])
        ):
            raise ValueError(
                f"optimizer_kwargs['acq_func_kwargs'][{name!r}] must be a finite "
                f"number, got {settings[name]!r}."
            )
    for name in ("n_points", "n_restarts_optimizer"):
        value = settings.get(name)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, numbers.Integral)
            or value < 1
        ):
            raise ValueError(
                f"optimizer_kwargs['acq_optimizer_kwargs'][{name!r}] must be a "
                f"positive integer, got {value!r}."
            )
    random_share = kwargs.get("random_share", RANDOM_SHARE)
    if not _is_real(random_share) or not 0.0 <= random_share <= 1.0:
        raise ValueError(
            f"optimizer_kwargs['random_share'] must be a number in [0, 1], got "
            f"{random_share!r}."
        )
    acq_optimizer = kwargs.get("acq_optimizer", "auto")
    if acq_optimizer not in _GP_ACQ_OPTIMIZERS:
        raise ValueError(
            f"optimizer_kwargs['acq_optimizer'] must be one of "
            f"{list(_GP_ACQ_OPTIMIZERS)}, got {acq_optimizer!r}."
        )
    if acq_func not in _GP_ACQ_FUNCS:
        raise ValueError(
            f"acq_func must be one of {list(_GP_ACQ_FUNCS)} with the Gaussian "
            f"process, got {acq_func!r}."
        )
    return {
        "xi": float(settings.get("xi", 0.0)),
        "kappa": float(settings.get("kappa", 1.96)),
        "n_samples": int(settings.get("n_points", 1000)),
        "n_restarts": int(settings.get("n_restarts_optimizer", 10)),
        "local_search": acq_optimizer != "sampling",
        "random_share": float(random_share),
    }


class SurrogateOptimizer:
    """Ask/tell Bayesian optimiser over one flat space.

    Parameters
    ----------
    dimensions : list of skopt.space.Dimension
        The search space, one :class:`skopt.space.Real`,
        :class:`skopt.space.Integer` or :class:`skopt.space.Categorical` per
        parameter. Points are lists in the same order.

    base_estimator : {"gp", "rf", "et", "gbrt"}, default="gp"
        Surrogate model: skhp's Gaussian process (:mod:`skhp.search.bo`), or
        scikit-optimize's random forest, extra trees or gradient boosted
        quantile trees.

    n_initial_points : int, default=10
        Number of random points asked before the first surrogate is fitted.

    acq_func : str, default="EI"
        Acquisition function. With the Gaussian process: ``"EI"`` (expected
        improvement, maximised in log space), ``"PI"``, ``"LCB"`` or
        ``"gp_hedge"`` (a hedge over the three). With the trees, any of
        scikit-optimize's names.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial points, the surrogate and the acquisition
        optimisation. With the same seed and the same sequence of calls the
        asked points are identical.

    optimizer_kwargs : dict, default=None
        With the Gaussian process: ``acq_func_kwargs`` (``xi``, the
        improvement EI and PI ask for, in standard deviations of the warped
        values, default 0; ``kappa``, the LCB width, default 1.96),
        ``acq_optimizer`` (``"auto"`` or ``"lbfgs"``: random points then a
        local search from the best of them and of the points told;
        ``"sampling"``: the best random point) and ``acq_optimizer_kwargs``
        (``n_points``, random points scored, default 1000;
        ``n_restarts_optimizer``, starts of the local search, default 10) and
        ``random_share`` (the chance that a proposal after the initial points
        is a random point instead of the acquisition's optimum, default
        0.1). With the trees: extra arguments for :class:`skopt.Optimizer`. The
        arguments that have their own parameter here are refused.

    See Also
    --------
    skhp.search.bo.policy.GPOptimizer : The Gaussian-process loop.
    skopt.Optimizer : The ask/tell optimiser of the tree surrogates.

    Notes
    -----
    A batch (``ask(n_points)`` with ``n_points > 1``) is built with a constant
    liar: with the Gaussian process each proposal is told the worst value so
    far before the next one is chosen, which keeps the batch's points apart
    (its hyperparameters are kept meanwhile); the trees use skopt's
    ``"cl_min"``.

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
        # A private generator for batch de-duplication, seeded from the
        # user's so that the optimiser's own stream is not disturbed.
        self._rng = np.random.RandomState(rng.randint(np.iinfo(np.int32).max))
        seed = rng.randint(np.iinfo(np.int32).max)
        if self.base_estimator == "gp":
            self._gp = GPOptimizer(
                dimensions,
                n_initial_points=n_initial_points,
                acq_func=acq_func,
                random_state=seed,
                **_check_gp_kwargs(optimizer_kwargs, acq_func),
            )
            self._trees = None
        else:
            self._gp = None
            estimator = (
                _make_gbrt(rng)
                if self.base_estimator == "gbrt"
                else self.base_estimator
            )
            kwargs = {"initial_point_generator": "random", "model_queue_size": 1}
            kwargs.update(optimizer_kwargs)
            self._trees = Optimizer(
                dimensions,
                base_estimator=estimator,
                n_initial_points=n_initial_points,
                acq_func=acq_func,
                random_state=seed,
                **kwargs,
            )
            self._tree_acq_kwargs = dict(optimizer_kwargs.get("acq_func_kwargs") or {})
        self._y_told = []
        self._failed = []
        self._noise = []

    # -- public API ----------------------------------------------------------

    @property
    def n_told(self):
        """Number of observations told so far."""
        return len(self._y_told)

    @property
    def y_told(self):
        """The values told so far, in the order told, as told (not warped)."""
        return np.asarray(self._y_told, dtype=float)

    @property
    def noise_told(self):
        """The standard errors told with the values (NaN where unknown)."""
        return np.asarray(self._noise, dtype=float)

    @property
    def warping(self):
        """The output warping the Gaussian process is fitted through, or None.

        A :class:`skhp.search.warping.YeoJohnsonWarping`, refitted to the
        successes at every tell; None for the tree surrogates (they model the
        raw values).
        """
        return self._gp.warping if self._gp is not None else None

    @property
    def model_ready(self):
        """Whether a surrogate has been fitted (the random phase is over)."""
        if self._gp is not None:
            return self._gp.model_ready
        return bool(self._trees.models)

    @property
    def space(self):
        """The :class:`skopt.space.Space`; models see ``space.transform(points)``."""
        return self._gp.encoding.space if self._gp is not None else self._trees.space

    @property
    def x_told(self):
        """The points told so far, in the order told (one value per dimension)."""
        xs = self._gp.xs if self._gp is not None else self._trees.Xi
        return [list(x) for x in xs]

    @property
    def y_modelled(self):
        """The values the surrogate is fitted to, in the order told.

        With a Gaussian process, :attr:`y_told` after the output warping
        (failures placed above the successes); the raw values otherwise.
        """
        if self._gp is not None:
            return np.asarray(self._gp.y_modelled, dtype=float)
        return np.asarray(self._trees.yi, dtype=float)

    @property
    def model(self):
        """The last fitted surrogate, or None before the first fit.

        Its ``predict(space.transform(points), return_std=True)`` gives the
        mean and standard deviation in the units of :attr:`y_modelled`.
        """
        if self._gp is not None:
            return self._gp.model
        return self._trees.models[-1] if self._trees.models else None

    @property
    def acq_func_kwargs(self):
        """The acquisition's ``xi`` and ``kappa`` as used by the next proposal."""
        if self._gp is not None:
            return dict(self._gp.acq_kwargs)
        return dict(self._trees.acq_func_kwargs or {})

    def ask(self, n_points=1):
        """Propose points to evaluate next.

        Parameters
        ----------
        n_points : int, default=1
            Number of points. More than one gives a constant-liar batch of
            distinct points, unless the space has fewer distinct points than
            asked.

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
            if self._gp is not None:
                points = self._gp.ask(n_points)
            elif n_points == 1:
                points = [self._trees.ask()]
            else:
                points = self._trees.ask(n_points=n_points, strategy="cl_min")
        points = [self._to_python(x) for x in points]
        return self._deduplicate(points)

    def fresh(self, random_state):
        """A new optimiser with this one's settings and nothing told.

        For a surrogate of another quantity over the same space (the
        objectives of a multi-objective search).
        """
        return SurrogateOptimizer(
            self.dimensions,
            base_estimator=self.base_estimator,
            n_initial_points=self.n_initial_points,
            acq_func=self.acq_func,
            random_state=random_state,
            optimizer_kwargs=self.optimizer_kwargs,
        )

    @staticmethod
    def failure_value(told_successes):
        """The value to tell for a failed candidate: worse than every success.

        A failure's own score (``error_score``) may be NaN or look good, so
        the surrogate is told a finite value ``FAILURE_MARGIN`` times the
        range of the successes above the worst of them (at least a relative
        1e-6 above it).

        Parameters
        ----------
        told_successes : sequence of float
            The values told so far (to minimise) for successful candidates,
            of every branch of the search.

        Returns
        -------
        value : float or None
            None while there is no success to set the scale.
        """
        if not len(told_successes):
            return None
        worst, best = max(told_successes), min(told_successes)
        return worst + max(FAILURE_MARGIN * (worst - best), 1e-6 * (1 + abs(worst)))

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
        noise = _check_noise(noise, len(ys))
        failed = [False] * len(ys) if failed is None else [bool(f) for f in failed]
        if len(failed) != len(ys):
            raise ValueError(
                f"failed must have one flag per point, got {len(failed)} for "
                f"{len(ys)} points."
            )
        space = self.space
        for i, x in enumerate(xs):
            if x not in space:
                raise ValueError(
                    f"xs[{i}] = {x!r} is not in the space {space.dimensions!r}."
                )
        with _one_blas_thread():
            if self._gp is not None:
                self._gp.tell(xs, ys, failed, noise)
            else:
                self._trees.acq_func_kwargs = self._tree_xi(
                    self._y_told + ys, self._failed + failed, self._noise + noise
                )
                self._trees.tell(xs, ys)
        self._y_told += ys
        self._failed += failed
        self._noise += noise

    def _tree_xi(self, told, failed, noise):
        """The trees' ``acq_func_kwargs``: the user's, with ``xi`` above the noise."""
        kwargs = dict(self._tree_acq_kwargs)
        told, failed, noise = (
            np.asarray(a, dtype=float) for a in (told, failed, noise)
        )
        known = (failed == 0) & np.isfinite(noise)
        if not known.any():
            return kwargs
        se = float(np.median(noise[known]))
        if se > 0:
            floor = NOISE_XI_FRACTION * se
            kwargs["xi"] = max(float(kwargs.get("xi", _DEFAULT_XI)), floor)
        return kwargs

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
        with _one_blas_thread():
            X = self.space.transform(xs)
            mean, std = self.model.predict(X, return_std=True)
        mean = np.asarray(mean, dtype=float).ravel()
        std = np.asarray(std, dtype=float).ravel()
        warping = self.warping
        if warping is not None:
            low = warping.inverse_transform(mean - std)
            high = warping.inverse_transform(mean + std)
            mean = warping.inverse_transform(mean)
            std = (high - low) / 2.0
        return mean, std

    def unwarp(self, values):
        """Map values the surrogate models (:attr:`y_modelled`) back to the units told.

        Parameters
        ----------
        values : array-like of shape (n_values,)

        Returns
        -------
        ndarray of shape (n_values,)
            ``values`` unchanged when the surrogate is fitted to raw values.
        """
        values = np.asarray(values, dtype=float)
        if self.warping is None:
            return values
        return self.warping.inverse_transform(values)

    # -- helpers -------------------------------------------------------------

    def _to_python(self, x):
        """Return ``x`` with builtin numbers and the original category objects."""
        return to_python(self.dimensions, x)

    def _deduplicate(self, points):
        """Replace repeated points in a batch with fresh random ones."""
        seen = {_key(self._to_python(x)) for x in self.x_told}
        out = []
        for x in points:
            key = _key(x)
            redraws = 0
            while key in seen and redraws < 100:
                x = self._to_python(self.space.rvs(random_state=self._rng)[0])
                key = _key(x)
                redraws += 1
            seen.add(key)
            out.append(x)
        return out


def _key(x):
    return tuple(repr(v) for v in x)


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
    # The same model as ``skopt.utils.cook_estimator("gbrt")``.
    return _GradientBoostingQuantileRegressor(
        base_estimator=GradientBoostingRegressor(n_estimators=30, loss="quantile"),
        random_state=rng.randint(np.iinfo(np.int32).max),
    )


_CONTROLLER = None


def _one_blas_thread():
    """Context manager running its body with one BLAS thread.

    The matrices are tiny (tens of rows), too small for a multi-threaded BLAS
    to pay off, and a search may run cross-validation in parallel next to the
    optimiser. On exit the caller's thread counts are restored.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        # ``threadpool_limits()`` rescans the loaded libraries on every call;
        # a controller scans once.
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")
