"""A grid of about ``n_iter`` candidates from a search space.

Grid search gets the same budget as random and Bayesian search: the numeric
ranges get more points one at a time, in turn, for as long as the grid stays
within the budget. Categorical dimensions always keep every choice.
"""

from ..space import Categorical, check_space, grid

__all__ = ["coarsest_grid_size", "grid_for_budget"]


def _size(param_grid):
    from sklearn.model_selection import ParameterGrid

    return len(ParameterGrid(param_grid))


def _numeric_names(space):
    names = []
    for branch in check_space(space):
        for name, dim in branch.items():
            if not isinstance(dim, Categorical) and name not in names:
                names.append(name)
    return names


def coarsest_grid_size(space):
    """Candidates in the smallest grid of ``space``: one value per range.

    Parameters
    ----------
    space : dict or list of dict
        A search space.

    Returns
    -------
    size : int
    """
    return _size(grid(space, n_points=dict.fromkeys(_numeric_names(space), 1)))


def grid_for_budget(space, budget):
    """The finest grid of ``space`` with at most ``budget`` candidates.

    Parameters
    ----------
    space : dict or list of dict
        A search space.
    budget : int
        Most candidates allowed.

    Returns
    -------
    param_grid : dict or list of dict, or None
        A ``param_grid`` for ``GridSearchCV``; None when even one value per
        range gives more than ``budget`` candidates.

    Examples
    --------
    >>> from skhp import Categorical, Real
    >>> from skhp.experiment.budget import grid_for_budget
    >>> space = {"C": Real(0.1, 10, prior="log-uniform"), "fit": Categorical([1, 2])}
    >>> grid_for_budget(space, 6)
    {'C': [0.1, 1.0, 10.0], 'fit': [1, 2]}
    """
    names = _numeric_names(space)
    points = dict.fromkeys(names, 1)
    best = grid(space, n_points=points)
    size = _size(best)
    if size > budget:
        return None
    grown = True
    while grown:
        grown = False
        for name in names:
            trial = {**points, name: points[name] + 1}
            candidate = grid(space, n_points=trial)
            n = _size(candidate)
            # An Integer range can run out of distinct values: no growth.
            if size < n <= budget:
                points, best, size, grown = trial, candidate, n, True
    return best
