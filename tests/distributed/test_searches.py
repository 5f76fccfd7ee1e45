"""Searches on a real two-worker LocalCluster give the local results.

One cluster (two worker processes on 127.0.0.1, one thread each) serves the
whole module; tests that kill a worker wait for the nanny to restart it.
"""

import os
import signal
import threading
import time

import numpy as np
import pytest

pytest.importorskip("distributed")

from joblib import parallel_config  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
)
from sklearn.svm import SVC  # noqa: E402

from skhp import BayesSearchCV, Real  # noqa: E402
from skhp.distributed import dask_backend  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    with dask_backend(workers=2, threads_per_worker=1) as client:
        yield client


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def worker_pids(client):
    return set(client.run(os.getpid).values())


def pid_scorer(estimator, X, y):
    """A "score" that tells which process fitted and scored the candidate."""
    return os.getpid()


SCORING = {"acc": "accuracy", "pid": pid_scorer}


def local(search, X, y):
    with parallel_config(backend="sequential"):
        return search.fit(X, y).cv_results_


def assert_same_results(dist, ref, n_splits):
    assert dist["params"] == ref["params"]
    for k in range(n_splits):
        np.testing.assert_array_equal(
            dist[f"split{k}_test_acc"], ref[f"split{k}_test_acc"]
        )


def ran_on_workers(results, n_splits, pids):
    used = {
        int(results[f"split{k}_test_pid"][i])
        for k in range(n_splits)
        for i in range(len(results["params"]))
    }
    return used <= pids and os.getpid() not in used


def test_grid_search_matches_local_run(client, iris):
    X, y = iris
    search = GridSearchCV(
        SVC(),
        {"C": [0.1, 1.0, 10.0], "gamma": ["scale", 0.01]},
        cv=3,
        scoring=SCORING,
        refit="acc",
    )
    ref = local(search, X, y)
    dist = search.fit(X, y).cv_results_
    assert_same_results(dist, ref, 3)
    assert ran_on_workers(dist, 3, worker_pids(client))


def test_randomized_search_matches_local_run(client, iris):
    X, y = iris
    search = RandomizedSearchCV(
        SVC(),
        {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1e0)},
        n_iter=6,
        cv=3,
        scoring=SCORING,
        refit="acc",
        random_state=0,
    )
    ref = local(search, X, y)
    dist = search.fit(X, y).cv_results_
    assert_same_results(dist, ref, 3)
    assert ran_on_workers(dist, 3, worker_pids(client))


def test_bayes_search_completes_n_iter_in_batches(client, iris):
    X, y = iris
    search = BayesSearchCV(
        SVC(),
        {
            "C": Real(1e-2, 1e2, prior="log-uniform"),
            "gamma": Real(1e-3, 1e0, prior="log-uniform"),
        },
        n_iter=7,
        n_points=2,
        n_initial_points=2,
        cv=3,
        scoring=SCORING,
        refit="acc",
        random_state=0,
    )
    dist = search.fit(X, y).cv_results_
    assert len(dist["params"]) == 7
    assert np.isfinite(dist["mean_test_acc"]).all()
    assert ran_on_workers(dist, 3, worker_pids(client))
    # The optimiser runs here, so the candidates are those of a local run.
    ref = local(search, X, y)
    assert_same_results(dist, ref, 3)


class SleepySVC(SVC):
    """An SVC whose fit takes ``delay`` s and logs its start to ``log``."""

    def __init__(self, C=1.0, delay=0.3, log=None):
        super().__init__(C=C)
        self.delay = delay
        self.log = log

    def fit(self, X, y):
        with open(self.log, "a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(self.delay)
        return super().fit(X, y)


def kill_a_busy_worker(log, killed, after=3):
    """Once ``after`` fits started, SIGKILL the worker of the latest one."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if os.path.exists(log):
            with open(log) as f:
                lines = f.read().split()
            if len(lines) >= after:
                pid = int(lines[-1])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
        time.sleep(0.02)


@pytest.mark.parametrize("searcher", ["grid", "bayes"])
def test_killed_worker_loses_and_duplicates_no_candidate(
    client, iris, tmp_path, searcher
):
    X, y = iris
    log = str(tmp_path / "fits.log")
    if searcher == "grid":
        Cs = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0]
        search = GridSearchCV(SleepySVC(log=log), {"C": Cs}, cv=2)
        n_candidates = len(Cs)
    else:
        search = BayesSearchCV(
            SleepySVC(log=log),
            {"C": Real(1e-2, 1e2, prior="log-uniform")},
            n_iter=6,
            n_points=2,
            n_initial_points=2,
            cv=2,
            random_state=0,
        )
        n_candidates = 6
    before = worker_pids(client)
    killed = []
    killer = threading.Thread(target=kill_a_busy_worker, args=(log, killed))
    killer.start()
    try:
        results = search.fit(X, y).cv_results_
    finally:
        killer.join()
    assert killed and killed[0] in before
    params = [p["C"] for p in results["params"]]
    assert len(params) == n_candidates == len(set(params))
    if searcher == "grid":
        assert params == Cs
    assert np.isfinite(results["mean_test_score"]).all()
    # The nanny restarts the worker for the next test.
    client.wait_for_workers(2, timeout=120)
    assert killed[0] not in worker_pids(client)


def test_llm_model_is_loaded_once_per_worker(client, tmp_path):
    # The per-process registry of skhp.llm lives as long as the worker
    # process: one load per worker, whatever the number of tasks.
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from skhp.llm import LLMClassifier
    from skhp.testing import make_toy_classification, train_tiny_gpt2

    # Loading is what is counted; an untrained model answers just as well.
    path = train_tiny_gpt2(tmp_path / "gpt2", steps=1)
    X, y = make_toy_classification(16, random_state=0)
    search = GridSearchCV(
        LLMClassifier(path, max_new_tokens=2, random_state=0),
        {"temperature": [0.0, 0.5, 1.0], "n_examples": [0, 1]},
        cv=2,
        refit=False,
    )
    search.fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()

    def loads():
        from skhp.llm import load_counts

        return sum(n for key, n in load_counts().items() if key[1] == path)

    per_worker = client.run(loads)
    # 12 tasks ran on the workers; each loaded the model at most once.
    assert sum(per_worker.values()) >= 1
    assert set(per_worker.values()) <= {0, 1}


class FlakySVC(SVC):
    """An SVC that logs each fit's C to ``log`` and, while the file ``fail``
    exists, raises once ``fail_after`` fits have started (an interruption)."""

    def __init__(self, C=1.0, log=None, fail=None, fail_after=0):
        super().__init__(C=C)
        self.log = log
        self.fail = fail
        self.fail_after = fail_after

    def fit(self, X, y):
        with open(self.log, "a") as f:
            f.write(f"{self.C!r}\n")
        with open(self.log) as f:
            started = len(f.read().split())
        if os.path.exists(self.fail) and started > self.fail_after:
            raise RuntimeError("interrupted")
        return super().fit(X, y)


def fitted_Cs(log):
    with open(log) as f:
        return [float(c) for c in f.read().split()]


@pytest.mark.parametrize("searcher", ["grid", "bayes"])
def test_interrupted_journaled_run_resumes_without_refitting(
    client, iris, tmp_path, searcher
):
    from skhp.journal import Journal
    from skhp.search.classic import GridSearchCV as JournaledGridSearchCV

    X, y = iris
    log, fail = str(tmp_path / "fits.log"), str(tmp_path / "fail")
    journal = str(tmp_path / "journal.db")
    estimator = FlakySVC(log=log, fail=fail, fail_after=8)
    if searcher == "grid":
        Cs = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0]
        # refit=False: the final refit of the best candidate would log a fit
        # of a recorded candidate, which is not a refit of the search.
        search = JournaledGridSearchCV(
            estimator,
            {"C": Cs},
            cv=2,
            error_score="raise",
            journal=journal,
            refit=False,
        )
        n_candidates = len(Cs)
    else:
        search = BayesSearchCV(
            estimator,
            {"C": Real(1e-2, 1e2, prior="log-uniform")},
            n_iter=8,
            n_points=2,
            n_initial_points=2,
            cv=2,
            error_score="raise",
            random_state=0,
            journal=journal,
            refit=False,
        )
        n_candidates = 8
    study = type(search).__name__.lower()

    open(fail, "w").close()
    with pytest.raises(RuntimeError, match="interrupted"):
        search.fit(X, y)
    with Journal(journal) as j:
        first = [t.params["C"] for t in j.trials(study)]
    # Fits ran on the workers and whole candidates reached the journal.
    assert 0 < len(first) < n_candidates

    os.remove(fail)
    os.remove(log)
    results = search.fit(X, y).cv_results_
    params = [p["C"] for p in results["params"]]
    assert len(params) == n_candidates == len(set(params))
    assert params[: len(first)] == first
    # No recorded candidate was fitted again.
    assert not set(fitted_Cs(log)) & set(first)
    assert np.isfinite(results["mean_test_score"]).all()
    with Journal(journal) as j:
        recorded = j.cv_results(study)
    assert [p["C"] for p in recorded["params"]] == params
    assert list(recorded["status"]) == ["ok"] * n_candidates
