"""scikit-learn's grid and random searches, with a journal and a progress bar.

Drop-in subclasses: with ``journal=None`` and ``verbose=0`` they behave
like :class:`sklearn.model_selection.GridSearchCV` and
:class:`sklearn.model_selection.RandomizedSearchCV`, with two differences
that make failures visible: ``cv_results_["error"]`` holds the first line of
each candidate's first failed fit's error, and a search in which no
candidate has a finite score raises a ValueError instead of naming a best
candidate.
"""

import os

import numpy as np
from sklearn import model_selection

from .._compat import (
    parameter_constraints,
    raise_if_all_fits_failed,
    tolerate_failed_batches,
    warn_about_fit_failures,
)
from ..journal import Journal
from ..journal.trial import error_summary
from .fit_record import searching
from .journaling import recording
from .objectives import ObjectivesMixin, check_objectives
from .progress import score_key
from .timeout import FIT_TIMEOUT_CONSTRAINT, FIT_TIMEOUT_DOC

__all__ = ["GridSearchCV", "RandomizedSearchCV"]

_JOURNAL_DOC = """
    journal : str, path-like, :class:`~skhp.journal.Journal` or None, default=None
        A SQLite journal. Every evaluated candidate is committed to it as
        soon as its chunk of candidates completes; fitting again with the
        same journal and study resumes the search: recorded candidates are
        replayed into ``cv_results_`` and not fitted again. Resuming with a
        different estimator, space, cv or scoring raises
        :class:`~skhp.journal.JournalMismatchError`.
    study : str, default=None
        The study's name inside the journal (default: the class name in
        lower case), so that several searches can share one file.
    objectives : dict or None, default=None
        Several objectives, ``{name: "max" or "min"}``: scorer names from
        ``scoring`` and the recorded costs ``"mean_fit_time"`` and
        ``"mean_score_time"`` (see :mod:`skhp.search.objectives`).
        ``cv_results_`` then has a ``pareto_rank`` column (1 = on the Pareto
        front), and unless ``refit`` is a callable, ``best_index_`` is the
        cheapest candidate within one standard error of the best on the
        primary metric (``refit``'s metric).
"""

_CONSTRAINTS = {
    "journal": [str, os.PathLike, Journal, None],
    "study": [str, None],
    "objectives": [dict, None],
    "fit_timeout": FIT_TIMEOUT_CONSTRAINT,
}


def _run_journaled(search, run, evaluate_candidates, callback_ctx, **kwargs):
    check_objectives(search)
    with recording(search, evaluate_candidates, **kwargs) as recorder:
        # The search is evaluated in chunks: sklearn's per-chunk warning about
        # failed fits would come once per chunk, or never for chunks that
        # failed whole; one warning over the whole search replaces it.
        with tolerate_failed_batches(lambda out: None, warn_partial=False):
            if callback_ctx is None:  # scikit-learn < 1.9
                run(recorder)
            else:
                run(recorder, callback_ctx=callback_ctx)
    raise_if_all_fits_failed(recorder.all_out, search.error_score)
    warn_about_fit_failures(recorder.all_out, search.error_score)
    _refuse_without_a_score(search, recorder.results, recorder.all_out)


def _refuse_without_a_score(search, results, out):
    """Raise when no candidate has a finite score: there is no best to name."""
    if not results or not len(results["params"]):
        return
    key = score_key(search)
    scores = np.asarray(results.get(key, []), dtype=float)
    if not scores.size or np.isfinite(scores).any():
        return
    first = next((r["fit_error"] for r in out if r.get("fit_error")), None)
    detail = (
        f" The first error was: {error_summary(first)}"
        if first
        else " No fit failed: scoring returned non-finite values (a scorer that "
        "failed, or predictions it could not score)."
    )
    raise ValueError(
        f"All {len(scores)} candidates have no finite mean test score "
        f"({key}), so there is no best candidate. Set error_score='raise' to "
        "debug; with a journal, Journal(path).cv_results(study)['error'] has "
        "every candidate's error." + detail
    )


class _RecordedFit(ObjectivesMixin):
    """The ``fit`` both classic searchers share: the data recorded first."""

    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters, as scikit-learn's search does.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            Targets; None for unsupervised learning.
        **params : dict
            Passed to the estimator's ``fit`` (and, with metadata routing,
            to the scorer and the splitter), as in scikit-learn.

        Returns
        -------
        self : object
            The fitted search.
        """
        with searching(self, X, y, params):
            return super().fit(X, y, **params)


class GridSearchCV(_RecordedFit, model_selection.GridSearchCV):
    __doc__ = (
        """Every candidate of a grid, with a journal and a progress bar.

    A subclass of :class:`sklearn.model_selection.GridSearchCV`; see its
    documentation for the parameters and attributes it shares. With
    ``journal=None`` and ``verbose=0`` it behaves like it, except that
    ``cv_results_`` has an ``error`` column and a search without any finite
    score raises instead of naming a best candidate. With
    ``verbose >= 1`` on a terminal, a progress bar shows candidates done,
    the best score so far, and the elapsed and remaining time.

    Parameters
    ----------
    estimator, param_grid, scoring, n_jobs, refit, cv, verbose, pre_dispatch, \
error_score, return_train_score
        As in :class:`sklearn.model_selection.GridSearchCV`."""
        + _JOURNAL_DOC
        + FIT_TIMEOUT_DOC
        + """
    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhp import GridSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "run.db")
    >>> search = GridSearchCV(SVC(), {"C": [0.1, 1, 10]}, journal=path).fit(X, y)
    >>> search = GridSearchCV(SVC(), {"C": [0.1, 1, 10]}, journal=path).fit(X, y)
    >>> len(search.cv_results_["params"])  # the second fit replayed all three
    3
    """
    )

    _parameter_constraints: dict = {
        **parameter_constraints(model_selection.GridSearchCV),
        **_CONSTRAINTS,
    }

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
        journal=None,
        study=None,
        objectives=None,
        fit_timeout=None,
    ):
        super().__init__(
            estimator=estimator,
            param_grid=param_grid,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.journal = journal
        self.study = study
        self.objectives = objectives
        self.fit_timeout = fit_timeout

    def _run_search(self, evaluate_candidates, callback_ctx=None):
        _run_journaled(
            self,
            super()._run_search,
            evaluate_candidates,
            callback_ctx,
            space=self.param_grid,
            total=len(model_selection.ParameterGrid(self.param_grid)),
            chunked=True,
            adopt_unmatched=False,
        )


class RandomizedSearchCV(_RecordedFit, model_selection.RandomizedSearchCV):
    __doc__ = (
        """Random candidates, with a journal and a progress bar.

    A subclass of :class:`sklearn.model_selection.RandomizedSearchCV`; see
    its documentation for the parameters and attributes it shares. With
    ``journal=None`` and ``verbose=0`` it behaves like it, except for the
    ``error`` column and the error when no score is finite (see
    :class:`GridSearchCV`). skhp's dimensions (:class:`~skhp.Real`,
    :class:`~skhp.Integer`, :class:`~skhp.Categorical`) work as
    distributions. A search resumed from
    a journal with an int ``random_state`` draws the same candidates and
    replays the recorded ones; without a fixed seed, the recorded candidates
    take the places of new draws, so none is lost.

    Parameters
    ----------
    estimator, param_distributions, n_iter, scoring, n_jobs, refit, cv, \
verbose, pre_dispatch, random_state, error_score, return_train_score
        As in :class:`sklearn.model_selection.RandomizedSearchCV`."""
        + _JOURNAL_DOC
        + FIT_TIMEOUT_DOC
    )

    _parameter_constraints: dict = {
        **parameter_constraints(model_selection.RandomizedSearchCV),
        **_CONSTRAINTS,
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        journal=None,
        study=None,
        objectives=None,
        fit_timeout=None,
    ):
        super().__init__(
            estimator=estimator,
            param_distributions=param_distributions,
            n_iter=n_iter,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.journal = journal
        self.study = study
        self.objectives = objectives
        self.fit_timeout = fit_timeout

    def _run_search(self, evaluate_candidates, callback_ctx=None):
        _run_journaled(
            self,
            super()._run_search,
            evaluate_candidates,
            callback_ctx,
            space=self.param_distributions,
            total=len(
                model_selection.ParameterSampler(
                    self.param_distributions, self.n_iter, random_state=0
                )
            ),
            # A resumed search without a fixed seed draws other candidates:
            # the recorded ones take their places, so none is lost.
            adopt_unmatched=True,
            chunked=True,
        )
