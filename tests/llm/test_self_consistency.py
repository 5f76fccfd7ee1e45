"""Self-consistency (``n_samples``): k sampled answers vote, on the tiny GPT-2."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skhp.llm import LLMClassifier, get_cache, mean_new_tokens
from skhp.llm.registry import get_backend

pytestmark = pytest.mark.slow  # the session fixture trains a model (~20 s)


@pytest.fixture
def counted_generate(tiny_model_dir):
    """Records the number of prompts and ``n_samples`` of every backend call."""
    backend = get_backend("transformers", tiny_model_dir, dtype="auto", device="auto")
    calls = []
    original = backend.generate

    def counting(rendered, **kw):
        calls.append((len(rendered), kw.get("n_samples", 1)))
        return original(rendered, **kw)

    backend.generate = counting
    yield calls
    del backend.generate


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_majority_of_five_beats_one_sample(tiny_model_dir, toy_classification, seed):
    # At temperature 2 one sample is right about 65% of the time (8 seeds:
    # 0.58-0.71) and the majority of 5 about 96% (0.92-0.98).
    X, y = toy_classification
    params = dict(temperature=2.0, random_state=seed)
    one = LLMClassifier(tiny_model_dir, **params).fit(X, y).score(X, y)
    five = LLMClassifier(tiny_model_dir, n_samples=5, **params).fit(X, y).score(X, y)
    assert five >= one + 0.15
    assert five >= 0.85


def test_samples_come_from_one_batched_call_and_the_cache(
    tiny_model_dir, toy_classification, counted_generate
):
    X, y = toy_classification
    get_cache(True).clear()
    est = LLMClassifier(
        tiny_model_dir, temperature=1.5, n_samples=5, random_state=0, batch_size=64
    ).fit(X, y)
    texts = est.generate(X)
    assert texts.shape == (len(X), 5)
    assert counted_generate == [(len(set(X)), 5)]
    again = clone(est).fit(X, y).generate(X)
    assert counted_generate == [(len(set(X)), 5)]  # all from the cache
    np.testing.assert_array_equal(again, texts)


def test_first_sample_is_the_single_answer_and_samples_differ(
    tiny_model_dir, toy_classification
):
    X, y = toy_classification
    params = dict(temperature=1.5, random_state=4, cache=False)
    one = LLMClassifier(tiny_model_dir, **params).fit(X, y).generate(X)
    many = LLMClassifier(tiny_model_dir, n_samples=4, **params).fit(X, y).generate(X)
    np.testing.assert_array_equal(many[:, 0], one)
    assert (many[:, 1:] != many[:, :1]).any()


def test_samples_do_not_depend_on_the_batch(tiny_model_dir, toy_classification):
    X, y = toy_classification
    params = dict(temperature=1.3, n_samples=3, random_state=5, cache=False)
    one = LLMClassifier(tiny_model_dir, batch_size=1, **params).fit(X, y)
    many = LLMClassifier(tiny_model_dir, batch_size=16, **params).fit(X, y)
    np.testing.assert_array_equal(one.generate(X), many.generate(X))


def test_new_tokens_count_every_sample(tiny_model_dir, toy_classification):
    X, y = toy_classification
    params = dict(temperature=1.5, random_state=0, max_new_tokens=4)
    one = LLMClassifier(tiny_model_dir, **params).fit(X, y)
    five = LLMClassifier(tiny_model_dir, n_samples=5, **params).fit(X, y)
    backend = one._get_backend()
    rendered = five._render(backend, X)
    seeds, _ = five._seeds(rendered)
    flat = backend.generate(
        rendered,
        max_new_tokens=4,
        temperature=1.5,
        top_p=1.0,
        top_k=None,
        seeds=seeds,
        stop=None,
        batch_size=8,
        n_samples=5,
    )
    expected = sum(n for _, n in flat) / len(X)
    assert mean_new_tokens(five, X) == pytest.approx(expected)
    assert mean_new_tokens(five, X) > 3 * mean_new_tokens(one, X)


def test_greedy_generates_one_answer_whatever_n_samples(
    tiny_model_dir, toy_classification, counted_generate
):
    X, y = toy_classification
    get_cache(True).clear()
    one = LLMClassifier(tiny_model_dir).fit(X, y)
    five = LLMClassifier(tiny_model_dir, n_samples=5).fit(X, y)
    np.testing.assert_array_equal(five.predict(X), one.predict(X))
    assert mean_new_tokens(five, X) == mean_new_tokens(one, X)
    texts = five.generate(X)
    assert texts.shape == (len(X), 5)
    assert (texts == texts[:, :1]).all()
    assert counted_generate == [(len(set(X)), 1)]  # one generation, then cached
    proba = five.predict_proba(X)
    assert set(np.unique(proba)) <= {0.0, 1.0}


def test_vote_shares_and_tie_rule(tiny_model_dir, toy_classification, monkeypatch):
    X, y = toy_classification
    est = LLMClassifier(tiny_model_dir, temperature=1.0, n_samples=5).fit(X[:6], y[:6])
    answers = [
        # 2 animal, 2 fruit, 1 unparsable: a tie, won by the first class.
        [("fruit", 1), ("animal", 1), ("??", 1), ("fruit", 1), ("animal", 1)],
        [("color", 1), ("a color", 2), ("fruit", 1), ("color!", 1), ("x", 1)],
        [("nothing", 1)] * 5,
    ]
    monkeypatch.setattr(est, "_outputs", lambda X: answers)
    assert list(est.classes_) == ["animal", "color", "fruit"]
    pred = est.predict(["a", "b", "c"])
    assert list(pred) == ["animal", "color", est.invalid_label_]
    proba = est.predict_proba(["a", "b", "c"])
    np.testing.assert_allclose(proba[0], [0.5, 0.0, 0.5])
    np.testing.assert_allclose(proba[1], [0.0, 0.75, 0.25])
    np.testing.assert_allclose(proba[2], [1 / 3] * 3)
    assert est._invalid_share(answers) == pytest.approx(1 / 3)


def test_predict_proba_is_the_vote_and_agrees_with_predict(
    tiny_model_dir, toy_classification
):
    X, y = toy_classification
    est = LLMClassifier(tiny_model_dir, temperature=2.0, n_samples=5, random_state=1)
    est.fit(X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    valid = est.predict(X) != est.invalid_label_
    np.testing.assert_array_equal(
        est.classes_[proba.argmax(1)][valid], est.predict(X)[valid]
    )
    assert ((proba > 0) & (proba < 1)).any()  # the samples do disagree
    single = LLMClassifier(tiny_model_dir, temperature=2.0).fit(X, y)
    assert not hasattr(single, "predict_proba")
    with pytest.raises(AttributeError) as info:
        single.predict_proba(X)
    assert "n_samples > 1" in str(info.value.__cause__)


def test_clone_pickle_and_params_round_trip(tiny_model_dir, toy_classification):
    X, y = toy_classification
    est = LLMClassifier(
        tiny_model_dir,
        temperature=1.2,
        n_samples=3,
        n_examples=2,
        example_selection="nearest",
        random_state=0,
    )
    params = est.get_params()
    assert params["n_samples"] == 3 and params["example_selection"] == "nearest"
    assert clone(est).get_params() == params
    est.fit(X, y)
    back = pickle.loads(pickle.dumps(est))
    assert back.get_params() == params
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    np.testing.assert_allclose(back.predict_proba(X), est.predict_proba(X))
    assert LLMClassifier(tiny_model_dir).set_params(**params).get_params() == params


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_samples": 0}, "'n_samples' parameter"),
        ({"n_samples": 2.5}, "'n_samples' parameter"),
        ({"example_selection": "knn"}, "'example_selection' parameter"),
    ],
)
def test_new_parameters_are_validated(toy_classification, params, match):
    X, y = toy_classification
    with pytest.raises(ValueError, match=match):
        LLMClassifier(**params).fit(X, y)
