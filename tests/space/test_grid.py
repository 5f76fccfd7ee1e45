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


# -- grid(space, budget=n) ---------------------------------------------------

from sklearn.model_selection import ParameterGrid  # noqa: E402

from skhp.presets import logistic_regression  # noqa: E402
from skhp.space.budget import (  # noqa: E402
    coarsest_grid_size,
    grid_for_budget,
    varied_dimensions,
)

BUDGET_SPACE = {
    "C": Real(1e-3, 1e3, prior="log-uniform"),
    "gamma": Real(1e-4, 1.0, prior="log-uniform"),
    "degree": Integer(1, 5),
    "kernel": Categorical(["rbf", "poly", "sigmoid"]),
}


@pytest.mark.parametrize("budget", [1, 2, 5, 16, 17, 30, 100])
@pytest.mark.parametrize(
    "space", [BUDGET_SPACE, logistic_regression()], ids=["flat", "lr"]
)
def test_budget_grid_never_exceeds_the_budget(space, budget):
    if budget < coarsest_grid_size(space):
        assert grid_for_budget(space, budget) is None
        return
    param_grid = grid(space, budget=budget)
    assert len(ParameterGrid(param_grid)) <= budget


def test_budget_grid_varies_every_dimension_once_it_can():
    # 2 values of each of the 4 dimensions: 16 candidates.
    param_grid = grid(BUDGET_SPACE, budget=16)
    assert len(ParameterGrid(param_grid)) == 16
    assert set(varied_dimensions(param_grid)) == set(BUDGET_SPACE)
    # One fewer: the dimension whose second value does not fit stays fixed,
    # and the others share what is left.
    param_grid = grid(BUDGET_SPACE, budget=15)
    assert len(varied_dimensions(param_grid)) == 3
    assert 12 <= len(ParameterGrid(param_grid)) <= 15


def test_budget_grid_of_the_logistic_preset_is_not_only_categorical():
    space = logistic_regression()
    small = grid(space, budget=30)
    assert 20 <= len(ParameterGrid(small)) <= 30
    assert "C" in varied_dimensions(small)
    # Every dimension of the 4 branches varies at 72 (2 values each).
    full = grid(space, budget=72)
    assert len(ParameterGrid(full)) == 72
    names = {name for branch in space for name in branch}
    assert set(varied_dimensions(full)) == names
    # n_points=3 is the unbudgeted grid the issue met: 228 candidates.
    assert len(ParameterGrid(grid(space, n_points=3))) > 200


def test_budget_grid_stops_at_the_values_a_dimension_has():
    space = {"k": Integer(1, 3), "fit": Categorical([True, False])}
    assert grid(space, budget=100) == {"k": [1, 2, 3], "fit": [True, False]}


def test_budget_errors_name_the_fix():
    with pytest.raises(ValueError, match="Pass `n_points` or `budget`, not both"):
        grid(BUDGET_SPACE, n_points=3, budget=10)
    with pytest.raises(ValueError, match=r"budget=3 is smaller .* at least 4"):
        grid(logistic_regression(), budget=3)
    with pytest.raises(ValueError, match="`budget` must be an int >= 1"):
        grid(BUDGET_SPACE, budget=0)
    with pytest.raises(TypeError, match="`budget` must be an int >= 1"):
        grid(BUDGET_SPACE, budget=2.5)
