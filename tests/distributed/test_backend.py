"""dask_backend: argument checks, connection errors, local clusters and GPU pinning."""

import gc
import os
import socket
import sys

import pytest

from skhp.distributed import dask_backend


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"scheduler": "tcp://127.0.0.1:8786", "workers": 2},
            "both scheduler='tcp://127.0.0.1:8786' and workers=2",
        ),
        ({"workers": 0}, "'workers' parameter .* int >= 1 or None; got 0"),
        ({"workers": -1}, "'workers' parameter .* got -1"),
        ({"workers": True}, "'workers' parameter .* got True"),
        ({"workers": 1.5}, "'workers' parameter .* got 1.5"),
        ({"threads_per_worker": 0}, "'threads_per_worker' parameter .* got 0"),
        ({"threads_per_worker": None}, "'threads_per_worker' parameter .* got None"),
        ({"scheduler": 8786}, "'scheduler' parameter .* address string"),
        ({"scheduler": ""}, "'scheduler' parameter .* address string"),
        ({"gpus": 0}, "'gpus' parameter .* got 0"),
        ({"gpus": "0,1"}, "'gpus' parameter .* list of"),
        ({"gpus": []}, "'gpus' parameter .* at least one device"),
        ({"gpus": ["0,1"]}, "'gpus' parameter .* no commas"),
        ({"worker_env": ["A=1"]}, "'worker_env' parameter .* dict"),
        ({"timeout": 0}, "'timeout' parameter .* > 0; got 0"),
        (
            {"scheduler": "tcp://127.0.0.1:8786", "gpus": 2},
            "'gpus' parameter .* running cluster.*dask cuda worker",
        ),
        (
            {"scheduler": "tcp://127.0.0.1:8786", "worker_env": {"A": "1"}},
            "'worker_env' parameter .* running cluster",
        ),
    ],
)
def test_invalid_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        with dask_backend(**kwargs):
            pass  # pragma: no cover


def test_missing_distributed_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r'pip install "skhp\[dask\]"'):
        with dask_backend(workers=1):
            pass  # pragma: no cover


def test_malformed_scheduler_address():
    pytest.importorskip("distributed")
    with pytest.raises(ValueError, match="'scheduler' parameter .* 'nonsense'"):
        with dask_backend(scheduler="nonsense", timeout=1):
            pass  # pragma: no cover


def test_unreachable_scheduler_times_out():
    pytest.importorskip("distributed")
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    with pytest.raises(OSError, match=f"Could not connect .* at '{address}' within 1"):
        with dask_backend(scheduler=address, timeout=1):
            pass  # pragma: no cover


@pytest.mark.parametrize("scheduler", ["nonsense", "unreachable"])
def test_failed_connection_leaves_no_client_behind(scheduler):
    # A half-built Client collected later, inside another Client's start,
    # deadlocks on distributed's loop lock; dask_backend collects it at once.
    distributed = pytest.importorskip("distributed")
    if scheduler == "unreachable":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            scheduler = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    gc.collect()
    with pytest.raises((ValueError, OSError)) as excinfo:
        with dask_backend(scheduler=scheduler, timeout=1):
            pass  # pragma: no cover
    assert excinfo.value.__cause__ is None
    alive = [o for o in gc.get_objects() if isinstance(o, distributed.Client)]
    assert alive == []


@pytest.mark.slow
def test_local_cluster_pins_one_gpu_per_worker_and_stops():
    pytest.importorskip("distributed")
    from joblib.parallel import get_active_backend

    def worker_env():
        return (
            os.environ.get("CUDA_VISIBLE_DEVICES"),
            os.environ.get("SKHP_TEST_ENV"),
        )

    with dask_backend(
        workers=3, gpus=["3", 5], worker_env={"SKHP_TEST_ENV": "on"}
    ) as client:
        assert type(get_active_backend()[0]).__name__ == "DaskDistributedBackend"
        names = client.run(lambda dask_worker: dask_worker.name)
        envs = client.run(worker_env)
        # A worker named i sees gpus[i % len(gpus)], so a restarted worker
        # (same name) gets its device back.
        assert sorted(names.values()) == [0, 1, 2]
        assert {names[w]: envs[w] for w in envs} == {
            0: ("3", "on"),
            1: ("5", "on"),
            2: ("3", "on"),
        }
        # The nanny restarts a worker with its device.
        client.restart(timeout=120, wait_for_workers=True)
        envs = client.run(worker_env)
        names = client.run(lambda dask_worker: dask_worker.name)
        assert {names[w]: envs[w][0] for w in envs} == {0: "3", 1: "5", 2: "3"}
    assert client.status == "closed"
    assert type(get_active_backend()[0]).__name__ != "DaskDistributedBackend"


def test_running_cluster_is_used_and_left_running():
    distributed = pytest.importorskip("distributed")
    from sklearn.datasets import load_iris
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC

    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=2)
    # Threads instead of processes: quick to start, and enough for the
    # connection logic (the process clusters are tested in test_searches).
    with distributed.LocalCluster(
        n_workers=0,
        processes=False,
        threads_per_worker=1,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        address = cluster.scheduler_address
        with pytest.warns(RuntimeWarning, match="has no workers yet"):
            with dask_backend(scheduler=address, timeout=1):
                with pytest.raises(TimeoutError, match="no worker after 1 seconds"):
                    search.fit(X, y)
        cluster.scale(1)
        with dask_backend(scheduler=address) as client:
            client.wait_for_workers(1)
            search.fit(X, y)
            n_prefixes = client.run_on_scheduler(
                lambda dask_scheduler: len(dask_scheduler.task_prefixes)
            )
        assert len(search.cv_results_["params"]) == 2
        assert n_prefixes > 0  # the fits went through the scheduler
        assert client.status == "closed"
        assert cluster.status.name == "running"
