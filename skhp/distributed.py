"""Run any search on a Dask cluster through joblib's ``"dask"`` backend.

scikit-learn's searchers (and so skhp's) dispatch their fits with joblib.
Inside :func:`dask_backend` joblib sends them to the workers of a Dask
cluster instead of local processes: the searcher, its optimiser and the
journal stay in this process, only ``fit``/``score`` run on the workers.
"""

import gc
import numbers
import os
import warnings
from contextlib import contextmanager

from ._optional import import_optional

__all__ = ["dask_backend"]


def _check_int(value, name, allow_none=True):
    if value is None and allow_none:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or int(value) < 1
    ):
        raise ValueError(
            f"The '{name}' parameter of dask_backend must be an int >= 1"
            f"{' or None' if allow_none else ''}; got {value!r}."
        )
    return int(value)


def _check_gpus(gpus):
    """``gpus`` as a list of device names (str), or None."""
    if gpus is None:
        return None
    if isinstance(gpus, numbers.Integral) and not isinstance(gpus, bool):
        if gpus < 1:
            raise ValueError(
                f"The 'gpus' parameter of dask_backend must be an int >= 1 or a "
                f"list of device ids; got {gpus!r}. Use gpus=None to leave the "
                "workers' CUDA_VISIBLE_DEVICES alone."
            )
        return [str(i) for i in range(int(gpus))]
    if isinstance(gpus, (str, bytes)) or not hasattr(gpus, "__iter__"):
        raise ValueError(
            "The 'gpus' parameter of dask_backend must be an int or a list of "
            f"device ids such as [0, 1] or ['GPU-<uuid>', ...]; got {gpus!r}."
        )
    devices = [str(g).strip() for g in gpus]
    if not devices or any(not d or "," in d for d in devices):
        raise ValueError(
            "The 'gpus' parameter of dask_backend must list at least one device "
            f"id, one per entry (no empty ids, no commas); got {gpus!r}."
        )
    return devices


def _check_env(worker_env):
    if worker_env is None:
        return {}
    if not isinstance(worker_env, dict) or not all(
        isinstance(k, str) for k in worker_env
    ):
        raise ValueError(
            "The 'worker_env' parameter of dask_backend must be a dict of "
            f"environment variable names to values; got {worker_env!r}."
        )
    return {k: str(v) for k, v in worker_env.items()}


def _pinned_cluster(distributed, devices, env, **kwargs):
    """A ``LocalCluster`` whose worker ``i`` sees only ``devices[i % len]``.

    The device is set through the nanny's ``env``, so it is in place before
    the worker process imports torch, and a worker that the nanny restarts
    gets the same device again.
    """

    class PinnedLocalCluster(distributed.LocalCluster):
        def new_worker_spec(self):
            ((name, spec),) = super().new_worker_spec().items()
            options = dict(spec["options"])
            device = devices[int(name) % len(devices)]
            options["env"] = {**env, "CUDA_VISIBLE_DEVICES": device}
            return {name: {**spec, "options": options}}

    return PinnedLocalCluster(n_workers=0, **kwargs)


def _start_local(distributed, workers, threads_per_worker, devices, env, timeout):
    kwargs = {
        "threads_per_worker": threads_per_worker,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": None,
    }
    if devices is None:
        cluster = distributed.LocalCluster(n_workers=workers, env=env, **kwargs)
    else:
        # LocalCluster splits the memory between workers only when it starts
        # them itself; the pinned one starts them through scale(). A float is
        # a share of the machine's memory.
        kwargs["memory_limit"] = 1 / workers
        cluster = _pinned_cluster(distributed, devices, env, **kwargs)
        cluster.scale(workers)
    try:
        client = distributed.Client(cluster, timeout=timeout)
        client.wait_for_workers(workers, timeout=timeout)
    except BaseException:
        cluster.close()
        raise
    return cluster, client


def _connect(distributed, scheduler, timeout):
    try:
        return distributed.Client(scheduler, timeout=timeout)
    except ValueError as exc:
        error = ValueError(
            f"The 'scheduler' parameter of dask_backend must be the address of "
            f"a Dask scheduler such as 'tcp://10.0.0.5:8786'; got {scheduler!r} "
            f"({exc}). The scheduler prints its address when it starts, and a "
            "Python cluster object has it as `cluster.scheduler_address`."
        )
    except OSError as exc:
        error = OSError(
            f"Could not connect to the Dask scheduler at {scheduler!r} within "
            f"{timeout} s ({exc}). Check that the scheduler is running and that "
            "the address and port are reachable from this machine, or raise "
            "`timeout`."
        )
    # The half-built Client lives on in the failed call's traceback. Left to
    # the garbage collector, its __del__ may run inside a later Client's
    # start, where it waits for the loop lock that start holds: the process
    # hangs (seen in the test suite, distributed 2026.x). So the original
    # exception is not chained (its message is in ours) and the Client is
    # collected here, where no lock is held.
    gc.collect()
    raise error


@contextmanager
def dask_backend(
    scheduler=None,
    workers=None,
    threads_per_worker=1,
    *,
    gpus=None,
    worker_env=None,
    timeout=30,
):
    """Run the searches inside the block on a Dask cluster.

    Connects a ``distributed.Client`` to an existing cluster, or starts a
    local one, and makes joblib's ``"dask"`` backend the default inside the
    ``with`` block, so that ``GridSearchCV``, ``RandomizedSearchCV`` and
    :class:`skhp.BayesSearchCV` fit their candidates on the workers. The
    search loop, the Bayesian optimiser and the journal stay in this process.

    Parameters
    ----------
    scheduler : str, default=None
        Address of the scheduler of a running cluster, such as
        ``"tcp://10.0.0.5:8786"`` (``cluster.scheduler_address`` of a
        dask-jobqueue or dask-kubernetes cluster). The cluster is left
        running on exit. Mutually exclusive with ``workers``.
    workers : int, default=None
        Start a local cluster of this many worker processes on 127.0.0.1 (no
        dashboard) and stop it on exit. When both ``scheduler`` and
        ``workers`` are None, one worker per CPU core is started (or one per
        GPU when ``gpus`` is set).
    threads_per_worker : int, default=1
        Threads of each local worker: the number of fits a worker runs at
        once. Dask limits BLAS/OpenMP to one thread per worker process.
    gpus : int or list of int or str, default=None
        Pin one GPU per local worker: worker ``i`` sees only device
        ``gpus[i % len(gpus)]`` (through ``CUDA_VISIBLE_DEVICES``, so it is
        ``cuda:0`` there), and torch estimators with ``device="auto"`` or
        ``"cuda"`` use it. An int ``n`` means devices ``0 .. n-1``. Not
        available with ``scheduler``: start those workers with one GPU each
        (``dask cuda worker``, or ``CUDA_VISIBLE_DEVICES`` per worker).
    worker_env : dict, default=None
        Environment variables set in every local worker process before it
        starts, e.g. ``{"OMP_NUM_THREADS": "4"}`` for multi-threaded fits.
    timeout : float, default=30
        Seconds to wait for the scheduler connection, for local workers to
        start and, inside the block, for a first worker when the cluster has
        none (e.g. batch jobs still queued).

    Yields
    ------
    client : distributed.Client
        The connected client (``client.run``, ``client.dashboard_link``, ...).

    Raises
    ------
    ValueError
        For invalid arguments or a malformed scheduler address.
    OSError
        When the scheduler cannot be reached within ``timeout`` seconds.
    ImportError
        When ``dask``/``distributed`` are not installed
        (``pip install "skhp[dask]"``).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhp import BayesSearchCV, Real
    >>> from skhp.distributed import dask_backend
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")},
    ...     n_iter=8, n_points=2, cv=3, random_state=0,
    ... )
    >>> with dask_backend(workers=2):  # doctest: +SKIP
    ...     search.fit(X, y)
    """
    if scheduler is not None and workers is not None:
        raise ValueError(
            f"dask_backend got both scheduler={scheduler!r} and workers={workers!r}; "
            "pass scheduler to use a running cluster, or workers to start a "
            "local one, not both."
        )
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler):
        raise ValueError(
            "The 'scheduler' parameter of dask_backend must be an address string "
            f"such as 'tcp://10.0.0.5:8786'; got {scheduler!r}."
        )
    workers = _check_int(workers, "workers")
    threads_per_worker = _check_int(
        threads_per_worker, "threads_per_worker", allow_none=False
    )
    devices = _check_gpus(gpus)
    env = _check_env(worker_env)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, numbers.Real)
        or not timeout > 0
    ):
        raise ValueError(
            f"The 'timeout' parameter of dask_backend must be a number of seconds "
            f"> 0; got {timeout!r}."
        )
    if scheduler is not None and (devices is not None or env):
        given = "gpus" if devices is not None else "worker_env"
        raise ValueError(
            f"The '{given}' parameter of dask_backend applies to the workers it "
            f"starts, but scheduler={scheduler!r} points to a running cluster. "
            "Set the environment when starting those workers (e.g. `dask cuda "
            "worker` pins one GPU per worker), or use workers=N instead."
        )

    distributed = import_optional(
        "distributed", extra="dask", purpose="running searches on a Dask cluster"
    )
    joblib = import_optional("joblib")

    cluster = None
    if scheduler is not None:
        client = _connect(distributed, scheduler, timeout)
        if not client.scheduler_info().get("workers"):
            warnings.warn(
                f"The Dask scheduler at {scheduler!r} has no workers yet; a "
                f"search fails if none joins within timeout={timeout} s. Call "
                "client.wait_for_workers(n) before fitting, or raise timeout.",
                RuntimeWarning,
                stacklevel=3,
            )
    else:
        if workers is None:
            workers = len(devices) if devices is not None else os.cpu_count() or 1
        cluster, client = _start_local(
            distributed, workers, threads_per_worker, devices, env, timeout
        )
    try:
        # The client is passed so that joblib uses this cluster even when
        # another client is the process's default.
        with joblib.parallel_config(
            backend="dask", client=client, wait_for_workers_timeout=timeout
        ):
            yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
