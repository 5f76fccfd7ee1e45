"""Searches on Dask: scaling, per-task overhead and batch size.

Four measurements, in one run:

1. Scaling: wall time of one CPU-bound ``RandomizedSearchCV`` (an RBF SVC on
   a generated dataset sized so that one fit takes about 0.5-1 s on one core)
   on a local Dask cluster of 1 and of 2 worker processes (one thread each),
   beside joblib's own process pool (loky) with ``n_jobs=1`` and ``2``. The
   issue's goal is a speed-up >= 1.7x from 1 to 2 Dask workers on 2 cores.
2. Per-task overhead: 200 trivial fits (a ``DummyClassifier`` on 40 samples:
   100 candidates x 2 folds) with the sequential backend, loky with 2
   processes and Dask with 2 workers; wall time per fit.
3. Batch size vs sample efficiency: :class:`skhp.BayesSearchCV` with
   ``n_points`` 1, 2 and 4 at a fixed budget of candidates on one task (an
   SVC on digits, C and gamma), median over seeds of the best CV score and of
   the candidates needed to reach a target score, beside the number of
   batches (rounds of parallel fits) each needs.
4. Optimizer cost per batch: milliseconds for ``ask(n)`` (a constant-liar
   batch of n points) and one ``tell`` of the Gaussian-process optimizer with
   50 observations on a 4-D space, for n = 1, 8 and 64 (``--observations
   50,200,500`` for more).

The load average of the machine is printed beside each part: other processes
on the same cores slow the parallel runs more than the sequential ones, so a
busy machine understates the speed-ups.

Run from the repository root::

    python benchmarks/dask_scaling.py            # full run, about 5 minutes
    python benchmarks/dask_scaling.py --quick    # smoke test, about 1 minute
    python benchmarks/dask_scaling.py --parts 4 --observations 50,200,500
"""

import argparse
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from joblib import parallel_config  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_digits, make_classification  # noqa: E402
from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
)
from sklearn.svm import SVC  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from skhp import BayesSearchCV, Categorical, Integer, Real  # noqa: E402
from skhp.distributed import dask_backend  # noqa: E402


def load():
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    line = "  ".join(f"{{:>{w}}}" for w in widths)
    print(line.format(*header))
    for row in rows:
        print(line.format(*row))


# --- 1. scaling ----------------------------------------------------------------


def scaling(quick):
    n_samples = 3000 if quick else 6000
    n_iter = 4 if quick else 8
    X, y = make_classification(
        n_samples=n_samples,
        n_features=20,
        n_informative=8,
        flip_y=0.05,
        random_state=0,
    )
    search = RandomizedSearchCV(
        SVC(),
        {"C": loguniform(1e-1, 1e1), "gamma": loguniform(1e-3, 1e-1)},
        n_iter=n_iter,
        cv=3,
        random_state=0,
    )
    fit_time = []

    def run():
        search.fit(X, y)
        fit_time.append(float(np.sum(search.cv_results_["mean_fit_time"]) * 3))

    print(f"\n## 1. Scaling: RandomizedSearchCV(SVC), {n_iter} candidates x 3 folds")
    print(f"{n_samples} samples x 20 features; {load()}")

    def warm_up(n):
        # Worker processes start and import scikit-learn on their first
        # tasks: not timed.
        GridSearchCV(SVC(), {"C": [1.0] * 2 * n}, cv=2).fit(X[:50], y[:50])

    walls = {}
    for name, n in (("loky", 1), ("loky", 2)):
        with parallel_config(backend="loky", n_jobs=n):
            warm_up(n)
            walls[(name, n)] = timed(run)
    for n in (1, 2):
        with dask_backend(workers=n) as client:
            warm_up(n)
            walls[("dask", n)] = timed(run)
            assert len(client.scheduler_info()["workers"]) == n
    mean_fit = statistics.median(fit_time) / (3 * n_iter)
    rows = [
        (name, n, f"{wall:.1f}", f"{walls[(name, 1)] / wall:.2f}x")
        for (name, n), wall in walls.items()
    ]
    table(("backend", "workers", "wall s", "speed-up vs 1"), rows)
    print(f"median fit time {mean_fit:.2f} s; {load()}")


# --- 2. per-task overhead --------------------------------------------------------


def overhead(quick):
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.tile([0, 1], 20)
    n_candidates = 50 if quick else 100
    search = GridSearchCV(
        DummyClassifier(strategy="stratified"),
        {"random_state": list(range(n_candidates))},
        cv=StratifiedKFold(2),
    )
    n_tasks = 2 * n_candidates
    print(f"\n## 2. Per-task overhead: {n_tasks} trivial fits; {load()}")
    rows = []
    repeats = 1 if quick else 3
    configs = [("sequential", 1), ("loky", 2), ("dask", 2)]
    for name, n in configs:
        walls = []
        if name == "dask":
            with dask_backend(workers=n):
                search.fit(X, y)  # warm-up: imports on the workers
                walls = [timed(lambda: search.fit(X, y)) for _ in range(repeats)]
        else:
            with parallel_config(backend=name, n_jobs=n):
                search.fit(X, y)
                walls = [timed(lambda: search.fit(X, y)) for _ in range(repeats)]
        wall = statistics.median(walls)
        rows.append((name, n, f"{wall:.2f}", f"{1000 * wall / n_tasks:.1f}"))
    table(("backend", "workers", "wall s", "ms per fit"), rows)
    print(load())


# --- 3. batch size vs sample efficiency ----------------------------------------


def batch_size(quick):
    X, y = load_digits(return_X_y=True)
    X, y = X[:600] / 16.0, y[:600]
    n_iter = 12 if quick else 24
    seeds = range(2 if quick else 5)
    space = {
        "C": Real(1e-3, 1e4, prior="log-uniform"),
        "gamma": Real(1e-6, 1e2, prior="log-uniform"),
    }
    print(
        f"\n## 3. Batch size: BayesSearchCV(SVC) on 600 digits, C x gamma, "
        f"{n_iter} candidates, {len(seeds)} seeds, sequential; {load()}"
    )
    curves = {}
    for n_points in (1, 2, 4):
        for seed in seeds:
            search = BayesSearchCV(
                SVC(),
                space,
                n_iter=n_iter,
                n_points=n_points,
                n_initial_points=4,
                cv=3,
                random_state=seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wall = timed(lambda search=search: search.fit(X, y))
            scores = search.cv_results_["mean_test_score"]
            fits = float(np.sum(search.cv_results_["mean_fit_time"]) * 3)
            curves[(n_points, seed)] = (np.maximum.accumulate(scores), wall, fits)
    best_overall = max(c[0][-1] for c in curves.values())
    target = best_overall - 0.002
    rows = []
    for n_points in (1, 2, 4):
        runs = [curves[(n_points, s)] for s in seeds]
        half = [c[n_iter // 2 - 1] for c, _, _ in runs]
        final = [c[-1] for c, _, _ in runs]
        reach = [
            int(np.argmax(c >= target)) + 1 if (c >= target).any() else np.inf
            for c, _, _ in runs
        ]
        driver = [wall - fits for _, wall, fits in runs]
        rows.append(
            (
                n_points,
                -(-n_iter // n_points),
                f"{statistics.median(half):.4f}",
                f"{statistics.median(final):.4f}",
                _evals(statistics.median(reach), n_iter),
                f"{sum(r < np.inf for r in reach)}/{len(reach)}",
                f"{1000 * statistics.median(driver) / n_iter:.0f}",
            )
        )
    table(
        (
            "n_points",
            "batches",
            f"best@{n_iter // 2}",
            f"best@{n_iter}",
            "evals to target",
            "reached",
            "driver ms/cand",
        ),
        rows,
    )
    print(f"target = best of all runs - 0.002 = {target:.4f}; {load()}")


def _evals(value, n_iter):
    return f">{n_iter}" if value == np.inf else f"{value:g}"


# --- 4. optimizer cost per batch -----------------------------------------------


def ask_cost(quick, observations=(50,)):
    from skhp.search.encoding import BranchEncoding
    from skhp.search.optimizer import SurrogateOptimizer

    space = {
        "a": Real(1e-4, 1e0, prior="log-uniform"),
        "b": Real(0, 1),
        "c": Integer(1, 64),
        "d": Categorical(["a", "b", "c"]),
    }
    encoding = BranchEncoding(space)
    rng = np.random.default_rng(0)
    ns = (1, 8) if quick else (1, 8, 64)
    print(f"\n## 4. Optimizer cost per batch: GP, 4-D; {load()}")
    rows = []
    for n_obs in observations:
        for n in ns:
            opt = SurrogateOptimizer(
                encoding.skopt_dimensions(), n_initial_points=10, random_state=0
            )
            points = [
                encoding.encode(encoding.sample(np.random.RandomState(i)))
                for i in range(n_obs)
            ]
            opt.tell(points, list(rng.normal(size=n_obs)))
            ask = timed(lambda opt=opt, n=n: opt.ask(n))
            new, ys = opt.ask(n), list(rng.normal(size=n))
            tell = timed(lambda opt=opt, new=new, ys=ys: opt.tell(new, ys))
            rows.append(
                (
                    n_obs,
                    n,
                    f"{1000 * ask:.0f}",
                    f"{1000 * ask / n:.1f}",
                    f"{1000 * tell:.0f}",
                )
            )
    header = ("observations", "n_points", "ask ms", "ask ms per point", "tell ms")
    table(header, rows)
    print(f"tell: refit the GP on all observations plus the n told; {load()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke test")
    parser.add_argument(
        "--parts",
        default="1234",
        help="which parts to run, e.g. 13 (default: all four)",
    )
    parser.add_argument(
        "--observations",
        default="50",
        help="part 4: observations before the timed ask/tell, e.g. 50,200,500",
    )
    args = parser.parse_args()
    print(f"# dask_scaling: {os.cpu_count()} CPUs; {load()}")
    parts = {"1": scaling, "2": overhead, "3": batch_size, "4": ask_cost}
    observations = tuple(int(n) for n in args.observations.split(","))
    for key in args.parts:
        if key == "4":
            ask_cost(args.quick, observations)
        else:
            parts[key](args.quick)


if __name__ == "__main__":
    main()
