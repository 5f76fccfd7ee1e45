import pickle

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

import torch  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skhp.neural import MLPClassifier, MLPRegressor  # noqa: E402


def small_clf(**params):
    defaults = dict(
        hidden_layer_sizes=(32,), max_epochs=4, lr=1e-2, random_state=0, verbose=0
    )
    return MLPClassifier(**{**defaults, **params})


def small_reg(**params):
    defaults = dict(
        hidden_layer_sizes=(32,), max_epochs=20, lr=1e-2, random_state=0, verbose=0
    )
    return MLPRegressor(**{**defaults, **params})


def linear_regression_data(n=300, n_targets=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5))
    coef = rng.normal(size=(5, n_targets))
    y = X @ coef + 0.05 * rng.normal(size=(n, n_targets))
    return X, (y.ravel() if n_targets == 1 else y)


def test_fit_predict_digits(digits):
    X, y = digits
    clf = small_clf().fit(X[:1200], y[:1200])
    assert clf.score(X[1200:], y[1200:]) > 0.85
    proba = clf.predict_proba(X[1200:])
    assert proba.shape == (len(X) - 1200, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(clf.classes_, np.arange(10))
    assert clf.n_features_in_ == 64
    assert clf.n_iter_ == 4 and len(clf.loss_curve_) == 4
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_grid_search_over_plain_and_module_params(digits):
    X, y = digits
    search = GridSearchCV(
        small_clf(max_epochs=3),
        {"lr": [1e-4, 1e-2], "module__dropout": [0.0, 0.3]},
        cv=3,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    # lr=1e-4 for 3 epochs barely trains; the search must see the difference.
    assert search.best_params_["lr"] == 1e-2
    dropouts = [
        m.p
        for m in search.best_estimator_.net_.module_.modules()
        if isinstance(m, torch.nn.Dropout)
    ]
    expected = search.best_params_["module__dropout"]
    assert dropouts == ([pytest.approx(expected)] if expected else [])


def test_randomized_search_with_skhp_dimensions(digits):
    from skhp import Categorical, Integer, Real

    X, y = digits
    search = RandomizedSearchCV(
        small_clf(max_epochs=2),
        {
            "lr": Real(1e-3, 3e-2, prior="log-uniform"),
            "width": Integer(8, 48),
            "optimizer": Categorical(["adam", "sgd"]),
            "batch_size": Categorical([32, 128]),
        },
        n_iter=4,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    best = search.best_estimator_
    width = best.get_params()["width"]
    assert best.net_.module_.layers[0].out_features == width


def test_bayes_search(digits):
    from skhp import BayesSearchCV, Categorical, Integer, Real

    X, y = digits
    search = BayesSearchCV(
        small_clf(max_epochs=2),
        {
            "lr": Real(1e-3, 3e-2, prior="log-uniform"),
            "depth": Integer(1, 2),
            "activation": Categorical(["relu", "tanh"]),
            "label_smoothing": Real(0.0, 0.2),
        },
        n_iter=5,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 5
    assert search.best_score_ > 0.8
    n_linear = sum(
        isinstance(m, torch.nn.Linear)
        for m in search.best_estimator_.net_.module_.modules()
    )
    assert n_linear == search.best_params_["depth"] + 1


def test_pipeline_with_scaler_and_string_labels(digits):
    X, y = digits
    names = np.array(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
        ],
        dtype=object,
    )
    labels = names[y]
    pipe = make_pipeline(StandardScaler(), small_clf())
    search = GridSearchCV(pipe, {"mlpclassifier__batch_size": [32, 64]}, cv=2)
    search.fit(X * 16, labels)
    pred = search.predict(X[:50] * 16)
    assert set(pred) <= set(names)
    assert search.score(X * 16, labels) > 0.85
    np.testing.assert_array_equal(search.best_estimator_[-1].classes_, np.sort(names))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
def test_any_numeric_dtype(digits, dtype):
    X, y = digits
    clf = small_clf(max_epochs=1).fit((X * 16).astype(dtype), y)
    assert clf.predict((X[:5] * 16).astype(dtype)).shape == (5,)


def test_dataframe_input_keeps_feature_names(digits):
    pd = pytest.importorskip("pandas")
    X, y = digits
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    clf = small_clf(max_epochs=1).fit(df, pd.Series(y))
    assert list(clf.feature_names_in_) == list(df.columns)
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X[:3])


def test_pickle_and_clone_fitted(digits):
    X, y = digits
    clf = small_clf(module__batch_norm=True, optimizer__amsgrad=True).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    fresh = clone(clf)
    assert fresh.get_params()["module__batch_norm"] is True
    assert fresh.get_params()["optimizer__amsgrad"] is True
    assert not hasattr(fresh, "net_")
    assert clf.net_.optimizer_.param_groups[0]["amsgrad"] is True


def test_random_state_reproducible_and_global_rng_untouched(digits):
    X, y = digits
    before = torch.random.get_rng_state()
    a = small_clf(max_epochs=2, module__dropout=0.2).fit(X, y).predict_proba(X)
    b = small_clf(max_epochs=2, module__dropout=0.2).fit(X, y).predict_proba(X)
    c = small_clf(max_epochs=2, module__dropout=0.2, random_state=1).fit(X, y)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c.predict_proba(X))
    assert torch.equal(before, torch.random.get_rng_state())


@pytest.mark.parametrize(
    "params, sizes",
    [
        ({"hidden_layer_sizes": (16, 8)}, (16, 8)),
        ({"hidden_layer_sizes": 12}, (12,)),
        ({"hidden_layer_sizes": (16, 8), "width": 5}, (5, 5)),
        ({"hidden_layer_sizes": (16, 8), "depth": 3}, (16, 16, 16)),
        ({"width": 6, "depth": 2}, (6, 6)),
        ({"depth": 0}, ()),
        ({"module__hidden_layer_sizes": (7,)}, (7,)),
        ({"module__width": 4, "module__depth": 3}, (4, 4, 4)),
    ],
)
def test_layer_sizes(digits, params, sizes):
    X, y = digits
    clf = MLPClassifier(max_epochs=1, verbose=0, **params).fit(X[:100], y[:100])
    linears = [m for m in clf.net_.module_.modules() if isinstance(m, torch.nn.Linear)]
    assert tuple(m.out_features for m in linears[:-1]) == sizes


@pytest.mark.parametrize("activation", ["tanh", "logistic", "gelu", "identity"])
def test_activation_and_batch_norm_in_module(digits, activation):
    from skhp.neural.modules import ACTIVATIONS

    X, y = digits
    clf = small_clf(max_epochs=1, activation=activation, batch_norm=True).fit(X, y)
    kinds = [type(m) for m in clf.net_.module_.layers]
    assert ACTIVATIONS[activation] in kinds
    assert torch.nn.BatchNorm1d in kinds


def test_activation_names_match_modules():
    from skhp.neural.estimators import ACTIVATION_NAMES
    from skhp.neural.modules import ACTIVATIONS

    assert set(ACTIVATION_NAMES) == set(ACTIVATIONS)


@pytest.mark.parametrize(
    "optimizer, momentum, key, expected",
    [
        ("sgd", None, "momentum", 0.9),
        ("SGD", 0.5, "momentum", 0.5),
        ("adam", 0.8, "betas", (0.8, 0.999)),
        ("adamw", None, "betas", (0.9, 0.999)),
        ("rmsprop", 0.3, "momentum", 0.3),
        (torch.optim.Adagrad, None, "lr", 0.01),
    ],
)
def test_optimizer_settings(digits, optimizer, momentum, key, expected):
    X, y = digits
    clf = small_clf(
        max_epochs=1, optimizer=optimizer, momentum=momentum, weight_decay=1e-4
    )
    clf.fit(X[:200], y[:200])
    group = clf.net_.optimizer_.param_groups[0]
    assert group[key] == pytest.approx(expected)
    assert group["weight_decay"] == pytest.approx(1e-4)


def test_criterion_settings(digits):
    X, y = digits
    clf = small_clf(max_epochs=1, label_smoothing=0.1, class_weight="balanced")
    clf.fit(X[:300], y[:300])
    criterion = clf.net_.criterion_
    assert isinstance(criterion, torch.nn.CrossEntropyLoss)
    assert criterion.label_smoothing == pytest.approx(0.1)
    counts = np.bincount(y[:300])
    expected = 300 / (10 * counts)
    np.testing.assert_allclose(criterion.weight.numpy(), expected, rtol=1e-5)


def test_class_weight_dict_uses_original_labels(digits):
    X, y = digits
    labels = np.where(y[:300] < 5, "low", "high")
    clf = small_clf(max_epochs=1, class_weight={"low": 3.0}).fit(X[:300], labels)
    # classes_ is sorted: ["high", "low"]; unlisted labels weigh 1.
    np.testing.assert_allclose(clf.net_.criterion_.weight.numpy(), [1.0, 3.0])


def test_lr_schedule_changes_learning_rate(digits):
    X, y = digits
    clf = small_clf(
        max_epochs=4,
        lr_schedule="step",
        lr_scheduler__step_size=1,
        lr_scheduler__gamma=0.5,
    ).fit(X[:200], y[:200])
    lrs = clf.net_.history[:, "event_lr"]
    np.testing.assert_allclose(lrs, [1e-2, 5e-3, 2.5e-3, 1.25e-3])


def test_early_stopping_stops_on_noise():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 20))
    y = rng.randint(0, 2, size=300)  # pure noise: validation loss cannot improve
    clf = MLPClassifier(
        hidden_layer_sizes=(256,),
        max_epochs=60,
        lr=1e-2,
        patience=3,
        random_state=0,
        verbose=0,
    ).fit(X, y)
    assert clf.n_iter_ < 60
    assert len(clf.validation_loss_curve_) == clf.n_iter_


def test_verbose_auto_prints_alone_and_is_quiet_in_search(digits, capsys):
    X, y = digits
    MLPClassifier(hidden_layer_sizes=(8,), max_epochs=2).fit(X[:100], y[:100])
    assert "train_loss" in capsys.readouterr().out
    GridSearchCV(
        MLPClassifier(hidden_layer_sizes=(8,), max_epochs=2), {"lr": [1e-3]}, cv=2
    ).fit(X[:100], y[:100])
    cross_val_score(
        MLPClassifier(hidden_layer_sizes=(8,), max_epochs=2), X[:100], y[:100], cv=2
    )
    out = capsys.readouterr().out
    # The refit of the best candidate is part of the search: quiet too.
    assert "train_loss" not in out
    from skhp import BayesSearchCV, Real

    BayesSearchCV(
        MLPClassifier(hidden_layer_sizes=(8,), max_epochs=2),
        {"lr": Real(1e-3, 1e-2)},
        n_iter=2,
        cv=2,
        refit=False,
    ).fit(X[:100], y[:100])
    assert "train_loss" not in capsys.readouterr().out


def test_regressor_single_and_multi_output():
    X, y = linear_regression_data()
    reg = small_reg().fit(X[:200], y[:200])
    assert reg.predict(X[200:]).shape == (100,)
    assert reg.score(X[200:], y[200:]) > 0.9
    X, Y = linear_regression_data(n_targets=3)
    reg = small_reg().fit(X[:200], Y[:200])
    assert reg.predict(X[200:]).shape == (100, 3)
    assert reg.n_outputs_ == 3
    assert reg.score(X[200:], Y[200:]) > 0.8


@pytest.mark.parametrize(
    "criterion, loss_class",
    [
        ("mse", "MSELoss"),
        ("huber", "HuberLoss"),
        ("absolute_error", "L1Loss"),
        ("smooth_l1", "SmoothL1Loss"),
    ],
)
def test_regression_criteria(criterion, loss_class):
    X, y = linear_regression_data(n=100)
    reg = small_reg(max_epochs=2, criterion=criterion).fit(X, y)
    assert type(reg.net_.criterion_).__name__ == loss_class


def test_regressor_grid_search_over_criterion_params():
    X, y = linear_regression_data(n=150)
    search = GridSearchCV(
        small_reg(max_epochs=5, criterion="huber"),
        {"criterion__delta": [0.5, 2.0], "weight_decay": [0.0, 1e-3]},
        cv=2,
    ).fit(X, y)
    assert (
        search.best_estimator_.net_.criterion_.delta
        == search.best_params_["criterion__delta"]
    )


# --- errors -----------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_X_raises(digits, bad):
    X, y = digits
    X = X[:50].copy()
    X[3, 4] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        small_clf().fit(X, y[:50])


def test_wrong_shapes_raise(digits):
    X, y = digits
    with pytest.raises(ValueError, match="Expected 2D array"):
        small_clf().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        small_clf().fit(X[:50], y[:40])
    clf = small_clf(max_epochs=1).fit(X[:50], y[:50])
    with pytest.raises(
        ValueError, match="X has 3 features, but MLPClassifier is expecting 64 features"
    ):
        clf.predict(X[:5, :3])


def test_single_class_raises(digits):
    X, _ = digits
    with pytest.raises(
        ValueError, match="at least 2 classes; y has 1 class: \\['a'\\]"
    ):
        small_clf().fit(X[:20], ["a"] * 20)


def test_unseen_labels_at_score_raise(digits):
    X, y = digits
    clf = small_clf(max_epochs=1).fit(X[:100], np.where(y[:100] < 5, "low", "high"))
    with pytest.raises(ValueError, match="labels not seen during fit: \\['mid'\\]"):
        clf.score(X[:3], ["low", "mid", "high"])


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"optimizer": "adamm"},
            "optimizer='adamm' is not supported; use one of "
            "'sgd', 'adam', 'adamw', 'rmsprop' or a torch.optim.Optimizer subclass",
        ),
        ({"optimizer": dict}, "optimizer=<class 'dict'> is not supported"),
        (
            {"criterion": "mse"},
            "criterion='mse' is not supported by MLPClassifier; use 'cross_entropy'",
        ),
        (
            {"lr_schedule": "cosin"},
            "The 'lr_schedule' parameter of MLPClassifier must be",
        ),
        ({"lr": -1.0}, "The 'lr' parameter of MLPClassifier must be"),
        ({"activation": "relu6"}, "The 'activation' parameter"),
        ({"module__activation": "relu6"}, "The 'activation' parameter"),
        ({"module__foo": 1}, "module__foo is not a setting of the MLP module"),
        ({"module__n_features": 3}, "module__n_features is set from the training"),
        (
            {"dropout": 0.2, "module__dropout": 0.3},
            "module__dropout=0.3 conflicts with dropout=0.2; set only one of them",
        ),
        ({"foo__bar": 1}, "unknown prefix 'foo'"),
        ({"hidden_layer_sizes": (8, 0)}, "must contain positive integers"),
        (
            {"momentum": 0.5, "optimizer": torch.optim.Adagrad},
            "Adagrad takes no momentum",
        ),
        (
            {"lr_scheduler__gamma": 0.5},
            "lr_scheduler__\\* parameters were given but lr_schedule=None",
        ),
        (
            {"device": "cuda:0"}
            if not torch.cuda.is_available()
            else {"device": "tpu"},
            "device=",
        ),
    ],
)
def test_bad_parameters_raise_clear_errors(digits, params, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        small_clf(**params).fit(X[:50], y[:50])


def test_regressor_unknown_criterion_lists_names():
    X, y = linear_regression_data(n=30)
    with pytest.raises(
        ValueError,
        match="criterion='hubber' is not supported by "
        "MLPRegressor; use one of 'mse', 'squared_error', 'huber'",
    ):
        small_reg(criterion="hubber").fit(X, y)


def test_unknown_keyword_raises_at_fit(digits):
    X, y = digits
    clf = MLPClassifier(epochs=3)  # __init__ only stores, as sklearn requires
    with pytest.raises(
        ValueError, match="'epochs' is not a parameter of MLPClassifier"
    ):
        clf.fit(X[:20], y[:20])


def test_set_params_accepts_prefixed_names():
    clf = MLPClassifier().set_params(module__dropout=0.5, lr=0.1)
    assert clf.get_params()["module__dropout"] == 0.5
    assert clf.lr == 0.1
    with pytest.raises(ValueError, match="Invalid parameter 'foo'"):
        clf.set_params(foo__bar=1)


def test_history_records_every_batch(digits):
    X, y = digits
    clf = small_clf(max_epochs=2, batch_size=100).fit(X[:250], y[:250])
    history = clf.net_.history
    assert history[:, "train_batch_count"] == [3, 3]
    assert history[-1, "batches", :, "train_batch_size"] == [100, 100, 50]
    losses = history[-1, "batches", :, "train_loss"]
    assert clf.loss_curve_[-1] == pytest.approx(
        np.average(losses, weights=[100, 100, 50])
    )


def test_closure_optimizer_lbfgs(digits):
    X, y = digits
    clf = small_clf(max_epochs=2, optimizer=torch.optim.LBFGS, lr=0.5, batch_size=512)
    clf.fit(X[:500], y[:500])
    assert clf.score(X[:500], y[:500]) > 0.8
