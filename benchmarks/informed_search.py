"""Informed search: known-good starting points, and pruning bad candidates early.

Two measurements with :class:`skhp.BayesSearchCV` over the preset space
``skhp.presets.logistic_regression()`` (all six solvers, their valid
penalties, ``C``, ``max_iter``, ``fit_intercept``, ``l1_ratio``) and
``StandardScaler`` + :class:`skhp.linear.LogisticRegression`, on two tasks:
the first 600 rows of digits and breast_cancer. ``max_iter`` is searched in
[20, 200] (log-uniform) instead of the preset's [100, 1000], because saga
with 1000 epochs takes over 30 s per cross-validation on digits; the
preset's starting point (``max_iter=100``) lies inside.

(a) Starting points. The same search with and without
``initial_points=logistic_regression_initial_points()`` (scikit-learn's
defaults: lbfgs, L2, C=1, evaluated first), ``n_iter`` evaluations, 3-fold
CV, on several seeds. The target is 99.5% of the best score found on that
task by any run (both variants, all seeds; the folds are the same for every
seed, unshuffled ``StratifiedKFold``). Printed: the median number of
evaluations to reach it (a run that never does counts as ``n_iter + 1``),
on how many seeds it was reached, and the median best score after 1, 5 and
``n_iter`` evaluations.

(b) Pruning. The same search (without starting points) with
``pruner=PercentilePruner(percentile=25, after_folds=1, n_startup=5)`` and
without, 5-fold CV. Printed: median wall time of the search (without refit)
and the ratio, median best score of each, median number of pruned
candidates, and two checks that pruning does not lose the best candidate:
whether the unpruned run's best candidate, when the pruned run proposes it
too, is pruned there; and how many pruned candidates would have beaten the
pruned run's best (each pruned candidate is cross-validated in full
afterwards, outside the timed search, to find out).

BLAS is limited to one thread. The load average of the machine is printed
with the results: other processes slow every search, and wall times are
only comparable within one run (variants run interleaved, seed by seed).

Run from the repository root::

    python benchmarks/informed_search.py --quick      # 2 seeds, 10 evaluations
    python benchmarks/informed_search.py              # 5 seeds, 20 evaluations
    python benchmarks/informed_search.py --seeds 7 --json informed.json
"""

import argparse
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import skhp  # noqa: E402
from skhp import BayesSearchCV, Integer  # noqa: E402
from skhp.linear import LogisticRegression  # noqa: E402
from skhp.presets import (  # noqa: E402
    logistic_regression,
    logistic_regression_initial_points,
)

PREFIX = "model__"
TARGET_FRACTION = 0.995
AFTER_FOLDS = 1


def load_task(name):
    """``(X, y)`` of a task: ``"digits"`` (first 600 rows) or ``"breast_cancer"``."""
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return X[:600], y[:600]
    return load_breast_cancer(return_X_y=True)


def pipeline():
    return Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])


def space():
    return logistic_regression(
        max_iter=Integer(20, 200, prior="log-uniform"), prefix=PREFIX
    )


def has_pruner():
    """Whether this skhp's BayesSearchCV takes ``pruner=``."""
    return "pruner" in BayesSearchCV(pipeline(), {}).get_params(deep=False)


def key(params):
    """A hashable form of a candidate, to match it across runs."""
    return tuple(
        sorted(
            (k, round(v, 12) if isinstance(v, float) else v) for k, v in params.items()
        )
    )


def run_search(X, y, seed, n_iter, n_splits, *, initial_points=None, pruner=None):
    """One search; its scores in order, params, pruned flags and wall time."""
    kwargs = {}
    if initial_points is not None:
        kwargs["initial_points"] = initial_points
    if pruner is not None:
        kwargs["pruner"] = pruner
    search = BayesSearchCV(
        pipeline(),
        space(),
        n_iter=n_iter,
        cv=StratifiedKFold(n_splits),
        random_state=seed,
        refit=False,
        **kwargs,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Unconverged solvers at small max_iter are part of the space.
        warnings.simplefilter("ignore")
        search.fit(X, y)
    wall = time.perf_counter() - start
    cv = search.cv_results_
    n = len(cv["params"])
    pruned = (
        np.asarray(cv["pruned"], dtype=bool) if "pruned" in cv else np.zeros(n, bool)
    )
    return {
        "seed": seed,
        "wall_time": wall,
        "scores": [float(s) for s in cv["mean_test_score"]],
        "params": [dict(p) for p in cv["params"]],
        "pruned": [bool(p) for p in pruned],
        "fit_time": float(
            np.nansum((cv["mean_fit_time"] + cv["mean_score_time"]) * n_splits)
        ),
    }


def evals_to(scores, target):
    for i, s in enumerate(scores):
        if np.isfinite(s) and s >= target:
            return i + 1
    return None


def best_at(scores, k):
    head = np.asarray(scores[:k], dtype=float)
    head = head[np.isfinite(head)]
    return float(head.max()) if head.size else float("nan")


def starting_points(task, seeds, n_iter, log):
    X, y = load_task(task)
    runs = {"with starting points": [], "without": []}
    for seed in seeds:
        order = list(runs) if seed % 2 else list(runs)[::-1]
        for variant in order:
            points = (
                logistic_regression_initial_points(prefix=PREFIX)
                if variant == "with starting points"
                else None
            )
            run = run_search(X, y, seed, n_iter, 3, initial_points=points)
            runs[variant].append(run)
            log(f"  {task} seed {seed} {variant}: best {max(run['scores']):.4f}")
    best = max(np.nanmax(r["scores"]) for rs in runs.values() for r in rs)
    target = TARGET_FRACTION * best
    rows = []
    for variant, rs in runs.items():
        hits = [evals_to(r["scores"], target) for r in rs]
        counted = [h if h is not None else n_iter + 1 for h in hits]
        rows.append(
            {
                "task": task,
                "variant": variant,
                "target": target,
                "median_evals_to_target": float(np.median(counted)),
                "reached": sum(h is not None for h in hits),
                "runs": len(rs),
                "best_at_1": float(np.median([best_at(r["scores"], 1) for r in rs])),
                "best_at_5": float(np.median([best_at(r["scores"], 5) for r in rs])),
                "best_at_end": float(
                    np.median([best_at(r["scores"], n_iter) for r in rs])
                ),
                "median_wall_time": float(np.median([r["wall_time"] for r in rs])),
            }
        )
    return rows, runs


def pruning(task, seeds, n_iter, log):
    from skhp.search import PercentilePruner

    X, y = load_task(task)
    runs = {"pruned": [], "unpruned": []}
    checks = []
    for seed in seeds:
        order = list(runs) if seed % 2 else list(runs)[::-1]
        by_variant = {}
        for variant in order:
            pruner = (
                PercentilePruner(percentile=25.0, after_folds=AFTER_FOLDS, n_startup=5)
                if variant == "pruned"
                else None
            )
            run = run_search(X, y, seed, n_iter, 5, pruner=pruner)
            runs[variant].append(run)
            by_variant[variant] = run
            log(
                f"  {task} seed {seed} {variant}: best {np.nanmax(run['scores']):.4f}, "
                f"{sum(run['pruned'])} pruned, {run['wall_time']:.1f} s"
            )
        full, cut = by_variant["unpruned"], by_variant["pruned"]
        best_key = key(full["params"][int(np.nanargmax(full["scores"]))])
        proposed = [i for i, p in enumerate(cut["params"]) if key(p) == best_key]
        best_pruned = any(cut["pruned"][i] for i in proposed)
        # Would a pruned candidate have beaten the pruned run's best?
        cut_best = float(np.nanmax(cut["scores"]))
        missed = 0
        saved = 0.0
        for params, was_pruned in zip(cut["params"], cut["pruned"]):
            if not was_pruned:
                continue
            began = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                score = cross_val_score(
                    pipeline().set_params(**params), X, y, cv=StratifiedKFold(5)
                ).mean()
            # The pruned run skipped 4 of the 5 folds of this candidate.
            saved += (time.perf_counter() - began) * (1 - AFTER_FOLDS / 5)
            missed += bool(score > cut_best)
        checks.append(
            {
                "seed": seed,
                "unpruned_best_proposed": bool(proposed),
                "unpruned_best_pruned": best_pruned,
                "pruned_would_have_won": missed,
                "n_pruned": sum(cut["pruned"]),
                "saved": saved,
                "saved_share": saved / (cut["wall_time"] + saved),
            }
        )
    walls = {v: [r["wall_time"] for r in rs] for v, rs in runs.items()}
    ratios = [p / u for p, u in zip(walls["pruned"], walls["unpruned"])]
    row = {
        "task": task,
        "runs": len(seeds),
        "wall_unpruned": float(np.median(walls["unpruned"])),
        "wall_pruned": float(np.median(walls["pruned"])),
        "wall_ratio": float(np.median(ratios)),
        "best_unpruned": float(
            np.median([np.nanmax(r["scores"]) for r in runs["unpruned"]])
        ),
        "best_pruned": float(
            np.median([np.nanmax(r["scores"]) for r in runs["pruned"]])
        ),
        "same_best": sum(
            np.isclose(np.nanmax(p["scores"]), np.nanmax(u["scores"]))
            for p, u in zip(runs["pruned"], runs["unpruned"])
        ),
        "median_pruned": float(np.median([c["n_pruned"] for c in checks])),
        "saved": float(np.median([c["saved"] for c in checks])),
        "saved_share": float(np.median([c["saved_share"] for c in checks])),
        "best_proposed": sum(c["unpruned_best_proposed"] for c in checks),
        "best_pruned_count": sum(c["unpruned_best_pruned"] for c in checks),
        "would_have_won": sum(c["pruned_would_have_won"] for c in checks),
        "runs_with_a_lost_best": sum(c["pruned_would_have_won"] > 0 for c in checks),
    }
    return row, runs, checks


def print_tables(start_rows, prune_rows, n_iter, n_seeds, load):
    print()
    print(
        f"#### Starting points ({n_iter} evaluations, 3-fold CV, {n_seeds} seeds; "
        "target = 99.5% of the best score of any run on the task)"
    )
    print()
    print(
        "| task | variant | target | evals to target, median (runs reached) "
        "| best @1 | best @5 | best @end | wall s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in start_rows:
        med = r["median_evals_to_target"]
        med_text = f"{med:g}" if med <= n_iter else f">{n_iter}"
        print(
            f"| {r['task']} | {r['variant']} | {r['target']:.4f} | {med_text} "
            f"({r['reached']}/{r['runs']}) | {r['best_at_1']:.4f} | "
            f"{r['best_at_5']:.4f} | {r['best_at_end']:.4f} | "
            f"{r['median_wall_time']:.1f} |"
        )
    print()
    if not prune_rows:
        print("Pruning: not measured (this BayesSearchCV has no `pruner`).")
    else:
        print(
            f"#### Pruning (PercentilePruner(25, after_folds=1, n_startup=5), "
            f"{n_iter} evaluations, 5-fold CV, {n_seeds} seeds)"
        )
        print()
        print(
            "| task | wall s unpruned | wall s pruned | ratio (median) | best unpruned "
            "| best pruned | same best | pruned / run | est. time saved s (share) "
            "| unpruned best proposed "
            "| ... and pruned | pruned that would have won |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in prune_rows:
            print(
                f"| {r['task']} | {r['wall_unpruned']:.1f} | {r['wall_pruned']:.1f} "
                f"| {r['wall_ratio']:.2f} | {r['best_unpruned']:.4f} "
                f"| {r['best_pruned']:.4f} | {r['same_best']}/{r['runs']} "
                f"| {r['median_pruned']:g} | {r['saved']:.1f} "
                f"({r['saved_share']:.0%}) | {r['best_proposed']}/{r['runs']} "
                f"| {r['best_pruned_count']} | {r['would_have_won']} "
                f"(in {r['runs_with_a_lost_best']} runs) |"
            )
    print()
    print(
        f"Load average (1, 5, 15 min) before: {load[0]}, after: {load[1]} "
        f"on {os.cpu_count()} CPUs."
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, 10 evaluations")
    parser.add_argument("--seeds", type=int, default=None, help="seeds (default 5)")
    parser.add_argument("--n-iter", type=int, default=None, help="default 20")
    parser.add_argument(
        "--tasks", default="digits,breast_cancer", help="comma-separated tasks"
    )
    parser.add_argument(
        "--parts", default="start,prune", help="'start', 'prune' or both"
    )
    parser.add_argument("--json", default=None, help="also write raw results here")
    args = parser.parse_args(argv)
    n_seeds = args.seeds or (2 if args.quick else 5)
    n_iter = args.n_iter or (10 if args.quick else 20)
    seeds = list(range(n_seeds))
    tasks = [t for t in args.tasks.split(",") if t]
    for task in tasks:
        if task not in ("digits", "breast_cancer"):
            parser.error(f"unknown task {task!r}; use digits and/or breast_cancer")
    parts = set(args.parts.split(","))

    def log(text):
        print(text, file=sys.stderr, flush=True)

    print(
        f"skhp {skhp.__version__}, scikit-learn {sklearn.__version__}, "
        f"Python {platform.python_version()}, {datetime.date.today()}"
    )
    load_before = tuple(round(v, 2) for v in os.getloadavg())
    start_rows, prune_rows, raw = [], [], {}
    with threadpool_limits(limits=1):
        for task in tasks:
            if "start" in parts:
                rows, runs = starting_points(task, seeds, n_iter, log)
                start_rows += rows
                raw[f"{task}/start"] = runs
            if "prune" in parts and has_pruner():
                row, runs, checks = pruning(task, seeds, n_iter, log)
                prune_rows.append(row)
                raw[f"{task}/prune"] = {"runs": runs, "checks": checks}
    load_after = tuple(round(v, 2) for v in os.getloadavg())
    print_tables(start_rows, prune_rows, n_iter, n_seeds, (load_before, load_after))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "args": vars(args),
                    "starting_points": start_rows,
                    "pruning": prune_rows,
                    "load": [load_before, load_after],
                    "raw": raw,
                },
                indent=1,
                default=str,
            )
        )


if __name__ == "__main__":
    main()
