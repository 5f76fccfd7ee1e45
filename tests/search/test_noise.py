"""Noisy scores: EI and PI do not chase improvements smaller than the noise."""

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

from skhp import BayesSearchCV, Real
from skhp.search.optimizer import SurrogateOptimizer

from .test_warping import SPACE, loss


def run(opt, n, noise=None):
    """Ask and tell ``n`` times; ``noise``: the standard error told with each value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n):
            (x,) = opt.ask()
            opt.tell([x], [loss(x)], noise=None if noise is None else [noise])
    return opt


def xi(opt):
    return opt.acq_func_kwargs.get("xi")


@pytest.mark.parametrize(
    "noise, match",
    [
        ([0.1, 0.1], "one standard error per point, got 2 for 1"),
        ([-0.1], r"noise\[0\] is -0.1"),
        ([math.inf], r"noise\[0\] is inf"),
        (["0.1"], r"real numbers >= 0, NaN where unknown; noise\[0\] is '0.1'"),
    ],
)
def test_bad_noise_is_refused(noise, match):
    opt = SurrogateOptimizer(SPACE, n_initial_points=2, random_state=0)
    with pytest.raises(ValueError, match=match):
        opt.tell(opt.ask(), [1.0], noise=noise)
    assert opt.n_told == 0


def test_trees_raise_xi_to_half_the_standard_error():
    # No warping: the floor is half the median standard error, in the units told.
    opt = run(
        SurrogateOptimizer(
            SPACE, base_estimator="rf", n_initial_points=3, random_state=0
        ),
        5,
    )
    assert xi(opt) is None
    opt = SurrogateOptimizer(
        SPACE, base_estimator="rf", n_initial_points=3, random_state=0
    )
    run(opt, 5, noise=0.2)
    assert xi(opt) == pytest.approx(0.1)
    np.testing.assert_array_equal(opt.noise_told, [0.2] * 5)
    # Below the noise floor, the xi given (or skopt's 0.01) wins.
    assert (
        xi(
            run(
                SurrogateOptimizer(SPACE, base_estimator="rf", random_state=0), 3, 0.001
            )
        )
        == 0.01
    )
    given = SurrogateOptimizer(
        SPACE,
        base_estimator="rf",
        n_initial_points=3,
        random_state=0,
        optimizer_kwargs={"acq_func_kwargs": {"xi": 0.5}},
    )
    assert xi(run(given, 5, noise=0.2)) == 0.5


def test_gp_xi_grows_with_the_noise_in_warped_units():
    floors = []
    for noise in (0.01, 0.1, 0.5):
        opt = run(
            SurrogateOptimizer(SPACE, n_initial_points=5, random_state=0), 8, noise
        )
        best = opt.y_told.min()
        band = opt.warping.transform(np.array([best - noise, best + noise]))
        assert xi(opt) == pytest.approx(max(0.0, 0.5 * (band[1] - band[0]) / 2))
        floors.append(xi(opt))
    assert floors[0] < floors[1] < floors[2]


@pytest.mark.parametrize("noise", [None, 0.0, math.nan])
def test_noise_free_or_unknown_values_change_nothing(noise):
    plain = run(SurrogateOptimizer(SPACE, n_initial_points=4, random_state=1), 9)
    told = run(SurrogateOptimizer(SPACE, n_initial_points=4, random_state=1), 9, noise)
    assert told.x_told == plain.x_told
    assert xi(told) == 0.0  # the Gaussian process's default


def test_noise_changes_the_proposals():
    plain = run(SurrogateOptimizer(SPACE, n_initial_points=4, random_state=1), 12)
    noisy = run(SurrogateOptimizer(SPACE, n_initial_points=4, random_state=1), 12, 0.5)
    assert noisy.x_told[:4] == plain.x_told[:4]  # random phase
    assert noisy.x_told != plain.x_told


def test_search_tells_the_folds_standard_errors():
    X, y = load_iris(return_X_y=True)

    def search(n_iter, **kwargs):
        return BayesSearchCV(
            SVC(),
            {"C": Real(1e-3, 1e3, prior="log-uniform")},
            n_iter=n_iter,
            n_initial_points=3,
            cv=StratifiedKFold(3, shuffle=True, random_state=0),
            random_state=0,
            **kwargs,
        ).fit(X, y)

    first = search(6)
    expected = first.cv_results_["std_test_score"] / math.sqrt(3)
    assert expected.max() > 0  # the folds disagree
    np.testing.assert_allclose(first.surrogates_[0].optimizer.noise_told, expected)
    # Warm-started from those results, the next search is told them too.
    more = search(2, warm_start=first)
    np.testing.assert_allclose(more.surrogates_[0].optimizer.noise_told[:6], expected)
