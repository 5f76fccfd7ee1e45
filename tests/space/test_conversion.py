import numpy as np
import pytest
import skopt.space
from scipy import stats

from skhp import Categorical, Integer, Real
from skhp.space import check_space


@pytest.mark.parametrize(
    "value, expected",
    [
        ([1, 2, 3], Categorical([1, 2, 3], name="p")),
        (range(3), Categorical([0, 1, 2], name="p")),
        (np.array(["a", "b"]), Categorical(["a", "b"], name="p")),
        (stats.uniform(0.1, 0.9), Real(0.1, 1.0, name="p")),
        (stats.loguniform(1e-3, 10), Real(1e-3, 10, prior="log-uniform", name="p")),
        (stats.randint(2, 7), Integer(2, 6, name="p")),
        (
            skopt.space.Real(1e-2, 1, prior="log-uniform"),
            Real(1e-2, 1, prior="log-uniform", name="p"),
        ),
        (skopt.space.Integer(3, 9), Integer(3, 9, name="p")),
        (skopt.space.Categorical(["x", "y"]), Categorical(["x", "y"], name="p")),
        (Real(0, 1), Real(0, 1)),
    ],
)
def test_values_map_to_dimensions(value, expected):
    assert check_space({"p": value}) == [{"p": expected}]


@pytest.mark.parametrize(
    "space, match",
    [
        ({"p": stats.norm(0, 1)}, r"'p': scipy.stats.norm cannot be mapped"),
        ({"p": (1, 10)}, r"'p': a tuple \(1, 10\) is ambiguous"),
        (
            {"p": 0.5},
            r"'p': expected Real.*To fix the parameter to one value, write \[0.5\]",
        ),
        ({"p": "lbfgs"}, r"write \['lbfgs'\]"),
        ({"p": []}, r"Categorical dimension 'p': `choices` must hold at least one"),
        ({"p": [1, 1]}, r"Categorical dimension 'p': `choices` must be distinct"),
        ({"p": np.zeros((2, 2))}, r"'p': an array of choices must be 1-D"),
        ({1: [1, 2]}, r"names must be strings, but got 1"),
        ([], r"at least one dict"),
        ([{"p": [1]}, {}], r"branch 1 is empty"),
        ([{"p": [1]}, 3], r"branch 1 must be a dict"),
        ("C", r"must be a dict \{name: dimension\} or a list of such dicts"),
        ({"p": stats.loguniform(1, 10, loc=1)}, r"shifted loguniform"),
    ],
)
def test_unmappable_spaces_are_refused_with_the_parameter_name(space, match):
    with pytest.raises(ValueError, match=match):
        check_space(space)


def test_conditional_space_keeps_its_branches():
    space = [{"a": [1, 2]}, {"b": Real(0, 1), "c": ["x"]}]
    checked = check_space(space)
    assert [list(b) for b in checked] == [["a"], ["b", "c"]]
