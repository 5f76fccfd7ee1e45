import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhp import BayesSearchCV, Integer, grid
from skhp.linear import SOLVER_PENALTIES, LogisticRegression
from skhp.presets import logistic_regression


def _valid(params, prefix=""):
    solver, penalty = params[prefix + "solver"], params[prefix + "penalty"]
    assert penalty in SOLVER_PENALTIES[solver], params
    assert (prefix + "l1_ratio" in params) == (penalty == "elasticnet"), params
    assert (prefix + "C" in params) == (penalty != "none"), params


def test_every_valid_pair_can_occur_and_no_invalid_one():
    pairs = set()
    for branch in logistic_regression():
        for solver in branch["solver"]:
            for penalty in branch["penalty"]:
                assert penalty in SOLVER_PENALTIES[solver]
                pairs.add((solver, penalty))
    expected = {(s, p) for s, ps in SOLVER_PENALTIES.items() for p in ps}
    assert pairs == expected


def test_solvers_restrict_the_space():
    space = logistic_regression(solvers=["liblinear"])
    assert [list(b["solver"]) for b in space] == [["liblinear"]]
    with pytest.raises(
        ValueError, match=r"`solvers` must be a non-empty list drawn from"
    ):
        logistic_regression(solvers=["adam"])


DATASETS = {
    "breast_cancer": lambda: load_breast_cancer(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
}


@pytest.mark.slow
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_candidate_of_every_searcher_fits(dataset):
    X, y = DATASETS[dataset]()
    X, y = X[:200], y[:200]
    prefix = "logisticregression__"
    space = logistic_regression(max_iter=Integer(20, 100), prefix=prefix)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    searches = [
        GridSearchCV(pipe, grid(space, n_points=2), cv=2, error_score="raise"),
        RandomizedSearchCV(
            pipe, space, n_iter=30, cv=2, error_score="raise", random_state=0
        ),
        BayesSearchCV(
            pipe, space, n_iter=20, cv=2, error_score="raise", random_state=0
        ),
    ]
    for search in searches:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("error", FutureWarning)
            warnings.simplefilter("error", DeprecationWarning)
            search.fit(X, y)
        params = search.cv_results_["params"]
        assert len(params) >= 20
        for p in params:
            _valid(p, prefix)
        assert np.isfinite(search.cv_results_["mean_test_score"]).all()
        assert search.best_score_ > 0.8
    grid_pairs = {
        (p[prefix + "solver"], p[prefix + "penalty"])
        for p in searches[0].cv_results_["params"]
    }
    assert len(grid_pairs) == sum(len(v) for v in SOLVER_PENALTIES.values())
