"""Per-fit warnings are counted and summarised once per search."""

import warnings

import numpy as np
import pytest
from sklearn import model_selection
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning

import skhp
from skhp._compat import inside_cross_validation
from skhp.search.fit_warnings import summarise

X, Y = load_iris(return_X_y=True)
GRID = {"C": [0.1, 1.0, 10.0, 100.0]}


class Warner(ClassifierMixin, BaseEstimator):
    """Warns in every fit with C > 1 (the message holds a varying number)."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        if self.C > 1:
            warnings.warn(
                f"did not converge in {len(X)} steps", ConvergenceWarning, stacklevel=2
            )
        self.classes_ = np.unique(y)
        self.in_cv_ = inside_cross_validation()
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _search_warnings(search, action="always"):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        search.fit(X, Y)
    return [w for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_one_summary_per_kind_with_the_share_of_candidates(n_jobs):
    search = skhp.GridSearchCV(Warner(), GRID, cv=3, n_jobs=n_jobs, refit=False)
    caught = _search_warnings(search)
    assert len(caught) == 1
    text = str(caught[0].message)
    assert text.startswith("2 of 4 candidates (50%; 6 fits) raised ConvergenceWarning")
    assert "did not converge in 100 steps" in text


def test_bayes_search_summarises_too():
    search = skhp.BayesSearchCV(
        Warner(), {"C": skhp.Real(2.0, 10.0)}, n_iter=3, cv=3, random_state=0
    )
    caught = _search_warnings(search)
    # The summary, and the refit's own warning (outside the search).
    assert [str(w.message)[:30] for w in caught] == [
        "3 of 3 candidates (100%; 9 fit",
        "did not converge in 150 steps",
    ]


def test_fit_warnings_all_shows_every_one():
    search = skhp.GridSearchCV(Warner(), GRID, cv=3, refit=False)
    with skhp.config_context(fit_warnings="all"):
        caught = _search_warnings(search)
    assert len(caught) == 6


def test_filters_stay_in_force():
    search = skhp.GridSearchCV(Warner(), GRID, cv=3, refit=False)
    assert _search_warnings(search, action="ignore") == []
    # "error" still fails the fits, as without skhp.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", ConvergenceWarning)
        search.fit(X, Y)
    failed = [w for w in caught if issubclass(w.category, FitFailedWarning)]
    assert len(failed) == 1 and "6 fits failed" in str(failed[0].message)
    assert np.isnan(search.cv_results_["mean_test_score"][2:]).all()


def test_scikit_learns_own_search_is_left_alone():
    skhp.GridSearchCV(Warner(), GRID, cv=3, refit=False).fit(X, Y)
    plain = model_selection.GridSearchCV(Warner(), GRID, cv=3, refit=False)
    assert len(_search_warnings(plain)) == 6


def test_journaled_search_summarises_and_resumes(tmp_path):
    path = tmp_path / "j.db"
    first = skhp.GridSearchCV(Warner(), GRID, cv=3, refit=False, journal=path)
    assert len(_search_warnings(first)) == 1
    # Resumed: every candidate is replayed, none fitted, nothing to report.
    again = skhp.GridSearchCV(Warner(), GRID, cv=3, refit=False, journal=path)
    assert _search_warnings(again) == []
    assert len(again.cv_results_["params"]) == 4


def test_summarise_groups_messages_that_differ_in_numbers():
    key = "skhp_fit_warnings"
    fits = [
        {key: [(UserWarning, "took 3 steps")]},
        {key: [(UserWarning, "took 4 steps"), (UserWarning, "took 5 steps")]},
        {key: []},
        {key: [(RuntimeWarning, "overflow")]},
    ]
    kinds, total = summarise(fits, n_splits=2)
    assert total == 2
    assert [(k.category, k.n_candidates, k.n_fits) for k in kinds] == [
        (UserWarning, 1, 3),
        (RuntimeWarning, 1, 1),
    ]


def test_the_refit_counts_as_inside_the_search():
    search = model_selection.GridSearchCV(Warner(), {"C": [0.5]}, cv=2).fit(X, Y)
    assert search.best_estimator_.in_cv_
    assert not Warner().fit(X, Y).in_cv_
