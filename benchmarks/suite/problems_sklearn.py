"""Bayesmark-style problems: scikit-learn models on built-in datasets.

The model x dataset x metric grid of Bayesmark (the NeurIPS 2020 black-box
optimisation challenge), with its search spaces as published in
``bayesmark/sklearn_funcs.py`` (uber/bayesmark). Differences, for cost and for
the installed scikit-learn:

* 3-fold cross-validation (Bayesmark: 5), ``StratifiedKFold`` / ``KFold`` with
  ``shuffle=True, random_state=0``, on the same 80% training part Bayesmark
  uses (``train_test_split(test_size=0.2, random_state=0)``);
* Bayesmark's ``logit`` real dimensions are searched uniformly (skhp has
  uniform and log-uniform priors only), its ``bool`` ones as
  ``Categorical([False, True])``;
* ``normalize`` (Lasso, Ridge) is gone from scikit-learn and left out;
* the classifiers ``lasso`` and ``linear`` are ``liblinear`` logistic
  regressions with an L1 (``l1_ratio=1``) or L2 (``l1_ratio=0``) penalty in a
  ``OneVsRestClassifier`` (Bayesmark: ``multi_class="ovr"``, since removed);
* every model with randomness gets ``random_state=0``, so a candidate's
  score is the same for every searcher (Bayesmark left it free);
* ``SVC(probability=True)`` only for the log-loss metric (it changes nothing
  else but the cost of a fit).
"""

import warnings

import numpy as np
from sklearn import datasets
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skhp import Categorical, Integer, Real

from .problem import Problem

BUDGETS = (30, 60)

# The problems of the suite: every model, on the datasets where one
# evaluation (3 fits and scores) costs about 0.1 s or less on one core, so
# that every peer can run them. Left out: kNN, lasso and linear on digits and
# AdaBoost on digits, wine and diabetes (1-4 s an evaluation), MLPs on digits
# and diabetes (0.4-2 s), and the rest of the grid for the same budget.
SUITE = (
    "sk_DT_breast_nll",
    "sk_DT_diabetes_mse",
    "sk_DT_digits_acc",
    "sk_DT_iris_acc",
    "sk_DT_wine_acc",
    "sk_MLP-adam_breast_acc",
    "sk_MLP-adam_iris_acc",
    "sk_MLP-sgd_iris_nll",
    "sk_MLP-sgd_wine_acc",
    "sk_RF_breast_acc",
    "sk_RF_diabetes_mse",
    "sk_RF_wine_nll",
    "sk_SVM_breast_acc",
    "sk_SVM_diabetes_mse",
    "sk_SVM_iris_acc",
    "sk_SVM_wine_acc",
    "sk_SVM_wine_nll",
    "sk_ada_breast_nll",
    "sk_kNN_breast_nll",
    "sk_kNN_diabetes_mae",
    "sk_kNN_iris_nll",
    "sk_kNN_wine_acc",
    "sk_lasso_diabetes_mae",
    "sk_lasso_iris_acc",
    "sk_lasso_wine_nll",
    "sk_linear_breast_acc",
    "sk_linear_diabetes_mse",
    "sk_linear_iris_nll",
)
N_SPLITS = 3

DATASETS = {
    "breast": (datasets.load_breast_cancer, "clf"),
    "digits": (datasets.load_digits, "clf"),
    "iris": (datasets.load_iris, "clf"),
    "wine": (datasets.load_wine, "clf"),
    "diabetes": (datasets.load_diabetes, "reg"),
}
METRICS = {
    "clf": {"acc": "accuracy", "nll": "neg_log_loss"},
    "reg": {"mse": "neg_mean_squared_error", "mae": "neg_mean_absolute_error"},
}

_LOG, _LIN = "log-uniform", "uniform"


def _knn():
    return {"n_neighbors": Integer(1, 25), "p": Integer(1, 4)}


def _svm():
    return {
        "C": Real(1.0, 1e3, _LOG),
        "gamma": Real(1e-4, 1e-3, _LOG),
        "tol": Real(1e-5, 1e-1, _LOG),
    }


def _tree():
    return {
        "max_depth": Integer(1, 15),
        "min_samples_split": Real(0.01, 0.99, _LIN),
        "min_samples_leaf": Real(0.01, 0.49, _LIN),
        "min_weight_fraction_leaf": Real(0.01, 0.49, _LIN),
        "max_features": Real(0.01, 0.99, _LIN),
        "min_impurity_decrease": Real(0.0, 0.5, _LIN),
    }


def _mlp_common():
    return {
        "hidden_layer_sizes": Integer(50, 200),
        "alpha": Real(1e-5, 1e1, _LOG),
        "batch_size": Integer(10, 250),
        "learning_rate_init": Real(1e-5, 1e-1, _LOG),
        "tol": Real(1e-5, 1e-1, _LOG),
        "validation_fraction": Real(0.1, 0.9, _LIN),
    }


def _mlp_adam():
    return {
        **_mlp_common(),
        "beta_1": Real(0.5, 0.99, _LIN),
        "beta_2": Real(0.9, 1.0 - 1e-6, _LIN),
        "epsilon": Real(1e-9, 1e-6, _LOG),
    }


def _mlp_sgd():
    return {
        **_mlp_common(),
        "power_t": Real(0.1, 0.9, _LIN),
        "momentum": Real(0.001, 0.999, _LIN),
    }


def _ada():
    return {"n_estimators": Integer(10, 100), "learning_rate": Real(1e-4, 1e1, _LOG)}


def _logistic():
    return {
        "estimator__C": Real(1e-2, 1e2, _LOG),
        "estimator__intercept_scaling": Real(1e-2, 1e2, _LOG),
    }


def _lasso_reg():
    return {
        "alpha": Real(1e-2, 1e2, _LOG),
        "fit_intercept": Categorical([False, True]),
        "max_iter": Integer(10, 5000, _LOG),
        "tol": Real(1e-5, 1e-1, _LOG),
        "positive": Categorical([False, True]),
    }


def _ridge_reg():
    return {
        "alpha": Real(1e-2, 1e2, _LOG),
        "fit_intercept": Categorical([False, True]),
        "max_iter": Integer(10, 5000, _LOG),
        "tol": Real(1e-4, 1e-1, _LOG),
    }


def _mlp_sgd_fixed():
    return {
        "solver": "sgd",
        "early_stopping": True,
        "learning_rate": "invscaling",
        "nesterovs_momentum": True,
        "random_state": 0,
    }


# model -> kind -> (estimator factory taking the metric, space factory)
MODELS = {
    "kNN": {
        "clf": (lambda m: KNeighborsClassifier(), _knn),
        "reg": (lambda m: KNeighborsRegressor(), _knn),
    },
    "SVM": {
        "clf": (
            lambda m: SVC(kernel="rbf", probability=m == "nll", random_state=0),
            _svm,
        ),
        "reg": (lambda m: SVR(kernel="rbf"), _svm),
    },
    "DT": {
        "clf": (
            lambda m: DecisionTreeClassifier(max_leaf_nodes=None, random_state=0),
            _tree,
        ),
        "reg": (
            lambda m: DecisionTreeRegressor(max_leaf_nodes=None, random_state=0),
            _tree,
        ),
    },
    "RF": {
        "clf": (
            lambda m: RandomForestClassifier(n_estimators=10, random_state=0),
            _tree,
        ),
        "reg": (
            lambda m: RandomForestRegressor(n_estimators=10, random_state=0),
            _tree,
        ),
    },
    "MLP-adam": {
        "clf": (
            lambda m: MLPClassifier(solver="adam", early_stopping=True, random_state=0),
            _mlp_adam,
        ),
        "reg": (
            lambda m: MLPRegressor(solver="adam", early_stopping=True, random_state=0),
            _mlp_adam,
        ),
    },
    "MLP-sgd": {
        "clf": (lambda m: MLPClassifier(**_mlp_sgd_fixed()), _mlp_sgd),
        # Bayesmark: "regression crashes often with relu"
        "reg": (
            lambda m: MLPRegressor(activation="tanh", **_mlp_sgd_fixed()),
            _mlp_sgd,
        ),
    },
    "ada": {
        "clf": (lambda m: AdaBoostClassifier(random_state=0), _ada),
        "reg": (lambda m: AdaBoostRegressor(random_state=0), _ada),
    },
    "lasso": {
        "clf": (
            lambda m: OneVsRestClassifier(
                LogisticRegression(solver="liblinear", l1_ratio=1.0, random_state=0)
            ),
            _logistic,
        ),
        "reg": (lambda m: Lasso(), _lasso_reg),
    },
    "linear": {
        "clf": (
            lambda m: OneVsRestClassifier(
                LogisticRegression(solver="liblinear", l1_ratio=0.0, random_state=0)
            ),
            _logistic,
        ),
        "reg": (lambda m: Ridge(solver="auto"), _ridge_reg),
    },
}


def _data(dataset):
    loader, kind = DATASETS[dataset]
    X, y = loader(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(
        X.astype(float), y, test_size=0.2, random_state=0, shuffle=True
    )
    splitter = (StratifiedKFold if kind == "clf" else KFold)(
        N_SPLITS, shuffle=True, random_state=0
    )
    cv = [(train, test) for train, test in splitter.split(X_train, y_train)]
    return X_train, y_train, cv


def _make(model, dataset, metric):
    kind = DATASETS[dataset][1]
    factory, space = MODELS[model][kind]

    def make():
        X, y, cv = _data(dataset)
        return factory(metric), space(), X, y, cv, METRICS[kind][metric]

    return make


def sklearn_problems(everything=False):
    """The scikit-learn problems of the suite, by name.

    Parameters
    ----------
    everything : bool, default=False
        The whole model x dataset x metric grid (90 problems) instead of
        :data:`SUITE`.

    Returns
    -------
    dict of str -> Problem
        ``sk_{model}_{dataset}_{metric}``, budgets 30 and 60 evaluations.
    """
    out = {}
    for model in MODELS:
        for dataset, (_, kind) in DATASETS.items():
            for metric in METRICS[kind]:
                name = f"sk_{model}_{dataset}_{metric}"
                if not everything and name not in SUITE:
                    continue
                out[name] = Problem(
                    name=name,
                    family="sklearn",
                    make=_make(model, dataset, metric),
                    budgets=BUDGETS,
                    dim=len(MODELS[model][kind][1]()),
                )
    return out


def quiet():
    """Silence the warnings that odd hyperparameters raise in every fit."""
    warnings.filterwarnings("ignore")
    np.seterr(all="ignore")
