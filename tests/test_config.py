import io
import sys
import types

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.svm import SVC

import skhp
from skhp import _config
from skhp.search.progress import ProgressBar, shows_progress

X, Y = load_iris(return_X_y=True)


@pytest.fixture(autouse=True)
def default_config():
    """Every test starts from the default, whatever SKHP_PROGRESS says."""
    with skhp.config_context(progress=None):
        yield


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_set_config_get_config_and_context_round_trip():
    assert skhp.get_config()["progress"] is None
    with skhp.config_context(progress=True):
        assert skhp.get_config()["progress"] is True
        with skhp.config_context(progress=False):
            assert skhp.get_config()["progress"] is False
        assert skhp.get_config()["progress"] is True
    assert skhp.get_config()["progress"] is None
    skhp.set_config(progress=False)
    try:
        assert skhp.get_config() == {"progress": False, "fit_warnings": "summary"}
        skhp.set_config()  # leaves it as it is
        assert skhp.get_config() == {"progress": False, "fit_warnings": "summary"}
    finally:
        skhp.set_config(progress=None)


def test_bad_values_are_named():
    with pytest.raises(ValueError, match=r"`progress` must be True .* got 'yes'"):
        skhp.set_config(progress="yes")
    with pytest.raises(ValueError, match=r"`fit_warnings` must be .* got 'some'"):
        skhp.set_config(fit_warnings="some")


@pytest.mark.parametrize(
    "raw, expected",
    [("1", True), ("on", True), ("TRUE", True), ("0", False), ("off", False)]
    + [("auto", None), ("", None)],
)
def test_environment_variable_sets_the_default(monkeypatch, raw, expected):
    monkeypatch.setenv("SKHP_PROGRESS", raw)
    assert _config._progress_from_env() is expected


def test_unknown_environment_value_warns_and_is_ignored(monkeypatch):
    monkeypatch.setenv("SKHP_PROGRESS", "sometimes")
    with pytest.warns(UserWarning, match="SKHP_PROGRESS='sometimes' is not"):
        assert _config._progress_from_env() is None


def test_global_switch_overrides_verbose_and_terminal():
    assert not shows_progress(1, io.StringIO())
    assert shows_progress(1, Terminal())
    assert not shows_progress(0, Terminal())
    with skhp.config_context(progress=True):
        assert shows_progress(0, io.StringIO())
    with skhp.config_context(progress=False):
        assert not shows_progress(1, Terminal())


def test_a_notebook_counts_as_watched(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", types.ModuleType("zmq"))
    assert shows_progress(1, io.StringIO())
    assert not shows_progress(0, io.StringIO())


def test_progress_true_draws_one_bar_per_search_at_verbose_0(monkeypatch):
    err, out = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr("sys.stdout", out)
    grid = {"C": [0.1, 1.0, 10.0], "gamma": ["scale", "auto"]}
    with skhp.config_context(progress=True):
        skhp.GridSearchCV(SVC(), grid, cv=3).fit(X, Y)
        skhp.BayesSearchCV(
            SVC(), {"C": skhp.Real(0.1, 10)}, n_iter=3, cv=3, random_state=0
        ).fit(X, Y)
    text = err.getvalue()
    assert "gridsearchcv" in text and "6/6" in text
    assert "bayessearchcv" in text and "3/3" in text and "best=" in text
    # Each bar ends with one newline: one line per search.
    assert text.count("\n") == 2
    # verbose=0: scikit-learn's "Fitting ..." line is not printed.
    assert "Fitting" not in out.getvalue()


def test_progress_false_hides_the_bar_on_a_terminal():
    with skhp.config_context(progress=False):
        bar = ProgressBar(5, verbose=1, score_key="mean_test_score", file=Terminal())
    assert not bar.enabled
    bar.update({"params": [{}], "mean_test_score": np.array([0.5])})
    bar.close()
