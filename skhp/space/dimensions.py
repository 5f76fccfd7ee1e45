"""Search dimensions: ``Real``, ``Integer`` and ``Categorical``.

One dimension object serves every searcher:

- skhp's :class:`~skhp.BayesSearchCV` turns it into a scikit-optimize dimension;
- scikit-learn's ``RandomizedSearchCV`` samples it through :meth:`rvs`, the
  method scipy's distributions have;
- scikit-learn's ``GridSearchCV`` takes its :meth:`grid` (or
  :func:`skhp.grid` for a whole space); a :class:`Categorical` is also a
  sequence, so ``GridSearchCV`` accepts it as it is.

Bounds and priors are checked when a dimension is built, so a mistake is
reported on the line that made it.
"""

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["Categorical", "Dimension", "Integer", "Real"]

PRIORS = ("uniform", "log-uniform")


def _describe(kind, name):
    return f"{kind} dimension {name!r}" if name is not None else f"{kind} dimension"


def _check_bound(kind, name, which, value, *, integral):
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value):
        raise ValueError(
            f"{_describe(kind, name)}: `{which}` must be a finite number, but got "
            f"{which}={value!r}."
        )
    if integral and value != int(value):
        raise ValueError(
            f"{_describe(kind, name)}: `{which}` must be a whole number, but got "
            f"{which}={value!r}. Use Real({which}=...) for a continuous range."
        )
    return int(value) if integral else float(value)


class Dimension(ABC):
    """One hyperparameter's range of values.

    Subclasses are :class:`Real`, :class:`Integer` and :class:`Categorical`.
    """

    @abstractmethod
    def rvs(self, size=None, random_state=None):
        """Draw random values, like a frozen ``scipy.stats`` distribution.

        Parameters
        ----------
        size : int, default=None
            Number of values to draw. ``None`` draws one value and returns it
            as a scalar, which is what ``RandomizedSearchCV`` asks for.
        random_state : int, RandomState instance or None, default=None
            Seed or generator for the draw.

        Returns
        -------
        value : scalar or list
            One value when ``size`` is None, else a list of ``size`` values.
        """

    @abstractmethod
    def grid(self, n_points=5):
        """Return ``n_points`` representative values as a list, for grid search."""

    @abstractmethod
    def __contains__(self, value):
        """Whether ``value`` lies in this dimension."""

    @abstractmethod
    def _params(self):
        """The constructor arguments, for ``repr`` and equality."""

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self._params() == other._params()

    def __hash__(self):
        return hash((type(self).__name__, repr(self)))


class _Numeric(Dimension):
    _integral = False

    def __init__(self, low, high, prior="uniform", *, name=None):
        kind = type(self).__name__
        self.name = name
        self.low = _check_bound(kind, name, "low", low, integral=self._integral)
        self.high = _check_bound(kind, name, "high", high, integral=self._integral)
        if not self.low < self.high:
            raise ValueError(
                f"{_describe(kind, name)}: `low < high` must hold, but got "
                f"(low={low!r}, high={high!r})."
            )
        if prior not in PRIORS:
            raise ValueError(
                f"{_describe(kind, name)}: `prior` must be one of {PRIORS}, but got "
                f"prior={prior!r}."
            )
        if prior == "log-uniform" and self.low <= 0:
            raise ValueError(
                f"{_describe(kind, name)}: a log-uniform prior needs `low > 0`, but "
                f"got (low={low!r}, high={high!r}). Use prior='uniform' or a "
                "positive lower bound."
            )
        self.prior = prior

    def _params(self):
        params = {"low": self.low, "high": self.high, "prior": self.prior}
        if self.name is not None:
            params["name"] = self.name
        return params

    def __contains__(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return False
        if self._integral and value != int(value):
            return False
        return self.low <= value <= self.high

    @property
    def is_log(self):
        """Whether values are spread evenly on a log scale."""
        return self.prior == "log-uniform"

    def _spaced(self, n_points):
        if isinstance(n_points, bool) or not isinstance(n_points, numbers.Integral):
            raise ValueError(
                f"`n_points` must be an integer >= 1, but got n_points={n_points!r}."
            )
        if n_points < 1:
            raise ValueError(
                f"`n_points` must be an integer >= 1, but got n_points={n_points!r}."
            )
        if n_points == 1:
            # The centre of the range, on the prior's scale.
            centre = (
                math.sqrt(self.low * self.high)
                if self.is_log
                else ((self.low + self.high) / 2)
            )
            return np.array([centre])
        space = np.geomspace if self.is_log else np.linspace
        return space(self.low, self.high, n_points)


class Real(_Numeric):
    """A continuous range of values between ``low`` and ``high``.

    Parameters
    ----------
    low : float
        Lower bound (inclusive).
    high : float
        Upper bound (inclusive), greater than ``low``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        How values are spread. Use "log-uniform" for scale parameters such as
        a learning rate or a regularisation strength, where 1e-4 and 1e-3 are
        as different as 0.1 and 1. Requires ``low > 0``.
    name : str, default=None
        Optional name, used in error messages.

    Examples
    --------
    >>> from skhp import Real
    >>> C = Real(1e-3, 1e3, prior="log-uniform")
    >>> C.grid(3)
    [0.001, 1.0, 1000.0]
    >>> 0.5 in C
    True
    """

    def rvs(self, size=None, random_state=None):
        rng = check_random_state(random_state)
        n = 1 if size is None else size
        if self.is_log:
            values = np.exp(rng.uniform(np.log(self.low), np.log(self.high), n))
        else:
            values = rng.uniform(self.low, self.high, n)
        values = np.clip(values, self.low, self.high)
        return float(values[0]) if size is None else [float(v) for v in values]

    def grid(self, n_points=5):
        """Return ``n_points`` values evenly spaced on the prior's scale.

        Parameters
        ----------
        n_points : int, default=5
            Number of values; log-spaced for a log-uniform prior.

        Returns
        -------
        values : list of float
        """
        values = self._spaced(n_points)
        # geomspace can miss the bounds by an ulp; keep the grid inside them.
        values = np.clip(values, self.low, self.high)
        return [float(v) for v in values]


class Integer(_Numeric):
    """A range of whole numbers from ``low`` to ``high``, both included.

    Parameters
    ----------
    low : int
        Lower bound (inclusive).
    high : int
        Upper bound (inclusive), greater than ``low``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        How values are spread. With "log-uniform", each value ``k`` has a
        probability proportional to ``log(k + 1) - log(k)``, so small values
        are tried as often as large ranges of big ones. Requires ``low > 0``.
    name : str, default=None
        Optional name, used in error messages.

    Examples
    --------
    >>> from skhp import Integer
    >>> Integer(10, 1000, prior="log-uniform").grid(3)
    [10, 100, 1000]
    """

    _integral = True

    def rvs(self, size=None, random_state=None):
        rng = check_random_state(random_state)
        n = 1 if size is None else size
        if self.is_log:
            # Continuous log-uniform on [low, high + 1), floored: the exact
            # discrete analogue of the log-uniform prior.
            u = rng.uniform(np.log(self.low), np.log(self.high + 1), n)
            values = np.floor(np.exp(u)).astype(np.int64)
        else:
            values = rng.randint(self.low, self.high + 1, n)
        values = np.clip(values, self.low, self.high)
        return int(values[0]) if size is None else [int(v) for v in values]

    def grid(self, n_points=5):
        """Return up to ``n_points`` distinct whole numbers spread on the prior's scale.

        When the range holds ``n_points`` numbers or fewer, all of them are
        returned; rounding can otherwise merge neighbours, so the grid may be
        shorter than ``n_points``.

        Parameters
        ----------
        n_points : int, default=5
            Number of values wanted.

        Returns
        -------
        values : list of int
        """
        if self.high - self.low + 1 <= n_points:
            self._spaced(n_points)  # validates n_points
            return list(range(self.low, self.high + 1))
        values = np.unique(np.round(self._spaced(n_points)).astype(np.int64))
        return [int(v) for v in values]


def _same(a, b):
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # e.g. numpy arrays compare elementwise
        return False


class Categorical(Dimension, Sequence):
    """A finite set of choices, tried without any order between them.

    A ``Categorical`` is a sequence of its choices, so scikit-learn's
    ``GridSearchCV`` accepts it as it is, and it has ``rvs`` so
    ``RandomizedSearchCV`` samples it uniformly.

    Parameters
    ----------
    choices : sequence
        The values to choose from: strings, numbers, ``None``, tuples,
        estimators, ... At least one, and no duplicates.
    name : str, default=None
        Optional name, used in error messages.

    Examples
    --------
    >>> from skhp import Categorical
    >>> solver = Categorical(["lbfgs", "saga"])
    >>> list(solver)
    ['lbfgs', 'saga']
    """

    def __init__(self, choices, *, name=None):
        self.name = name
        if isinstance(choices, (str, bytes)) or not hasattr(choices, "__iter__"):
            raise ValueError(
                f"{_describe('Categorical', name)}: `choices` must be a list of "
                f"values, but got choices={choices!r}. Write Categorical([{choices!r}])"
                " for a single fixed value."
            )
        choices = tuple(choices)
        if not choices:
            raise ValueError(
                f"{_describe('Categorical', name)}: `choices` must hold at least one "
                "value, but got an empty sequence."
            )
        for i, a in enumerate(choices):
            for b in choices[:i]:
                if _same(a, b):
                    raise ValueError(
                        f"{_describe('Categorical', name)}: `choices` must be "
                        f"distinct, but {a!r} appears more than once in "
                        f"{list(choices)!r}."
                    )
        self.choices = choices

    def _params(self):
        params = {"choices": list(self.choices)}
        if self.name is not None:
            params["name"] = self.name
        return params

    def __getitem__(self, index):
        return self.choices[index]

    def __len__(self):
        return len(self.choices)

    def __contains__(self, value):
        return any(_same(value, choice) for choice in self.choices)

    def index(self, value, start=0, stop=None):
        """Position of ``value`` among the choices (identity or equality)."""
        stop = len(self.choices) if stop is None else stop
        for i in range(start, stop):
            if _same(value, self.choices[i]):
                return i
        raise ValueError(f"{value!r} is not one of the choices {list(self.choices)!r}.")

    def rvs(self, size=None, random_state=None):
        rng = check_random_state(random_state)
        n = 1 if size is None else size
        picks = rng.randint(len(self.choices), size=n)
        values = [self.choices[i] for i in picks]
        return values[0] if size is None else values

    def grid(self, n_points=None):
        """Return every choice, as a list (``n_points`` is ignored)."""
        return list(self.choices)
