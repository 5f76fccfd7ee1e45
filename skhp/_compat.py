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
    "ReplayedSplit",
    "format_cv_results",
    "install_replay",
    "raise_if_all_fits_failed",
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
    sink(results)
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
        Called once per evaluated batch, in the parent process, with the list
        of per-fit result dicts of ``_fit_and_score`` (keys ``fit_error``,
        ``test_scores``, ``n_test_samples``, ``fit_time``, ``score_time`` and
        ``train_scores`` when asked), in sklearn's candidate-major order.
    """
    _install_wrapper()
    outer = _failure_sink.get()
    if outer is not None:
        # Nested (a journal inside a searcher): both see every batch.
        inner = sink

        def sink(results):
            outer(results)
            inner(results)

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


# --- Replaying recorded fits into a search's cv_results_ ----------------------
#
# A resumed search must show the candidates it evaluated before the crash in
# ``cv_results_`` without fitting them again. ``evaluate_candidates`` only
# accepts candidates to fit, but it takes a per-call ``cv``: skhp passes a
# splitter whose "train indices" are ``ReplayedSplit`` objects carrying the
# recorded per-fold results, and the wrapper below returns those instead of
# fitting. The marker travels with the task, so this works in joblib worker
# processes and on Dask workers alike; any other call goes to sklearn's own
# ``_fit_and_score`` unchanged.

_original_fit_and_score = _sk_search._fit_and_score


class ReplayedSplit:
    """Stands in for a split's indices; holds the recorded fold results.

    Parameters
    ----------
    results : list of dict
        For one split, the recorded ``_fit_and_score`` result of each
        candidate of the ``evaluate_candidates`` call, in candidate order.
    """

    def __init__(self, results):
        self.results = results


@functools.wraps(_original_fit_and_score)
def _fit_and_score_or_replay(*args, train, **kwargs):
    if not isinstance(train, ReplayedSplit):
        return _original_fit_and_score(*args, train=train, **kwargs)
    cand_idx = kwargs["candidate_progress"][0]
    recorded = train.results[cand_idx]
    result = {
        key: recorded[key]
        for key in ("fit_error", "test_scores", "n_test_samples")
        if key in recorded
    }
    if kwargs.get("return_times"):
        result["fit_time"] = recorded.get("fit_time", 0.0)
        result["score_time"] = recorded.get("score_time", 0.0)
    if kwargs.get("return_train_score"):
        if "train_scores" not in recorded:
            raise ValueError(
                "The journal has no train scores for this candidate, but the "
                "search asks for them (return_train_score=True). Resume with the "
                "return_train_score the search was started with."
            )
        result["train_scores"] = recorded["train_scores"]
    if kwargs.get("return_parameters"):
        result["parameters"] = kwargs.get("parameters")
    return result


def install_replay():
    """Route the searches' fits through the replay-aware wrapper (idempotent)."""
    if _sk_search._fit_and_score is not _fit_and_score_or_replay:
        _sk_search._fit_and_score = _fit_and_score_or_replay


def format_cv_results(candidate_params, n_splits, out, *, return_train_score):
    """Build a ``cv_results_`` dict from per-fit results, exactly as sklearn does."""
    from sklearn.model_selection import GridSearchCV

    formatter = GridSearchCV(None, {}, return_train_score=return_train_score)
    return formatter._format_results(list(candidate_params), n_splits, list(out))


def raise_if_all_fits_failed(results, error_score):
    """sklearn's "All the N fits failed" error, when every fit in ``results`` failed."""
    if results and all(r.get("fit_error") is not None for r in results):
        _original_warn_or_raise(results, error_score)
