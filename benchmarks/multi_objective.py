"""Multi-objective search: hypervolume of skhp against random search and Optuna.

Searchers, all sequential (one candidate at a time), on the same
cross-validation folds and seeds:

* ``skhp Bayes (ParEGO)``: :class:`skhp.BayesSearchCV` with
  ``objectives=`` (ParEGO scalarisations on its Gaussian process, 10 random
  initial points);
* ``skhp Bayes (primary only)``: the same searcher without ``objectives``,
  optimising the accuracy alone (the alternative: does proposing for the front
  pay?);
* ``random``: :class:`skhp.RandomizedSearchCV`;
* ``Optuna TPE``: ``optuna.samplers.TPESampler`` (multi-objective TPE,
  Optuna's defaults) in an ask/tell loop around ``cross_validate``;
* ``Optuna NSGA-II``: ``optuna.samplers.NSGAIISampler`` with
  ``population_size=10`` (the default of 50 would leave only one generation
  of search in 60 evaluations; 10 is kinder to it).

Tasks (``--tasks``):

* ``hgb``: ``HistGradientBoostingClassifier`` on breast_cancer, 3-fold CV;
  ``max_iter`` 5-150, ``learning_rate`` log-uniform, ``max_leaf_nodes``
  2-63, ``l2_regularization`` log-uniform; objectives accuracy (max) and
  ``mean_fit_time`` (min);
* ``llm``: :class:`skhp.llm.LLMClassifier` with the tiny GPT-2 test fixture
  builder (``skhp.testing.train_tiny_gpt2``), trained here for 60 steps
  instead of the tests' 300 (~10 s), so that decoding settings matter: the
  fully trained model answers the toy task perfectly in one token with
  almost any setting, a front of one point; 60 toy texts, 3-fold CV;
  ``temperature`` 0-2, ``top_p`` 0.3-1, ``max_new_tokens`` 1-8,
  ``n_examples`` 0-3; objectives accuracy (max) and ``mean_new_tokens``
  (min, skhp's :func:`skhp.llm.mean_new_tokens` scorer).

Hypervolume: of the evaluated points' (1 - accuracy, cost) after 30 and 60
evaluations (the first 30 of the 60-evaluation run), both objectives divided
by a reference point (error 1; cost: the largest cost seen by any searcher on
that task with that seed, times 1.1), so it is a fraction of the unit box.
Medians (and min-max) over seeds. Fit times are measured, so they move with
the machine's load; the searchers run interleaved, seed by seed, in a rotating
order, so that load hits them alike.

Run from the repository root::

    nice -n 10 python benchmarks/multi_objective.py > mo.txt 2>&1 &
    python benchmarks/multi_objective.py --quick          # smoke test
    python benchmarks/multi_objective.py --tasks hgb --seeds 3
"""

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_validate  # noqa: E402

from skhp import BayesSearchCV, Integer, RandomizedSearchCV, Real  # noqa: E402
from skhp.search.objectives import hypervolume_2d  # noqa: E402

SEARCHERS = ["skhp-parego", "skhp-primary", "random", "optuna-tpe", "optuna-nsga2"]
LABELS = {
    "skhp-parego": "skhp Bayes (ParEGO)",
    "skhp-primary": "skhp Bayes (primary only)",
    "random": "random",
    "optuna-tpe": "Optuna TPE",
    "optuna-nsga2": "Optuna NSGA-II",
}


def hgb_task():
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = load_breast_cancer(return_X_y=True)
    space = {
        "max_iter": Integer(5, 150),
        "learning_rate": Real(1e-3, 1.0, prior="log-uniform"),
        "max_leaf_nodes": Integer(2, 63),
        "l2_regularization": Real(1e-4, 10.0, prior="log-uniform"),
    }
    est = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
    return dict(
        estimator=est,
        X=X,
        y=y,
        space=space,
        scoring="accuracy",
        refit="accuracy",
        objectives={"accuracy": "max", "mean_fit_time": "min"},
        cost="mean_fit_time",
    )


def llm_task():
    import torch

    from skhp.llm import LLMClassifier, estimator_score, mean_new_tokens
    from skhp.testing import make_toy_classification, train_tiny_gpt2

    torch.set_num_threads(1)
    path = tempfile.mkdtemp(prefix="skhp-mo-")
    start = time.perf_counter()
    train_tiny_gpt2(path, steps=60, random_state=0)
    print(f"[llm] trained the tiny GPT-2 in {time.perf_counter() - start:.0f} s")
    X, y = make_toy_classification(60, random_state=1)
    space = {
        "temperature": Real(0.0, 2.0),
        "top_p": Real(0.3, 1.0),
        "max_new_tokens": Integer(1, 8),
        "n_examples": Integer(0, 3),
    }
    return dict(
        estimator=LLMClassifier(path, random_state=0),
        X=X,
        y=np.asarray(y),
        space=space,
        scoring={"score": estimator_score, "mean_new_tokens": mean_new_tokens},
        refit="score",
        objectives={"score": "max", "mean_new_tokens": "min"},
        cost="mean_test_mean_new_tokens",
    )


def _points(results, task):
    acc_col = (
        "mean_test_score"
        if isinstance(task["scoring"], str)
        else f"mean_test_{task['refit']}"
    )
    acc = np.asarray(results[acc_col], dtype=float)
    cost = np.asarray(results[task["cost"]], dtype=float)
    return np.column_stack([1.0 - acc, cost])


def run_skhp(task, n, seed, cv, kind):
    common = dict(
        scoring=task["scoring"],
        refit=task["refit"],
        cv=cv,
        random_state=seed,
        n_jobs=1,
    )
    if kind == "random":
        search = RandomizedSearchCV(
            task["estimator"], task["space"], n_iter=n, **common
        )
    else:
        objectives = task["objectives"] if kind == "skhp-parego" else None
        search = BayesSearchCV(
            task["estimator"], task["space"], n_iter=n, objectives=objectives, **common
        )
    search.fit(task["X"], task["y"])
    return _points(search.cv_results_, task)


def _optuna_distributions(space):
    import optuna

    out = {}
    for name, dim in space.items():
        if isinstance(dim, Integer):
            out[name] = optuna.distributions.IntDistribution(dim.low, dim.high)
        else:
            out[name] = optuna.distributions.FloatDistribution(
                dim.low, dim.high, log=dim.prior == "log-uniform"
            )
    return out


def run_optuna(task, n, seed, cv, kind):
    import optuna
    from sklearn.base import clone

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = (
        optuna.samplers.TPESampler(seed=seed)
        if kind == "optuna-tpe"
        else optuna.samplers.NSGAIISampler(population_size=10, seed=seed)
    )
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    dists = _optuna_distributions(task["space"])
    scoring = task["scoring"]
    rows = []
    for _ in range(n):
        trial = study.ask(dists)
        est = clone(task["estimator"]).set_params(**trial.params)
        out = cross_validate(est, task["X"], task["y"], cv=cv, scoring=scoring)
        acc = np.mean(
            out["test_score"] if isinstance(scoring, str) else out["test_score"]
        )
        if task["cost"] == "mean_fit_time":
            cost = float(np.mean(out["fit_time"]))
        else:
            cost = float(np.mean(out["test_mean_new_tokens"]))
        err = 1.0 - float(acc) if np.isfinite(acc) else 1.0
        study.tell(trial, [err, cost])
        rows.append((err, cost))
    return np.asarray(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="hgb,llm")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--searchers", default=",".join(SEARCHERS))
    parser.add_argument("--quick", action="store_true", help="2 seeds, 16 evals")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.n = 2, 16
    budgets = sorted({min(30, args.n), args.n})
    searchers = args.searchers.split(",")
    warnings.filterwarnings("ignore")
    for task_name in args.tasks.split(","):
        task = hgb_task() if task_name == "hgb" else llm_task()
        hv = {s: {b: [] for b in budgets} for s in searchers}
        secs = {s: [] for s in searchers}
        for seed in range(args.seeds):
            cv = StratifiedKFold(3, shuffle=True, random_state=seed)
            points = {}
            k = seed % len(searchers)
            for s in searchers[k:] + searchers[:k]:
                start = time.perf_counter()
                run = run_optuna if s.startswith("optuna") else run_skhp
                points[s] = run(task, args.n, seed, cv, s)
                secs[s].append(time.perf_counter() - start)
            ref_cost = 1.1 * max(np.nanmax(p[:, 1]) for p in points.values())
            for s, p in points.items():
                scaled = p / np.array([1.0, ref_cost])
                for b in budgets:
                    hv[s][b].append(hypervolume_2d(scaled[:b], [1.0, 1.0]))
            print(
                f"[{task_name}] seed {seed}: "
                + ", ".join(f"{s} {hv[s][args.n][-1]:.4f}" for s in searchers),
                flush=True,
            )
        print(
            f"\n### {task_name}: hypervolume, median (min-max) over "
            f"{args.seeds} seeds\n"
        )
        print(
            "| searcher | " + " | ".join(f"{b} evals" for b in budgets) + " | s/run |"
        )
        print("|---|" + "---|" * len(budgets) + "---|")
        for s in searchers:
            cells = [
                f"{np.median(hv[s][b]):.4f} ({min(hv[s][b]):.4f}-{max(hv[s][b]):.4f})"
                for b in budgets
            ]
            print(
                f"| {LABELS[s]} | "
                + " | ".join(cells)
                + f" | {np.median(secs[s]):.0f} |"
            )
        print(flush=True)


if __name__ == "__main__":
    main()
