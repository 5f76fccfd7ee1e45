"""Everything skhp takes from scikit-learn's private API, in one place.

Two kinds of use:

- Names read at import time (``BaseSearchCV``, ``_fit_context`` and the
  parameter-validation helpers), which skhp's classes are built on.
- Two private functions of ``sklearn.model_selection`` that skhp *hooks*
  (``_fit_and_score`` and ``_warn_or_raise_about_fit_failures``). They are
  looked up only when a skhp search starts, replaced only for the dynamic
  extent of that search's ``fit`` (:func:`search_hooks`, restored on every
  exit path) and, while installed, behave exactly like scikit-learn's own for
  every call that is not marked as a skhp search's: other threads and plain
  scikit-learn searches see scikit-learn's behaviour. A scikit-learn release
  that moves either does not break ``import skhp``; the search that needs it
  raises :class:`PrivateAPIError`, naming the version and the feature.
"""

import contextlib
import contextvars
import importlib
import inspect
import sys
import threading
import warnings

import sklearn
from sklearn.base import _fit_context as fit_context  # noqa: F401  (re-exported)
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
    "FIT_WARNINGS_KEY",
    "HasMethods",
    "InvalidParameterError",
    "Interval",
    "PrivateAPIError",
    "SearchResultHooks",
    "StrOptions",
    "SKLEARN_VERSION",
    "SUPPORTED_SKLEARN",
    "parse_version",
    "fit_context",
    "inside_cross_validation",
    "ReplayedSplit",
    "checked_cv_of",
    "evaluate_fold",
    "fit_first_folds",
    "format_cv_results",
    "param_names",
    "parameter_constraints",
    "parameter_errors",
    "raise_if_all_fits_failed",
    "scorer_names",
    "search_hooks",
    "string_options",
    "warn_about_fit_failures",
    "tolerate_failed_batches",
    "validate_estimator_params",
    "validate_params",
    "validates_params",
]

SKLEARN_VERSION = parse_version(sklearn.__version__)
#: The scikit-learn versions skhp is tested with (setup.cfg's bound).
SUPPORTED_SKLEARN = ">=1.6"

_VALIDATION = "sklearn.model_selection._validation"
_SEARCH = "sklearn.model_selection._search"


class PrivateAPIError(RuntimeError):
    """A private scikit-learn name a skhp feature needs is missing."""


def private_name(module, name, feature):
    """Return ``module.name`` from scikit-learn, or raise :class:`PrivateAPIError`.

    Parameters
    ----------
    module : str
        Dotted module path, e.g. ``"sklearn.model_selection._validation"``.
    name : str
        The attribute.
    feature : str
        What needs it, for the error message ("skhp's searches", "pruning").
    """
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise PrivateAPIError(
            f"{feature} needs scikit-learn's private {module}.{name}, which "
            f"scikit-learn {sklearn.__version__} does not have. skhp supports "
            f"scikit-learn{SUPPORTED_SKLEARN} up to the versions its tests cover; "
            f'install one (pip install "scikit-learn<{sklearn.__version__}") or '
            "report this at skhp's issue tracker."
        ) from None


class SearchResultHooks:
    """Extend the ``cv_results_`` and choose the ``best_index_`` of a search.

    scikit-learn's ``BaseSearchCV.fit`` formats the results with its private
    ``_format_results`` and picks the best candidate with its private
    ``_select_best_index``; neither has a public hook. A search that puts
    this class before ``BaseSearchCV`` among its bases defines
    ``_extend_results(results)`` (returns the results, with columns added)
    and ``_choose_best_index(refit, refit_metric, results)`` (an index, or
    None for scikit-learn's own choice). Call :meth:`check_result_hooks` in
    ``fit`` before relying on them.
    """

    _RESULT_HOOKS = ("_format_results", "_select_best_index")

    @classmethod
    def check_result_hooks(cls, feature):
        """Raise :class:`PrivateAPIError` if scikit-learn lacks either method."""
        for name in cls._RESULT_HOOKS:
            if not hasattr(BaseSearchCV, name):
                private_name(_SEARCH + ".BaseSearchCV", name, feature)

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        results = super()._format_results(candidate_params, n_splits, out, more_results)
        return self._extend_results(results)

    def _select_best_index(self, refit, refit_metric, results):
        chosen = self._choose_best_index(refit, refit_metric, results)
        if chosen is None:
            return super()._select_best_index(refit, refit_metric, results)
        return chosen

    def _extend_results(self, results):
        return results

    def _choose_best_index(self, refit, refit_metric, results):
        return None


def validate_estimator_params(estimator):
    """Check ``estimator``'s parameters against its ``_parameter_constraints``.

    Raises sklearn's ``InvalidParameterError`` (a ``ValueError`` and
    ``TypeError``) with sklearn's wording: "The 'x' parameter of Y must be ...
    Got ... instead."
    """
    estimator._validate_params()


def validates_params(estimator):
    """Whether ``estimator`` declares scikit-learn's ``_parameter_constraints``.

    Only then does :func:`validate_estimator_params` check anything.
    """
    return hasattr(estimator, "_parameter_constraints")


def scorer_names(scorer):
    """The metric names of the scorer ``_fit_and_score`` is given; None for one.

    ``BaseSearchCV`` hands a multi-metric scoring to ``_fit_and_score`` as
    scikit-learn's private ``_MultimetricScorer``, whose ``_scorers`` dict
    holds the scorers by name; any other scorer is one metric.
    """
    scorers = getattr(scorer, "_scorers", None)
    if scorers is not None:
        return list(scorers)
    if type(scorer).__name__ == "_MultimetricScorer":
        raise PrivateAPIError(
            "fit_timeout= (the scores of a fit that timed out, one per metric) "
            "needs scikit-learn's private _MultimetricScorer._scorers, which "
            f"scikit-learn {sklearn.__version__} does not have. Use one metric, "
            f"or install scikit-learn{SUPPORTED_SKLEARN} as tested."
        )
    return None


def param_names(cls):
    """The constructor parameter names of an estimator class, sorted."""
    names = getattr(cls, "_get_param_names", None)
    if names is not None:
        return names()
    import inspect

    signature = inspect.signature(cls.__init__)
    return sorted(
        p.name
        for p in signature.parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    )


def parameter_constraints(cls):
    """A scikit-learn class's ``_parameter_constraints`` (a copy; {} if none)."""
    return dict(getattr(cls, "_parameter_constraints", {}))


def parameter_errors(estimator, names):
    """Which of ``names`` break ``estimator``'s ``_parameter_constraints``.

    Each parameter is checked on its own, with scikit-learn's own validation
    (``_validate_params`` stops at the first bad one), so that every mistake
    is reported at once.

    Parameters
    ----------
    estimator : estimator instance
        Made with the values to check; nothing is fitted.
    names : iterable of str
        The parameters to check; those without a constraint are skipped.

    Returns
    -------
    errors : dict of str -> str
        Parameter name -> scikit-learn's message ("The 'x' parameter of Y
        must be ... Got ... instead."), for the parameters that break their
        constraints.
    """
    from sklearn.utils._param_validation import validate_parameter_constraints

    constraints = parameter_constraints(type(estimator))
    params = estimator.get_params(deep=False)
    errors = {}
    for name in names:
        if name not in constraints:
            continue
        try:
            validate_parameter_constraints(
                {name: constraints[name]},
                {name: params[name]},
                caller_name=type(estimator).__name__,
            )
        except InvalidParameterError as exc:
            errors[name] = str(exc)
    return errors


def string_options(cls, name):
    """The strings that ``StrOptions`` constraints allow for parameter ``name``.

    Sorted; empty when the parameter has no such constraint. For a "did you
    mean" next to a constraint's message.
    """
    options = set()
    for constraint in parameter_constraints(cls).get(name, ()):
        if isinstance(constraint, StrOptions):
            options.update(constraint.options)
    return sorted(options)


# --- The hooks, installed for one search's extent -----------------------------
#
# ``BaseSearchCV.fit`` defines ``evaluate_candidates`` as a closure that calls
# the module-level ``_fit_and_score`` (per fit, possibly in a worker process)
# and ``_warn_or_raise_about_fit_failures`` (per call, in the search's thread).
# While a skhp search fits, both names of ``sklearn.model_selection._search``
# point at the hooks below; each delegates to scikit-learn's function (taken
# from ``_validation``, where it is defined and which is never touched) unless
# the call belongs to a skhp search:
#
# - ``_fit_and_score``: the call's ``train`` is a :class:`ReplayedSplit`, a
#   marker only skhp's splitters yield; it travels with the task, so this holds
#   in joblib worker processes and on Dask workers, and in every thread;
# - ``_warn_or_raise_about_fit_failures``: the current context (a ContextVar,
#   so per thread) has a failure sink, set by :func:`tolerate_failed_batches`.
#
# Several skhp searches may run at once (threads): the first installs, the
# last restores.

_hooks_lock = threading.Lock()
_hooks_users = 0
_hooks_saved = {}
_HOOKS_FEATURE = (
    "skhp's searches (journal replay, per-fit warning summaries, pruning and "
    "tolerating candidates whose every fit failed)"
)


def _original(name):
    """scikit-learn's own function ``name``, from its defining module."""
    return private_name(_VALIDATION, name, _HOOKS_FEATURE)


@contextlib.contextmanager
def search_hooks():
    """Install skhp's hooks into ``sklearn.model_selection._search`` for the block.

    Restored when the block exits, normally or by an exception (the last of
    concurrent blocks restores). Raises :class:`PrivateAPIError` when this
    scikit-learn lacks a hooked name.
    """
    global _hooks_users
    hooks = {
        "_fit_and_score": _fit_and_score_hook,
        "_warn_or_raise_about_fit_failures": _warn_or_raise_hook,
    }
    with _hooks_lock:
        if _hooks_users == 0:
            module = importlib.import_module(_SEARCH)
            for name in hooks:
                _original(name)  # raises if scikit-learn has no such function
                if not hasattr(module, name):
                    private_name(_SEARCH, name, _HOOKS_FEATURE)
            _hooks_saved.update({name: getattr(module, name) for name in hooks})
            for name, hook in hooks.items():
                setattr(module, name, hook)
        _hooks_users += 1
    try:
        yield
    finally:
        with _hooks_lock:
            _hooks_users -= 1
            if _hooks_users == 0:
                module = importlib.import_module(_SEARCH)
                for name, value in _hooks_saved.items():
                    setattr(module, name, value)
                _hooks_saved.clear()


# --- Tolerating candidates whose every fit failed ----------------------------
#
# ``evaluate_candidates`` raises "All the N fits failed" when a whole call
# failed. For a sequential searcher a call is often one candidate, so one bad
# candidate would abort the search. Within :func:`tolerate_failed_batches`,
# the hook reports the failures to the searcher instead and lets the search
# go on with ``error_score`` recorded.

_failure_sink = contextvars.ContextVar("skhp_failure_sink", default=None)


def _warn_or_raise_hook(results, error_score):
    tolerance = _failure_sink.get()
    original = _original("_warn_or_raise_about_fit_failures")
    if tolerance is None:
        return original(results, error_score)
    sink, warn_partial = tolerance
    sink(results)
    n_failed = sum(result.get("fit_error") is not None for result in results)
    if warn_partial and 0 < n_failed < len(results):
        # Partial failures: keep sklearn's own FitFailedWarning.
        return original(results, error_score)
    return None


@contextlib.contextmanager
def tolerate_failed_batches(sink, *, warn_partial=True):
    """Within this context, a batch whose every fit failed does not raise.

    Needs :func:`search_hooks` to be in force (a skhp search's ``fit``).

    Parameters
    ----------
    sink : callable
        Called once per evaluated batch, in the parent process, with the list
        of per-fit result dicts of ``_fit_and_score`` (keys ``fit_error``,
        ``test_scores``, ``n_test_samples``, ``fit_time``, ``score_time`` and
        ``train_scores`` when asked), in sklearn's candidate-major order.
    warn_partial : bool, default=True
        Whether a batch in which some (not all) fits failed still gets
        scikit-learn's ``FitFailedWarning``. Nested contexts warn only when
        all of them allow it.
    """
    outer = _failure_sink.get()
    if outer is not None:
        # Nested (a journal inside a searcher): both see every batch.
        outer_sink, outer_warn = outer
        inner = sink

        def sink(results):
            outer_sink(results)
            inner(results)

        warn_partial = warn_partial and outer_warn

    token = _failure_sink.set((sink, warn_partial))
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
    (_VALIDATION, "_fit_and_score"),
    (_VALIDATION, "_fit_and_predict"),
    # The refit of the best candidate, in BaseSearchCV.fit.
    (_SEARCH, "fit"),
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


# --- One fold of a skhp search: fit, replay, collect warnings ------------------
#
# A skhp search passes its own splitter to ``evaluate_candidates`` (see
# skhp.journal.recorder): each split's "train indices" are a ReplayedSplit
# that carries the real indices, the recorded fold results of a resumed
# search (None for a fold to fit) and whether to record the fit's warnings.


class ReplayedSplit:
    """Stands in for a split's indices; marks the fold as a skhp search's.

    Parameters
    ----------
    results : list of dict or None, or None
        For one split, the recorded ``_fit_and_score`` result of each
        candidate of the ``evaluate_candidates`` call, in candidate order
        (None for a candidate to fit); None fits every candidate.
    train, test : array-like, default=None
        The real indices, for candidates that are fitted.
    collect_warnings : bool, default=False
        Record each fit's warnings in its result under ``FIT_WARNINGS_KEY``
        instead of showing them.
    fit_timeout : skhp.search.timeout.FitTimeout or None, default=None
        Fit in a child process killed after this time (the search's
        ``fit_timeout``).
    """

    def __init__(
        self,
        results=None,
        train=None,
        test=None,
        collect_warnings=False,
        fit_timeout=None,
    ):
        self.results = results
        self.train = train
        self.test = test
        self.collect_warnings = collect_warnings
        self.fit_timeout = fit_timeout

    def marked(self, collect_warnings, fit_timeout=None):
        """A copy with ``collect_warnings`` and ``fit_timeout`` set."""
        return ReplayedSplit(
            self.results, self.train, self.test, collect_warnings, fit_timeout
        )


#: The key of a fit's result dict that holds its warnings, [(category, text)].
FIT_WARNINGS_KEY = "skhp_fit_warnings"


def _fit_and_score_hook(*args, train, **kwargs):
    if not isinstance(train, ReplayedSplit):
        # Not a skhp search's fold: exactly scikit-learn's.
        return _original("_fit_and_score")(*args, train=train, **kwargs)
    kwargs.pop("test", None)
    return evaluate_fold(*args, split=train, **kwargs)


def evaluate_fold(estimator, X, y, *, split, **kwargs):
    """Evaluate one candidate on one fold of a skhp search: the per-fit path.

    Every fit of a skhp search (also pruning's first folds) goes through
    here, in whatever process or thread runs it. It returns the recorded
    result of a replayed fold, or else fits and scores through
    scikit-learn's ``_fit_and_score`` (recording the fit's warnings when
    ``split.collect_warnings``). A wrapper around one candidate's
    fit-and-score on one fold (a time limit, extra objectives) belongs
    around the single ``_original("_fit_and_score")(...)`` call below; it
    then covers every fit of GridSearchCV, RandomizedSearchCV and
    BayesSearchCV, pruning's first folds included, but not the refit.

    Parameters
    ----------
    estimator, X, y
        As for ``_fit_and_score``.
    split : ReplayedSplit
        The fold; ``kwargs["candidate_progress"][0]`` picks the candidate's
        recorded result.
    **kwargs
        ``_fit_and_score``'s other keyword arguments (not ``train``/``test``).
    """
    recorded = None
    if split.results is not None:
        recorded = split.results[kwargs["candidate_progress"][0]]
    if recorded is None:
        if split.fit_timeout is not None:  # the search's fit_timeout
            from ..search.timeout import fit_in_child

            return fit_in_child(split, evaluate_fold, estimator, X, y, **kwargs)
        collect = split.collect_warnings
        catching = warnings.catch_warnings(record=True) if collect else None
        with catching or contextlib.nullcontext() as caught:
            if collect:
                # Count every occurrence (not once per place), but keep the
                # filters in force: "ignore" still ignores, "error" still raises.
                warnings.filterwarnings("always", append=True)
            # The one fit-and-score of one candidate on one fold.
            result = _original("_fit_and_score")(
                estimator, X, y, train=split.train, test=split.test, **kwargs
            )
        if collect:
            result[FIT_WARNINGS_KEY] = [(w.category, str(w.message)) for w in caught]
        return result
    result = {
        key: recorded[key]
        for key in ("fit_error", "test_scores", "n_test_samples")
        if key in recorded
    }
    if split.collect_warnings:
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


def checked_cv_of(search, y):
    """The search's splitter as ``BaseSearchCV.fit`` checked it.

    scikit-learn 1.9 keeps it in ``_checked_cv_orig``; before, ``check_cv``
    again (equal for an int, a splitter or a list of splits; a one-shot
    iterator of splits is spent by then, so it is refused).
    """
    from sklearn.base import is_classifier
    from sklearn.model_selection import check_cv

    checked = getattr(search, "_checked_cv_orig", None)
    if checked is not None:
        return checked
    cv = search.cv
    if not hasattr(cv, "split") and hasattr(cv, "__next__"):
        raise ValueError(
            f"On scikit-learn {sklearn.__version__}, skhp's searches need `cv` "
            "to be an int, a splitter or a list of (train, test) splits; got a "
            "one-shot iterator. Pass list(cv)."
        )
    return check_cv(cv, y, classifier=is_classifier(search.estimator))


def format_cv_results(candidate_params, n_splits, out, *, return_train_score):
    """Build a ``cv_results_`` dict from per-fit results, exactly as sklearn does."""
    from sklearn.model_selection import GridSearchCV

    formatter = GridSearchCV(None, {}, return_train_score=return_train_score)
    return formatter._format_results(list(candidate_params), n_splits, list(out))


def raise_if_all_fits_failed(results, error_score):
    """sklearn's "All the N fits failed" error, when every fit in ``results`` failed."""
    if results and all(r.get("fit_error") is not None for r in results):
        _original("_warn_or_raise_about_fit_failures")(results, error_score)


def warn_about_fit_failures(results, error_score):
    """sklearn's ``FitFailedWarning`` when some (not all) fits in ``results`` failed."""
    failed = [r.get("fit_error") is not None for r in results]
    if any(failed) and not all(failed):
        _original("_warn_or_raise_about_fit_failures")(results, error_score)


def fit_first_folds(
    search, record, candidate_params, n_folds, *, collect_warnings, fit_timeout=None
):
    """Fit and score candidates on the first ``n_folds`` CV splits only.

    For pruning: the results are not added to the search's ``cv_results_``;
    the caller records them later through ``evaluate_candidates`` with a
    :class:`ReplayedSplit` splitter. Uses the search's data and fit
    parameters as its ``fit`` recorded them (``record``, a
    :class:`skhp.search.fit_record.FitRecord`) and the search's scorers and
    routed parameters, from ``BaseSearchCV``'s private ``_get_scorers`` and
    ``_get_routed_params_for_fit``.

    Returns
    -------
    folds : list of list of dict
        Per candidate, the ``_fit_and_score`` results of its first folds.
    splits : list of (train, test)
        Every split of the search's CV, in order.
    """
    from sklearn.base import clone
    from sklearn.utils.parallel import Parallel, delayed

    feature = "Pruning (BayesSearchCV(pruner=...))"
    for name in ("_get_scorers", "_get_routed_params_for_fit"):
        if not hasattr(search, name):
            raise PrivateAPIError(
                f"{feature} needs scikit-learn's private BaseSearchCV.{name}, "
                f"which scikit-learn {sklearn.__version__} does not have. Set "
                f"pruner=None, or install scikit-learn{SUPPORTED_SKLEARN} as tested."
            )
    scorers, _ = search._get_scorers()
    routed = search._get_routed_params_for_fit(dict(record.params))
    X, y = record.X, record.y
    cv = checked_cv_of(search, y)
    splits = list(cv.split(X, y, **routed.splitter.split))
    fit_and_score_kwargs = dict(
        scorer=scorers,
        fit_params=routed.estimator.fit,
        score_params=routed.scorer.score,
        return_train_score=search.return_train_score,
        return_n_test_samples=True,
        return_times=True,
        return_parameters=False,
        error_score=search.error_score,
        verbose=search.verbose,
    )
    parameters = inspect.signature(_original("_fit_and_score")).parameters
    if "caller" in parameters:
        fit_and_score_kwargs["caller"] = search
    base_estimator = clone(search.estimator)
    candidate_params = list(candidate_params)
    parallel = Parallel(n_jobs=search.n_jobs, pre_dispatch=search.pre_dispatch)
    out = parallel(
        delayed(evaluate_fold)(
            clone(base_estimator),
            X,
            y,
            split=ReplayedSplit(None, train, test, collect_warnings, fit_timeout),
            parameters=params,
            split_progress=(k, len(splits)),
            candidate_progress=(i, len(candidate_params)),
            **fit_and_score_kwargs,
        )
        for i, params in enumerate(candidate_params)
        for k, (train, test) in enumerate(splits[:n_folds])
    )
    folds = [out[i * n_folds : (i + 1) * n_folds] for i in range(len(candidate_params))]
    return folds, splits
