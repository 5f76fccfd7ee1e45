import pickle

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from skhp.neural import TextClassifier  # noqa: E402


def strip_punctuation(texts):
    return [text.replace(".", " ").replace(",", " ") for text in texts]


def small_text(**params):
    defaults = dict(
        embedding_dim=16,
        hidden_size=16,
        max_epochs=8,
        lr=2e-2,
        random_state=0,
        verbose=0,
    )
    return TextClassifier(**{**defaults, **params})


@pytest.mark.parametrize("model", ["embedding_bag", "cnn", "gru"])
def test_each_model_learns_topics(topic_texts, model):
    (X, y), (X_test, y_test) = topic_texts
    clf = small_text(model=model).fit(X, y)
    assert clf.score(X_test, y_test) > 0.9
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 3)
    np.testing.assert_array_equal(clf.classes_, ["computing", "cooking", "sports"])
    assert set(clf.predict(X_test)) <= set(clf.classes_)


def test_unknown_words_and_empty_text_predict(topic_texts):
    (X, y), _ = topic_texts
    clf = small_text().fit(X, y)
    pred = clf.predict(["zzz qqq unknownword", "", "python server kernel"])
    assert pred.shape == (3,)
    assert pred[2] == "computing"


def test_in_pipeline_with_grid_search(topic_texts):
    (X, y), (X_test, y_test) = topic_texts
    pipe = make_pipeline(FunctionTransformer(strip_punctuation), small_text())
    search = GridSearchCV(
        pipe,
        {
            "textclassifier__model": ["embedding_bag", "cnn"],
            "textclassifier__ngram_range": [(1, 1), (1, 2)],
        },
        cv=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.score(X_test, y_test) > 0.9


def test_randomized_search_over_module_params(topic_texts):
    from skhp import Categorical, Integer, Real

    (X, y), _ = topic_texts
    search = RandomizedSearchCV(
        small_text(model="cnn", max_epochs=3),
        {
            "lr": Real(5e-3, 5e-2, prior="log-uniform"),
            "embedding_dim": Integer(8, 24),
            "module__kernel_size": Categorical([3, 5]),
        },
        n_iter=3,
        cv=2,
        random_state=0,
    ).fit(X, y)
    best = search.best_estimator_
    assert best.net_.module_.conv.kernel_size == (
        best.get_params()["module__kernel_size"],
    )
    assert best.net_.module_.embedding.embedding_dim == best.embedding_dim


def test_bayes_search(topic_texts):
    from skhp import BayesSearchCV, Categorical, Real

    (X, y), _ = topic_texts
    search = BayesSearchCV(
        small_text(max_epochs=6),
        {
            "lr": Real(5e-3, 5e-2, prior="log-uniform"),
            "dropout": Real(0.0, 0.5),
            "model": Categorical(["embedding_bag", "cnn"]),
        },
        n_iter=4,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_score_ > 0.8


def test_vocabulary_settings(topic_texts):
    (X, y), _ = topic_texts
    clf = small_text(max_epochs=1, max_features=10, ngram_range=(1, 2)).fit(X, y)
    assert len(clf.vectorizer_.vocabulary_) == 10
    assert clf.net_.module_.embedding.num_embeddings == 12  # + padding + unknown
    clf = small_text(max_epochs=1, max_length=3).fit(X, y)
    assert clf._encode_texts(X).shape[1] == 3


def test_pandas_inputs_and_pickle(topic_texts):
    pd = pytest.importorskip("pandas")
    (X, y), (X_test, _) = topic_texts
    clf = small_text(max_epochs=2).fit(pd.Series(X), pd.Series(y))
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.predict_proba(pd.DataFrame({"text": X_test})),
        clf.predict_proba(X_test),
    )
    assert clone(clf).get_params() == clf.get_params()


@pytest.mark.parametrize(
    "X, match",
    [
        ("a single text", "got a single string; wrap it in a list"),
        (["fine", None, "fine"], "X\\[1\\] is None of type NoneType"),
        (np.array([["a", "b"], ["c", "d"], ["e", "f"]]), "shape \\(3, 2\\)"),
    ],
)
def test_bad_text_input(X, match):
    with pytest.raises(ValueError, match=match):
        small_text().fit(
            X, ["x", "y", "x"][: len(X)] if not isinstance(X, str) else ["x"]
        )


def test_dataframe_with_two_columns_raises():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": ["x", "y"], "b": ["z", "w"]})
    with pytest.raises(ValueError, match="one text column, got a DataFrame with 2"):
        small_text().fit(df, [0, 1])


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"module__kernel": 3},
            "module__kernel is not a setting of any TextClassifier",
        ),
        ({"ngram_range": (2, 1)}, "ngram_range=\\(2, 1\\) must be a tuple"),
        ({"model": "lstm"}, "The 'model' parameter of TextClassifier must be"),
        ({"optimizer": "adamm"}, "optimizer='adamm' is not supported"),
    ],
)
def test_bad_parameters(topic_texts, params, match):
    (X, y), _ = topic_texts
    with pytest.raises(ValueError, match=match):
        small_text(**params).fit(X, y)


def test_single_class_and_unseen_labels(topic_texts):
    (X, y), _ = topic_texts
    with pytest.raises(ValueError, match="at least 2 classes"):
        small_text().fit(X[:5], ["sports"] * 5)
    clf = small_text(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="labels not seen during fit: \\['music'\\]"):
        clf.score(X[:2], ["music", "sports"])
