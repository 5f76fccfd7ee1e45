import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.model_selection import KFold
from skopt.space import Categorical, Integer
from skopt.space import Real as SkoptReal

from skhp import BayesSearchCV, Real
from skhp.search.objectives import hypervolume_2d
from skhp.search.optimizer import SurrogateOptimizer
from skhp.search.pareto_acquisition import (
    ehvi_ask,
    expected_hypervolume_improvement,
    hypervolume_improvement_2d,
    log_wide_costs,
)


@pytest.mark.parametrize("seed", range(5))
def test_hypervolume_improvement_matches_brute_force(seed):
    rng = np.random.RandomState(seed)
    front = rng.uniform(0, 1.2, size=(rng.randint(0, 8), 2))
    Y = rng.uniform(-0.1, 1.3, size=(50, 2))
    reference = [1.0, 1.1]
    base = hypervolume_2d(front, reference)
    expected = [hypervolume_2d(np.vstack([front, y]), reference) - base for y in Y]
    np.testing.assert_allclose(
        hypervolume_improvement_2d(front, Y, reference), expected, atol=1e-12
    )


def test_hypervolume_improvement_keeps_leading_shape_and_zeroes_nan():
    front = [[0.2, 0.8], [0.6, 0.3]]
    Y = np.array([[[0.1, 0.1], [0.9, 0.9]], [[np.nan, 0.1], [0.5, 0.5]]])
    hvi = hypervolume_improvement_2d(front, Y, [1.0, 1.0])
    assert hvi.shape == (2, 2)
    assert hvi[0, 1] == 0.0  # dominated
    assert hvi[1, 0] == 0.0  # NaN
    assert hvi[0, 0] == pytest.approx(
        hypervolume_2d([*front, [0.1, 0.1]], [1, 1]) - hypervolume_2d(front, [1, 1])
    )


def test_expected_hypervolume_improvement_is_the_sample_mean():
    rng = np.random.RandomState(0)
    front = [[0.3, 0.6], [0.7, 0.2]]
    samples = rng.uniform(0, 1, size=(64, 5, 2))
    ehvi = expected_hypervolume_improvement(front, samples, [1.0, 1.0])
    by_hand = [
        np.mean([hypervolume_improvement_2d(front, s[c], [1, 1]) for s in samples])
        for c in range(5)
    ]
    np.testing.assert_allclose(ehvi, by_hand)


def _history(n, seed):
    """Points of a 3-D space with objectives (x, (1 - x)**2 + z/10), minimised."""
    dims = [SkoptReal(0.0, 1.0), Integer(0, 5), Categorical(["a", "b"])]
    rng = np.random.RandomState(seed)
    points = [
        [float(rng.uniform()), int(rng.randint(6)), "ab"[i % 2]] for i in range(n)
    ]
    F = np.array([[p[0], (1 - p[0]) ** 2 + p[1] / 10] for p in points])
    return dims, points, F


def test_ehvi_ask_is_reproducible_and_proposes_new_points_of_the_space():
    dims, points, F = _history(12, 0)
    F[3] = np.nan  # a failed candidate
    asked = []
    for _ in range(2):
        opt = SurrogateOptimizer(dims, n_initial_points=5, random_state=0)
        asked.append(ehvi_ask(opt, points, F, 3, np.random.RandomState(1)))
    assert asked[0] == asked[1]
    assert len(asked[0]) == 3
    keys = {tuple(p) for p in points}
    for p in asked[0]:
        assert p in opt.space
        assert tuple(p) not in keys
        assert isinstance(p[1], int) and p[2] in ("a", "b")
    assert len({tuple(p) for p in asked[0]}) == 3


def test_ehvi_ask_aims_at_the_front():
    # The front is z = 0 (the second dimension); EHVI should not waste its
    # proposals on the worst z.
    dims, points, F = _history(20, 1)
    opt = SurrogateOptimizer(dims, n_initial_points=5, random_state=0)
    asked = ehvi_ask(opt, points, F, 4, np.random.RandomState(0))
    assert np.mean([p[1] for p in asked]) < 2.5


def test_ehvi_ask_refuses_three_objectives():
    dims, points, F = _history(8, 0)
    opt = SurrogateOptimizer(dims, n_initial_points=5, random_state=0)
    with pytest.raises(ValueError, match="two objectives"):
        ehvi_ask(
            opt, points, np.column_stack([F, F[:, 0]]), 1, np.random.RandomState(0)
        )


def test_log_wide_costs_logs_only_positive_columns_spanning_a_decade():
    F = np.array([[-0.9, 10.0, 1.0, -5.0], [-0.5, 9000.0, 8.0, 50.0]])
    out = log_wide_costs(F)
    np.testing.assert_array_equal(out[:, 0], F[:, 0])  # a negated score
    np.testing.assert_allclose(out[:, 1], np.log(F[:, 1]))  # leaves over decades
    np.testing.assert_array_equal(out[:, 2], F[:, 2])  # within a factor of 10
    np.testing.assert_array_equal(out[:, 3], F[:, 3])  # not all positive


class _QualityCost(BaseEstimator):
    def __init__(self, x=0.0, z=0.0):
        self.x = x
        self.z = z

    def fit(self, X, y=None):
        return self

    def score(self, X, y=None):
        return self.x + 0.01 * float(X[0, 0])


def _size(est, X, y=None):
    return 1.0 + 1000.0 * est.x**3 + 10.0 * est.z


def test_bayes_search_with_two_objectives_is_reproducible():
    X = np.arange(12, dtype=float).reshape(-1, 1)
    runs = []
    for _ in range(2):
        search = _front_search(n_iter=14).fit(X)
        runs.append(search.cv_results_["params"])
    assert runs[0] == runs[1]
    # After the initial points, the proposals keep z (pure cost) small.
    assert np.mean([p["z"] for p in runs[0][5:]]) < 0.4


def _front_search(n_iter=9, **kwargs):
    settings = dict(
        n_iter=n_iter,
        n_initial_points=5,
        cv=KFold(3),
        scoring={"quality": lambda e, X, y=None: e.score(X), "size": _size},
        refit="quality",
        objectives={"quality": "max", "size": "min"},
        random_state=0,
    )
    return BayesSearchCV(
        _QualityCost(),
        {"x": Real(0.0, 1.0), "z": Real(0.0, 1.0)},
        **{**settings, **kwargs},
    )


def test_front_acquisition_parego_is_chosen_by_optimizer_kwargs():
    X = np.arange(12, dtype=float).reshape(-1, 1)
    params = {}
    for front in ("ehvi", "parego"):
        search = _front_search(optimizer_kwargs={"front_acquisition": front})
        params[front] = search.fit(X).cv_results_["params"]
    default = _front_search().fit(X).cv_results_["params"]
    # The same initial design, then different proposals; EHVI is the default.
    assert params["ehvi"][:5] == params["parego"][:5]
    assert params["ehvi"][5:] != params["parego"][5:]
    assert default == params["ehvi"]


def test_front_acquisition_must_be_known():
    X = np.arange(12, dtype=float).reshape(-1, 1)
    search = _front_search(optimizer_kwargs={"front_acquisition": "nsga2"})
    with pytest.raises(ValueError, match=r"'ehvi' or 'parego', but got 'nsga2'"):
        search.fit(X)


def test_ehvi_ask_spends_no_step_past_a_given_reference():
    # Objectives (x, (1 - x)**2 + z/10): the front's cheap end is x near 1,
    # where the first objective is worst. With the first objective's least
    # useful value at 0.5, EHVI aims at x < 0.5 only; without it, at both
    # ends.
    dims, points, F = _history(20, 1)
    asked = {}
    for reference in (None, [0.5, np.nan]):
        opt = SurrogateOptimizer(dims, n_initial_points=5, random_state=0)
        asked[str(reference)] = ehvi_ask(
            opt, points, F, 6, np.random.RandomState(0), reference=reference
        )
    assert all(p[0] < 0.5 for p in asked["[0.5, nan]"])
    assert any(p[0] >= 0.5 for p in asked["None"])


def test_ehvi_ask_heads_for_the_reference_when_nothing_improves_on_it():
    # The first objective (x, 0.3 to 1 among the points seen) cannot reach
    # -5: every candidate's improvement is zero, and the proposals go where
    # it is expected smallest instead of anywhere.
    dims, points, F = _history(20, 1)
    keep = F[:, 0] > 0.3
    points = [p for p, k in zip(points, keep) if k]
    opt = SurrogateOptimizer(dims, n_initial_points=5, random_state=0)
    asked = ehvi_ask(
        opt, points, F[keep], 3, np.random.RandomState(0), reference=[-5.0, np.nan]
    )
    assert len({tuple(p) for p in asked}) == 3
    assert max(p[0] for p in asked) < min(p[0] for p in points)


def test_reference_point_on_a_log_scaled_cost():
    # A cost over three decades is compared in log; a reference on it is
    # logged too, and one at or below zero leaves nothing inside.
    from skhp.search.pareto_acquisition import _scaled_reference

    wide = np.array([False, True])
    low, span = np.array([-1.0, np.log(10.0)]), np.array([0.5, np.log(100.0)])
    ref = _scaled_reference([-0.75, 100.0], wide, low, span)
    np.testing.assert_allclose(ref, [0.5, 0.5])
    assert _scaled_reference([np.nan, 0.0], wide, low, span)[1] == -np.inf
    np.testing.assert_allclose(_scaled_reference(None, wide, low, span), [1.1, 1.1])


def test_bayes_search_reference_point_keeps_proposals_past_it_out():
    # quality = x (+ a fold term below 0.12), size = 1 + 1000 x**3 + 10 z:
    # with quality below 0.6 declared useless, the proposals after the
    # initial design have x >= 0.5; without it some go to the small models.
    X = np.arange(12, dtype=float).reshape(-1, 1)
    given = _front_search(n_iter=16, reference_point={"quality": 0.6}).fit(X)
    default = _front_search(n_iter=16).fit(X)
    # The first six candidates come before any front proposal (the same in
    # both runs); the reference point acts on the ten after them.
    assert given.cv_results_["params"][:6] == default.cv_results_["params"][:6]
    x_given = [p["x"] for p in given.cv_results_["params"][6:]]
    x_default = [p["x"] for p in default.cv_results_["params"][6:]]
    assert min(x_given) >= 0.5, x_given
    assert min(x_default) < 0.5, x_default


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"reference_point": {"accuracy": 0.5}},
            r"reference_point names \['accuracy'\], which are not objectives; "
            r"its keys must be among \['quality', 'size'\]",
        ),
        (
            {"reference_point": {"quality": "0.5"}},
            r"reference_point\['quality'\] must be a finite number .* got '0.5'",
        ),
        (
            {"reference_point": {"size": float("inf")}},
            r"reference_point\['size'\] must be a finite number .* got inf",
        ),
        (
            {
                "reference_point": {"quality": 0.5},
                "optimizer_kwargs": {"front_acquisition": "parego"},
            },
            r"optimizer_kwargs\['front_acquisition'\]='parego', whose ParEGO",
        ),
        (
            {"reference_point": {"quality": 0.5}, "objectives": None},
            r"reference_point=\{'quality': 0.5\} is given but objectives is None",
        ),
    ],
)
def test_bad_reference_point_is_refused_before_any_fit(kwargs, match):
    X = np.arange(12, dtype=float).reshape(-1, 1)
    search = _front_search(**kwargs)
    with pytest.raises(ValueError, match=match):
        search.fit(X)
    assert not hasattr(search, "cv_results_")


def test_reference_point_with_three_objectives_is_refused():
    X = np.arange(12, dtype=float).reshape(-1, 1)
    search = _front_search(reference_point={"quality": 0.5})
    search.set_params(
        scoring={
            "quality": lambda e, X, y=None: e.score(X),
            "size": _size,
            "size2": _size,
        },
        objectives={"quality": "max", "size": "min", "size2": "min"},
    )
    with pytest.raises(ValueError, match="has 3 objectives"):
        search.fit(X)
