"""Errors of failed candidates reach the user: cv_results_, journal, CSV, report."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning

from skhp import BayesSearchCV, GridSearchCV, RandomizedSearchCV, Real
from skhp.journal import Journal
from skhp.journal.trial import error_summary

X, Y = load_iris(return_X_y=True)

pytestmark = pytest.mark.filterwarnings(
    "ignore:One or more of the test scores are non-finite"
)


class Fragile(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; fails to fit when C > fail_above."""

    def __init__(self, C=1.0, fail_above=1.0, bad_scores=False):
        self.C = C
        self.fail_above = fail_above
        self.bad_scores = bad_scores

    def fit(self, X, y):
        if self.C > self.fail_above:
            raise ValueError(f"C={self.C} is too large\nsecond line of the message")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        if self.bad_scores:
            raise RuntimeError("the server answered 500")
        return np.full(len(X), self.classes_[0])


@pytest.mark.parametrize(
    "text, summary",
    [
        (
            'Traceback (most recent call last):\n  File "a.py", line 1, in f\n'
            "    fit()\nValueError: C=5 is too large\nsecond line\n",
            "ValueError: C=5 is too large",
        ),
        (
            "Traceback (most recent call last):\n  File a\n    x\nKeyError: 'a'\n\n"
            "During handling of the above exception, another exception occurred:\n\n"
            "Traceback (most recent call last):\n  File b\n    y\nTypeError: no\n",
            "TypeError: no",
        ),
        ("plain message\nmore", "plain message"),
        (None, None),
    ],
)
def test_error_summary_is_the_exception_line(text, summary):
    assert error_summary(text) == summary


def _check_errors(column, params):
    for p, error in zip(params, column):
        if p["C"] > 1:
            assert error == f"ValueError: C={p['C']} is too large"
        else:
            assert error is None


@pytest.mark.parametrize("journaled", [False, True])
def test_grid_search_has_an_error_column_and_warns_like_sklearn(tmp_path, journaled):
    journal = str(tmp_path / "run.db") if journaled else None
    search = GridSearchCV(Fragile(), {"C": [0.1, 1, 5, 10]}, cv=2, journal=journal)
    with pytest.warns(FitFailedWarning, match="4 fits failed out of a total of 8"):
        search.fit(X, Y)
    _check_errors(search.cv_results_["error"], search.cv_results_["params"])
    if journaled:
        with Journal(journal, create=False) as j:
            recorded = j.cv_results("gridsearchcv")
        _check_errors(recorded["error"], recorded["params"])
        # Replayed, the column is the same.
        again = GridSearchCV(Fragile(), {"C": [0.1, 1, 5, 10]}, cv=2, journal=journal)
        with pytest.warns(FitFailedWarning):
            again.fit(X, Y)
        _check_errors(again.cv_results_["error"], again.cv_results_["params"])


def test_random_and_bayes_searches_have_the_error_column():
    space = {"C": Real(0.1, 10, prior="log-uniform")}
    for search in (
        RandomizedSearchCV(Fragile(), space, n_iter=6, cv=2, random_state=0),
        BayesSearchCV(Fragile(), space, n_iter=6, cv=2, random_state=0),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitFailedWarning)
            search.fit(X, Y)
        results = search.cv_results_
        assert any(e is not None for e in results["error"])
        _check_errors(results["error"], results["params"])


@pytest.mark.parametrize("journaled", [False, True])
def test_no_best_is_named_when_every_score_is_nan(tmp_path, journaled):
    journal = str(tmp_path / "run.db") if journaled else None
    search = GridSearchCV(
        Fragile(bad_scores=True), {"C": [0.1, 1]}, cv=2, journal=journal
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sklearn: scoring failed
        with pytest.raises(ValueError, match="so there is no best candidate"):
            search.fit(X, Y)
    assert not hasattr(search, "best_params_")


def test_the_report_groups_failures_by_message(tmp_path):
    pytest.importorskip("matplotlib")
    from skhp.report import results_frame, write_report

    search = GridSearchCV(Fragile(fail_above=0.5), {"C": [0.1, 1, 1, 5]}, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        search.fit(X, Y)
    frame = results_frame(search, name="grid")
    assert list(frame["error"].isna()) == [True, False, False, False]
    text = write_report(tmp_path, {"grid": search}).read_text()
    section = text[text.index("## Failures") :]
    assert "| grid | ValueError: C=1 is too large | 2 | 2 | 2, 3 |" in section
    assert "| grid | ValueError: C=5 is too large | 1 | 1 | 4 |" in section
    assert section.index("C=1 is") < section.index("C=5 is")  # most frequent first
