"""A grid of at most ``budget`` candidates from a search space.

Grid search gets the same budget as random and Bayesian search: every
dimension starts with one value (the middle of a range on its prior's scale,
the first choice of a categorical) and the dimensions get one more value at a
time, the one with the fewest values first (the cheapest among equals), for
as long as the grid stays within the budget. So every dimension varies once
the budget allows it, before any gets a third value.
"""

import numbers
from collections.abc import Mapping

from .conversion import check_space
from .dimensions import Categorical, Integer

__all__ = ["coarsest_grid_size", "grid_for_budget", "varied_dimensions"]


def _size(param_grid):
    from sklearn.model_selection import ParameterGrid

    return len(ParameterGrid(param_grid))


def _names(branches):
    names = []
    for branch in branches:
        for name in branch:
            if name not in names:
                names.append(name)
    return names


def _values(dim, k):
    if isinstance(dim, Categorical):
        return list(dim.choices[:k])
    return dim.grid(k)


def _grid(space, branches, counts):
    grids = [
        {name: _values(dim, counts[name]) for name, dim in branch.items()}
        for branch in branches
    ]
    return grids[0] if isinstance(space, Mapping) else grids


def _most(dim):
    """Most distinct values ``dim`` can give (None: no limit)."""
    if isinstance(dim, Categorical):
        return len(dim.choices)
    if isinstance(dim, Integer):
        return int(dim.high) - int(dim.low) + 1
    return None


def _can_grow(branches, counts, name):
    for branch in branches:
        dim = branch.get(name)
        if dim is None:
            continue
        most = _most(dim)
        if most is None or counts[name] < most:
            return True
    return False


def coarsest_grid_size(space):
    """Candidates in the smallest grid of ``space``: one value per dimension.

    That is one candidate per branch of a conditional space (a list of dicts).

    Parameters
    ----------
    space : dict or list of dict
        A search space.

    Returns
    -------
    size : int
    """
    branches = check_space(space)
    return _size(_grid(space, branches, dict.fromkeys(_names(branches), 1)))


def grid_for_budget(space, budget):
    """The grid of ``space`` with at most ``budget`` candidates that varies most.

    Every dimension starts with one value: the middle of a numeric range on
    its prior's scale (log-spaced for a log-uniform prior), the first choice
    of a :class:`~skhp.Categorical`. Then the dimension with the fewest values
    gets one more (among equals, the one that grows the grid least), as long
    as the grid stays within ``budget``; a dimension whose next value would
    not fit stays as it is. So the grid varies every dimension whenever the
    budget allows two values of each, and otherwise as many as it can, the
    cheapest first. Numeric values are spread evenly over the range, so they
    move with each step (3 values of ``C`` are not the 2 values plus one).

    Parameters
    ----------
    space : dict or list of dict
        A search space (a list of dicts for a conditional space).
    budget : int
        Most candidates allowed.

    Returns
    -------
    param_grid : dict or list of dict, or None
        A ``param_grid`` for ``GridSearchCV``, in the shape of ``space``; None
        when even one value per dimension gives more than ``budget``
        candidates (a conditional space with more branches than ``budget``).

    See Also
    --------
    skhp.grid : The same, as ``skhp.grid(space, budget=n)`` (which raises
        where this returns None).
    varied_dimensions : Which dimensions a grid varies.

    Examples
    --------
    >>> from skhp import Categorical, Real
    >>> from skhp.space.budget import grid_for_budget
    >>> space = {"C": Real(0.1, 10, prior="log-uniform"), "fit": Categorical([1, 2])}
    >>> grid_for_budget(space, 6)
    {'C': [0.1, 1.0, 10.0], 'fit': [1, 2]}
    >>> grid_for_budget(space, 3)
    {'C': [0.1, 1.0, 10.0], 'fit': [1]}
    """
    if isinstance(budget, bool) or not isinstance(budget, numbers.Integral):
        raise TypeError(f"`budget` must be an int >= 1, but got {budget!r}.")
    if budget < 1:
        raise ValueError(f"`budget` must be an int >= 1, but got {budget!r}.")
    branches = check_space(space)
    names = _names(branches)
    counts = dict.fromkeys(names, 1)
    best = _grid(space, branches, counts)
    size = _size(best)
    if size > budget:
        return None
    blocked = {n for n in names if not _can_grow(branches, counts, n)}
    while len(blocked) < len(names):
        options = []
        for order, name in enumerate(names):
            if name in blocked:
                continue
            trial = {**counts, name: counts[name] + 1}
            candidate = _grid(space, branches, trial)
            options.append((counts[name], _size(candidate), order, name, trial))
        fewest = min(o[0] for o in options)
        _, n, _, name, trial = min(o for o in options if o[0] == fewest)
        if n > budget:
            blocked.add(name)
            continue
        counts = trial
        best, size = _grid(space, branches, counts), n
        if not _can_grow(branches, counts, name):
            blocked.add(name)
    return best


def varied_dimensions(param_grid):
    """Names of the parameters that take more than one value in ``param_grid``.

    Parameters
    ----------
    param_grid : dict or list of dict

    Returns
    -------
    names : list of str
    """
    grids = [param_grid] if isinstance(param_grid, dict) else list(param_grid)
    names = []
    for grid in grids:
        for name, values in grid.items():
            if len(values) > 1 and name not in names:
                names.append(name)
    return names
