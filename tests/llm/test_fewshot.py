"""Few-shot example selection: random, class-balanced, nearest (TF-IDF)."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skhp.llm import LLMClassifier
from skhp.llm.fewshot import balanced_examples, fit_nearest, nearest_examples

# Skewed classes: a random draw of 3-4 often misses "color" or "fruit".
SKEWED_X = [f"animal text {i}" for i in range(20)] + [
    "apple one",
    "pear two",
    "plum three",
    "red one",
    "blue two",
]
SKEWED_Y = ["animal"] * 20 + ["fruit"] * 3 + ["color"] * 2


@pytest.mark.parametrize("n_examples", [3, 4, 5, 7])
def test_balanced_never_leaves_a_class_out(n_examples):
    left_out_by_random = 0
    for seed in range(40):
        rng = np.random.RandomState(seed)
        picks = balanced_examples(SKEWED_Y, n_examples, rng)
        assert len(picks) == len(set(picks)) == n_examples
        labels = [SKEWED_Y[i] for i in picks]
        assert set(labels) == {"animal", "fruit", "color"}
        counts = [labels.count(c) for c in ("animal", "fruit", "color")]
        # As even as the class sizes allow (color has only 2 samples).
        assert max(counts) - min(counts) <= 1 or min(counts) == 2
        random_picks = np.random.RandomState(seed).choice(25, n_examples, False)
        left_out_by_random += len({SKEWED_Y[i] for i in random_picks}) < 3
    assert left_out_by_random > 0  # what "balanced" is for


def test_balanced_with_fewer_examples_than_classes_picks_distinct_classes():
    for seed in range(20):
        picks = balanced_examples(SKEWED_Y, 2, np.random.RandomState(seed))
        assert len({SKEWED_Y[i] for i in picks}) == 2


def test_balanced_fills_up_from_other_classes_when_one_is_small():
    y = ["a"] + ["b"] + ["c"] * 10
    picks = balanced_examples(y, 9, np.random.RandomState(0))
    labels = [y[i] for i in picks]
    assert len(set(picks)) == 9
    assert labels.count("a") == 1 and labels.count("b") == 1


def test_nearest_picks_the_most_similar_training_texts():
    pool_texts = [
        "the cat sat on the mat",
        "stocks fell on monday",
        "a cat and a dog",
        "rain is expected tomorrow",
        "markets and stocks rallied",
    ]
    labels = ["pets", "money", "pets", "weather", "money"]
    order, vectorizer = fit_nearest(pool_texts, np.random.RandomState(0))
    pool = [(pool_texts[i], labels[i]) for i in order]
    chosen = nearest_examples(vectorizer, pool, ["cat dog", "why stocks fell"], 2)
    # The most similar comes last, next to the query.
    assert chosen[0] == [
        ("the cat sat on the mat", "pets"),
        ("a cat and a dog", "pets"),
    ]
    assert chosen[1][-1] == ("stocks fell on monday", "money")
    assert chosen[1][0] == ("markets and stocks rallied", "money")


def test_nearest_ties_follow_the_random_state():
    texts = [f"word{i}" for i in range(10)]
    picks = []
    for seed in (0, 1):
        order, vec = fit_nearest(texts, np.random.RandomState(seed))
        pool = [(texts[i], "x") for i in order]
        picks.append(nearest_examples(vec, pool, ["nothing shared"], 3)[0])
    again = fit_nearest(texts, np.random.RandomState(0))
    pool = [(texts[i], "x") for i in again[0]]
    assert nearest_examples(again[1], pool, ["nothing shared"], 3)[0] == picks[0]
    assert picks[0] != picks[1]


def test_nearest_needs_words():
    with pytest.raises(ValueError, match="example_selection='nearest'"):
        fit_nearest(["!!", "??"], np.random.RandomState(0))


@pytest.mark.slow
def test_estimator_prompts_hold_each_texts_nearest_examples(tiny_model_dir):
    X = ["cat dog", "apple plum", "red blue", "cow goat", "mango lemon", "pink black"]
    y = ["animal", "fruit", "color"] * 2
    est = LLMClassifier(
        tiny_model_dir, n_examples=1, example_selection="nearest", random_state=0
    ).fit(X, y)
    backend = est._get_backend()
    rendered = est._render(backend, ["dog horse", "plum grape"])
    assert "Text: cat dog\nAnswer: animal\n" in rendered[0]
    assert "Text: apple plum\nAnswer: fruit\n" in rendered[1]
    assert len(est.examples_) == len(X)  # the pool is the training fold
    assert est.example_vectorizer_.vocabulary_  # fitted on it
    # Refit with another strategy drops the vectorizer.
    est.set_params(example_selection="random").fit(X, y)
    assert not hasattr(est, "example_vectorizer_") and len(est.examples_) == 1


@pytest.mark.slow
def test_examples_come_from_the_training_fold_only(tiny_model_dir):
    X = ["cat dog", "apple plum", "red blue", "cow goat", "mango lemon", "pink black"]
    y = ["animal", "fruit", "color"] * 2
    for selection in ("random", "balanced", "nearest"):
        est = LLMClassifier(
            tiny_model_dir, n_examples=2, example_selection=selection, random_state=1
        ).fit(X[:3], y[:3])
        rendered = est._render(est._get_backend(), X[3:])
        for prompt in rendered:
            block = prompt[: prompt.rindex("Text: ")]  # without the query
            shown = [x for x in X if f"Text: {x}\n" in block]
            assert len(shown) == 2 and set(shown) <= set(X[:3])


@pytest.mark.slow
def test_selection_is_reproducible_and_balanced_on_the_fixture(
    tiny_model_dir, toy_classification
):
    X, y = toy_classification
    a = LLMClassifier(tiny_model_dir, n_examples=3, example_selection="balanced")
    b = LLMClassifier(tiny_model_dir, n_examples=3, example_selection="balanced")
    a.set_params(random_state=3).fit(X, y)
    b.set_params(random_state=3).fit(X, y)
    assert a.examples_ == b.examples_
    assert sorted(label for _, label in a.examples_) == ["animal", "color", "fruit"]


@pytest.mark.slow
def test_search_over_selection_and_samples(tiny_model_dir, toy_classification):
    X, y = toy_classification
    search = GridSearchCV(
        LLMClassifier(tiny_model_dir, n_examples=3, temperature=1.5, random_state=0),
        {"example_selection": ["random", "balanced", "nearest"], "n_samples": [1, 3]},
        cv=StratifiedKFold(2),
        error_score="raise",
    )
    search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all() and scores.max() >= 0.8
