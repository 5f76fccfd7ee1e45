"""scikit-optimize's ``OptimizeResult`` for a branch of a search or a minimisation.

skopt's searches hand their callbacks, and their users, a
``scipy.optimize.OptimizeResult`` laid out by ``skopt.utils.create_result``:
``x`` and ``fun`` (the best point and its value), ``x_iters`` and
``func_vals`` (every point evaluated and its value, in order), ``space`` (a
``skopt.space.Space``), ``models`` (fitted surrogates whose
``predict(space.transform(points))`` gives the modelled value), and
``random_state`` and ``specs``. ``skopt.plots`` (``plot_convergence``,
``plot_evaluations``, ``plot_objective``) and skopt's callbacks
(``DeadlineStopper``, ``DeltaYStopper``, ...) read those fields.

:func:`branch_result` builds one from the public side of a
:class:`~skhp.search.optimizer.SurrogateOptimizer` (``x_told``, ``y_told``,
``predict``) and a :class:`~skhp.search.encoding.BranchEncoding`. The points
are in the user's values (category objects, not positions), and ``space``
holds every parameter, fixed ones included, as skopt's BayesSearchCV had it.
"""

import numpy as np
from scipy.optimize import OptimizeResult

from ..space import Categorical, Integer, Real

__all__ = ["SurrogateModel", "branch_result", "check_result_callbacks", "result_space"]


def check_result_callbacks(callback, what, hint=""):
    """skopt-style callbacks (called with an OptimizeResult) as a list.

    ``what`` names the argument in the error (``"fit(callback=...)"``);
    ``hint`` is appended to it.
    """
    if callback is None:
        return []
    callbacks = callback if isinstance(callback, (list, tuple)) else [callback]
    for cb in callbacks:
        if not callable(cb):
            raise ValueError(
                f"{what} must be a callable or a list of callables, each called "
                f"with the OptimizeResult so far, but got {cb!r}.{hint}"
            )
    return list(callbacks)


def _skopt_dimension(dim, name):
    from skopt import space as sk

    if isinstance(dim, Real):
        return sk.Real(dim.low, dim.high, prior=dim.prior, name=name)
    if isinstance(dim, Integer):
        return sk.Integer(dim.low, dim.high, prior=dim.prior, name=name)
    # "label": one column holding the choice's position.
    return sk.Categorical(list(dim), transform="label", name=name)


def result_space(dimensions, names, labels=None):
    """A ``skopt.space.Space`` of skhp dimensions, in the user's values.

    Parameters
    ----------
    dimensions : dict of str -> Dimension
        The parameters.
    names : list of str
        The keys of ``dimensions`` in the order of the result's points.
    labels : list of str or None, default=None
        Names to give the skopt dimensions (default: ``names``; None entries
        leave a dimension unnamed, as skopt's ``gp_minimize`` does).

    Returns
    -------
    skopt.space.Space
    """
    from skopt.space import Space

    labels = names if labels is None else labels
    return Space(
        [_skopt_dimension(dimensions[n], label) for n, label in zip(names, labels)]
    )


class SurrogateModel:
    """A branch's surrogate as skopt's plots expect ``result.models[-1]``.

    ``predict(space.transform(points))`` returns the surrogate's mean (and
    standard deviation with ``return_std=True``) in the units told to the
    optimiser, through :meth:`SurrogateOptimizer.predict
    <skhp.search.optimizer.SurrogateOptimizer.predict>`.

    Parameters
    ----------
    space : skopt.space.Space
        The result's space (:func:`result_space`).
    names : list of str
        The parameter of each dimension of ``space``.
    encoding : BranchEncoding
        The branch's encoding.
    optimizer : SurrogateOptimizer
        The branch's optimiser, with a fitted model.
    """

    def __init__(self, space, names, encoding, optimizer):
        self.space = space
        self.names = list(names)
        self.encoding = encoding
        self.optimizer = optimizer

    def predict(self, X, return_std=False):
        """Mean (and standard deviation) at points of ``space.transform``."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        columns, start = {}, 0
        for name, dim in zip(self.names, self.space.dimensions):
            size = dim.transformed_size
            block = X[:, start] if size == 1 else X[:, start : start + size]
            if isinstance(self.encoding.dimensions[name], Categorical):
                # The "label" transform: the column is the choice's position,
                # which is what the optimiser's points hold.
                columns[name] = np.rint(block).astype(int).tolist()
            else:
                columns[name] = dim.inverse_transform(block)
            start += size
        free = [columns[name] for name in self.encoding.free]
        points = [list(p) for p in zip(*free)]
        mean, std = self.optimizer.predict(points)
        return (mean, std) if return_std else mean


def branch_result(
    encoding,
    optimizer,
    names=None,
    *,
    labels=None,
    evaluated=None,
    random_state=None,
    specs=None,
):
    """An ``OptimizeResult`` as ``skopt.utils.create_result`` lays it out.

    Parameters
    ----------
    encoding : BranchEncoding
        The branch's parameters.
    optimizer : SurrogateOptimizer or None
        The branch's optimiser; None for a branch with no free parameter.
    names : list of str, default=None
        The order of the values in each point (default: sorted names, as
        skopt's BayesSearchCV).
    labels : list of str or None, default=None
        Names of the result space's dimensions (default: ``names``).
    evaluated : list of (dict, float), default=None
        For a branch without optimiser: the candidates evaluated and their
        values (to be minimised).
    random_state : RandomState or None, default=None
    specs : dict or None, default=None

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``fun``, ``func_vals``, ``x_iters``, ``models``, ``space``,
        ``random_state`` and ``specs``.
    """
    names = sorted(encoding.dimensions) if names is None else list(names)
    space = result_space(encoding.dimensions, names, labels)
    models = []
    if optimizer is not None:
        candidates = [encoding.decode(point) for point in optimizer.x_told]
        values = np.asarray(optimizer.y_told, dtype=float)
        if optimizer.model_ready:
            models = [SurrogateModel(space, names, encoding, optimizer)]
    else:
        evaluated = list(evaluated or [])
        candidates = [params for params, _ in evaluated]
        values = np.asarray([value for _, value in evaluated], dtype=float)
    x_iters = [[params[n] for n in names] for params in candidates]
    res = OptimizeResult()
    if len(values) and np.isfinite(values).any():
        best = int(np.nanargmin(values))
        res.x, res.fun = x_iters[best], float(values[best])
    else:
        res.x, res.fun = None, np.nan
    res.func_vals = values
    res.x_iters = x_iters
    res.models = models
    res.space = space
    res.random_state = random_state
    res.specs = specs
    return res
