"""The output warping of the Gaussian-process surrogate."""

import math
import warnings

import numpy as np
import pytest
from scipy import stats
from skopt.space import Categorical, Integer, Real

from skhp.search.optimizer import SurrogateOptimizer
from skhp.search.warping import YeoJohnsonWarping, _yeojohnson_inverse


@pytest.mark.parametrize("lam", [-2.5, -0.5, 0.0, 0.7, 1.4, 2.0, 3.1])
def test_inverse_undoes_scipys_yeojohnson(lam):
    x = np.random.RandomState(0).normal(scale=2.0, size=200)
    np.testing.assert_allclose(
        _yeojohnson_inverse(stats.yeojohnson(x, lam), lam), x, atol=1e-10
    )


@pytest.mark.parametrize(
    "draw",
    [
        lambda rng: rng.gamma(0.5, size=50),
        lambda rng: -rng.gamma(0.5, size=50),
        lambda rng: rng.normal(size=40),
        lambda rng: rng.lognormal(0.0, 2.0, size=30),
        lambda rng: rng.rand(12),
    ],
)
def test_exponent_and_transform_are_scipys(draw):
    y = draw(np.random.RandomState(0))
    z = (y - y.mean()) / y.std()
    warping = YeoJohnsonWarping().fit(y)
    assert warping.lambda_ == pytest.approx(stats.yeojohnson_normmax(z), abs=1e-6)
    t = stats.yeojohnson(z, warping.lambda_)
    np.testing.assert_allclose(warping.transform(y), (t - t.mean()) / t.std())


def negated_accuracies():
    # Most candidates near the best, two failures: skewed, as in a search.
    rng = np.random.RandomState(0)
    return np.r_[-0.97 + 0.01 * rng.rand(28), -0.63, -0.60]


def test_keeps_the_order_and_round_trips():
    y = negated_accuracies()
    warping = YeoJohnsonWarping().fit(y)
    t = warping.transform(y)
    assert np.all(np.diff(t[np.argsort(y)]) > 0)
    np.testing.assert_allclose(warping.inverse_transform(t), y)
    assert t.mean() == pytest.approx(0.0, abs=1e-12)
    assert t.std() == pytest.approx(1.0)


def test_compresses_the_failures():
    y = negated_accuracies()
    warping = YeoJohnsonWarping().fit(y)
    standardised = (y - y.mean()) / y.std()
    t = warping.transform(y)
    # The failures are far less extreme after the warping, and the good
    # candidates are spread over more of the range.
    assert warping.lambda_ < 0

    def gap_over_spread(v):
        return (v.max() - v[:28].max()) / np.ptp(v[:28])

    assert t.max() < standardised.max()
    assert gap_over_spread(t) < 0.2 * gap_over_spread(standardised)


@pytest.mark.parametrize("y", [[1.0], [1.0, 2.0], [0.5, 0.5, 0.5, 0.5]])
def test_identity_on_too_few_or_equal_values(y):
    warping = YeoJohnsonWarping().fit(y)
    assert warping.lambda_ == 1.0
    np.testing.assert_array_equal(warping.transform(y), y)
    np.testing.assert_array_equal(warping.inverse_transform(y), y)


def test_inverse_of_unreachable_values_is_finite():
    warping = YeoJohnsonWarping().fit(negated_accuracies())
    assert warping.lambda_ < 0  # its transform is bounded above
    far = np.array([1e3, 1e6, -1e6])
    assert np.all(np.isfinite(warping.inverse_transform(far)))


SPACE = [
    Real(1e-4, 1.0, prior="log-uniform"),
    Real(0.0, 1.0),
    Integer(1, 8),
    Categorical(["a", "b"]),
]


def loss(x):
    lr, m, k, c = x
    return (
        (math.log10(lr) + 2) ** 2 + 3 * (m - 0.7) ** 2 + 0.1 * (k - 3) ** 2 + (c == "b")
    )


def run(opt, n):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n):
            (x,) = opt.ask()
            opt.tell([x], [loss(x)])
    return opt


def test_gp_is_fitted_to_warped_values():
    opt = run(SurrogateOptimizer(SPACE, n_initial_points=5, random_state=0), 12)
    told = opt.y_told
    np.testing.assert_allclose(told, [loss(x) for x in opt.x_told])
    np.testing.assert_allclose(opt.y_modelled, opt.warping.transform(told))
    assert opt.warping.lambda_ != 1.0
    # Predictions come back in the units told: near the data, the told values.
    mean, std = opt.predict(opt.x_told)
    np.testing.assert_allclose(mean, told, atol=0.05 * np.ptp(told))
    assert np.all(std >= 0)


@pytest.mark.parametrize("base_estimator", ["rf", "gbrt"])
def test_tree_surrogates_get_the_raw_values(base_estimator):
    opt = SurrogateOptimizer(
        SPACE, base_estimator=base_estimator, n_initial_points=5, random_state=0
    )
    run(opt, 8)
    assert opt.warping is None
    np.testing.assert_array_equal(opt.y_modelled, opt.y_told)


def test_failures_stay_above_the_warped_successes():
    opt = SurrogateOptimizer(SPACE, n_initial_points=3, random_state=0)
    xs = opt.ask(4) + opt.ask(1)
    values = [loss(x) for x in xs[:4]]
    stand_in = max(values) + 0.5 * np.ptp(values)
    opt.tell(xs, [*values, stand_in], failed=[False] * 4 + [True])
    np.testing.assert_allclose(opt.y_told, [*values, stand_in])
    yi = opt.y_modelled
    np.testing.assert_allclose(yi[:4], opt.warping.fit(values).transform(values))
    assert yi[4] == pytest.approx(yi[:4].max() + 0.5 * np.ptp(yi[:4]))
    with pytest.raises(ValueError, match="one flag per point, got 1 for 2"):
        opt.tell(xs[:2], values[:2], failed=[True])
