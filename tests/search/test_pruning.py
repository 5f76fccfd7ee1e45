"""Pruning: clearly bad candidates stop after their first folds."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skhp import BayesSearchCV, Real
from skhp.journal import Journal
from skhp.search import MedianPruner, PercentilePruner

X, Y = load_digits(return_X_y=True)
X = X / 16.0


class LoggedLogisticRegression(ClassifierMixin, BaseEstimator):
    """LogisticRegression that appends its C to a file on every fit."""

    def __init__(self, C=1.0, log=None):
        self.C = C
        self.log = log

    def fit(self, X, y):
        with open(self.log, "a") as f:
            f.write(f"{self.C!r}\n")
        self.model_ = LogisticRegression(C=self.C, max_iter=60).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


SPACE = {"C": Real(1e-6, 1e2, prior="log-uniform")}


@pytest.mark.parametrize(
    "pruner, partial, expected",
    [
        (PercentilePruner(25.0), 0.70, True),
        (PercentilePruner(25.0), 0.92, False),
        (PercentilePruner(0.0), 0.81, False),
        (MedianPruner(), 0.905, True),
        (MedianPruner(), 0.91, False),
        (PercentilePruner(25.0, n_startup=6), 0.1, False),  # too few completed
    ],
)
def test_rule(pruner, partial, expected):
    assert pruner.prune(partial, [0.90, 0.91, 0.93, 0.95, 0.80]) is expected


@pytest.mark.parametrize(
    "pruner, match",
    [
        (PercentilePruner(after_folds=3), r"after_folds=3 with 3 splits"),
        (PercentilePruner(after_folds=0), r"`after_folds` must be an int >= 1"),
        (PercentilePruner(percentile=120), r"`percentile` must be a number in"),
        (MedianPruner(n_startup=0), r"`n_startup` must be an int >= 1, but got 0"),
    ],
)
def test_bad_settings_are_named(pruner, match):
    search = BayesSearchCV(LogisticRegression(), SPACE, n_iter=2, cv=3, pruner=pruner)
    with pytest.raises(ValueError, match=match):
        search.fit(X, Y)


def test_pruner_must_be_a_pruner():
    with pytest.raises(ValueError, match="'pruner' parameter of BayesSearchCV"):
        BayesSearchCV(LogisticRegression(), SPACE, n_iter=2, pruner=0.5).fit(X, Y)


@pytest.fixture(scope="module")
def pruned_search(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pruning")
    log = str(folder / "fits.log")
    kw = dict(
        n_iter=12,
        cv=4,
        # Random candidates after the pruner's startup, so some are bad.
        n_initial_points=10,
        random_state=0,
        pruner=MedianPruner(after_folds=1, n_startup=4),
        journal=folder / "run.db",
    )
    search = BayesSearchCV(LoggedLogisticRegression(log=log), SPACE, **kw)
    search.fit(X, Y)
    return search, log, kw


def test_pruned_candidates_skip_their_remaining_folds(pruned_search):
    search, log, _ = pruned_search
    results = search.cv_results_
    pruned = results["pruned"]
    assert pruned.dtype == bool and pruned.any() and not pruned.all()
    assert not pruned[:4].any()  # n_startup candidates complete first
    assert np.isnan(results["mean_test_score"][pruned]).all()
    assert np.isfinite(results["split0_test_score"][pruned]).all()
    assert np.isnan(results["split1_test_score"][pruned]).all()
    fits = open(log).read().split()
    for params, was_pruned in zip(results["params"], pruned):
        n_fits = fits.count(repr(params["C"]))
        # one fold when pruned, four otherwise (+1 for the refit of the best)
        assert n_fits in ((1,) if was_pruned else (4, 5))
    assert not pruned[search.best_index_]


def test_pruned_candidates_are_journaled_and_replayed(pruned_search):
    search, log, kw = pruned_search
    statuses = [t.status for t in Journal(kw["journal"]).trials("bayessearchcv")]
    assert statuses == ["pruned" if p else "ok" for p in search.cv_results_["pruned"]]
    n_fits = len(open(log).read().split())
    again = BayesSearchCV(LoggedLogisticRegression(log=log), SPACE, **kw).fit(X, Y)
    assert len(open(log).read().split()) == n_fits + 1  # the refit only
    np.testing.assert_array_equal(
        again.cv_results_["pruned"], search.cv_results_["pruned"]
    )
    assert again.cv_results_["params"] == search.cv_results_["params"]


def test_without_pruner_there_is_no_pruned_column():
    search = BayesSearchCV(LogisticRegression(max_iter=50), SPACE, n_iter=2, cv=2)
    search.fit(X[:300], Y[:300])
    assert "pruned" not in search.cv_results_
