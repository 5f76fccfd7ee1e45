"""The presets' starting points are candidates of their spaces."""

import numpy as np
import pytest
from sklearn.datasets import load_iris

from skhp import BayesSearchCV
from skhp.linear import LogisticRegression
from skhp.llm import LLMClassifier
from skhp.neural import MLPClassifier
from skhp.presets import (
    llm_classifier,
    llm_classifier_initial_points,
    logistic_regression,
    logistic_regression_initial_points,
    mlp,
    mlp_initial_points,
)
from skhp.space import check_space


def _branches_containing(space, params):
    return [
        i
        for i, branch in enumerate(check_space(space))
        if set(branch) == set(params)
        and all(params[name] in dim for name, dim in branch.items())
    ]


PRESETS = [
    (logistic_regression, logistic_regression_initial_points, {}, LogisticRegression),
    (
        logistic_regression,
        logistic_regression_initial_points,
        {"solvers": ["saga", "liblinear"]},
        LogisticRegression,
    ),
    (mlp, mlp_initial_points, {}, MLPClassifier),
    (mlp, mlp_initial_points, {"optimizers": ["adam"]}, MLPClassifier),
    (llm_classifier, llm_classifier_initial_points, {}, LLMClassifier),
]


@pytest.mark.parametrize("space_fn, points_fn, kwargs, estimator", PRESETS)
@pytest.mark.parametrize("prefix", ["", "model__"])
def test_every_starting_point_lies_in_its_preset(
    space_fn, points_fn, kwargs, estimator, prefix
):
    space = space_fn(prefix=prefix, **kwargs)
    points = points_fn(prefix=prefix, **kwargs)
    assert points
    names = set(estimator().get_params())
    for point in points:
        assert len(_branches_containing(space, point)) >= 1, point
        assert {k[len(prefix) :] for k in point} <= names


def test_documented_defaults():
    assert logistic_regression_initial_points() == [
        {
            "solver": "lbfgs",
            "penalty": "l2",
            "C": 1.0,
            "max_iter": 100,
            "fit_intercept": True,
        }
    ]
    assert logistic_regression_initial_points(solvers=["saga"])[0]["solver"] == "saga"
    (adam,) = mlp_initial_points()
    assert adam["optimizer"] == "adam" and adam["lr"] == 1e-3
    assert mlp_initial_points(optimizers=["sgd"]) == []
    (greedy,) = llm_classifier_initial_points()
    assert greedy["temperature"] == 0.0 and greedy["prompt"] is None


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: mlp(optimizers=["adamw"]), "optimizers"),
        (lambda: mlp(optimizers=[]), "optimizers"),
        (lambda: llm_classifier(max_examples=-1), "max_examples"),
        (lambda: llm_classifier(prompts=["no text"]), r"\{text\}"),
        (lambda: llm_classifier(prompts=["T: {text}"]), r"\{examples\}"),
        (lambda: logistic_regression_initial_points(solvers=["adam"]), "solvers"),
    ],
)
def test_preset_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_llm_preset_zero_shot_and_custom_prompts():
    space = llm_classifier(prompts=["T: {text}"], max_examples=0)
    for branch in check_space(space):
        assert list(branch["n_examples"]) == [0]
        assert list(branch["prompt"]) == [None, "T: {text}"]
    assert _branches_containing(space, llm_classifier_initial_points()[0]) == [0]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_bayes_search_starts_from_the_logistic_default():
    X, y = load_iris(return_X_y=True)
    point = logistic_regression_initial_points()[0]
    search = BayesSearchCV(
        LogisticRegression(),
        logistic_regression(),
        initial_points=[point],
        n_iter=3,
        cv=3,
        random_state=0,
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert params[0] == point
    assert point not in params[1:]
    assert np.isfinite(search.cv_results_["mean_test_score"][0])
