"""Real searches on iris, fitted once for all the report tests."""

import warnings

import numpy as np
import pytest
from scipy.stats import loguniform, uniform
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.svm import SVC

from skhp import BayesSearchCV, Categorical, Real


@pytest.fixture(scope="package")
def iris():
    return load_iris(return_X_y=True)


def _fit(search, X, y):
    with warnings.catch_warnings():
        # Failed fits and unconverged solvers are part of what is tested.
        warnings.simplefilter("ignore")
        return search.fit(X, y)


@pytest.fixture(scope="package")
def searches(iris):
    """Three searchers over the same logistic-regression space."""
    X, y = iris
    est = LogisticRegression(max_iter=300)
    grid = GridSearchCV(est, {"C": [1e-3, 1e-2, 0.1, 1.0, 10.0]}, cv=3)
    random = RandomizedSearchCV(
        est,
        {"C": loguniform(1e-3, 1e2), "class_weight": [None, "balanced"]},
        n_iter=6,
        cv=3,
        random_state=0,
    )
    bayes = BayesSearchCV(
        est,
        {
            "C": Real(1e-3, 1e2, prior="log-uniform"),
            "class_weight": Categorical([None, "balanced"]),
        },
        n_iter=6,
        n_initial_points=3,
        cv=3,
        random_state=0,
    )
    return {
        "grid": _fit(grid, X, y),
        "random": _fit(random, X, y),
        "bayes": _fit(bayes, X, y),
    }


@pytest.fixture(scope="package")
def multimetric(iris):
    X, y = iris
    search = GridSearchCV(
        LogisticRegression(max_iter=300),
        {"C": [1e-3, 0.1, 10.0]},
        cv=3,
        scoring={"acc": "accuracy", "f1": "f1_macro"},
        refit="f1",
    )
    return _fit(search, X, y)


@pytest.fixture(scope="package")
def conditional(iris):
    """A space with two branches: ``gamma`` exists only for the rbf kernel."""
    X, y = iris
    space = [
        {"kernel": ["linear"], "C": [0.1, 1.0]},
        {"kernel": ["rbf"], "C": [1.0], "gamma": [0.01, 0.1, 1.0]},
    ]
    return _fit(GridSearchCV(SVC(), space, cv=3), X, y)


@pytest.fixture(scope="package")
def failing(iris):
    """C=-1 is refused by LogisticRegression: every fit of it fails."""
    X, y = iris
    search = GridSearchCV(
        LogisticRegression(max_iter=300),
        {"C": [0.1, -1.0, 1.0]},
        cv=3,
        error_score=np.nan,
    )
    return _fit(search, X, y)


class Peaked(RegressorMixin, BaseEstimator):
    """A model whose CV score depends on ``x`` only; ``noise`` is ignored."""

    def __init__(self, x=0.0, noise=0.0):
        self.x = x
        self.noise = noise

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.x - 0.3) ** 2)


@pytest.fixture(scope="package")
def peaked(iris):
    X, y = iris
    search = RandomizedSearchCV(
        Peaked(),
        {"x": uniform(-2, 4), "noise": uniform(-2, 4)},
        n_iter=30,
        cv=2,
        random_state=0,
    )
    return _fit(search, X, y)
