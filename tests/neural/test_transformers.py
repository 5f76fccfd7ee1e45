import pickle
import sys

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")
pytest.importorskip("transformers")

from sklearn.model_selection import GridSearchCV  # noqa: E402

from skhp.neural import TransformerClassifier  # noqa: E402


def small_tf(path, **params):
    defaults = dict(
        max_epochs=4, batch_size=16, lr=2e-3, max_length=32, random_state=0, verbose=0
    )
    return TransformerClassifier(path, **{**defaults, **params})


def trainable_params(estimator, X, y):
    """A "scorer" that reports the fitted estimator's trainable parameters."""
    return estimator.n_trainable_params_


def test_fine_tune_learns_topics(tiny_transformer, topic_texts):
    (X, y), (X_test, y_test) = topic_texts
    clf = small_tf(tiny_transformer).fit(X, y)
    assert clf.score(X_test, y_test) > 0.6  # chance is 1/3
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(clf.classes_, ["computing", "cooking", "sports"])
    assert clf.n_trainable_params_ == clf.n_params_


def test_lora_is_a_hyperparameter_in_grid_search(tiny_transformer, topic_texts):
    pytest.importorskip("peft")
    (X, y), _ = topic_texts
    search = GridSearchCV(
        small_tf(tiny_transformer, max_epochs=1),
        [{"lora": [False]}, {"lora": [True], "lora_r": [2, 8], "lr": [1e-2]}],
        scoring={"accuracy": "accuracy", "trainable": trainable_params},
        refit="accuracy",
        cv=2,
    ).fit(X, y)
    results = search.cv_results_
    trainable = dict(
        zip(
            [(p["lora"], p.get("lora_r")) for p in results["params"]],
            results["mean_test_trainable"],
        )
    )
    full = trainable[(False, None)]
    assert trainable[(True, 2)] < trainable[(True, 8)] < full / 2
    # LoRA on query and value of 2 layers (hidden 32): r*(32+32) each, plus the
    # classification head (32*3 + 3) which peft keeps trainable.
    assert trainable[(True, 2)] == 2 * 2 * 2 * (32 + 32) + 99
    assert np.all(np.isfinite(results["mean_test_accuracy"]))


def test_freeze_base_trains_only_the_head(tiny_transformer, topic_texts):
    (X, y), _ = topic_texts
    clf = small_tf(tiny_transformer, max_epochs=1, freeze_base=True).fit(X, y)
    assert clf.n_trainable_params_ == 32 * 3 + 3
    base = clf.net_.module_.model.bert.embeddings.word_embeddings.weight
    assert not base.requires_grad


def test_lora_without_peft_raises(tiny_transformer, topic_texts, monkeypatch):
    (X, y), _ = topic_texts
    monkeypatch.setitem(sys.modules, "peft", None)  # import peft now fails
    with pytest.raises(ImportError, match='pip install "skhp\\[hf\\]"'):
        small_tf(tiny_transformer, lora=True).fit(X, y)


def test_gradient_accumulation_matches_larger_batch(tiny_transformer, topic_texts):
    (X, y), _ = topic_texts
    X, y = X[:64], y[:64]
    common = dict(
        max_epochs=2,
        optimizer="sgd",
        momentum=0.0,
        lr=0.5,
        iterator_train__shuffle=False,
    )
    big = small_tf(tiny_transformer, batch_size=16, **common).fit(X, y)
    accumulated = small_tf(
        tiny_transformer, batch_size=8, gradient_accumulation_steps=2, **common
    ).fit(X, y)
    small = small_tf(tiny_transformer, batch_size=8, **common).fit(X, y)
    np.testing.assert_allclose(
        accumulated.predict_proba(X), big.predict_proba(X), atol=1e-5
    )
    assert not np.allclose(small.predict_proba(X), big.predict_proba(X), atol=1e-5)


def test_max_length_truncates(tiny_transformer, topic_texts):
    (X, y), _ = topic_texts
    clf = small_tf(tiny_transformer, max_epochs=1, max_length=6).fit(X, y)
    encoded = clf._tokenize(X)
    assert encoded["input_ids"].shape == (len(X), 6)
    assert encoded["attention_mask"].shape == (len(X), 6)


def test_pickle_roundtrip(tiny_transformer, topic_texts):
    (X, y), (X_test, _) = topic_texts
    clf = small_tf(tiny_transformer, max_epochs=1).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.predict_proba(X_test), clf.predict_proba(X_test)
    )


@pytest.mark.parametrize(
    "params, match",
    [
        ({"module__lora_rank": 4}, "module__lora_rank is not a setting"),
        ({"lora_r": 0}, "The 'lora_r' parameter of TransformerClassifier must be"),
        ({"optimizer": "adamm"}, "optimizer='adamm' is not supported"),
        ({"module__n_outputs": 4}, "module__n_outputs is set from the training data"),
    ],
)
def test_bad_parameters(tiny_transformer, topic_texts, params, match):
    (X, y), _ = topic_texts
    with pytest.raises(ValueError, match=match):
        small_tf(tiny_transformer, **params).fit(X, y)


@pytest.mark.slow
def test_bayes_search_over_lora(tiny_transformer, topic_texts):
    pytest.importorskip("peft")
    from skhp import BayesSearchCV, Categorical, Integer, Real

    (X, y), _ = topic_texts
    search = BayesSearchCV(
        small_tf(tiny_transformer, max_epochs=1),
        {
            "lora": Categorical([False, True]),
            "lora_r": Integer(2, 8),
            "lr": Real(1e-3, 1e-2, prior="log-uniform"),
        },
        n_iter=3,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 3
    best = search.best_estimator_
    assert (best.n_trainable_params_ < best.n_params_) == best.lora
