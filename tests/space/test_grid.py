import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.svm import SVC

from skhp import Categorical, Integer, Real, grid


def test_grid_of_a_dict_space():
    space = {
        "C": Real(1e-2, 1e2, prior="log-uniform"),
        "degree": Integer(1, 3),
        "kernel": Categorical(["poly", "rbf"]),
    }
    g = grid(space, n_points=3)
    np.testing.assert_allclose(g["C"], [1e-2, 1, 1e2])
    assert g["degree"] == [1, 2, 3] and g["kernel"] == ["poly", "rbf"]


def test_grid_with_points_per_dimension_and_a_conditional_space():
    space = [{"C": Real(0, 1), "gamma": Real(0, 1)}, {"kernel": ["linear"]}]
    g = grid(space, n_points={"C": 2, "gamma": 3})
    assert g == [{"C": [0.0, 1.0], "gamma": [0.0, 0.5, 1.0]}, {"kernel": ["linear"]}]


def test_grid_rejects_non_integer_points_per_dimension():
    with pytest.raises(ValueError, match="`n_points` values must be integers"):
        grid({"C": Real(0, 1)}, n_points={"C": 2.5})


SPACE = [
    {
        "C": Real(1e-2, 1e2, prior="log-uniform"),
        "kernel": Categorical(["rbf"]),
        "gamma": Real(1e-3, 1, prior="log-uniform"),
    },
    {"C": Real(1e-2, 1e2, prior="log-uniform"), "kernel": Categorical(["linear"])},
]


def test_one_space_drives_gridsearchcv_and_randomizedsearchcv():
    X, y = load_iris(return_X_y=True)
    gs = GridSearchCV(SVC(), grid(SPACE, n_points=3), cv=3).fit(X, y)
    assert len(gs.cv_results_["params"]) == 3 * 3 + 3
    rs = RandomizedSearchCV(SVC(), SPACE, n_iter=15, cv=3, random_state=0).fit(X, y)
    params = rs.cv_results_["params"]
    assert len(params) == 15
    for p in params:
        branch = SPACE[0] if p["kernel"] == "rbf" else SPACE[1]
        assert set(p) == set(branch) and all(p[k] in branch[k] for k in p)
    assert {p["kernel"] for p in params} == {"rbf", "linear"}


def test_categorical_goes_into_gridsearchcv_as_it_is():
    X, y = load_iris(return_X_y=True)
    gs = GridSearchCV(SVC(), {"kernel": Categorical(["linear", "rbf"])}, cv=3).fit(X, y)
    assert [p["kernel"] for p in gs.cv_results_["params"]] == ["linear", "rbf"]
