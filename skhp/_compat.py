"""The one module that touches scikit-learn's private API.

Everything skhp needs from ``sklearn.*._private`` modules is imported here and
re-exported, so that a scikit-learn release that moves something breaks one
file, not the whole package.
"""

import contextlib
import contextvars
import functools
import sys

import sklearn
from sklearn.base import _fit_context as fit_context  # noqa: F401  (re-exported)
from sklearn.model_selection import _search as _sk_search
from sklearn.model_selection._search import BaseSearchCV  # noqa: F401  (re-exported)
from sklearn.utils._param_validation import (  # noqa: F401  (re-exported)
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)
from sklearn.utils.fixes import parse_version

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "InvalidParameterError",
    "Interval",
    "StrOptions",
    "SKLEARN_VERSION",
    "parse_version",
    "fit_context",
    "inside_cross_validation",
    "tolerate_failed_batches",
    "validate_estimator_params",
    "validate_params",
]

SKLEARN_VERSION = parse_version(sklearn.__version__)


def validate_estimator_params(estimator):
    """Check ``estimator``'s parameters against its ``_parameter_constraints``.

    Raises sklearn's ``InvalidParameterError`` (a ``ValueError`` and
    ``TypeError``) with sklearn's wording: "The 'x' parameter of Y must be ...
    Got ... instead."
    """
    estimator._validate_params()


# --- Tolerating candidates whose every fit failed ----------------------------
#
# ``BaseSearchCV.fit`` defines ``evaluate_candidates`` as a closure that calls the
# module-level ``_warn_or_raise_about_fit_failures`` and raises "All the N fits
# failed" when a whole batch failed.  For a sequential searcher a batch is often
# one candidate, so one bad candidate would abort the search.  We wrap that
# function once; the wrapper behaves exactly like the original unless the
# current context (a ContextVar, so threads and other searches are unaffected)
# asks for tolerance, in which case it reports the failures to the searcher
# and lets the search go on with ``error_score`` recorded.

_failure_sink = contextvars.ContextVar("skhp_failure_sink", default=None)
_original_warn_or_raise = _sk_search._warn_or_raise_about_fit_failures


@functools.wraps(_original_warn_or_raise)
def _tolerant_warn_or_raise(results, error_score):
    sink = _failure_sink.get()
    if sink is None:
        return _original_warn_or_raise(results, error_score)
    sink([result.get("fit_error") for result in results])
    n_failed = sum(result.get("fit_error") is not None for result in results)
    if 0 < n_failed < len(results):
        # Partial failures: keep sklearn's own FitFailedWarning.
        return _original_warn_or_raise(results, error_score)
    return None


def _install_wrapper():
    if _sk_search._warn_or_raise_about_fit_failures is not _tolerant_warn_or_raise:
        _sk_search._warn_or_raise_about_fit_failures = _tolerant_warn_or_raise


@contextlib.contextmanager
def tolerate_failed_batches(sink):
    """Within this context, a batch whose every fit failed does not raise.

    Parameters
    ----------
    sink : callable
        Called once per evaluated batch with the list of per-fit error strings
        (``None`` for a fit that succeeded), in sklearn's candidate-major order.
    """
    _install_wrapper()
    token = _failure_sink.set(sink)
    try:
        yield
    finally:
        _failure_sink.reset(token)


# --- Is this fit running inside scikit-learn's cross-validation? --------------
#
# The functions through which every scikit-learn searcher (GridSearchCV,
# RandomizedSearchCV, skhp.BayesSearchCV, ...) and cross_validate /
# cross_val_predict fit an estimator. Matching them by name on the call stack
# works in joblib worker processes too, where no context variable set by the
# parent would be visible.
_CV_FRAMES = {
    ("sklearn.model_selection._validation", "_fit_and_score"),
    ("sklearn.model_selection._validation", "_fit_and_predict"),
}


def inside_cross_validation():
    """Return True when called (indirectly) from a scikit-learn CV fit."""
    frame = sys._getframe(1)
    while frame is not None:
        key = (frame.f_globals.get("__name__"), frame.f_code.co_name)
        if key in _CV_FRAMES:
            return True
        frame = frame.f_back
    return False
