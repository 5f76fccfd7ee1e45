"""Per-fit warnings of a search, summarised once per kind.

A logistic-regression search can raise a ``ConvergenceWarning`` in hundreds
of fits; printed one by one they bury everything else. While a skhp search
runs, each fit's warnings are recorded in its result (see
:func:`skhp._compat.evaluate_fold`) and, when the search ends, one warning
per kind says how many candidates raised it.
"""

import re
import warnings

from .._compat import FIT_WARNINGS_KEY
from .._config import get_config

__all__ = ["FitWarning", "collecting", "summarise", "warn_summary"]

_NUMBER = re.compile(r"\d+(\.\d+)?")


def collecting():
    """Whether a search started now records per-fit warnings (see ``fit_warnings``)."""
    return get_config()["fit_warnings"] != "all"


class FitWarning:
    """One kind of warning over a search's fits.

    Attributes
    ----------
    category : type
    message : str
        The first fit's message.
    n_candidates : int
        Candidates with at least one fit that raised it.
    n_fits : int
        Fits that raised it.
    """

    def __init__(self, category, message):
        self.category = category
        self.message = message
        self.n_candidates = 0
        self.n_fits = 0

    def text(self, total):
        """The summary line, for a search of ``total`` candidates."""
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        if len(first) > 160:
            first = first[:157] + "..."
        share = self.n_candidates / total if total else 0.0
        return (
            f"{self.n_candidates} of {total} candidates ({share:.0%}; {self.n_fits} "
            f"fits) raised {self.category.__name__}, e.g.: {first} [skhp shows "
            "each kind of per-fit warning once per search; "
            'skhp.set_config(fit_warnings="all") shows every one]'
        )


def summarise(fits, n_splits):
    """Group the recorded warnings of ``fits`` by kind.

    Parameters
    ----------
    fits : list of dict
        ``_fit_and_score`` results in candidate-major order.
    n_splits : int
        Folds per candidate.

    Returns
    -------
    kinds : list of FitWarning
        In order of first appearance.
    total : int
        Candidates.
    """
    kinds = {}
    n_splits = max(1, n_splits)
    total = len(fits) // n_splits
    for i in range(total):
        seen = set()
        for fit in fits[i * n_splits : (i + 1) * n_splits]:
            for category, message in fit.get(FIT_WARNINGS_KEY) or ():
                # Messages differ in numbers (iterations, values): one kind.
                key = (category, _NUMBER.sub("#", message.strip()[:200]))
                kind = kinds.get(key)
                if kind is None:
                    kind = kinds[key] = FitWarning(category, message)
                kind.n_fits += 1
                if key not in seen:
                    seen.add(key)
                    kind.n_candidates += 1
    return list(kinds.values()), total


def warn_summary(fits, n_splits, stacklevel=2):
    """Issue one warning per kind of per-fit warning, in its own category."""
    kinds, total = summarise(fits, n_splits)
    for kind in kinds:
        category = kind.category
        if not (isinstance(category, type) and issubclass(category, Warning)):
            category = UserWarning
        warnings.warn(kind.text(total), category, stacklevel=stacklevel + 1)
    return kinds
