import numpy as np
import pytest

from skhp.report import parameter_importance, results_frame


def test_the_parameter_that_matters_ranks_above_noise(peaked):
    importance = parameter_importance(peaked)
    assert list(importance.index) == ["x", "noise"]
    assert importance["x"] > 0.5
    assert importance["noise"] < 0.1 * importance["x"]


def test_importance_is_reproducible(peaked):
    first = parameter_importance(peaked)
    np.testing.assert_array_equal(first, parameter_importance(peaked))


def test_categories_and_absent_parameters_are_encoded(conditional):
    cv = dict(conditional.cv_results_)
    importance = parameter_importance(results_frame(cv))
    assert set(importance.index) == {"kernel", "C", "gamma"}
    assert (importance >= 0).all()


def test_too_few_successes_are_refused(failing):
    with pytest.raises(
        ValueError, match=r"at least 5 successful candidates, but the results have 2"
    ):
        parameter_importance(failing)
