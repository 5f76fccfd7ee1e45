"""The one module that touches scikit-learn's private API.

Everything skhp needs from ``sklearn.*._private`` modules is imported here and
re-exported, so that a scikit-learn release that moves something breaks one
file, not the whole package.
"""

import contextlib
import contextvars
import functools
import inspect
import sys
import warnings

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
    "CollectFitWarnings",
    "FIT_WARNINGS_KEY",
    "HasMethods",
    "InvalidParameterError",
    "Interval",
    "StrOptions",
    "SKLEARN_VERSION",
    "parse_version",
    "fit_context",
    "collecting_fit_warnings",
    "inside_cross_validation",
    "ReplayedSplit",
    "fit_first_folds",
    "data_of",
    "format_cv_results",
    "n_splits_of",
    "install_replay",
    "raise_if_all_fits_failed",
    "warn_about_fit_failures",
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
    # The refit of the best candidate, in BaseSearchCV.fit.
    ("sklearn.model_selection._search", "fit"),
}


def inside_cross_validation():
    """Return True when called (indirectly) from a scikit-learn CV fit or refit."""
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
_FIT_AND_SCORE_PARAMETERS = inspect.signature(_original_fit_and_score).parameters


class ReplayedSplit:
    """Stands in for a split's indices; holds the recorded fold results.

    Parameters
    ----------
    results : list of dict
        For one split, the recorded ``_fit_and_score`` result of each
        candidate of the ``evaluate_candidates`` call, in candidate order.
    """

    def __init__(self, results, train=None, test=None):
        self.results = results
        # The real indices, for candidates whose result here is None.
        self.train = train
        self.test = test


# --- Per-fit warnings, counted instead of printed ------------------------------
#
# While a skhp search runs (see skhp.search.fit_warnings), every fit records
# the warnings it raises under FIT_WARNINGS_KEY in its result dict, instead of
# printing them; the search prints one summary per kind. The switch is a
# warnings filter on a marker category: scikit-learn's Parallel copies the
# filters into joblib workers, so it reaches fits in other processes too.


class CollectFitWarnings(Warning):
    """Marker category: its filter being set means "record per-fit warnings"."""


#: The key of a fit's result dict that holds its warnings, [(category, text)].
FIT_WARNINGS_KEY = "skhp_fit_warnings"


def collecting_fit_warnings():
    """Whether per-fit warnings are recorded rather than shown, here and now."""
    filters = getattr(warnings, "_get_filters", lambda: warnings.filters)()
    return any(f[2] is CollectFitWarnings for f in filters)


def _fit_and_score_collecting(*args, **kwargs):
    if not collecting_fit_warnings():
        return _original_fit_and_score(*args, **kwargs)
    with warnings.catch_warnings(record=True) as caught:
        # Count every occurrence (not once per place), but keep the filters
        # in force: "ignore" still ignores and "error" still raises.
        warnings.filterwarnings("always", append=True)
        result = _original_fit_and_score(*args, **kwargs)
    result[FIT_WARNINGS_KEY] = [(w.category, str(w.message)) for w in caught]
    return result


@functools.wraps(_original_fit_and_score)
def _fit_and_score_or_replay(*args, train, **kwargs):
    if not isinstance(train, ReplayedSplit):
        return _fit_and_score_collecting(*args, train=train, **kwargs)
    cand_idx = kwargs["candidate_progress"][0]
    recorded = train.results[cand_idx]
    if recorded is None:
        kwargs.pop("test")
        return _fit_and_score_collecting(
            *args, train=train.train, test=train.test, **kwargs
        )
    result = {
        key: recorded[key]
        for key in ("fit_error", "test_scores", "n_test_samples")
        if key in recorded
    }
    if collecting_fit_warnings():
        # Every result of a call needs the key (scikit-learn aggregates the
        # keys of the first); a journal's replayed fits carry none.
        result[FIT_WARNINGS_KEY] = list(recorded.get(FIT_WARNINGS_KEY, []))
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


def warn_about_fit_failures(results, error_score):
    """sklearn's ``FitFailedWarning`` when some (not all) fits in ``results`` failed."""
    failed = [r.get("fit_error") is not None for r in results]
    if any(failed) and not all(failed):
        _original_warn_or_raise(results, error_score)


def fit_first_folds(evaluate_candidates, candidate_params, n_folds):
    """Fit and score candidates on the first ``n_folds`` CV splits only.

    For pruning: the results are not added to the search's ``cv_results_``;
    the caller records them later through ``evaluate_candidates`` with a
    :class:`ReplayedSplit` splitter. Uses the search's own data, splitter,
    scorers, fit parameters and parallel backend, which ``BaseSearchCV.fit``
    keeps in the closure of ``evaluate_candidates``.

    Returns
    -------
    folds : list of list of dict
        Per candidate, the ``_fit_and_score`` results of its first folds.
    splits : list of (train, test)
        Every split of the search's CV, in order.
    """
    from sklearn.base import clone
    from sklearn.utils.parallel import delayed

    names = evaluate_candidates.__code__.co_freevars
    env = dict(zip(names, (c.cell_contents for c in evaluate_candidates.__closure__)))
    needed = {"X", "y", "base_estimator", "fit_and_score_kwargs", "parallel"}
    if not needed <= set(env) or not ({"self", "cv_orig"} & set(env)):
        raise NotImplementedError(
            "Pruning needs scikit-learn's BaseSearchCV internals of versions 1.6 "
            f"to 1.9; this is scikit-learn {sklearn.__version__}. Set pruner=None."
        )
    search = env.get("self")
    cv = env["cv_orig"] if "cv_orig" in env else search._checked_cv_orig
    X, y = env["X"], env["y"]
    split_params = {}
    if "routed_params" in env:
        split_params = env["routed_params"].splitter.split
    splits = list(cv.split(X, y, **split_params))
    extra = {"caller": search} if "caller" in _FIT_AND_SCORE_PARAMETERS else {}
    candidate_params = list(candidate_params)
    out = env["parallel"](
        delayed(_fit_and_score_collecting)(
            clone(env["base_estimator"]),
            X,
            y,
            train=train,
            test=test,
            parameters=params,
            split_progress=(k, len(splits)),
            candidate_progress=(i, len(candidate_params)),
            **env["fit_and_score_kwargs"],
            **extra,
        )
        for i, params in enumerate(candidate_params)
        for k, (train, test) in enumerate(splits[:n_folds])
    )
    folds = [out[i * n_folds : (i + 1) * n_folds] for i in range(len(candidate_params))]
    return folds, splits


def n_splits_of(search, evaluate_candidates):
    """The search's number of CV splits, from inside ``_run_search``.

    scikit-learn 1.9 sets ``n_splits_`` before calling ``_run_search``;
    earlier versions only after, keeping it in ``evaluate_candidates``'
    closure until then.
    """
    names = evaluate_candidates.__code__.co_freevars
    cells = dict(zip(names, evaluate_candidates.__closure__ or ()))
    if "n_splits" in cells:
        return cells["n_splits"].cell_contents
    return search.n_splits_


def data_of(evaluate_candidates):
    """The ``(X, y)`` a search is fitted on, from inside ``_run_search``."""
    names = evaluate_candidates.__code__.co_freevars
    cells = dict(zip(names, evaluate_candidates.__closure__ or ()))
    if "X" not in cells or "y" not in cells:
        return None
    return cells["X"].cell_contents, cells["y"].cell_contents
