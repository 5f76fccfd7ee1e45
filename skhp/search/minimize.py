"""Bayesian minimisation of a black-box function, as ``skopt.gp_minimize``.

For what is not a scikit-learn estimator (a simulation, a training script, a
benchmark function): :func:`minimize` asks skhp's
:class:`~skhp.search.optimizer.SurrogateOptimizer` for points, evaluates the
function there and tells it the values, and returns the
``scipy.optimize.OptimizeResult`` that ``skopt.gp_minimize`` returns, which
``skopt.plots`` draws.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from ..space import Dimension, as_dimension
from ..space.skopt_forms import from_skopt_tuple
from .encoding import BranchEncoding
from .optimize_result import branch_result, check_result_callbacks
from .optimizer_names import OPTIMIZERS

__all__ = ["minimize"]


def _read_dimensions(dimensions):
    if type(dimensions).__name__ == "Space" and hasattr(dimensions, "dimensions"):
        dimensions = dimensions.dimensions  # a skopt.space.Space
    if isinstance(dimensions, (Dimension, dict, str)) or not hasattr(
        dimensions, "__len__"
    ):
        raise ValueError(
            "`dimensions` must be a list with one entry per argument of the "
            "function (a Real, Integer or Categorical, a (low, high) tuple, a "
            f"list of choices, ...), but got {dimensions!r}."
        )
    dims, labels = {}, []
    for i, value in enumerate(dimensions):
        key = f"x{i}"
        label = getattr(value, "name", None)
        if isinstance(value, tuple):
            value = from_skopt_tuple(label or key, value)
        try:
            dims[key] = as_dimension(label or key, value)
        except ValueError as err:
            raise ValueError(f"dimensions[{i}]: {err}") from None
        labels.append(label)
    if not dims:
        raise ValueError("`dimensions` is empty; give at least one dimension.")
    return dims, labels


def _check_count(name, value, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"`{name}` must be an integer, but got {name}={value!r}.")
    if value < low:
        raise ValueError(f"`{name}` must be >= {low}, but got {name}={value!r}.")
    return int(value)


def _check_value(value, x):
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = None
    if value is None or not np.isfinite(value):
        raise ValueError(
            f"The function returned {value!r} at {x}; it must return a finite "
            "number to minimise."
        )
    return value


def minimize(
    func,
    dimensions,
    *,
    n_calls=100,
    n_initial_points=10,
    base_estimator="GP",
    acq_func="EI",
    x0=None,
    y0=None,
    random_state=None,
    callback=None,
    optimizer_kwargs=None,
):
    """Minimise a function by Bayesian optimisation, as ``skopt.gp_minimize``.

    Parameters
    ----------
    func : callable
        ``func(x) -> float``, where ``x`` is a list with one value per
        dimension. The value is minimised (negate a score to maximise it).
    dimensions : list
        One entry per element of ``x``: a :class:`~skhp.Real`,
        :class:`~skhp.Integer` or :class:`~skhp.Categorical` (recommended), or
        as in skopt a ``(low, high)`` or ``(low, high, prior)`` tuple
        (integers give an integer range, floats a real one), a list of
        choices, or a skopt dimension (or a whole ``skopt.space.Space``).
    n_calls : int, default=100
        Number of calls to ``func``, the evaluations of ``x0`` included.
    n_initial_points : int, default=10
        Points evaluated before the surrogate is used: those of ``x0``, then
        random ones.
    base_estimator : {"GP", "RF", "ET", "GBRT"}, default="GP"
        The surrogate, by skopt's names in any case: Gaussian process, random
        forest, extra trees or gradient-boosted quantile trees.
    acq_func : {"EI", "PI", "LCB", "gp_hedge"}, default="EI"
        Acquisition function. (skopt's default is ``"gp_hedge"``; ``"EI"``
        is as good here and cheaper, see docs/benchmarks.md.)
    x0 : list or list of lists, default=None
        Points to evaluate first (or, with ``y0``, to tell without
        evaluating).
    y0 : float or list of float, default=None
        The values of ``func`` at ``x0``, when already known.
    random_state : int, RandomState instance or None, default=None
        Seeds the random points and the surrogate; the same seed gives the
        same points.
    callback : callable or list of callables, default=None
        Called after each evaluation with the ``OptimizeResult`` so far;
        returning ``True`` stops. skopt's callbacks (``DeadlineStopper``,
        ``DeltaYStopper``, ``VerboseCallback``, ...) work.
    optimizer_kwargs : dict, default=None
        Extra arguments for the optimiser, as
        :class:`~skhp.search.optimizer.SurrogateOptimizer`'s
        ``optimizer_kwargs`` (for example ``{"acq_func_kwargs": {"xi":
        0.1}}``).

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        As skopt's: ``x`` (the best point), ``fun`` (its value),
        ``x_iters`` and ``func_vals`` (every point and value, in order),
        ``space`` (a ``skopt.space.Space``), ``models`` (the last surrogate,
        in the units of ``func``), ``random_state`` and ``specs``.
        ``skopt.plots.plot_convergence``, ``plot_evaluations`` and
        ``plot_objective`` draw it.

    See Also
    --------
    skhp.search.optimizer.SurrogateOptimizer : The ask/tell optimiser, for
        loops that :func:`minimize` does not fit.

    Examples
    --------
    >>> from skhp import minimize
    >>> res = minimize(lambda x: (x[0] - 0.3) ** 2 + x[1], [(-1.0, 1.0), (0, 3)],
    ...                n_calls=15, n_initial_points=5, random_state=0)
    >>> len(res.func_vals), res.x[1]
    (15, 0)
    """
    from .optimizer import SurrogateOptimizer

    specs = {"args": dict(locals()), "function": "minimize"}
    if not callable(func):
        raise ValueError(f"`func` must be callable, but got {func!r}.")
    dims, labels = _read_dimensions(dimensions)
    encoding = BranchEncoding(dims)
    if not encoding.n_free:
        raise ValueError(
            "Every dimension has a single value, so there is nothing to "
            "minimise; give at least one dimension two or more values."
        )
    n_calls = _check_count("n_calls", n_calls, 1)
    n_initial_points = _check_count("n_initial_points", n_initial_points, 1)
    if not isinstance(base_estimator, str) or base_estimator.lower() not in OPTIMIZERS:
        names = [repr(n.upper()) for n in OPTIMIZERS]
        raise ValueError(
            f"`base_estimator` must be one of {', '.join(names[:-1])} or "
            f"{names[-1]} (any case), but got base_estimator={base_estimator!r}."
        )
    callbacks = check_result_callbacks(callback, "`callback`")
    names = list(dims)
    x0 = [] if x0 is None else list(x0)
    if x0 and not isinstance(x0[0], (list, tuple, np.ndarray)):
        x0 = [x0]
    x0 = [list(x) for x in x0]
    for i, x in enumerate(x0):
        params = dict(zip(names, x)) if len(x) == len(names) else None
        reason = (
            f"it has {len(x)} values for {len(names)} dimensions"
            if params is None
            else encoding.why_not(params)
        )
        if reason is not None:
            raise ValueError(f"x0[{i}] = {x} is not a point of the space: {reason}.")
    if y0 is not None:
        y0 = list(np.atleast_1d(np.asarray(y0, dtype=float)))
        if len(y0) != len(x0):
            raise ValueError(
                f"`y0` has {len(y0)} values for the {len(x0)} points of `x0`; "
                "give one value per point (or leave y0=None to evaluate them)."
            )

    rng = check_random_state(random_state)
    optimizer = SurrogateOptimizer(
        encoding.skopt_dimensions(),
        base_estimator=base_estimator.lower(),
        n_initial_points=n_initial_points,
        acq_func=acq_func,
        random_state=rng,
        optimizer_kwargs=optimizer_kwargs,
    )

    def result():
        return branch_result(
            encoding,
            optimizer,
            names,
            labels=labels,
            random_state=rng,
            specs=specs,
        )

    def told(xs, ys):
        points = [encoding.encode(dict(zip(names, x))) for x in xs]
        optimizer.tell(points, ys)
        if not callbacks:
            return False
        res = result()
        stop = False
        for cb in callbacks:  # every callback is called, as in skopt
            stop = bool(cb(res)) or stop
        return stop

    stop = False
    if x0:
        if y0 is None:
            y0 = [_check_value(func(list(x)), x) for x in x0]
            n_calls -= len(x0)
        stop = told(x0, [_check_value(y, x) for x, y in zip(x0, y0)])
    while n_calls > 0 and not stop:
        point = optimizer.ask()[0]
        params = encoding.decode(point)
        x = [params[n] for n in names]
        stop = told([x], [_check_value(func(list(x)), x)])
        n_calls -= 1
    return result()
