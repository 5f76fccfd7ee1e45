import math
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhp import BayesSearchCV, Categorical, Integer, Real, grid
from skhp._compat import InvalidParameterError
from skhp.linear import LogisticRegression


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600]


class Quadratic(RegressorMixin, BaseEstimator):
    """A 'model' whose CV score is a known function of its hyperparameters."""

    def __init__(self, log_c=0.0, x=0.0, k=1, kind="a"):
        self.log_c = log_c
        self.x = x
        self.k = k
        self.kind = kind

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -(
            (math.log10(self.log_c) - 0.7) ** 2
            + (self.x - 0.3) ** 2
            + ((self.k - 7) / 10) ** 2
            + {"a": 0.3, "b": 0.0, "c": 0.6}[self.kind]
        )


QUAD_SPACE = {
    "log_c": Real(1e-3, 1e3, prior="log-uniform"),
    "x": Real(-2, 2),
    "k": Integer(1, 20),
    "kind": Categorical(["a", "b", "c"]),
}
QUAD_X = np.zeros((20, 1))


def test_fit_evaluates_n_iter_candidates_inside_the_space(cancer):
    X, y = cancer
    space = {"C": Real(1e-3, 1e3, prior="log-uniform"), "gamma": ["scale", "auto"]}
    search = BayesSearchCV(SVC(), space, n_iter=12, cv=3, random_state=0).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 12
    assert all(p["C"] in space["C"] and p["gamma"] in space["gamma"] for p in params)
    assert all(type(p["C"]) is float for p in params)
    assert search.best_score_ == max(search.cv_results_["mean_test_score"])
    assert search.best_estimator_.C == search.best_params_["C"]
    assert search.score(X, y) > 0.9


def test_cv_results_have_gridsearchcv_schema(cancer):
    X, y = cancer
    space = {"C": [0.1, 1.0]}
    bayes = BayesSearchCV(
        SVC(), space, n_iter=2, cv=3, random_state=0, return_train_score=True
    ).fit(X, y)
    grid_search = GridSearchCV(SVC(), space, cv=3, return_train_score=True).fit(X, y)
    # skhp's searchers add the first line of each failed candidate's error;
    # BayesSearchCV ranks the train scores too, as scikit-optimize's did.
    assert set(bayes.cv_results_) == set(grid_search.cv_results_) | {
        "error",
        "rank_train_score",
    }
    assert list(bayes.cv_results_["error"]) == [None, None]
    for key, value in grid_search.cv_results_.items():
        assert type(bayes.cv_results_[key]) is type(value), key


def test_same_random_state_gives_identical_results(digits):
    X, y = digits
    space = {"C": Real(1e-3, 1e2, prior="log-uniform"), "fit_intercept": [True, False]}

    def run():
        search = BayesSearchCV(
            LogisticRegression(max_iter=200),
            space,
            n_iter=8,
            n_initial_points=4,
            cv=3,
            random_state=7,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return search.fit(X, y).cv_results_

    a, b = run(), run()
    assert a["params"] == b["params"]
    np.testing.assert_array_equal(a["mean_test_score"], b["mean_test_score"])
    np.testing.assert_array_equal(a["split0_test_score"], b["split0_test_score"])


def test_different_random_states_explore_differently():
    def params(seed):
        search = BayesSearchCV(
            Quadratic(), QUAD_SPACE, n_iter=6, cv=2, random_state=seed
        )
        return search.fit(QUAD_X).cv_results_["params"]

    assert params(0) != params(1)


def test_one_space_for_grid_random_and_bayes_on_digits(digits):
    X, y = digits
    space = {
        "C": Real(1e-3, 1e2, prior="log-uniform"),
        "solver": Categorical(["lbfgs", "newton-cg"]),
    }
    model = LogisticRegression(max_iter=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        searches = {
            "grid": GridSearchCV(model, grid(space, n_points=4), cv=3),
            "random": RandomizedSearchCV(model, space, n_iter=8, cv=3, random_state=0),
            "bayes": BayesSearchCV(model, space, n_iter=8, cv=3, random_state=0),
        }
        scores = {name: s.fit(X, y).best_score_ for name, s in searches.items()}
    assert all(score > 0.85 for score in scores.values()), scores


def test_conditional_space_draws_each_candidate_from_one_branch(cancer):
    X, y = cancer
    space = [
        {
            "kernel": ["rbf"],
            "C": Real(1e-2, 1e2, prior="log-uniform"),
            "gamma": Real(1e-4, 1e-1, prior="log-uniform"),
        },
        {"kernel": ["linear"], "C": Real(1e-2, 1e2, prior="log-uniform")},
    ]
    search = BayesSearchCV(
        SVC(), space, n_iter=14, n_initial_points=4, cv=3, random_state=0
    ).fit(X, y)
    kernels = []
    for p in search.cv_results_["params"]:
        kernels.append(p["kernel"])
        assert set(p) == (
            {"kernel", "C", "gamma"} if p["kernel"] == "rbf" else {"kernel", "C"}
        )
    assert set(kernels[:4]) == {"rbf", "linear"}  # the initial design covers both


def test_sklearn_style_grids_and_scipy_distributions_work(cancer):
    from scipy import stats

    X, y = cancer
    space = {"C": stats.loguniform(1e-2, 1e2), "kernel": ["rbf", "linear"]}
    search = BayesSearchCV(SVC(), space, n_iter=6, cv=3, random_state=0).fit(X, y)
    assert all(1e-2 <= p["C"] <= 1e2 for p in search.cv_results_["params"])


def test_unmappable_space_is_reported_before_any_fit(cancer):
    from scipy import stats

    X, y = cancer
    search = BayesSearchCV(SVC(), {"C": stats.norm(1, 1)}, n_iter=3)
    with pytest.raises(ValueError, match="'C': scipy.stats.norm cannot be mapped"):
        search.fit(X, y)


def test_finite_space_stops_when_every_candidate_was_tried(cancer):
    X, y = cancer
    space = {"C": [0.1, 1.0, 10.0], "kernel": ["rbf", "linear"]}
    search = BayesSearchCV(
        SVC(), space, n_iter=20, n_initial_points=2, cv=3, random_state=0
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 6
    assert len({(p["C"], p["kernel"]) for p in params}) == 6


def test_multimetric_optimises_the_refit_metric(cancer):
    X, y = cancer
    search = BayesSearchCV(
        SVC(),
        {"C": Real(1e-3, 1e2, prior="log-uniform")},
        n_iter=6,
        cv=3,
        scoring={"acc": "accuracy", "f1": "f1"},
        refit="f1",
        random_state=0,
    ).fit(X, y)
    res = search.cv_results_
    assert {"mean_test_acc", "mean_test_f1", "rank_test_f1"} <= set(res)
    assert search.best_score_ == max(res["mean_test_f1"])


def test_multimetric_callable_refit_needs_a_metric_name(cancer):
    X, y = cancer
    search = BayesSearchCV(
        SVC(),
        {"C": [1.0, 2.0]},
        n_iter=2,
        scoring=["accuracy", "f1"],
        refit=lambda r: 0,
    )
    with pytest.raises(
        ValueError, match=r"set `refit` to the one to optimise \(one of"
    ):
        search.fit(X, y)


def test_callable_scoring_returning_a_dict(cancer):
    X, y = cancer

    def scorer(est, X, y):
        acc = float(np.mean(est.predict(X) == y))
        return {"acc": acc, "err": 1 - acc}

    search = BayesSearchCV(
        SVC(),
        {"C": Real(0.01, 10, prior="log-uniform")},
        n_iter=4,
        cv=3,
        scoring=scorer,
        refit="acc",
        random_state=0,
    ).fit(X, y)
    assert search.best_score_ == max(search.cv_results_["mean_test_acc"])


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"n_iter": 0},
            "'n_iter' parameter of BayesSearchCV must be an int in the range",
        ),
        (
            {"optimizer": "tpe"},
            "'optimizer' parameter of BayesSearchCV must be a str among",
        ),
        ({"acq_func": "UCB"}, "'acq_func' parameter"),
        ({"n_points": 0}, "'n_points' parameter"),
        ({"search_spaces": "C"}, "'search_spaces' parameter"),
    ],
)
def test_invalid_parameters_are_reported_in_fit(cancer, params, match):
    X, y = cancer
    kwargs = {"search_spaces": {"C": [1.0]}, **params}
    search = BayesSearchCV(SVC(), **kwargs)  # __init__ validates nothing
    with pytest.raises(InvalidParameterError, match=match):
        search.fit(X, y)


@pytest.mark.parametrize("optimizer", ["gp", "rf", "et", "gbrt"])
def test_every_surrogate_runs_a_search(optimizer):
    search = BayesSearchCV(
        Quadratic(),
        QUAD_SPACE,
        n_iter=8,
        n_initial_points=3,
        optimizer=optimizer,
        cv=2,
        random_state=0,
    ).fit(QUAD_X)
    assert len(search.cv_results_["params"]) == 8


@pytest.mark.parametrize("acq_func", ["EI", "PI", "LCB", "gp_hedge"])
def test_every_acquisition_function_runs(acq_func):
    search = BayesSearchCV(
        Quadratic(),
        QUAD_SPACE,
        n_iter=6,
        n_initial_points=3,
        acq_func=acq_func,
        cv=2,
        random_state=0,
    ).fit(QUAD_X)
    assert len(search.cv_results_["params"]) == 6


def test_batches_of_n_points_run_in_parallel_and_are_distinct(cancer):
    X, y = cancer
    search = BayesSearchCV(
        SVC(),
        {
            "C": Real(1e-3, 1e3, prior="log-uniform"),
            "gamma": Real(1e-4, 1, prior="log-uniform"),
        },
        n_iter=12,
        n_points=4,
        n_initial_points=4,
        n_jobs=2,
        cv=3,
        random_state=0,
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 12
    assert len({(p["C"], p["gamma"]) for p in params}) == 12


def test_bayes_beats_random_search_on_a_known_function():
    # Median best score over seeds, not one lucky seed.
    best = {"bayes": [], "random": []}
    for seed in range(5):
        bayes = BayesSearchCV(
            Quadratic(), QUAD_SPACE, n_iter=25, cv=2, random_state=seed
        ).fit(QUAD_X)
        rand = RandomizedSearchCV(
            Quadratic(), QUAD_SPACE, n_iter=25, cv=2, random_state=seed
        ).fit(QUAD_X)
        best["bayes"].append(bayes.best_score_)
        best["random"].append(rand.best_score_)
    assert np.median(best["bayes"]) > np.median(best["random"]), best


def test_bayes_at_least_as_good_as_random_on_svc(cancer):
    X, y = cancer
    space = {
        "C": Real(1e-3, 1e3, prior="log-uniform"),
        "gamma": Real(1e-5, 1e1, prior="log-uniform"),
    }
    best = {"bayes": [], "random": []}
    for seed in range(3):
        cv = KFold(3, shuffle=True, random_state=seed)
        best["bayes"].append(
            BayesSearchCV(SVC(), space, n_iter=15, cv=cv, random_state=seed)
            .fit(X, y)
            .best_score_
        )
        best["random"].append(
            RandomizedSearchCV(SVC(), space, n_iter=15, cv=cv, random_state=seed)
            .fit(X, y)
            .best_score_
        )
    assert np.median(best["bayes"]) >= np.median(best["random"]), best


def test_pipeline_and_clone_and_pickle(cancer):
    X, y = cancer
    pipe = make_pipeline(StandardScaler(), SVC())
    search = BayesSearchCV(
        pipe,
        {"svc__C": Real(0.1, 10, prior="log-uniform")},
        n_iter=4,
        cv=3,
        random_state=0,
    )
    cloned = clone(search)
    assert cloned.get_params()["search_spaces"] == search.search_spaces
    search.fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert not hasattr(cloned, "cv_results_")


# -- failures -----------------------------------------------------------------

BAD_PAIRS = {"solver": ["lbfgs", "liblinear"], "penalty": ["l1", "l2"]}


def test_a_candidate_failing_on_every_fold_does_not_stop_the_search(cancer):
    X, y = cancer
    search = BayesSearchCV(
        LogisticRegression(),
        BAD_PAIRS,
        n_iter=4,
        n_initial_points=4,
        cv=3,
        random_state=0,
    )
    with pytest.warns(
        FitFailedWarning, match=r"(?s)failed on all 3 folds.*search goes on"
    ) as rec:
        search.fit(X, y)
    ours = [w for w in rec if "search goes on" in str(w.message)]
    assert len(ours) == 1  # warned once
    assert "supports penalty in" in str(ours[0].message)  # with the first error
    res = search.cv_results_
    assert len(res["params"]) == 4
    failed = [p for p, s in zip(res["params"], res["mean_test_score"]) if np.isnan(s)]
    assert failed == [{"solver": "lbfgs", "penalty": "l1"}]
    assert search.best_params_ != {"solver": "lbfgs", "penalty": "l1"}


def test_numeric_error_score_is_recorded(cancer):
    X, y = cancer
    search = BayesSearchCV(
        LogisticRegression(),
        BAD_PAIRS,
        n_iter=4,
        n_initial_points=4,
        cv=3,
        error_score=-1.0,
        random_state=0,
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    scores = dict(
        zip(
            map(str, search.cv_results_["params"]),
            search.cv_results_["mean_test_score"],
        )
    )
    assert scores[str({"solver": "lbfgs", "penalty": "l1"})] == -1.0


def test_failures_steer_the_surrogate_away():
    # A quarter of the range always fails: after the initial design the
    # surrogate must learn to avoid it (failures are told as bad, finite values).
    class FailsBelow(Quadratic):
        def fit(self, X, y=None):
            if self.x < -1:
                raise ValueError("x too small")
            return super().fit(X, y)

    space = {"x": Real(-2, 2), "log_c": Real(1e-3, 1e3, prior="log-uniform")}
    guided = []
    for seed in range(5):  # a share over seeds, not one lucky seed
        search = BayesSearchCV(
            FailsBelow(),
            space,
            n_iter=25,
            n_initial_points=8,
            cv=2,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitFailedWarning)
            search.fit(QUAD_X)
        guided.extend(search.cv_results_["mean_test_score"][8:])
        assert np.isfinite(search.best_score_)
    # Random candidates would fail 25% of the time.
    assert np.isnan(guided).mean() < 0.15


def test_every_candidate_failing_raises_a_clear_error(cancer):
    X, y = cancer
    search = BayesSearchCV(
        LogisticRegression(), {"solver": ["lbfgs"], "penalty": ["l1"]}, n_iter=3, cv=3
    )
    with pytest.warns(FitFailedWarning):
        with pytest.raises(
            ValueError, match=r"(?s)All 1 candidates failed.*supports penalty"
        ):
            search.fit(X, y)


def test_error_score_raise_propagates(cancer):
    X, y = cancer
    search = BayesSearchCV(
        LogisticRegression(),
        BAD_PAIRS,
        n_iter=4,
        n_initial_points=4,
        cv=3,
        error_score="raise",
        random_state=0,
    )
    with pytest.raises(ValueError, match="supports penalty in"):
        search.fit(X, y)


def test_gridsearchcv_outside_bayes_still_raises_on_a_failed_batch(cancer):
    # The tolerance is scoped to BayesSearchCV; sklearn's behaviour is untouched.
    X, y = cancer
    BayesSearchCV(LogisticRegression(), {"C": [1.0]}, n_iter=1, cv=2).fit(X, y)
    gs = GridSearchCV(LogisticRegression(), {"solver": ["lbfgs"], "penalty": ["l1"]})
    with pytest.raises(ValueError, match="All the 5 fits failed"):
        gs.fit(X, y)


class FlakyClassifier(ClassifierMixin, BaseEstimator):
    """With ``fail=True``, fails on training sets without a negative first feature."""

    def __init__(self, fail=False):
        self.fail = fail

    def fit(self, X, y):
        if self.fail and X[:, 0].min() > 0:
            raise RuntimeError("flaky")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_partial_failures_keep_sklearn_warning(cancer):
    X, y = cancer
    X = X.copy()
    X[:, 0] = np.where(np.arange(len(X)) < len(X) // 3, -1, 1)
    search = BayesSearchCV(
        FlakyClassifier(),
        {"fail": [True, False]},
        n_iter=2,
        n_initial_points=2,
        cv=KFold(3),
        random_state=0,
    )
    with pytest.warns(FitFailedWarning, match="1 fits failed out of a total of 3"):
        search.fit(X, y)
    scores = dict(
        zip(
            [p["fail"] for p in search.cv_results_["params"]],
            search.cv_results_["mean_test_score"],
        )
    )
    assert np.isnan(scores[True]) and np.isfinite(scores[False])
    assert search.best_params_ == {"fail": False}


def test_sklearn_fit_callbacks_see_the_search_and_its_batches(cancer):
    callback = pytest.importorskip("sklearn.callback")

    class Recorder:
        def __init__(self):
            self.begun = []

        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context, **kwargs):
            self.begun.append(context.task_name)

        def on_fit_task_end(self, estimator, context, **kwargs):
            pass

    assert isinstance(Recorder(), callback.FitCallback)
    X, y = cancer
    recorder = Recorder()
    search = BayesSearchCV(
        SVC(), {"C": Real(0.1, 10, prior="log-uniform")}, n_iter=3, cv=2, random_state=0
    )
    search.set_callbacks(recorder)
    search.fit(X, y)
    assert recorder.begun.count("search") == 1
    assert recorder.begun.count("bayes-batch") == 3
