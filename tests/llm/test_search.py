"""Searchers tune prompts and decoding through fit/score with CV."""

import numpy as np
import pytest
from scipy.stats import uniform
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

import skhp
from skhp.llm import LLMClassifier, LLMGenerator, llm_scoring, load_counts
from skhp.testing import TOY_EXTRACT_PROMPT

pytestmark = pytest.mark.slow


def _loads(path):
    return sum(n for k, n in load_counts().items() if k[1] == path)


def test_grid_over_decoding_and_prompt(tiny_model_dir, toy_classification):
    X, y = toy_classification
    loads = _loads(tiny_model_dir)
    search = GridSearchCV(
        LLMClassifier(tiny_model_dir, random_state=0),
        {
            "temperature": [0.0, 2.0],
            "prompt": [None, "Words: {text}."],
            "decoding": ["generate", "loglik"],
        },
        cv=3,
        scoring=llm_scoring(),
        refit="score",
    )
    search.fit(X, y)
    res = search.cv_results_
    for key in (
        "mean_test_score",
        "mean_test_invalid_rate",
        "mean_test_mean_new_tokens",
    ):
        assert np.isfinite(res[key]).all()
    assert search.best_params_["prompt"] is None
    assert search.best_score_ >= 0.9
    # Hot sampling with the generate decoder produces long, unparsable answers.
    hot = [
        i
        for i, p in enumerate(res["params"])
        if p["temperature"] == 2.0
        and p["decoding"] == "generate"
        and p["prompt"] is None
    ]
    cold = [
        i
        for i, p in enumerate(res["params"])
        if p["temperature"] == 0.0
        and p["decoding"] == "generate"
        and p["prompt"] is None
    ]
    assert res["mean_test_score"][hot[0]] < res["mean_test_score"][cold[0]]
    assert (
        res["mean_test_mean_new_tokens"][hot[0]]
        > res["mean_test_mean_new_tokens"][cold[0]]
    )
    # loglik generates nothing and is never unparsable.
    for i, p in enumerate(res["params"]):
        if p["decoding"] == "loglik":
            assert res["mean_test_invalid_rate"][i] == 0.0
            assert res["mean_test_mean_new_tokens"][i] == 0.0
    assert _loads(tiny_model_dir) == max(loads, 1)
    assert search.predict(X[:4]).shape == (4,)


def test_randomized_search_with_scipy_distributions(tiny_model_dir, toy_classification):
    X, y = toy_classification
    search = RandomizedSearchCV(
        LLMClassifier(tiny_model_dir, random_state=0),
        {
            "temperature": uniform(0.0, 3.0),
            "top_p": uniform(0.5, 0.5),
            "n_examples": [0, 1],
        },
        n_iter=4,
        cv=2,
        random_state=0,
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_generator_grid_over_prompt(tiny_model_dir, toy_extraction):
    X, y = toy_extraction
    search = GridSearchCV(
        LLMGenerator(tiny_model_dir),
        {"prompt": [TOY_EXTRACT_PROMPT, "{text}"], "scoring": ["exact_match"]},
        cv=2,
    )
    search.fit(X, y)
    assert search.best_params_["prompt"] == TOY_EXTRACT_PROMPT


def test_bayes_search(tiny_model_dir, toy_classification):
    X, y = toy_classification
    search = skhp.BayesSearchCV(
        LLMClassifier(tiny_model_dir, random_state=0),
        {
            "temperature": skhp.Real(0.0, 2.5),
            "decoding": skhp.Categorical(["generate", "loglik"]),
        },
        n_iter=6,
        cv=2,
        random_state=0,
    )
    search.fit(X, y)
    assert search.best_score_ >= 0.9
    assert len(search.cv_results_["params"]) == 6


def test_skhp_dimensions_with_sklearn_searchers(tiny_model_dir, toy_classification):
    X, y = toy_classification
    space = {
        "temperature": skhp.Real(0.0, 2.0),
        "top_k": skhp.Integer(1, 20),
        "decoding": skhp.Categorical(["generate", "loglik"]),
    }
    rand = RandomizedSearchCV(
        LLMClassifier(tiny_model_dir, random_state=0),
        space,
        n_iter=3,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert np.isfinite(rand.cv_results_["mean_test_score"]).all()
    grid = GridSearchCV(
        LLMClassifier(tiny_model_dir, random_state=0),
        skhp.grid({"temperature": space["temperature"]}, n_points=3),
        cv=2,
    ).fit(X, y)
    temps = [p["temperature"] for p in grid.cv_results_["params"]]
    assert temps == [0.0, 1.0, 2.0]
    assert grid.best_params_["temperature"] == 0.0
