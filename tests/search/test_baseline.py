"""The default reference point: a feature-blind baseline's score."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhp import BayesSearchCV, Real
from skhp.llm.scorers import estimator_score
from skhp.search.baseline import baseline_score

X4 = np.zeros((8, 2))
Y_75 = np.array([0, 0, 0, 0, 0, 0, 1, 1])  # 75% majority class


@pytest.mark.parametrize(
    "scorer, expected",
    [
        ("accuracy", 0.75),
        (None, 0.75),  # the estimator's own score: accuracy
        ("roc_auc", 0.5),
        ("balanced_accuracy", 0.5),
        ("neg_log_loss", 0.75 * np.log(0.75) + 0.25 * np.log(0.25)),
    ],
)
def test_classifier_baseline_is_the_metric_of_the_class_prior(scorer, expected):
    value = baseline_score(LogisticRegression(), scorer, X4, Y_75)
    assert value == pytest.approx(expected)


def test_regressor_baseline_is_the_mean():
    y = np.arange(8.0)
    assert baseline_score(LinearRegression(), None, X4, y) == pytest.approx(0.0)
    mse = baseline_score(LinearRegression(), "neg_mean_squared_error", X4, y)
    assert mse == pytest.approx(-np.var(y))


def test_a_pipeline_counts_as_its_last_step_and_texts_work():
    texts = ["good", "bad", "fine", "awful", "great", "poor"]
    labels = ["pos", "neg", "pos", "neg", "pos", "pos"]
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    assert baseline_score(pipe, "accuracy", texts, labels) == pytest.approx(4 / 6)


class _OwnMetric(ClassifierMixin, BaseEstimator):
    """A classifier scored by its own ``scoring`` parameter, as skhp's LLMs are."""

    def __init__(self, scoring=None):
        self.scoring = scoring


def test_estimator_score_follows_the_estimators_own_metric():
    # Accuracy by default, the named metric when set, none for a callable.
    assert baseline_score(_OwnMetric(), estimator_score, X4, Y_75) == 0.75
    named = _OwnMetric(scoring="balanced_accuracy")
    assert baseline_score(named, estimator_score, X4, Y_75) == 0.5
    assert baseline_score(named, None, X4, Y_75) == 0.5
    custom = _OwnMetric(scoring=lambda y, p: 1.0)
    assert baseline_score(custom, estimator_score, X4, Y_75) is None


def _tokens(estimator, X, y=None):
    return estimator.n_tokens_  # a cost a dummy does not have


def test_no_baseline_without_a_classifier_or_regressor_or_a_working_scorer():
    assert baseline_score(BaseEstimator(), "accuracy", X4, Y_75) is None
    assert baseline_score(LogisticRegression(), "accuracy", X4, None) is None
    assert baseline_score(LogisticRegression(), _tokens, X4, Y_75) is None
    nan = baseline_score(LogisticRegression(), lambda e, X, y: np.nan, X4, Y_75)
    assert nan is None


class _Skill(ClassifierMixin, BaseEstimator):
    """Labels ``x % 2`` of a counter feature, right on a share ``skill`` of rows.

    Its accuracy is about ``skill`` (a balanced task: chance is 0.5) and its
    size (:func:`_size`) grows with skill and with ``z``, a pure cost.
    """

    def __init__(self, skill=0.5, z=0.0):
        self.skill = skill
        self.z = z

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        x = np.asarray(X)[:, 0].astype(int)
        right = (x * 0.6180339887) % 1.0 < self.skill
        return np.where(right, x % 2, 1 - x % 2)


def _size(est, X, y=None):
    return 1.0 + 1000.0 * est.skill**3 + 10.0 * est.z


def _skill_search(**kwargs):
    settings = dict(
        n_iter=16,
        n_initial_points=6,
        cv=KFold(3),
        scoring={"accuracy": "accuracy", "size": _size},
        refit="accuracy",
        objectives={"accuracy": "max", "size": "min"},
        random_state=0,
    )
    return BayesSearchCV(
        _Skill(),
        {"skill": Real(0.0, 1.0), "z": Real(0.0, 1.0)},
        **{**settings, **kwargs},
    )


def test_default_reference_is_chance_and_keeps_proposals_above_it():
    X = np.arange(60).reshape(-1, 1)
    y = X[:, 0] % 2
    no_random_steps = {"random_share": 0.0}
    default = _skill_search(optimizer_kwargs=no_random_steps).fit(X, y)
    assert default.reference_point_ == {"accuracy": 0.5}
    plain = _skill_search(reference_point=None, optimizer_kwargs=no_random_steps)
    plain.fit(X, y)
    assert plain.reference_point_ == {}
    # The same initial design; after it, the default spends no step on models
    # no better than chance, while the range rule goes for the small ones.
    params = default.cv_results_["params"]
    assert params[:6] == plain.cv_results_["params"][:6]
    # (At the edge skill = 0 the accuracy's posterior is wide enough that
    # one step may still go there: count, do not forbid.)
    below = sum(p["skill"] < 0.45 for p in params[6:])
    below_plain = sum(p["skill"] < 0.45 for p in plain.cv_results_["params"][6:])
    assert below <= 2 and below_plain >= 5, (below, below_plain)


def test_reference_point_attribute_by_setting():
    X = np.arange(30).reshape(-1, 1)
    y = X[:, 0] % 2
    given = _skill_search(reference_point={"size": 300}, n_iter=7).fit(X, y)
    assert given.reference_point_ == {"size": 300.0}
    parego = _skill_search(
        n_iter=7, optimizer_kwargs={"front_acquisition": "parego"}
    ).fit(X, y)
    assert parego.reference_point_ is None  # ParEGO uses none; no error
    single = _skill_search(n_iter=7, objectives=None).fit(X, y)
    assert single.reference_point_ is None


def test_unknown_reference_point_string_is_refused():
    X = np.arange(30).reshape(-1, 1)
    search = _skill_search(reference_point="chance")
    match = r"'reference_point' parameter .* among \{'baseline'\}"
    with pytest.raises(ValueError, match=match):
        search.fit(X, X[:, 0] % 2)
