import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from skhp.linear import PENALTIES, SOLVER_PENALTIES, SOLVERS, LogisticRegression
from skhp.linear.logistic import sklearn_logistic_params


@pytest.fixture(scope="module")
def binary():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[:200], y[:200]


@pytest.fixture(scope="module")
def multiclass():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


def _params(penalty):
    return {"l1_ratio": 0.5} if penalty == "elasticnet" else {}


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("penalty", PENALTIES)
def test_solver_penalty_table_matches_the_installed_sklearn(binary, solver, penalty):
    # sklearn's own estimator, given the translated parameters, must accept
    # exactly the pairs the table allows, without a deprecation warning.
    X, y = binary
    sk = SkLogisticRegression(
        solver=solver,
        max_iter=50,
        **sklearn_logistic_params(penalty, 1.0, _params(penalty).get("l1_ratio")),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        warnings.simplefilter("error", DeprecationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        if penalty in SOLVER_PENALTIES[solver]:
            sk.fit(X, y)
            LogisticRegression(
                penalty, solver=solver, max_iter=50, **_params(penalty)
            ).fit(X, y)
        else:
            with pytest.raises(ValueError):
                sk.fit(X, y)
            with pytest.raises(
                ValueError, match=f"solver={solver!r} supports penalty in"
            ):
                LogisticRegression(penalty, solver=solver, **_params(penalty)).fit(X, y)


def test_penalties_mean_what_they_say(binary):
    X, y = binary
    l1 = LogisticRegression("l1", C=0.05, solver="liblinear").fit(X, y)
    l2 = LogisticRegression("l2", C=0.05, solver="liblinear").fit(X, y)
    assert (l1.coef_ == 0).sum() > 10 and (l2.coef_ == 0).sum() == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        free = LogisticRegression("none", solver="lbfgs", max_iter=500).fit(X, y)
        strong = LogisticRegression("l2", C=1e-3, max_iter=500).fit(X, y)
    assert np.abs(free.coef_).sum() > 10 * np.abs(strong.coef_).sum()
    # "none" ignores C
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        other = LogisticRegression("none", C=1e-3, solver="lbfgs", max_iter=500).fit(
            X, y
        )
    np.testing.assert_allclose(other.coef_, free.coef_)


def test_liblinear_multiclass_is_one_vs_rest(multiclass):
    X, y = multiclass
    clf = LogisticRegression("l1", solver="liblinear").fit(X, y)
    assert clf.coef_.shape == (10, 64) and clf.score(X, y) > 0.9
    proba = clf.predict_proba(X[:5])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    weighted = LogisticRegression(
        "l2", solver="liblinear", class_weight={0: 100.0}
    ).fit(X, y)
    assert (weighted.predict(X) == 0).sum() >= (clf.predict(X) == 0).sum()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"penalty": "elasticnet", "solver": "saga"}, "needs l1_ratio in"),
        ({"penalty": "l2", "l1_ratio": 0.5}, "l1_ratio is used only with"),
        (
            {"penalty": "l3"},
            "'penalty' parameter of LogisticRegression must be a str among",
        ),
        ({"C": -1.0}, "'C' parameter of LogisticRegression must be a float"),
        (
            {"penalty": "none", "solver": "liblinear"},
            "or a solver that supports 'none'",
        ),
    ],
)
def test_bad_parameters_raise_in_fit(binary, params, match):
    X, y = binary
    clf = LogisticRegression(**params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


def test_single_class_is_refused(binary):
    X, _ = binary
    with pytest.raises(ValueError, match="at least 2 classes.*only one class: 1"):
        LogisticRegression().fit(X, np.ones(len(X), dtype=int))


def test_string_labels_clone_and_pickle(binary):
    X, y = binary
    labels = np.array(["benign", "malignant"])[y]
    clf = LogisticRegression("l1", solver="saga", max_iter=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, labels)
    assert set(clf.predict(X)) <= {"benign", "malignant"}
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    assert clone(clf).get_params() == clf.get_params()
