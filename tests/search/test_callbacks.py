import time

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

from skhp import BayesSearchCV, Real
from skhp.search import NoImprovement, SearchProgress, TargetScore, TimeBudget


def progress(scores, elapsed=0.0):
    params = [{"i": i} for i in range(len(scores))]
    return SearchProgress(
        n_evaluated=len(scores),
        n_iter=50,
        scores=list(scores),
        elapsed=elapsed,
        cv_results={"params": params},
    )


@pytest.mark.parametrize(
    "scores, n_trials, min_delta, stop",
    [
        ([0.1, 0.2, 0.3], 2, 0.0, False),
        ([0.3, 0.2, 0.1], 2, 0.0, True),
        ([0.3, 0.2], 2, 0.0, False),
        ([0.3, 0.31, 0.32], 2, 0.05, True),
        ([np.nan, np.nan], 2, 0.0, True),
        ([0.5, np.nan, 0.4, 0.6], 3, 0.0, False),
    ],
)
def test_no_improvement(scores, n_trials, min_delta, stop):
    assert NoImprovement(n_trials, min_delta=min_delta)(progress(scores)) is stop


def test_target_score_and_time_budget():
    assert TargetScore(0.9)(progress([0.5, 0.95])) is True
    assert TargetScore(0.9)(progress([0.5, np.nan])) is False
    assert TimeBudget(10)(progress([0.5], elapsed=11.0)) is True
    assert TimeBudget(10)(progress([0.5], elapsed=1.0)) is False


def test_progress_best():
    p = progress([0.2, np.nan, 0.7, 0.5])
    assert p.best_score == 0.7 and p.best_index == 2 and p.best_params == {"i": 2}
    assert np.isnan(progress([np.nan]).best_score) and progress([]).best_params is None


@pytest.mark.parametrize(
    "make, match",
    [
        (
            lambda: NoImprovement(0),
            r"NoImprovement: `n_trials >= 1` must hold, but got n_trials=0",
        ),
        (lambda: NoImprovement(3, min_delta=-1), r"`min_delta >= 0`"),
        (
            lambda: TimeBudget(0),
            r"TimeBudget: `seconds > 0` must hold, but got seconds=0",
        ),
        (lambda: TargetScore("high"), r"TargetScore: `score > -inf` must hold"),
    ],
)
def test_bad_callback_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


class Peaked(RegressorMixin, BaseEstimator):
    def __init__(self, x=0.0, delay=0.0):
        self.x = x
        self.delay = delay

    def fit(self, X, y=None):
        time.sleep(self.delay)
        return self

    def score(self, X, y=None):
        return -abs(self.x - 0.5)


X = np.zeros((10, 1))


def test_target_score_stops_the_search_early():
    search = BayesSearchCV(
        Peaked(),
        {"x": Real(0, 1)},
        n_iter=40,
        cv=2,
        callbacks=TargetScore(-0.2),
        random_state=0,
    ).fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert scores[-1] >= -0.2 and (scores[:-1] < -0.2).all() and len(scores) < 40


def test_no_improvement_stops_the_search():
    search = BayesSearchCV(
        Peaked(),
        {"x": Real(0, 1)},
        n_iter=40,
        cv=2,
        callbacks=[NoImprovement(3)],
        random_state=0,
    ).fit(X)
    scores = list(search.cv_results_["mean_test_score"])
    best_at = int(np.argmax(scores))
    assert len(scores) - 1 - best_at == 3


def test_time_budget_stops_the_search():
    search = BayesSearchCV(
        Peaked(delay=0.05),
        {"x": Real(0, 1)},
        n_iter=50,
        cv=2,
        callbacks=TimeBudget(0.4),
        random_state=0,
    ).fit(X)
    assert 2 <= len(search.cv_results_["params"]) < 50


def test_any_callable_can_stop_and_sees_the_progress():
    seen = []

    def stop_after_three(progress):
        seen.append((progress.n_evaluated, len(progress.cv_results["params"])))
        return progress.n_evaluated >= 3

    BayesSearchCV(
        Peaked(),
        {"x": Real(0, 1)},
        n_iter=10,
        cv=2,
        callbacks=stop_after_three,
        random_state=0,
    ).fit(X)
    assert seen == [(1, 1), (2, 2), (3, 3)]


def test_non_callable_callback_is_refused():
    search = BayesSearchCV(
        Peaked(), {"x": Real(0, 1)}, n_iter=3, cv=2, callbacks=[TargetScore(0), "stop"]
    )
    with pytest.raises(ValueError, match="Each entry of `callbacks` must be callable"):
        search.fit(X)
