"""BayesSearchCV's scikit-optimize surface: the forms skopt users write."""

import math
import pickle

import numpy as np
import pytest
from scipy.optimize import OptimizeResult
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.datasets import load_iris
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier

from skhp import BayesSearchCV, Categorical, Real

X_DUMMY = np.zeros((20, 1))


class Bowl(RegressorMixin, BaseEstimator):
    """A 'model' whose CV score is a known function of its hyperparameters.

    Its ``fit`` takes no extra arguments, so a ``callback`` passed on to it
    would fail every candidate.
    """

    def __init__(self, c=1.0, k=1, kind="a"):
        self.c = c
        self.k = k
        self.kind = kind

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -(
            (math.log10(self.c) - 0.5) ** 2
            + ((self.k - 4) / 10) ** 2
            + {"a": 0.3, "b": 0.0}[self.kind]
        )


SKOPT_SPACE = {"c": (1e-2, 1e2, "log-uniform"), "k": (1, 8), "kind": ["a", "b"]}


def _search(space=SKOPT_SPACE, **kwargs):
    kwargs = {"n_iter": 8, "cv": 2, "random_state": 0, **kwargs}
    return BayesSearchCV(Bowl(), space, **kwargs)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


# -- spaces ------------------------------------------------------------------


def test_skopt_tuples_give_typed_candidates():
    search = _search().fit(X_DUMMY)
    params = search.cv_results_["params"]
    assert len(params) == 8
    assert all(type(p["c"]) is float and 1e-2 <= p["c"] <= 1e2 for p in params)
    assert all(type(p["k"]) is int and 1 <= p["k"] <= 8 for p in params)
    assert {p["kind"] for p in params} <= {"a", "b"}


def test_optuna_distributions_work_as_a_space():
    distributions = pytest.importorskip("optuna.distributions")
    space = {
        "c": distributions.FloatDistribution(1e-2, 1e2, log=True),
        "k": distributions.IntDistribution(1, 8),
        "kind": distributions.CategoricalDistribution(["a", "b"]),
    }
    search = _search(space).fit(X_DUMMY)
    assert all(type(p["k"]) is int for p in search.cv_results_["params"])
    assert search.best_params_["kind"] == "b"


def _model_spaces():
    lin = {"model": Categorical([LinearSVC()]), "model__C": (1e-3, 1e3, "log-uniform")}
    tree = {"model": [DecisionTreeClassifier()], "model__max_depth": (1, 8)}
    svc = {"model": [SVC()], "model__C": Real(1e-3, 1e3, prior="log-uniform")}
    return lin, tree, svc


def test_per_branch_budgets_are_spent_branch_by_branch(iris):
    X, y = iris
    lin, tree, svc = _model_spaces()
    pipe = Pipeline([("model", SVC())])
    search = BayesSearchCV(
        pipe, [(lin, 1), (tree, 3), svc], n_iter=2, cv=2, random_state=0
    )
    assert search.total_iterations == 1 + 3 + 2
    search.fit(X, y)
    models = [type(p["model"]) for p in search.cv_results_["params"]]
    assert len(models) == 6
    assert models.count(LinearSVC) == 1
    assert models.count(DecisionTreeClassifier) == 3
    assert models.count(SVC) == 2


@pytest.mark.parametrize(
    "spaces, n_iter, total",
    [
        ({"k": (1, 8)}, 7, 7),
        ([{"k": (1, 8)}, {"c": (0.1, 1.0)}], 7, 7),  # shared budget, skhp's way
        ([({"k": (1, 8)}, 10), {"c": (0.1, 1.0)}], 5, 15),
        ([({"k": (1, 8)}, 3), ({"c": (0.1, 1.0)}, 4)], 50, 7),
    ],
)
def test_total_iterations(spaces, n_iter, total):
    search = BayesSearchCV(Bowl(), spaces, n_iter=n_iter)
    assert search.total_iterations == total


def test_set_params_to_a_budgeted_space_and_clone():
    search = _search([({"k": (1, 8)}, 3), {"c": (0.1, 1.0)}], n_iter=2)
    search.set_params(search_spaces=[({"k": (1, 8)}, 4)])
    assert len(clone(search).fit(X_DUMMY).cv_results_["params"]) == 4


# -- optimizer_kwargs ------------------------------------------------------------


@pytest.mark.parametrize("name", ["GP", "gp", "RF", "et", "Gbrt"])
def test_optimizer_kwargs_base_estimator_chooses_the_surrogate(name):
    search = _search(optimizer_kwargs={"base_estimator": name}).fit(X_DUMMY)
    assert search.surrogates_[0].optimizer.base_estimator == name.lower()


def test_optimizer_kwargs_acq_func_and_n_initial_points_set_those_settings():
    search = _search(optimizer_kwargs={"acq_func": "LCB", "n_initial_points": 3}).fit(
        X_DUMMY
    )
    optimizer = search.surrogates_[0].optimizer
    assert optimizer.acq_func == "LCB"
    assert optimizer.n_initial_points == 3


def test_optimizer_kwargs_may_repeat_a_parameter():
    search = _search(optimizer="rf", optimizer_kwargs={"base_estimator": "RF"})
    assert search.fit(X_DUMMY).surrogates_[0].optimizer.base_estimator == "rf"


def test_other_optimizer_kwargs_reach_the_optimizer():
    kwargs = {"acq_optimizer": "sampling", "acq_optimizer_kwargs": {"n_points": 500}}
    search = _search(optimizer_kwargs={"base_estimator": "GP", **kwargs})
    optimizer = search.fit(X_DUMMY).surrogates_[0].optimizer
    assert optimizer.optimizer_kwargs == kwargs
    # The search's own parameter is left as the user set it.
    assert search.optimizer_kwargs["base_estimator"] == "GP"


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"optimizer": "et", "optimizer_kwargs": {"base_estimator": "RF"}},
            r"optimizer_kwargs\['base_estimator'\]='rf' disagrees with "
            "optimizer='et'",
        ),
        (
            {"acq_func": "PI", "optimizer_kwargs": {"acq_func": "LCB"}},
            "disagrees with acq_func='PI'",
        ),
        (
            {"n_initial_points": 4, "optimizer_kwargs": {"n_initial_points": 6}},
            "disagrees with n_initial_points=4",
        ),
        (
            {"optimizer_kwargs": {"base_estimator": SVC()}},
            "Use optimizer=... instead",
        ),
        ({"optimizer_kwargs": {"base_estimator": "xgb"}}, "optimizer='gp'"),
        ({"optimizer_kwargs": {"acq_func": "EIps"}}, "'EIps'"),
        ({"optimizer_kwargs": {"n_initial_points": 0}}, "positive integer"),
        ({"optimizer_kwargs": {"random_state": 3}}, "random_state=..."),
        ({"optimizer_kwargs": {"dimensions": []}}, "search_spaces=..."),
    ],
)
def test_optimizer_kwargs_that_cannot_apply_are_refused_in_fit(params, match):
    search = _search(**params)  # __init__ only stores them
    with pytest.raises(ValueError, match=match):
        search.fit(X_DUMMY)


# -- fit(callback=) --------------------------------------------------------------


def test_fit_callback_gets_optimize_results_and_can_stop():
    seen = []

    def callback(result):
        seen.append(result)
        return len(seen) == 3

    search = _search(n_iter=10).fit(X_DUMMY, callback=callback)
    assert len(search.cv_results_["params"]) == 3
    assert all(isinstance(r, OptimizeResult) for r in seen)
    assert [len(r.func_vals) for r in seen] == [1, 2, 3]
    assert seen[-1].x_iters[0] == [
        search.cv_results_["params"][0][n] for n in ("c", "k", "kind")
    ]
    assert not hasattr(search, "_fit_callbacks")


def test_every_fit_callback_is_called_even_after_one_says_stop():
    calls = {"first": 0, "second": 0}

    def first(result):
        calls["first"] += 1
        return True

    def second(result):
        calls["second"] += 1

    search = _search(n_iter=10).fit(X_DUMMY, callback=[first, second])
    assert calls == {"first": 1, "second": 1}
    assert len(search.cv_results_["params"]) == 1


def test_skopt_callbacks_stop_the_search():
    from skopt.callbacks import DeadlineStopper, DeltaYStopper

    search = _search(n_iter=10).fit(X_DUMMY, callback=DeadlineStopper(1e-9))
    assert len(search.cv_results_["params"]) == 1
    search = _search(n_iter=10).fit(X_DUMMY, callback=DeltaYStopper(1e9, n_best=4))
    assert len(search.cv_results_["params"]) == 4


def test_fit_callback_must_be_callable():
    with pytest.raises(ValueError, match="must be a callable or a list of callables"):
        _search().fit(X_DUMMY, callback=[print, "stop"])


# -- optimizer_results_ --------------------------------------------------------


def test_optimizer_results_hold_one_result_per_branch(iris):
    X, y = iris
    lin, tree, svc = _model_spaces()
    pipe = Pipeline([("model", SVC())])
    search = BayesSearchCV(pipe, [(lin, 2), (tree, 2), (svc, 2)], cv=2, random_state=0)
    search.fit(X, y)
    results = search.optimizer_results_
    assert len(results) == 3
    for result, kind in zip(results, (LinearSVC, DecisionTreeClassifier, SVC)):
        # skopt's order: the parameters sorted by name.
        assert [d.name for d in result.space.dimensions] == sorted(
            result.space.dimension_names
        )
        assert isinstance(result.x[0], kind)
        assert len(result.x_iters) == len(result.func_vals) == 2
        assert result.fun == min(result.func_vals)
    scores = search.cv_results_["mean_test_score"]
    assert sorted(-v for r in results for v in r.func_vals) == sorted(scores)


def test_optimizer_results_best_is_the_best_candidate():
    search = _search(n_iter=12).fit(X_DUMMY)
    (result,) = search.optimizer_results_
    best = search.best_params_
    assert result.x == [best["c"], best["k"], best["kind"]]
    assert result.fun == pytest.approx(-search.best_score_)
    assert len(result.models) == 1
    mean = result.models[0].predict(result.space.transform([result.x]))
    assert mean[0] == pytest.approx(result.fun, abs=0.2)


def test_optimizer_results_without_free_parameters():
    search = _search([({"kind": ["b"], "k": [3]}, 1), ({"c": (0.1, 10.0)}, 3)])
    results = search.fit(X_DUMMY).optimizer_results_
    assert results[0].x == [3, "b"]
    assert results[0].func_vals.tolist() == [-Bowl(k=3, kind="b").score(X_DUMMY)]
    assert len(results[1].func_vals) == 3


def test_optimizer_results_survive_pickling():
    search = _search().fit(X_DUMMY)
    again = pickle.loads(pickle.dumps(search))
    assert again.optimizer_results_[0].x == search.optimizer_results_[0].x


@pytest.mark.parametrize(
    "plot", ["plot_objective", "plot_convergence", "plot_evaluations"]
)
def test_skopt_plots_draw_optimizer_results(plot):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from skopt import plots

    search = _search(n_iter=12).fit(X_DUMMY)
    kwargs = {"n_points": 8, "n_samples": 20} if plot == "plot_objective" else {}
    axes = getattr(plots, plot)(search.optimizer_results_[0], **kwargs)
    assert np.size(axes) >= 1
    if plot == "plot_convergence":
        # The curve is the running best of the negated scores.
        line = axes.get_lines()[0]
        scores = search.cv_results_["mean_test_score"]
        np.testing.assert_allclose(
            line.get_ydata(), np.minimum.accumulate(-np.asarray(scores))
        )
    plt.close("all")


def test_train_scores_are_ranked_as_skopt_did(iris):
    X, y = iris
    search = BayesSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": (1, 6)},
        n_iter=5,
        cv=3,
        return_train_score=True,
        random_state=0,
    ).fit(X, y)
    res = search.cv_results_
    # 1 + the number of candidates with a better mean: ties share a rank.
    means = res["mean_train_score"]
    for i in range(len(means)):
        assert res["rank_train_score"][i] == 1 + np.sum(means > means[i])
    no_train = BayesSearchCV(
        DecisionTreeClassifier(random_state=0), {"max_depth": (1, 6)}, n_iter=2, cv=3
    ).fit(X, y)
    assert "rank_train_score" not in no_train.cv_results_


def test_train_ranks_put_failed_candidates_last():
    from skhp.search.bayes import _rank_train_scores

    results = {"mean_train_score": np.array([0.5, np.nan, 0.9, 0.5])}
    _rank_train_scores(results)
    np.testing.assert_array_equal(results["rank_train_score"], [2, 4, 1, 2])
    results = {"mean_train_acc": np.array([np.nan, np.nan])}
    _rank_train_scores(results)
    np.testing.assert_array_equal(results["rank_train_acc"], [1, 1])
