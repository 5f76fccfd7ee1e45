"""Search spaces written the way scikit-optimize users write them.

scikit-optimize (skopt) reads a few shorthands that skhp's own
:func:`~skhp.space.check_space` refuses as ambiguous. :class:`skhp.BayesSearchCV`
and :func:`skhp.minimize` read them with skopt's rules, so that skopt code runs
unchanged:

- ``(low, high)``: :class:`~skhp.Integer` when both bounds are integers,
  :class:`~skhp.Real` when either is a float; a string or bool in it makes it
  a :class:`~skhp.Categorical` of the two values;
- ``(low, high, prior)`` with ``prior`` ``"uniform"`` or ``"log-uniform"``, and
  ``(low, high, "log-uniform", base)``: the same, with that prior (the base
  of the logarithm does not change a log-uniform distribution);
- any other tuple (one value, or three or more that are not a range):
  :class:`~skhp.Categorical` of its values;
- ``[(subspace, n_iter), ...]``: a conditional space whose branches have their
  own budgets (see :func:`read_search_spaces`).

skhp's own dimensions stay the recommended form: ``Real(1, 10)`` says what
``(1, 10)`` leaves to a typing rule (``(1, 10)`` is an integer range,
``(1., 10)`` a real one).
"""

import numbers
from collections.abc import Mapping

import numpy as np

from .conversion import check_space
from .dimensions import Categorical, Dimension, Integer, Real

__all__ = ["from_skopt_tuple", "read_dimensions", "read_search_spaces"]

_PRIORS = ("uniform", "log-uniform")


def _is_integral(value):
    return isinstance(value, numbers.Integral) and not isinstance(
        value, (bool, np.bool_)
    )


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def from_skopt_tuple(name, value):
    """Read a tuple the way ``skopt.space.check_dimension`` types it.

    Parameters
    ----------
    name : str or None
        The parameter's name, for the dimension and error messages.
    value : tuple
        ``(low, high)``, ``(low, high, prior)``, ``(low, high, "log-uniform",
        base)``, or choices.

    Returns
    -------
    dimension : Real, Integer or Categorical

    Examples
    --------
    >>> from skhp.space.skopt_forms import from_skopt_tuple
    >>> from_skopt_tuple("n", (1, 32))
    Integer(low=1, high=32, prior='uniform', name='n')
    >>> from_skopt_tuple("C", (1e-3, 1e3, "log-uniform"))
    Real(low=0.001, high=1000.0, prior='log-uniform', name='C')
    """
    items = list(value)
    bounds = items[:2]
    if len(items) == 2:
        prior = "uniform"
        numeric = all(_is_number(b) for b in bounds)
    elif len(items) in (3, 4):
        prior = items[2]
        numeric = (
            all(_is_number(b) for b in bounds)
            and isinstance(prior, str)
            and prior in _PRIORS
            and (len(items) == 3 or (prior == "log-uniform" and _is_number(items[3])))
        )
    else:
        numeric = False
    if not numeric:
        return Categorical(items, name=name)
    cls = Integer if all(_is_integral(b) for b in bounds) else Real
    return cls(bounds[0], bounds[1], prior=prior, name=name)


def read_dimensions(space):
    """One dict of skopt-style dimensions as skhp dimensions.

    Tuples are read with skopt's typing rules (:func:`from_skopt_tuple`);
    everything else is left to :func:`~skhp.space.as_dimension` (lists, skopt
    and Optuna dimensions, scipy distributions).

    Parameters
    ----------
    space : dict
        ``{parameter name: dimension}``.

    Returns
    -------
    dict
        The same keys, tuples replaced by :class:`~skhp.space.Dimension`\\ s.
    """
    return {
        name: from_skopt_tuple(name, value)
        if isinstance(value, tuple) and not isinstance(value, Dimension)
        else value
        for name, value in space.items()
    }


def _read_branch(i, branch):
    """One entry of a list of search spaces: (dict, budget or None)."""
    if isinstance(branch, tuple):
        if len(branch) != 2 or not isinstance(branch[0], Mapping):
            raise ValueError(
                f"Search space branch {i}: a tuple must be (subspace dict, n_iter), "
                f"as in scikit-optimize, but got {branch!r}."
            )
        subspace, n_iter = branch
        if not _is_integral(n_iter) or n_iter < 1:
            raise ValueError(
                f"Search space branch {i}: the budget in (subspace, n_iter) must be "
                f"a positive integer, but got n_iter={n_iter!r}."
            )
        return subspace, int(n_iter)
    return branch, None


def read_search_spaces(search_spaces, n_iter):
    """Read ``BayesSearchCV``'s ``search_spaces``, skopt's forms included.

    Parameters
    ----------
    search_spaces : dict or list
        A dict, or a list whose entries are dicts or, as in skopt,
        ``(dict, n_iter)`` tuples.
    n_iter : int
        The search's ``n_iter``.

    Returns
    -------
    subspaces : list of dict
        One ``{name: Dimension}`` dict per branch, as
        :func:`~skhp.space.check_space` returns them.
    budgets : list of int or None
        None when no branch has its own budget: the branches share ``n_iter``
        and the search spends it where the surrogates expect the best score.
        Otherwise each branch's number of candidates, as in skopt: ``n`` for a
        ``(dict, n)`` entry and ``n_iter`` for a plain dict.

    Examples
    --------
    >>> from skhp.space.skopt_forms import read_search_spaces
    >>> subspaces, budgets = read_search_spaces(
    ...     [({"max_depth": (1, 32)}, 10), {"min_samples_split": (0.1, 0.9)}], 5)
    >>> subspaces[0]["max_depth"], budgets
    (Integer(low=1, high=32, prior='uniform', name='max_depth'), [10, 5])
    """
    if isinstance(search_spaces, Mapping):
        return check_space(read_dimensions(search_spaces)), None
    if not isinstance(search_spaces, (list, tuple)):
        return check_space(search_spaces), None  # raises the usual error
    pairs = [_read_branch(i, b) for i, b in enumerate(search_spaces)]
    subspaces = check_space(
        [read_dimensions(s) if isinstance(s, Mapping) else s for s, _ in pairs]
    )
    if all(budget is None for _, budget in pairs):
        return subspaces, None
    return subspaces, [n_iter if budget is None else budget for _, budget in pairs]
