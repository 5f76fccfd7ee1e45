"""fit_timeout: a fit over time is killed, recorded as failed, and the search goes on.

The hanging fits here sleep far longer than any test may take, so a broken
timeout fails the test (by the subprocess guard, or by the assertions after
a long wait) instead of passing slowly. No assertion is on timing.
"""

import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning

from skhp import BayesSearchCV, Categorical, GridSearchCV, RandomizedSearchCV
from skhp._compat import InvalidParameterError
from skhp.journal import Journal
from skhp.search import timeout
from skhp.search.timeout import FitTimeoutError

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "fit_timeout.py"
X, Y = load_iris(return_X_y=True)
#: Long enough that a test with a broken timeout cannot pass.
HANG = 120.0


class Sleepy(ClassifierMixin, BaseEstimator):
    """Majority class; ``fit`` sleeps ``delay`` seconds, or dies with ``die``."""

    def __init__(self, delay=0.0, die=False, warn=False):
        self.delay = delay
        self.die = die
        self.warn = warn

    def fit(self, X, y):
        if self.die:
            os._exit(3)
        if self.warn:
            warnings.warn("slept badly", UserWarning, stacklevel=2)
        time.sleep(self.delay)
        values, counts = np.unique(y, return_counts=True)
        self.classes_ = values
        self.majority_ = values[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


class Unpicklable(Sleepy):
    def __reduce__(self):
        raise TypeError("no pickling here")


def parent_pid_scorer(estimator, X, y):
    """A "score" that tells which process started the one that scored."""
    return os.getppid()


def fit_quietly(search, X=X, y=Y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", UserWarning)  # non-finite test scores
        return search.fit(X, y)


def timed_out(error):
    return error is not None and "timed out after 1 s" in error


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_a_hanging_candidate_is_killed_and_the_search_goes_on(n_jobs):
    grid = {"delay": [0.0, HANG, 0.01]}
    search = fit_quietly(
        GridSearchCV(Sleepy(), grid, cv=2, n_jobs=n_jobs, fit_timeout=1)
    )
    errors = list(search.cv_results_["error"])
    assert errors[0] is None and errors[2] is None
    assert timed_out(errors[1])
    assert errors[1].startswith("FitTimeoutError: ")
    assert np.isnan(search.cv_results_["mean_test_score"][1])
    assert np.isfinite(search.cv_results_["mean_test_score"][[0, 2]]).all()
    assert search.best_params_["delay"] != HANG


def test_the_other_splits_of_a_timed_out_candidate_are_not_fitted():
    search = fit_quietly(
        GridSearchCV(
            Sleepy(), {"delay": [HANG, 0.0]}, cv=3, fit_timeout=1, error_score=-1
        )
    )
    assert search.cv_results_["mean_test_score"][0] == -1
    assert timed_out(search.cv_results_["error"][0])


def test_random_and_bayes_searches_take_fit_timeout():
    for search in (
        RandomizedSearchCV(Sleepy(), {"delay": [0.0, HANG]}, n_iter=2, cv=2),
        BayesSearchCV(Sleepy(), {"delay": Categorical([0.0, HANG])}, n_iter=2, cv=2),
    ):
        fit_quietly(search.set_params(fit_timeout=1))
        results = search.cv_results_
        assert sorted(p["delay"] for p in results["params"]) == [0.0, HANG]
        for params, error in zip(results["params"], results["error"]):
            assert timed_out(error) == (params["delay"] == HANG)


def test_error_score_raise_raises_fit_timeout_error():
    search = GridSearchCV(
        Sleepy(), {"delay": [HANG]}, cv=2, fit_timeout=1, error_score="raise"
    )
    with pytest.raises(FitTimeoutError, match="timed out after 1 s"):
        search.fit(X, Y)


def test_multimetric_scores_and_train_scores_of_a_timed_out_fit():
    search = fit_quietly(
        GridSearchCV(
            Sleepy(),
            {"delay": [0.0, HANG]},
            cv=2,
            scoring=["accuracy", "balanced_accuracy"],
            refit="accuracy",
            return_train_score=True,
            fit_timeout=1,
        )
    )
    results = search.cv_results_
    for key in ("mean_test_accuracy", "mean_train_balanced_accuracy"):
        assert np.isfinite(results[key][0]) and np.isnan(results[key][1])


def test_a_fit_that_kills_its_process_is_a_failed_candidate():
    search = fit_quietly(
        GridSearchCV(Sleepy(), {"die": [False, True]}, cv=2, fit_timeout=30)
    )
    errors = search.cv_results_["error"]
    assert errors[0] is None
    assert "the process fitting it died (exit status 3" in errors[1]


def test_fit_warnings_in_the_child_reach_the_summary():
    search = GridSearchCV(
        Sleepy(warn=True), {"delay": [0.0, 0.01]}, cv=2, fit_timeout=30
    )
    with pytest.warns(UserWarning, match="slept badly"):
        search.fit(X, Y)


def test_the_journal_and_the_error_column_keep_the_timeout(tmp_path):
    path = str(tmp_path / "run.db")
    grid = {"delay": [0.0, HANG]}
    fit_quietly(GridSearchCV(Sleepy(), grid, cv=2, fit_timeout=1, journal=path))
    with Journal(path, create=False) as journal:
        (trial,) = [t for t in journal.trials("gridsearchcv") if t.params["delay"]]
        recorded = journal.cv_results("gridsearchcv")
    assert trial.status == "failed"
    assert "timed out after 1 s" in trial.error
    assert timed_out(recorded["error"][1])


@pytest.mark.parametrize("value", [0, -1.5, "soon", [2]])
def test_invalid_fit_timeout_is_named(value):
    search = GridSearchCV(Sleepy(), {"delay": [0.0]}, fit_timeout=value)
    with pytest.raises(InvalidParameterError, match="'fit_timeout' parameter"):
        search.fit(X, Y)


def test_an_estimator_that_does_not_pickle_is_a_clear_error():
    search = GridSearchCV(Unpicklable(), {"delay": [0.0]}, cv=2, fit_timeout=5)
    with pytest.raises(TypeError, match="fit_timeout=5 runs each fit in a child"):
        search.fit(X, Y)


def test_without_fit_timeout_no_child_is_involved(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("fit_in_child called without fit_timeout")

    monkeypatch.setattr(timeout, "fit_in_child", refuse)
    monkeypatch.setattr(timeout, "_Child", refuse)
    search = GridSearchCV(Sleepy(), {"delay": [0.0, 0.01]}, cv=2).fit(X, Y)
    assert list(search.cv_results_["error"]) == [None, None]
    assert search.fit_timeout is None


def test_clone_and_pickle_keep_fit_timeout():
    from sklearn.base import clone

    search = BayesSearchCV(Sleepy(), {"delay": [0.0, 1.0]}, fit_timeout=2.5)
    assert clone(search).fit_timeout == 2.5
    assert pickle.loads(pickle.dumps(search)).get_params()["fit_timeout"] == 2.5


def test_a_child_per_thread():
    children = {}

    def grab(name):
        children[name] = timeout._child()

    threads = [threading.Thread(target=grab, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert children["a"].process.pid != children["b"].process.pid
    for child in children.values():
        child.close()


# --- The goal, in processes of their own --------------------------------


def _run_script(*args, env_extra=None, timeout_s=180):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]))
    env.update(env_extra or {})
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "hang", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout_s,  # "finishes at all": the hang would take an hour
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check_hang_result(result):
    assert result["tags"] == list(range(10))
    for tag, error in zip(result["tags"], result["errors"]):
        if tag == 4:
            assert "timed out after 2 s" in error
        else:
            assert error is None
    assert result["best_tag"] != 4


@pytest.mark.slow
def test_an_hour_long_candidate_of_ten_is_timed_out():
    _check_hang_result(_run_script())


def _alive(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return "\nState:\tZ" not in status


def _wait_for(predicate, limit=120.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="kill -9")
def test_kill_9_during_the_hang_then_resume_records_it_failed(tmp_path):
    journal, log = tmp_path / "run.db", tmp_path / "fits.log"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]))
    env["SKHP_FIT_LOG"] = str(log)
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "hang", "--journal", str(journal)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def hanging_pids():
        if not log.exists():
            return []
        rows = [line.split() for line in log.read_text().splitlines()]
        return [int(pid) for pid, tag in rows if tag == "4"]

    try:
        assert _wait_for(lambda: hanging_pids()), "the hanging fit never started"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    (child,) = hanging_pids()
    # The orphaned child notices its parent's death and ends.
    assert _wait_for(lambda: not _alive(child)), "the child outlived its parent"

    result = _run_script(
        "--journal", str(journal), env_extra={"SKHP_FIT_LOG": str(log)}
    )
    _check_hang_result(result)
    assert len(hanging_pids()) == 2  # fitted again once after the kill

    # Recorded as failed: a further resume replays it without fitting it.
    result = _run_script(
        "--journal", str(journal), env_extra={"SKHP_FIT_LOG": str(log)}
    )
    _check_hang_result(result)
    assert len(hanging_pids()) == 2
    with Journal(str(journal), create=False) as j:
        statuses = {t.params["tag"]: t.status for t in j.trials("gridsearchcv")}
    assert statuses[4] == "failed"
    assert sum(s == "ok" for s in statuses.values()) == 9


@pytest.mark.slow
def test_fits_on_dask_workers_are_timed_out_too():
    pytest.importorskip("distributed")
    from skhp.distributed import dask_backend

    # Dask's worker processes are daemons: the child is started as a plain
    # subprocess, which they may have.
    with dask_backend(workers=1, threads_per_worker=2) as client:
        search = GridSearchCV(
            Sleepy(),
            {"delay": [0.0, HANG, 0.01]},
            cv=2,
            n_jobs=-1,
            fit_timeout=2,
            scoring={"acc": "accuracy", "ppid": parent_pid_scorer},
            refit="acc",
        )
        fit_quietly(search)
        worker_pids = set(client.run(os.getpid).values())
    results = search.cv_results_
    errors = list(results["error"])
    assert errors[0] is None and errors[2] is None
    assert "timed out after 2 s" in errors[1]
    # Scored in a child of a Dask worker.
    parents = {int(results[f"split{k}_test_ppid"][i]) for k in (0, 1) for i in (0, 2)}
    assert parents <= worker_pids and os.getpid() not in parents


def test_error_score_raise_with_a_dying_fit_is_a_runtime_error():
    search = GridSearchCV(
        Sleepy(), {"die": [True]}, cv=2, fit_timeout=30, error_score="raise"
    )
    with pytest.raises(RuntimeError, match="the process fitting it died"):
        search.fit(X, Y)


def test_pruned_searches_time_out_their_first_folds_too():
    from skhp.search import MedianPruner

    search = BayesSearchCV(
        Sleepy(),
        {"delay": Categorical([0.0, HANG])},
        n_iter=2,
        cv=3,
        pruner=MedianPruner(after_folds=1, n_startup=1),
        fit_timeout=1,
    )
    fit_quietly(search)
    results = search.cv_results_
    for params, error in zip(results["params"], results["error"]):
        assert timed_out(error) == (params["delay"] == HANG)
