import pickle
from copy import deepcopy

import numpy as np
import pytest
from scipy import stats

from skhp import Categorical, Integer, Real


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Real(1, 1), r"`low < high` must hold, but got \(low=1, high=1\)"),
        (lambda: Real(3, 1), r"`low < high` must hold, but got \(low=3, high=1\)"),
        (lambda: Integer(5, 2), r"Integer dimension: `low < high`"),
        (lambda: Real(0, 1, prior="log-uniform"), r"log-uniform prior needs `low > 0`"),
        (lambda: Integer(-2, 9, prior="log-uniform"), r"got \(low=-2, high=9\)"),
        (
            lambda: Real(0, 1, prior="normal"),
            r"`prior` must be one of .*prior='normal'",
        ),
        (lambda: Real("a", 1), r"`low` must be a finite number, but got low='a'"),
        (lambda: Real(0, np.inf), r"`high` must be a finite number"),
        (lambda: Real(True, 3), r"`low` must be a finite number, but got low=True"),
        (lambda: Integer(1.5, 3), r"`low` must be a whole number, but got low=1.5"),
        (lambda: Categorical([]), r"at least one value"),
        (lambda: Categorical(["a", "b", "a"]), r"distinct, but 'a' appears more"),
        (lambda: Categorical("abc"), r"must be a list of values"),
        (lambda: Real(3, 1, name="C"), r"Real dimension 'C'"),
    ],
)
def test_bad_dimensions_raise_with_a_clear_message(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_numpy_bounds_are_accepted_and_stored_as_python_numbers():
    r = Real(np.float32(0.5), np.int64(2))
    i = Integer(np.int64(1), np.float64(4.0))
    assert (type(r.low), type(r.high)) == (float, float)
    assert (i.low, i.high) == (1, 4) and type(i.low) is int


@pytest.mark.parametrize(
    "dim",
    [
        Real(0.1, 10),
        Real(1e-4, 1e2, prior="log-uniform"),
        Integer(1, 50),
        Integer(1, 1000, prior="log-uniform"),
        Categorical(["a", None, (1, 2), 3.5]),
    ],
)
def test_rvs_draws_inside_the_dimension_and_is_reproducible(dim):
    values = dim.rvs(size=200, random_state=0)
    assert all(v in dim for v in values)
    assert values == dim.rvs(size=200, random_state=0)
    one = dim.rvs(random_state=np.random.RandomState(1))
    assert one in dim and not isinstance(one, list)


def test_real_log_uniform_rvs_spreads_evenly_over_decades():
    values = np.array(Real(1e-4, 1, prior="log-uniform").rvs(size=4000, random_state=0))
    counts, _ = np.histogram(np.log10(values), bins=4, range=(-4, 0))
    # each decade gets about a quarter of the draws
    assert np.all(np.abs(counts / 4000 - 0.25) < 0.03)


def test_integer_log_uniform_rvs_matches_the_discrete_log_prior():
    dim = Integer(1, 3, prior="log-uniform")
    values = np.array(dim.rvs(size=20000, random_state=0))
    expected = np.diff(np.log([1, 2, 3, 4])) / np.log(4)
    observed = np.bincount(values, minlength=4)[1:] / values.size
    np.testing.assert_allclose(observed, expected, atol=0.015)


def test_integer_rvs_reaches_both_bounds():
    values = set(Integer(0, 3).rvs(size=400, random_state=0))
    assert values == {0, 1, 2, 3}


@pytest.mark.parametrize(
    "dim, n, expected",
    [
        (Real(0, 1), 3, [0.0, 0.5, 1.0]),
        (Real(1e-3, 1e3, prior="log-uniform"), 3, [1e-3, 1.0, 1e3]),
        (Integer(1, 3), 5, [1, 2, 3]),
        (Integer(10, 1000, prior="log-uniform"), 3, [10, 100, 1000]),
        (Integer(0, 100), 3, [0, 50, 100]),
        (Categorical(["x", "y"]), 7, ["x", "y"]),
        (Real(1, 100, prior="log-uniform"), 1, [10.0]),
    ],
)
def test_grid(dim, n, expected):
    values = dim.grid(n)
    if isinstance(dim, Categorical):
        assert values == expected
    else:
        np.testing.assert_allclose(values, expected)


@pytest.mark.parametrize("n", [0, -1, 2.5, "3"])
def test_grid_rejects_bad_n_points(n):
    with pytest.raises(ValueError, match="`n_points` must be an integer >= 1"):
        Real(0, 1).grid(n)


def test_log_grid_stays_inside_bounds():
    dim = Real(1e-7, 3.3, prior="log-uniform")
    values = dim.grid(50)
    assert min(values) >= dim.low and max(values) <= dim.high


def test_contains():
    assert (
        5 in Integer(1, 10) and 5.5 not in Integer(1, 10) and 11 not in Integer(1, 10)
    )
    assert 0.5 in Real(0, 1) and "a" not in Real(0, 1) and True not in Real(0, 1)
    est = object()
    assert est in Categorical([est, None]) and None in Categorical([est, None])
    assert 1 not in Categorical([True, False])  # no silent 1 == True


def test_categorical_is_a_sequence_with_any_values():
    est = object()
    dim = Categorical([None, (50,), est])
    assert list(dim) == [None, (50,), est]
    assert len(dim) == 3 and dim[1] == (50,) and dim.index(est) == 2


@pytest.mark.parametrize(
    "dim",
    [Real(1, 2, prior="log-uniform"), Integer(0, 9), Categorical(["a", None])],
)
def test_dimensions_pickle_copy_and_compare(dim):
    assert pickle.loads(pickle.dumps(dim)) == dim
    assert deepcopy(dim) == dim
    assert hash(deepcopy(dim)) == hash(dim)
    assert dim != Real(0, 5)


def test_repr_shows_the_arguments():
    assert repr(Real(0.1, 1, prior="log-uniform")) == (
        "Real(low=0.1, high=1.0, prior='log-uniform')"
    )
    assert repr(Categorical(["a"])) == "Categorical(choices=['a'])"


def test_rvs_agrees_in_distribution_with_scipy():
    draws = Real(2, 5).rvs(size=3000, random_state=0)
    assert stats.kstest(draws, stats.uniform(2, 3).cdf).pvalue > 0.01
