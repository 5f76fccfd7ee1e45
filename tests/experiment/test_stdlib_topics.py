"""The standard-library docstring task."""

from collections import Counter

import numpy as np
import pytest

from skhp.experiment.catalog import load_dataset
from skhp.experiment.stdlib_topics import AREAS, load_stdlib_topics


def test_balanced_draw_with_labels_from_the_modules():
    X, y, names = load_stdlib_topics(n_per_class=20, random_state=0, return_names=True)
    assert Counter(y) == {area: 20 for area in AREAS}
    assert all(isinstance(x, str) and len(x.split()) >= 4 for x in X)
    for label, name in zip(y, names):
        assert any(name.startswith(m + ".") for m in AREAS[label]), (label, name)


def test_known_sentence_has_its_area():
    X, y, names = load_stdlib_topics(areas=["math"], return_names=True)
    assert set(y) == {"math"}
    assert "math.degrees" in names
    assert X[names.index("math.degrees")] == "Convert angle x from radians to degrees."


def test_no_sentence_in_two_areas():
    X, y = load_stdlib_topics()
    assert len(set(X)) == len(X)
    assert len(X) > 600


def test_seed_decides_draw_and_order():
    a = load_stdlib_topics(areas=["text", "time"], n_per_class=10, random_state=1)
    b = load_stdlib_topics(areas=["text", "time"], n_per_class=10, random_state=1)
    c = load_stdlib_topics(areas=["text", "time"], n_per_class=10, random_state=2)
    assert a[0] == b[0]
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0] != c[0]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"areas": ["maths"]}, r"areas=\['maths'\] are not areas"),
        ({"areas": ["time"], "n_per_class": 10_000}, "n_per_class=10000 is more than"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_stdlib_topics(**kwargs)


def test_builtin_dataset():
    X, y = load_dataset("stdlib_topics")
    assert len(X) == 48
    assert Counter(y) == {"math": 12, "files": 12, "network": 12, "text": 12}
