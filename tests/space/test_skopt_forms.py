import pytest
from skopt import space as sk

from skhp import Categorical, Integer, Real
from skhp.space import as_dimension, check_space
from skhp.space.skopt_forms import from_skopt_tuple, read_search_spaces


@pytest.mark.parametrize(
    "value, expected",
    [
        ((1, 32), Integer(1, 32, name="p")),
        ((1.0, 32), Real(1.0, 32.0, name="p")),
        ((0.1, 0.9), Real(0.1, 0.9, name="p")),
        ((1e-3, 1e3, "log-uniform"), Real(1e-3, 1e3, prior="log-uniform", name="p")),
        ((1, 100, "log-uniform"), Integer(1, 100, prior="log-uniform", name="p")),
        ((2, 8, "uniform"), Integer(2, 8, name="p")),
        ((1, 1024, "log-uniform", 2), Integer(1, 1024, prior="log-uniform", name="p")),
        (("a", "b"), Categorical(["a", "b"], name="p")),
        ((True, False), Categorical([True, False], name="p")),
        ((1, 2, 3), Categorical([1, 2, 3], name="p")),
        (("rbf",), Categorical(["rbf"], name="p")),
        (("a", "b", "c", "d", "e"), Categorical(["a", "b", "c", "d", "e"], name="p")),
    ],
)
def test_tuples_are_typed_by_skopts_rules(value, expected):
    assert from_skopt_tuple("p", value) == expected


def test_a_tuple_range_is_checked_like_a_dimension():
    with pytest.raises(ValueError, match="`low < high` must hold"):
        from_skopt_tuple("p", (10, 1))
    with pytest.raises(ValueError, match="log-uniform prior needs `low > 0`"):
        from_skopt_tuple("p", (0.0, 1.0, "log-uniform"))


def test_a_dict_space_reads_tuples_lists_and_skopt_dimensions():
    subspaces, budgets = read_search_spaces(
        {
            "C": (1e-6, 1e6, "log-uniform"),
            "degree": (1, 8),
            "kernel": ["linear", "rbf"],
            "gamma": sk.Real(1e-6, 1e1, prior="log-uniform"),
            "depth": Integer(1, 4),
        },
        n_iter=5,
    )
    assert budgets is None
    assert subspaces == [
        {
            "C": Real(1e-6, 1e6, prior="log-uniform", name="C"),
            "degree": Integer(1, 8, name="degree"),
            "kernel": Categorical(["linear", "rbf"], name="kernel"),
            "gamma": Real(1e-6, 1e1, prior="log-uniform", name="gamma"),
            "depth": Integer(1, 4),
        }
    ]


@pytest.mark.parametrize(
    "spaces, n_iter, budgets",
    [
        ([({"a": (1, 3)}, 10), {"b": (0.1, 0.9)}], 5, [10, 5]),
        ([({"a": (1, 3)}, 1), ({"b": (0.1, 0.9)}, 2)], 50, [1, 2]),
        ([{"a": (1, 3)}, {"b": (0.1, 0.9)}], 5, None),
    ],
)
def test_per_branch_budgets(spaces, n_iter, budgets):
    subspaces, got = read_search_spaces(spaces, n_iter)
    assert got == budgets
    assert [list(s) for s in subspaces] == [["a"], ["b"]]


@pytest.mark.parametrize(
    "spaces, match",
    [
        ([({"a": (1, 3)}, 0)], "budget in \\(subspace, n_iter\\) must be a positive"),
        ([({"a": (1, 3)}, 2.5)], "budget in \\(subspace, n_iter\\) must be a positive"),
        ([({"a": (1, 3)}, 2, 3)], "must be \\(subspace dict, n_iter\\)"),
        ([("C", (1.0, 1))], "must be \\(subspace dict, n_iter\\)"),
        ([{"a": "1 ... 100"}], "parameter 'a'"),
        ({}, "empty"),
    ],
)
def test_bad_skopt_forms_name_what_is_wrong(spaces, match):
    with pytest.raises(ValueError, match=match):
        read_search_spaces(spaces, 5)


def test_check_space_still_refuses_a_bare_tuple():
    # Outside the skopt-compatible entry points a tuple stays ambiguous.
    with pytest.raises(ValueError, match="ambiguous"):
        check_space({"a": (1, 10)})


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda d: d.FloatDistribution(0.1, 0.9), Real(0.1, 0.9, name="p")),
        (
            lambda d: d.FloatDistribution(1e-4, 1.0, log=True),
            Real(1e-4, 1.0, prior="log-uniform", name="p"),
        ),
        (lambda d: d.IntDistribution(1, 9), Integer(1, 9, name="p")),
        (
            lambda d: d.IntDistribution(1, 512, log=True),
            Integer(1, 512, prior="log-uniform", name="p"),
        ),
        (lambda d: d.IntDistribution(2, 8, step=3), Categorical([2, 5, 8], name="p")),
        (
            lambda d: d.FloatDistribution(0.0, 1.0, step=0.25),
            Categorical([0.0, 0.25, 0.5, 0.75, 1.0], name="p"),
        ),
        (
            lambda d: d.CategoricalDistribution(["a", None, 3]),
            Categorical(["a", None, 3], name="p"),
        ),
    ],
)
def test_optuna_distributions_become_dimensions(make, expected):
    distributions = pytest.importorskip("optuna.distributions")
    assert as_dimension("p", make(distributions)) == expected
