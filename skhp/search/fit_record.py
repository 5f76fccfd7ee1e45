"""What a skhp search's ``fit`` was called with, recorded before the parent's fit.

As scikit-learn's successive halving does, a skhp searcher's ``fit`` records
what its ``_run_search`` needs (the data, the fit parameters and from them the
checked splitter and the number of splits) and only then calls
``BaseSearchCV.fit``, inside :func:`searching`, which also installs skhp's
scikit-learn hooks for that one fit (see :func:`skhp._compat.search_hooks`).
"""

import contextlib
import contextvars

from sklearn import get_config
from sklearn.utils.validation import indexable

from .._compat import checked_cv_of, search_hooks

__all__ = ["FitRecord", "fit_record_of", "searching"]

# id(search) -> FitRecord, per context: not an attribute of the search, which
# scikit-learn may pickle into every task (``caller=self``) with its data.
_records = contextvars.ContextVar("skhp_fit_records", default=None)


class FitRecord:
    """The arguments of one search's ``fit``.

    Parameters
    ----------
    X, y : array-like
        As given to ``fit`` (made indexable, as ``BaseSearchCV.fit`` does).
    params : dict
        ``fit``'s other keyword arguments.
    """

    def __init__(self, X, y, params):
        self.X, self.y = indexable(X, y)
        self.params = dict(params)

    def split_params(self, search):
        """The keyword arguments ``fit`` routes to the splitter's ``split``."""
        if get_config().get("enable_metadata_routing", False):
            from sklearn.utils.metadata_routing import process_routing

            return dict(process_routing(search, "fit", **self.params).splitter.split)
        return {"groups": self.params.get("groups")}

    def checked_cv(self, search):
        """The search's splitter, as ``BaseSearchCV.fit`` checked it."""
        return checked_cv_of(search, self.y)

    def n_splits(self, search):
        """The number of CV splits of the search."""
        return self.checked_cv(search).get_n_splits(
            self.X, self.y, **self.split_params(search)
        )


@contextlib.contextmanager
def searching(search, X, y, params):
    """Record ``fit``'s arguments on ``search`` and install the hooks, for the block."""
    records = dict(_records.get() or {})
    records[id(search)] = FitRecord(X, y, params)
    token = _records.set(records)
    try:
        with search_hooks():
            yield
    finally:
        _records.reset(token)


def fit_record_of(search):
    """The :class:`FitRecord` of the search's running ``fit``."""
    record = (_records.get() or {}).get(id(search))
    if record is None:
        raise RuntimeError(
            f"{type(search).__name__}._run_search runs only inside its own fit "
            "(which records the data and installs skhp's hooks); call fit."
        )
    return record
