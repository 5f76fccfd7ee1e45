"""Discretising a search space for scikit-learn's ``GridSearchCV``."""

import numbers
from collections.abc import Mapping

from .conversion import check_space

__all__ = ["grid"]


def _points_for(name, n_points):
    if isinstance(n_points, Mapping):
        return n_points.get(name, 5)
    return n_points


def grid(space, n_points=None, *, budget=None):
    """Turn a search space into a ``param_grid`` for ``GridSearchCV``.

    Real and Integer dimensions become ``n_points`` values evenly spaced on
    their prior's scale (log-spaced for a log-uniform prior); a Categorical
    dimension keeps all its choices. With ``budget=n`` instead, the grid has
    at most ``n`` candidates and varies as many dimensions as ``n`` allows
    (every one once ``n`` allows two values of each), so that grid search
    gets the budget ``n_iter=n`` gives random and Bayesian search.

    Parameters
    ----------
    space : dict or list of dict
        A search space, as accepted by :class:`~skhp.BayesSearchCV`.
    n_points : int or dict of str -> int, default=None
        Points per numeric dimension; a dict sets it per parameter name
        (parameters it does not name get 5). None: 5 (or ``budget``).
    budget : int, default=None
        Most candidates in the grid (see
        :func:`skhp.space.budget.grid_for_budget` for how they are chosen).
        Not with ``n_points``. With 6 numeric ranges and a categorical of 5
        choices, ``n_points=3`` gives 3**6 x 5 = 3645 candidates: ``budget``
        is the way to compare grid search with ``n_iter`` random ones.

    Returns
    -------
    param_grid : dict or list of dict
        Lists of values, in the same shape as ``space`` (a list of dicts for
        a conditional space).

    Examples
    --------
    >>> from skhp import Real, Categorical, grid
    >>> space = {"C": Real(0.01, 100, prior="log-uniform"), "fit": [True, False]}
    >>> grid(space, n_points=3)
    {'C': [0.01, 1.0, 100.0], 'fit': [True, False]}
    >>> grid(space, budget=4)  # at most 4 candidates, both dimensions vary
    {'C': [0.01, 100.0], 'fit': [True, False]}
    """
    if budget is not None:
        if n_points is not None:
            raise ValueError(
                f"Pass `n_points` or `budget`, not both; got n_points={n_points!r} "
                f"and budget={budget!r}."
            )
        from .budget import coarsest_grid_size, grid_for_budget

        param_grid = grid_for_budget(space, budget)
        if param_grid is None:
            smallest = coarsest_grid_size(space)
            raise ValueError(
                f"budget={budget!r} is smaller than the coarsest grid of the space "
                f"({smallest} candidates: one per branch); raise `budget` to at "
                f"least {smallest} or use fewer branches."
            )
        return param_grid
    if n_points is None:
        n_points = 5
    if isinstance(n_points, Mapping):
        bad = {k: v for k, v in n_points.items() if not isinstance(v, numbers.Integral)}
        if bad:
            raise ValueError(
                f"`n_points` values must be integers >= 1, but got {bad!r}."
            )
    subspaces = check_space(space)
    grids = [
        {name: dim.grid(_points_for(name, n_points)) for name, dim in sub.items()}
        for sub in subspaces
    ]
    return grids[0] if isinstance(space, Mapping) else grids
