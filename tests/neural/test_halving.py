"""skhp.neural's text models and regressor under scikit-learn's successive halving.

tests/search/test_halving.py covers LogisticRegression, MLPClassifier and
LLMClassifier; these add TextClassifier, TransformerClassifier and
MLPRegressor, with both resources: ``n_samples`` and ``max_epochs``.
"""

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401
from sklearn.model_selection import (  # noqa: E402
    HalvingGridSearchCV,
    HalvingRandomSearchCV,
    ParameterGrid,
)

from skhp import Real  # noqa: E402

from .test_mlp import linear_regression_data, small_reg  # noqa: E402
from .test_text import small_text  # noqa: E402

HALVING = [HalvingGridSearchCV, HalvingRandomSearchCV]


def _halve(search_cls, estimator, grid, distributions, **kwargs):
    """A halving search over 4 candidates, each round keeping half of them."""
    if search_cls is HalvingRandomSearchCV:
        return search_cls(
            estimator, distributions, n_candidates=4, factor=2, random_state=0, **kwargs
        )
    return search_cls(estimator, grid, factor=2, **kwargs)


def _check_schedule(search, n_resources, grid=None):
    res = search.cv_results_
    assert search.n_iterations_ == len(n_resources)
    assert search.n_resources_ == n_resources
    assert search.n_candidates_ == [4, 2, 1][: len(n_resources)]
    # Round i evaluates n_candidates_[i] candidates on n_resources_[i].
    for i, (n_cand, n_res) in enumerate(zip(search.n_candidates_, n_resources)):
        in_round = res["iter"] == i
        assert in_round.sum() == n_cand
        assert (res["n_resources"][in_round] == n_res).all()
    assert np.isfinite(res["mean_test_score"]).all()
    # The winner is the one candidate of the last round.
    assert res["iter"][search.best_index_] == search.n_iterations_ - 1
    if isinstance(search, HalvingGridSearchCV):
        settings = {k: v for k, v in search.best_params_.items() if k in grid}
        assert settings in list(ParameterGrid(grid))


TEXT_GRID = {"embedding_dim": [8, 16], "lr": [3e-3, 3e-2]}
TEXT_DISTRIBUTIONS = {
    "embedding_dim": [8, 16],
    "lr": Real(3e-3, 3e-2, prior="log-uniform"),
}


@pytest.mark.parametrize("search_cls", HALVING)
def test_text_classifier_over_n_samples(search_cls, topic_texts):
    (X, y), (X_test, y_test) = topic_texts  # 240 balanced training texts
    search = _halve(
        search_cls,
        small_text(max_epochs=6),
        TEXT_GRID,
        TEXT_DISTRIBUTIONS,
        cv=3,
        min_resources=60,
    ).fit(X, y)
    _check_schedule(search, [60, 120, 240], TEXT_GRID)
    assert search.predict(X_test).shape == (len(X_test),)
    assert search.score(X_test, y_test) > 0.9  # chance is 1/3


@pytest.mark.parametrize("search_cls", HALVING)
def test_text_classifier_over_max_epochs(search_cls, topic_texts):
    (X, y), (X_test, y_test) = topic_texts
    search = _halve(
        search_cls,
        small_text(),
        TEXT_GRID,
        TEXT_DISTRIBUTIONS,
        cv=2,
        resource="max_epochs",
        min_resources=2,
        max_resources=8,
    ).fit(X[:120], y[:120])
    _check_schedule(search, [2, 4, 8], TEXT_GRID)
    res = search.cv_results_
    np.testing.assert_array_equal(
        [p["max_epochs"] for p in res["params"]], res["n_resources"]
    )
    # The refitted winner trained for as many epochs as its last round gave.
    assert search.best_params_["max_epochs"] == 8
    assert search.best_estimator_.n_iter_ == 8
    assert search.score(X_test, y_test) > 0.85  # chance is 1/3


def test_mlp_regressor_over_n_samples():
    X, y = linear_regression_data(n=300)
    grid = {"hidden_layer_sizes": [(8,), (32,)], "lr": [1e-3, 1e-2]}
    search = _halve(
        HalvingGridSearchCV, small_reg(max_epochs=10), grid, None, cv=3
    ).fit(X[:240], y[:240])
    # min_resources="exhaust": 240 / 2**2 samples first, all 240 in round 3.
    _check_schedule(search, [60, 120, 240], grid)
    assert search.predict(X[240:]).shape == (60,)
    assert search.score(X[240:], y[240:]) > 0.9  # the mean predictor scores ~0


def test_mlp_regressor_over_max_epochs():
    X, y = linear_regression_data(n=300)
    search = _halve(
        HalvingRandomSearchCV,
        small_reg(),
        None,
        {"lr": Real(1e-3, 3e-2, prior="log-uniform"), "weight_decay": [0.0, 1e-4]},
        cv=3,
        resource="max_epochs",
        min_resources=5,
        max_resources=20,
    ).fit(X[:240], y[:240])
    _check_schedule(search, [5, 10, 20])
    assert search.best_estimator_.n_iter_ == 20
    assert search.score(X[240:], y[240:]) > 0.9


@pytest.mark.parametrize(
    "estimator_params, search_params, n_resources",
    [
        ({"max_epochs": 3}, {}, [120, 240]),
        ({}, {"resource": "max_epochs", "max_resources": 4}, [2, 4]),
    ],
    ids=["n_samples", "max_epochs"],
)
def test_transformer_classifier(
    tiny_transformer, topic_texts, estimator_params, search_params, n_resources
):
    from .test_transformers import small_tf

    (X, y), (X_test, y_test) = topic_texts
    grid = {"lr": [2e-4, 3e-3]}
    search = HalvingGridSearchCV(
        small_tf(tiny_transformer, **estimator_params),
        grid,
        factor=2,
        cv=2,
        **search_params,
    ).fit(X, y)
    # min_resources="exhaust": half the resource first, all of it in round 2.
    assert search.n_resources_ == n_resources
    assert search.n_candidates_ == [2, 1]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["lr"] in grid["lr"]
    epochs = {**estimator_params, **search.best_params_}["max_epochs"]
    assert search.best_estimator_.n_iter_ == epochs
    assert search.predict(X_test).shape == (len(X_test),)
    assert search.score(X_test, y_test) > 0.5  # chance is 1/3
