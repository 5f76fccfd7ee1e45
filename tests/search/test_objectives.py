import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import KFold

from skhp import BayesSearchCV, GridSearchCV, RandomizedSearchCV, Real
from skhp._compat import InvalidParameterError
from skhp.search.objectives import (
    cheapest_within_one_se,
    chebyshev_values,
    hypervolume_2d,
    objective_matrix,
    pareto_ranks,
)


class TwoObjectives(BaseEstimator):
    """A 'model' with a known quality (x) and cost (x**2 + (z - 0.5)**2).

    The Pareto front (quality up, cost down) is z = 0.5, x in [0, 1]. Each
    fold's score moves by a small amount that depends on the fold, so the
    folds disagree and standard errors are not zero.
    """

    def __init__(self, x=0.0, z=0.0):
        self.x = x
        self.z = z

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def score(self, X, y=None):
        return self.x + 0.04 * float(X[0, 0])


def quality(est, X, y=None):
    return est.score(X, y)


def cost(est, X, y=None):
    return est.x**2 + (est.z - 0.5) ** 2


SCORING = {"quality": quality, "cost": cost}
OBJECTIVES = {"quality": "max", "cost": "min"}
X = np.arange(12, dtype=float).reshape(-1, 1)


def _results(means, stds, costs, n_splits=4):
    means, stds = np.asarray(means, float), np.asarray(stds, float)
    results = {
        "params": [{"i": i} for i in range(len(means))],
        "mean_test_score": means,
        "std_test_score": stds,
        "mean_fit_time": np.asarray(costs, float),
    }
    for k in range(n_splits):
        results[f"split{k}_test_score"] = means
    return results


COLUMNS = {"mean_test_score": "max", "mean_fit_time": "min"}


def test_pareto_ranks_non_dominated_sorting():
    F = [
        [1.0, 5.0],  # front 1
        [2.0, 3.0],  # front 1
        [4.0, 1.0],  # front 1
        [2.0, 5.0],  # dominated by [1, 5] and [2, 3]: front 2
        [3.0, 4.0],  # dominated by [2, 3]: front 2
        [3.0, 5.0],  # dominated by [3, 4]: front 3
        [np.nan, 0.0],  # unknown: after every finite row
        [1.0, 5.0],  # a tie with a front-1 point is not dominated
    ]
    np.testing.assert_array_equal(pareto_ranks(F), [1, 1, 1, 2, 2, 3, 4, 1])


def test_pareto_rank_of_constructed_cv_results_follows_directions():
    results = _results([0.9, 0.8, 0.95, 0.7], [0.01] * 4, [2.0, 1.0, 3.0, 1.5])
    ranks = pareto_ranks(objective_matrix(results, COLUMNS))
    # 0.7 at 1.5 s is beaten by 0.8 at 1.0 s; the rest trade off.
    np.testing.assert_array_equal(ranks, [1, 1, 1, 2])
    flipped = pareto_ranks(
        objective_matrix(results, {"mean_test_score": "min", "mean_fit_time": "min"})
    )
    np.testing.assert_array_equal(flipped, [2, 1, 3, 1])


def test_refit_policy_picks_the_cheapest_within_one_standard_error():
    # Best: 0.90 with std 0.04 over 4 splits, so SE 0.02 and threshold 0.88.
    results = _results(
        [0.90, 0.89, 0.885, 0.87, 0.60],
        [0.04, 0.01, 0.01, 0.01, 0.01],
        [5.0, 3.0, 2.0, 0.5, 0.1],
    )
    assert cheapest_within_one_se(results, COLUMNS, "score") == 2
    # With folds that agree, only the best itself is within one SE.
    results["std_test_score"] = np.zeros(5)
    assert cheapest_within_one_se(results, COLUMNS, "score") == 0


def test_refit_policy_breaks_cost_ties_by_the_primary_metric():
    results = _results([0.90, 0.89, 0.895], [0.04] * 3, [1.0, 1.0, 1.0])
    assert cheapest_within_one_se(results, COLUMNS, "score") == 0


def test_hypervolume_2d():
    assert hypervolume_2d([[0.5, 0.5]], [1.0, 1.0]) == pytest.approx(0.25)
    # Two points: 0.25 + 0.5 * 0.25 (the strip the second adds).
    assert hypervolume_2d([[0.5, 0.5], [0.0, 0.75]], [1, 1]) == pytest.approx(0.375)
    assert hypervolume_2d([[1.5, 0.0], [np.nan, 0.0]], [1, 1]) == 0.0


def test_chebyshev_values_normalise_and_weight():
    F = np.array([[0.0, 10.0], [1.0, 0.0], [0.5, 5.0]])
    values = chebyshev_values(F, [1.0, 0.0], rho=0.0)
    np.testing.assert_allclose(values, [0.0, 1.0, 0.5])
    values = chebyshev_values(F, [0.5, 0.5], rho=0.1)
    np.testing.assert_allclose(values, [0.55, 0.55, 0.3])


@pytest.mark.parametrize("cls", [GridSearchCV, RandomizedSearchCV])
def test_classic_searches_rank_and_refit_by_the_policy(cls):
    space = {"x": [0.2, 0.5, 0.9, 0.95, 1.0], "z": [0.5]}
    kwargs = {} if cls is GridSearchCV else {"n_iter": 5, "random_state": 0}
    search = cls(
        TwoObjectives(),
        space,
        cv=KFold(3),
        scoring=SCORING,
        refit="quality",
        objectives=OBJECTIVES,
        **kwargs,
    ).fit(X)
    results = search.cv_results_
    # Every candidate trades quality against cost: all on the front.
    np.testing.assert_array_equal(results["pareto_rank"], [1] * 5)
    assert search.best_index_ == cheapest_within_one_se(
        results, {"mean_test_quality": "max", "mean_test_cost": "min"}, "quality"
    )
    # The folds' scores differ by 0.16 from fold to fold (SE ~0.075): 0.95 is within
    # one SE of 1.0 and cheaper; 0.9 is not within it.
    assert search.best_params_["x"] == 0.95
    assert search.best_score_ == pytest.approx(
        results["mean_test_quality"][search.best_index_]
    )


def test_a_refit_callable_overrides_the_policy():
    search = GridSearchCV(
        TwoObjectives(),
        {"x": [0.2, 0.95, 1.0]},
        cv=KFold(3),
        scoring=SCORING,
        refit=lambda results: int(np.argmax(results["mean_test_cost"])),
        objectives=OBJECTIVES,
    ).fit(X)
    assert search.best_params_ == {"x": 1.0}
    assert "pareto_rank" in search.cv_results_


def test_time_costs_need_no_scorer():
    search = GridSearchCV(
        TwoObjectives(),
        {"x": [0.2, 1.0]},
        cv=KFold(3),
        objectives={"score": "max", "mean_fit_time": "min"},
    ).fit(X)
    assert search.cv_results_["pareto_rank"].min() == 1


@pytest.mark.parametrize(
    "objectives, match",
    [
        ({"quality": "max"}, r"at least two entries .* objectives=\{'quality'"),
        (
            {"quality": "max", "latency": "min"},
            r"objective 'latency' is neither a scorer.*allowed keys are "
            r"\['quality', 'cost', 'mean_fit_time', 'mean_score_time'\]",
        ),
        (
            {"quality": "maximize", "cost": "min"},
            r"objectives\['quality'\] must be 'max' or 'min', but got 'maximize'",
        ),
        (
            {"cost": "min", "mean_fit_time": "min"},
            r"primary metric \('quality'.*must be one of the objectives",
        ),
    ],
)
@pytest.mark.parametrize("cls", [GridSearchCV, BayesSearchCV])
def test_bad_objectives_are_refused_before_any_fit(cls, objectives, match):
    space = {"x": [0.2, 1.0]} if cls is GridSearchCV else {"x": Real(0, 1)}
    search = cls(
        TwoObjectives(),
        space,
        cv=KFold(3),
        scoring=SCORING,
        refit="quality",
        objectives=objectives,
    )
    with pytest.raises(ValueError, match=match):
        search.fit(X)
    assert not hasattr(search, "cv_results_")


def test_objectives_must_be_a_dict():
    search = GridSearchCV(TwoObjectives(), {"x": [0.2]}, objectives=["score"])
    with pytest.raises(InvalidParameterError, match="'objectives' parameter"):
        search.fit(X)


def _front_hypervolume(search):
    results = search.cv_results_
    F = np.column_stack([-results["mean_test_quality"], results["mean_test_cost"]])
    return hypervolume_2d(F, [0.0, 1.25])


def test_bayes_with_objectives_covers_the_front_better_than_one_objective():
    space = {"x": Real(0.0, 1.0), "z": Real(0.0, 1.0)}
    common = dict(
        n_iter=24,
        n_initial_points=8,
        cv=KFold(3),
        scoring=SCORING,
        refit="quality",
        random_state=0,
    )
    multi = BayesSearchCV(TwoObjectives(), space, objectives=OBJECTIVES, **common)
    single = BayesSearchCV(TwoObjectives(), space, **common)
    multi.fit(X)
    single.fit(X)
    assert len(multi.cv_results_["params"]) == 24
    assert "pareto_rank" in multi.cv_results_
    assert "pareto_rank" not in single.cv_results_
    # Same initial design, then proposals for the front against proposals
    # for the best quality alone.
    assert multi.cv_results_["params"][:8] == single.cv_results_["params"][:8]
    assert _front_hypervolume(multi) > _front_hypervolume(single)

    # More of the proposals after the initial design lie near the front
    # (z = 0.5); for the quality alone, z does not matter.
    def near_front(search):
        z = np.array([p["z"] for p in search.cv_results_["params"][8:]])
        return int((np.abs(z - 0.5) < 0.15).sum())

    assert near_front(multi) > near_front(single)


def test_clone_and_pickle_keep_objectives():
    search = BayesSearchCV(
        TwoObjectives(),
        {"x": Real(0.0, 1.0), "z": Real(0.0, 1.0)},
        n_iter=6,
        n_initial_points=4,
        cv=KFold(3),
        scoring=SCORING,
        refit="quality",
        objectives=OBJECTIVES,
        random_state=0,
    )
    assert clone(search).objectives == OBJECTIVES
    search.fit(X)
    loaded = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(
        loaded.cv_results_["pareto_rank"], search.cv_results_["pareto_rank"]
    )
    assert loaded.best_index_ == search.best_index_
