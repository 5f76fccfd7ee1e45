"""Run several slow searchers on one half in one pool, seed by seed.

The slow peers (Optuna's GPSampler, BoTorch, scikit-optimize: 0.1-2 s a
step) rarely finish a whole half in one sitting. This runs every missing
(searcher, problem, seed) in one process pool, seed 0 of every problem first
(problems shuffled with a fixed seed, the searchers interleaved), so that
whatever is stored when the time runs out is an unbiased sample of the half
with every searcher on the same problems. Runs are stored as they end, under
``results/<searcher>--<part>.json``; stored runs are skipped, so rerunning
resumes. Run from the repository root::

    python -m benchmarks.suite.run_pool --searchers optuna-gp,botorch,skopt \
        --half test --jobs 1 --part local4

``--family sklearn`` (or ``bbob``) keeps one family of problems.
"""

import argparse
import os
import random
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from . import catalogue, storage  # noqa: E402
from .run import FAMILIES, HALVES, _task  # noqa: E402
from .searchers import RUNNERS  # noqa: E402


def todo_list(names, searchers, seeds, stored):
    """Missing runs, seed-major, problems shuffled per seed, searchers interleaved."""
    todo = []
    for seed in seeds:
        order = list(names)
        random.Random(seed).shuffle(order)
        for name in order:
            for searcher in searchers:
                if seed not in stored.get(searcher, {}).get(name, {}):
                    todo.append((searcher, name, seed))
    return todo


def main(argv=None):
    """Run the missing runs, storing each as it ends."""
    from joblib import Parallel, delayed

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--searchers", required=True, help="comma-separated")
    p.add_argument("--half", choices=HALVES, default="test")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument(
        "--family",
        choices=FAMILIES,
        default="all",
        help="only the BBOB functions or only the scikit-learn problems",
    )
    p.add_argument("--part", required=True, help="results/<searcher>--<part>.json")
    p.add_argument("--results", default=str(storage.RESULTS))
    args = p.parse_args(argv)
    searchers = args.searchers.split(",")
    unknown = sorted(set(searchers) - set(RUNNERS))
    if unknown:
        p.error(f"--searchers: unknown {unknown}; known: {sorted(RUNNERS)}")
    problems = catalogue.all_problems()
    split = catalogue.load_split()
    names = [n for n in problems if args.half == "all" or n in split[args.half]]
    if args.family != "all":
        names = [n for n in names if problems[n].family == args.family]
    todo = todo_list(
        names, searchers, range(args.seeds), storage.load_all(args.results)
    )
    print(f"{len(todo)} runs to do", flush=True)
    t0 = time.time()

    def one(searcher, name, seed):
        return (searcher, *_task(name, searcher, seed, problems[name].budgets[1], {}))

    jobs = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
        delayed(one)(*t) for t in todo
    )
    for k, (searcher, name, seed, run) in enumerate(jobs, 1):
        path = storage.path_for(searcher, args.part, args.results)
        storage.add_run(path, searcher, searcher, {}, name, seed, run)
        print(
            f"{time.time() - t0:6.0f} s [{k}/{len(todo)}] {searcher} {name} "
            f"seed {seed}: {run['wall']:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
