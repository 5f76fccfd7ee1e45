"""skhp's estimators work with scikit-learn's successive-halving searches."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, HalvingRandomSearchCV

from skhp import Categorical, Real
from skhp.linear import LogisticRegression

HALVING = [HalvingGridSearchCV, HalvingRandomSearchCV]


def _halve(search_cls, estimator, space, **kwargs):
    if search_cls is HalvingRandomSearchCV:
        kwargs.setdefault("n_candidates", 4)
    return search_cls(estimator, space, factor=2, cv=3, random_state=0, **kwargs)


def _check_rounds(search):
    res = search.cv_results_
    # Each round gets more resources and keeps fewer candidates.
    assert search.n_iterations_ >= 2
    assert np.all(np.diff(search.n_resources_) > 0)
    assert np.all(np.diff(search.n_candidates_) < 0)
    np.testing.assert_array_equal(
        np.unique(res["n_resources"]), sorted(search.n_resources_)
    )
    assert np.isfinite(res["mean_test_score"]).all()
    # The winner comes from the last round.
    assert res["iter"][search.best_index_] == search.n_iterations_ - 1


@pytest.mark.parametrize("search_cls", HALVING)
def test_logistic_regression_over_n_samples(search_cls):
    X, y = load_iris(return_X_y=True)
    space = {
        "C": Real(1e-3, 1e2, prior="log-uniform")
        if search_cls is HalvingRandomSearchCV
        else [1e-3, 0.1, 1.0, 10.0],
        "solver": Categorical(["lbfgs"]),
        "max_iter": [1000],
    }
    search = _halve(search_cls, LogisticRegression(), space).fit(X, y)
    _check_rounds(search)
    assert search.n_resources_[-1] <= len(y)
    assert search.best_score_ > 0.8
    assert search.predict(X[:5]).shape == (5,)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:300] / 16.0).astype(np.float32), y[:300]


def _mlp(**kwargs):
    pytest.importorskip("skorch")
    import torch

    from skhp.neural import MLPClassifier

    torch.set_num_threads(1)
    return MLPClassifier(hidden_layer_sizes=(16,), random_state=0, verbose=0, **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("search_cls", HALVING)
def test_mlp_over_n_samples(search_cls, digits):
    X, y = digits
    space = {"lr": [1e-3, 3e-3, 1e-2, 3e-2]}
    if search_cls is HalvingRandomSearchCV:
        space = {"lr": Real(1e-3, 3e-2, prior="log-uniform")}
    search = _halve(search_cls, _mlp(max_epochs=3), space).fit(X, y)
    _check_rounds(search)
    assert search.best_score_ > 0.3


@pytest.mark.slow
@pytest.mark.parametrize("search_cls", HALVING)
def test_mlp_over_max_epochs(search_cls, digits):
    X, y = digits
    space = {"lr": [1e-3, 1e-2, 3e-2]}
    if search_cls is HalvingRandomSearchCV:
        space = {"lr": Real(1e-3, 3e-2, prior="log-uniform")}
    search = _halve(
        search_cls,
        _mlp(),
        space,
        resource="max_epochs",
        min_resources=2,
        max_resources=8,
    ).fit(X, y)
    _check_rounds(search)
    res = search.cv_results_
    epochs = [p["max_epochs"] for p in res["params"]]
    np.testing.assert_array_equal(epochs, res["n_resources"])
    # The refitted winner trained for as many epochs as its last round gave.
    assert search.best_params_["max_epochs"] == search.n_resources_[-1]
    assert search.best_estimator_.n_iter_ == search.n_resources_[-1]


@pytest.mark.slow
@pytest.mark.parametrize("search_cls", HALVING)
def test_llm_classifier_over_n_samples(search_cls, tiny_model_dir):
    from skhp.llm import LLMClassifier
    from skhp.testing import make_toy_classification

    X, y = make_toy_classification(48, random_state=11)
    space = {
        "decoding": ["generate", "loglik"],
        "prompt": [None, "Words: {text}. {labels}?{examples}"],
    }
    search = _halve(
        search_cls, LLMClassifier(tiny_model_dir, random_state=0), space
    ).fit(X, y)
    _check_rounds(search)
    assert search.predict(X[:3]).shape == (3,)
