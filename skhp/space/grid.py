"""Discretising a search space for scikit-learn's ``GridSearchCV``."""

import numbers
from collections.abc import Mapping

from .conversion import check_space

__all__ = ["grid"]


def _points_for(name, n_points):
    if isinstance(n_points, Mapping):
        return n_points.get(name, 5)
    return n_points


def grid(space, n_points=5):
    """Turn a search space into a ``param_grid`` for ``GridSearchCV``.

    Real and Integer dimensions become ``n_points`` values evenly spaced on
    their prior's scale (log-spaced for a log-uniform prior); a Categorical
    dimension keeps all its choices.

    Parameters
    ----------
    space : dict or list of dict
        A search space, as accepted by :class:`~skhp.BayesSearchCV`.
    n_points : int or dict of str -> int, default=5
        Points per numeric dimension; a dict sets it per parameter name
        (parameters it does not name get 5).

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
    """
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
