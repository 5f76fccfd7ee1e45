"""The BBOB problems of one half through ``SurrogateOptimizer`` ask/tell.

The suite proper runs every searcher through ``fit``/``score`` (the real
path, with scikit-learn's per-candidate bookkeeping). For choosing defaults,
this cheaper loop asks skhp's optimiser directly, so ten seeds of the 24
BBOB problems of a half cost a few minutes: each run asks one point at a time
and tells its regret, and stores the best regret after every evaluation.
``optuna-gp`` runs Optuna's GPSampler in its own ask/tell loop on the same
problems, seeds and budgets, and ``random`` random search (skhp's optimiser
with no model). Runs are stored under ``results/asktell/<label>_<budget>.json``
and skipped when stored. Run from the repository root::

    python -m benchmarks.suite.asktell --label random --searcher random --seeds 10
    python -m benchmarks.suite.asktell --label skhp --seeds 10
    python -m benchmarks.suite.asktell --label share0 --seeds 10 \\
        --optimizer-kwargs '{"random_share": 0.0}'
    python -m benchmarks.suite.asktell --score random,skhp,share0

Scores as in the suite, on final values: per problem, each run's best regret
is clipped from above at the median of random search's first evaluation;
``0`` is random search's mean, ``1`` the best any scored label found; the
table gives the mean over problems (also with each problem's score clipped to
``[-1, 1]``, so that one problem where random search is already near the
optimum cannot decide the mean), the median and the mean rank.
"""

import argparse
import json
import os
import time
import warnings

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from scipy.stats import rankdata  # noqa: E402

from . import catalogue, storage  # noqa: E402
from .problems_bbob import parse_name, regret  # noqa: E402

FOLDER = storage.RESULTS / "asktell"
SEARCHERS = ("skhp", "optuna-gp", "random")


def budget_of(dim, kind):
    """The suite's budgets: 10d + 20 (small) and 20d + 30 (large)."""
    return 10 * dim + 20 if kind == "small" else 20 * dim + 30


def run_one(name, searcher, seed, budget, optimizer_kwargs):
    """Best regret after each evaluation of one run."""
    dim = parse_name(name)[1]
    trace, best = [], np.inf
    if searcher == "optuna-gp":
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(sampler=optuna.samplers.GPSampler(seed=seed))
        for _ in range(budget):
            trial = study.ask()
            x = [trial.suggest_float(f"x{i}", -5.0, 5.0) for i in range(dim)]
            value = regret(name, x)
            study.tell(trial, value)
            best = min(best, value)
            trace.append(best)
        return trace
    from skopt.space import Real

    from skhp.search.optimizer import SurrogateOptimizer

    kwargs = {"optimizer_kwargs": optimizer_kwargs}
    if searcher == "random":
        kwargs["n_initial_points"] = budget + 1
    opt = SurrogateOptimizer(
        [Real(-5.0, 5.0) for _ in range(dim)], random_state=seed, **kwargs
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while len(trace) < budget:
            (x,) = opt.ask(1)
            value = regret(name, x)
            opt.tell([x], [value])
            best = min(best, value)
            trace.append(best)
    return trace


def problems_of(half):
    """The BBOB problems of a half, in the split's order."""
    split = catalogue.load_split()
    return sorted(n for n in split[half] if n.startswith("bbob_"))


def run(args):
    """Run the missing (problem, seed) pairs of one label and store them."""
    path = FOLDER / f"{args.label}_{args.budget}.json"
    done = json.loads(path.read_text()) if path.exists() else {}
    kwargs = json.loads(args.optimizer_kwargs)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    start = time.time()
    n = 0
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name in problems_of(args.half):
        for seed in seeds:
            if str(seed) in done.get(name, {}):
                continue
            budget = budget_of(parse_name(name)[1], args.budget)
            trace = run_one(name, args.searcher, seed, budget, kwargs)
            done.setdefault(name, {})[str(seed)] = trace
            n += 1
        path.write_text(json.dumps(done))  # per problem, so a stopped run resumes
    print(f"{args.label} ({args.budget}): {n} runs in {time.time() - start:.0f} s")


def score(labels, budget, half):
    """Mean, clipped mean and median normalised score and mean rank per label."""
    stored = {
        label: json.loads((FOLDER / f"{label}_{budget}.json").read_text())
        for label in labels
    }
    if "random" not in stored:
        raise SystemExit("--score needs the label 'random' (random search)")
    names = [n for n in problems_of(half) if all(n in r for r in stored.values())]
    per = {label: [] for label in labels}
    ranks = {label: [] for label in labels}
    n_seeds = []
    for name in names:
        seeds = sorted(set.intersection(*[set(r[name]) for r in stored.values()]))
        n_seeds.append(len(seeds))
        clip = float(np.median([stored["random"][name][s][0] for s in seeds]))
        finals = {
            lab: np.minimum([stored[lab][name][s][-1] for s in seeds], clip)
            for lab in labels
        }
        reference = float(np.mean(finals["random"]))
        best = min(float(f.min()) for f in finals.values())
        span = max(reference - best, 1e-12)
        for lab in labels:
            per[lab].append(float(np.mean((reference - finals[lab]) / span)))
        logs = [np.mean(np.log10(finals[lab] + 1e-8)) for lab in labels]
        for lab, rank in zip(labels, rankdata(logs)):
            ranks[lab].append(float(rank))
    print(
        f"{len(names)} BBOB {half} problems, {budget} budget, "
        f"{min(n_seeds, default=0)}-{max(n_seeds, default=0)} seeds"
    )
    print("| label | score | clipped to [-1, 1] | median | rank |")
    print("|---|---:|---:|---:|---:|")
    for lab in sorted(labels, key=lambda x: -np.mean(per[x])):
        print(
            f"| {lab} | {np.mean(per[lab]):.3f} "
            f"| {np.mean(np.clip(per[lab], -1, 1)):.3f} "
            f"| {np.median(per[lab]):.3f} | {np.mean(ranks[lab]):.2f} |"
        )


def main(argv=None):
    """Run one label, or score stored labels."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--label", default="skhp")
    p.add_argument("--searcher", choices=SEARCHERS, default="skhp")
    p.add_argument("--optimizer-kwargs", default="{}", help="JSON, for skhp")
    p.add_argument("--half", choices=("dev", "test"), default="dev")
    p.add_argument("--budget", choices=("small", "large"), default="large")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--score", help="comma-separated stored labels to score")
    args = p.parse_args(argv)
    if args.score:
        score(args.score.split(","), args.budget, args.half)
    else:
        run(args)


if __name__ == "__main__":
    main()
