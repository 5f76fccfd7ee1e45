"""Reading a search space written in skhp's, scikit-learn's or scipy's terms.

A *space* is a dict ``{parameter name: dimension}`` or, for conditional
spaces, a list of such dicts (one per branch, as in scikit-learn's
``param_grid``). :func:`check_space` returns it as a list of dicts of
:class:`~skhp.space.Dimension`, mapping what can be mapped:

- a list, tuple of choices written as ``Categorical``, range or 1-D array ->
  :class:`Categorical`;
- a frozen ``scipy.stats`` ``uniform``, ``loguniform`` or ``randint`` ->
  :class:`Real` / :class:`Integer` with the same support and prior;
- a scikit-optimize ``Real``, ``Integer`` or ``Categorical`` -> the skhp one;
- an Optuna ``FloatDistribution``, ``IntDistribution`` or
  ``CategoricalDistribution`` -> :class:`Real`, :class:`Integer` or
  :class:`Categorical` (``log=True`` gives a log-uniform prior; a ``step``
  other than an integer's 1 gives a :class:`Categorical` of the values on the
  step).

Anything else is refused with a message that names the parameter. A plain
tuple is refused too: ``(1, 10)`` could mean an integer range, a real range
or two choices, and guessing wrong silently changes the search.
"""

import numbers
from collections.abc import Mapping

import numpy as np

from .dimensions import Categorical, Dimension, Integer, Real

__all__ = ["as_dimension", "check_space"]

_SCIPY_REAL = {"uniform": "uniform", "loguniform": "log-uniform"}


def _from_scipy(name, dist):
    family = dist.dist.name
    low, high = (float(b) for b in dist.support())
    if family == "reciprocal":  # scipy's older name for loguniform
        family = "loguniform"
    if family in _SCIPY_REAL:
        if family == "loguniform" and dist.kwds.get("loc", 0) != 0:
            raise ValueError(
                f"Search space parameter {name!r}: a shifted loguniform "
                f"(loc={dist.kwds['loc']!r}) is not log-uniform on its support. "
                f"Use Real(low, high, prior='log-uniform') instead."
            )
        return Real(low, high, prior=_SCIPY_REAL[family], name=name)
    if family == "randint":
        return Integer(int(low), int(high), name=name)
    raise ValueError(
        f"Search space parameter {name!r}: scipy.stats.{family} cannot be mapped "
        "to a bounded dimension; BayesSearchCV accepts uniform, loguniform and "
        f"randint (support {low}..{high} given). Use Real(low, high, prior=...) "
        "or Integer(low, high) with explicit bounds."
    )


def _from_skopt(name, dim):
    kind = type(dim).__name__
    if kind == "Categorical":
        return Categorical(list(dim.categories), name=name)
    prior = getattr(dim, "prior", "uniform")
    cls = Integer if kind == "Integer" else Real
    return cls(dim.low, dim.high, prior=prior, name=name)


def _from_optuna(name, dist):
    kind = type(dist).__name__
    if kind == "CategoricalDistribution":
        return Categorical(list(dist.choices), name=name)
    if kind not in ("FloatDistribution", "IntDistribution"):
        raise ValueError(
            f"Search space parameter {name!r}: optuna's {kind} is not supported; "
            "use FloatDistribution, IntDistribution or CategoricalDistribution, "
            "or Real, Integer or Categorical."
        )
    integral = kind == "IntDistribution"
    step = dist.step
    if step is not None and not (integral and step == 1):
        # Optuna's stepped ranges: the values low, low + step, ..., <= high.
        n = int(np.floor((dist.high - dist.low) / step + 1e-9)) + 1
        values = [round(dist.low + k * step, 12) for k in range(n)]
        values = [int(v) for v in values] if integral else [float(v) for v in values]
        return Categorical(values, name=name)
    prior = "log-uniform" if dist.log else "uniform"
    cls = Integer if integral else Real
    return cls(dist.low, dist.high, prior=prior, name=name)


def as_dimension(name, value):
    """Turn one entry of a search space into a :class:`Dimension`.

    Parameters
    ----------
    name : str
        The parameter's name, used in error messages.
    value : object
        A skhp dimension, a list of choices, a frozen scipy distribution, a
        scikit-optimize dimension or an Optuna distribution.

    Returns
    -------
    dimension : Dimension
    """
    if isinstance(value, Dimension):
        return value
    if type(value).__module__.startswith("skopt.space"):
        return _from_skopt(name, value)
    if type(value).__module__.startswith("optuna.distributions"):
        return _from_optuna(name, value)
    if hasattr(value, "dist") and hasattr(value, "support") and hasattr(value, "rvs"):
        return _from_scipy(name, value)
    if isinstance(value, tuple):
        raise ValueError(
            f"Search space parameter {name!r}: a tuple {value!r} is ambiguous (an "
            "integer range, a real range or a set of choices?). Write "
            "Integer(low, high), Real(low, high) or Categorical([...]) instead."
        )
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise ValueError(
            f"Search space parameter {name!r}: an array of choices must be 1-D, "
            f"but got shape {value.shape}."
        )
    if isinstance(value, (list, range, np.ndarray)):
        return Categorical(list(value), name=name)
    hint = ""
    if isinstance(value, (numbers.Number, str)) or value is None:
        hint = f" To fix the parameter to one value, write [{value!r}]."
    raise ValueError(
        f"Search space parameter {name!r}: expected Real, Integer, Categorical, a "
        "list of choices, a scipy.stats distribution (uniform, loguniform, "
        "randint) or an Optuna distribution, but got "
        f"{value!r} of type {type(value).__name__}.{hint}"
    )


def check_space(space):
    """Validate a search space and return it as a list of dicts of dimensions.

    Parameters
    ----------
    space : dict or list of dict
        ``{name: dimension}``, or a list of such dicts for a conditional space
        in which each dict is one branch.

    Returns
    -------
    subspaces : list of dict
        One ``{name: Dimension}`` dict per branch.

    Examples
    --------
    >>> from skhp.space import check_space
    >>> check_space({"C": [0.1, 1.0]})
    [{'C': Categorical(choices=[0.1, 1.0], name='C')}]
    """
    if isinstance(space, Mapping):
        branches = [space]
    elif isinstance(space, (list, tuple)):
        branches = list(space)
        if not branches:
            raise ValueError(
                "A search space must hold at least one dict of parameters, but got "
                "an empty list."
            )
    else:
        raise ValueError(
            "A search space must be a dict {name: dimension} or a list of such "
            f"dicts, but got {type(space).__name__}: {space!r}."
        )
    subspaces = []
    for i, branch in enumerate(branches):
        if not isinstance(branch, Mapping):
            raise ValueError(
                f"Search space branch {i} must be a dict {{name: dimension}}, but got "
                f"{type(branch).__name__}: {branch!r}."
            )
        if not branch:
            raise ValueError(
                f"Search space branch {i} is empty; each dict needs at least one "
                "parameter."
            )
        checked = {}
        for name, value in branch.items():
            if not isinstance(name, str):
                raise ValueError(
                    f"Search space parameter names must be strings, but got {name!r} "
                    f"in branch {i}."
                )
            checked[name] = as_dimension(name, value)
        subspaces.append(checked)
    return subspaces
