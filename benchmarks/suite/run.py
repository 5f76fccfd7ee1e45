"""Run searchers on the suite, store their traces, print the score tables.

Run from the repository root (see README.md in this folder)::

    python -m benchmarks.suite.run --half dev --label mine \
        --skhp-kwargs '{"acq_func": "EI"}' --jobs 2

runs skhp's BayesSearchCV (with those keyword arguments) on the dev half,
stores the runs under ``results/mine.json`` and prints the tables against
every stored peer. Runs already stored for the same label, problem and seed
are skipped unless ``--force``.
"""

import argparse
import fnmatch
import json
import os
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from . import catalogue, scoring, storage  # noqa: E402
from .scoring import RANDOM  # noqa: E402
from .searchers import PEERS, RUNNERS, SKHP  # noqa: E402

FAMILIES = ("bbob", "sklearn", "all")
HALVES = ("dev", "test", "all")


def _select(problems, args, split):
    names = list(problems)
    if args.quick:
        names = [n for n in names if n in catalogue.QUICK]
    if args.half != "all":
        names = [n for n in names if n in split[args.half]]
    if args.family != "all":
        names = [n for n in names if problems[n].family == args.family]
    if args.problems:
        patterns = args.problems.split(",")
        names = [n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)]
    return names


def _budgets_of(problems, override):
    def budgets_of(name):
        return tuple(override) if override else problems[name].budgets

    return budgets_of


def _task(name, searcher, seed, budget, kwargs):
    from .problems_sklearn import quiet
    from .searchers import run_one

    quiet()
    problem = catalogue.all_problems()[name]
    run = run_one(problem, searcher, seed, budget, kwargs)
    run["budget"] = budget
    return name, seed, run


def run_searchers(args, problems, names, budgets_of):
    """Run every missing (label, problem, seed) and store each as it ends."""
    from joblib import Parallel, delayed

    searchers = [s for s in args.searchers.split(",") if s and s != "none"]
    searchers = [s for p in searchers for s in (PEERS if p == "peers" else [p])]
    unknown = [s for s in searchers if s not in RUNNERS]
    if unknown:
        sys.exit(f"--searchers: unknown {unknown}; known: {sorted(RUNNERS)}, peers")
    if args.label and len(searchers) != 1:
        sys.exit("--label names one searcher's runs: give exactly one in --searchers")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    stored = storage.load_all(args.results)
    for searcher in searchers:
        label = args.label or searcher
        kwargs = json.loads(args.skhp_kwargs) if searcher == SKHP else {}
        if args.searcher_kwargs:
            kwargs.update(json.loads(args.searcher_kwargs))
        have = stored.get(label, {})
        todo = [
            (n, s)
            for n in names
            for s in seeds
            if args.force or s not in have.get(n, {})
        ]
        print(
            f"# {label}: {len(todo)} runs to do ({len(names)} problems x "
            f"{len(seeds)} seeds, {len(names) * len(seeds) - len(todo)} stored)",
            flush=True,
        )
        path = storage.path_for(label, args.part, args.results)
        t0 = time.perf_counter()
        jobs = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
            delayed(_task)(n, searcher, s, budgets_of(n)[1], kwargs) for n, s in todo
        )
        for k, (name, seed, run) in enumerate(jobs, 1):
            storage.add_run(path, label, searcher, kwargs, name, seed, run)
            if args.verbose:
                print(
                    f"  [{k}/{len(todo)}] {name} seed {seed}: "
                    f"{run['wall']:.1f} s, best {scoring.value_at(run, 10**9):.4g}",
                    flush=True,
                )
        print(f"# {label}: done in {time.perf_counter() - t0:.0f} s", flush=True)


def _label_groups(results, selected, compare):
    """Which searchers to put side by side.

    With ``--compare``, those. Otherwise every stored label that has every
    selected problem, and then, if some labels have only part of them (the
    slow peers), every label on the problems they all have.
    """
    if compare:
        return [("", compare.split(","))]
    labels = [
        label
        for label in sorted(results)
        if any(results[label].get(n) for n in selected)
    ]
    full = [label for label in labels if all(results[label].get(n) for n in selected)]
    groups = []
    if full and len(full) < len(labels):
        groups.append(("searchers with every selected problem: ", full))
    groups.append(
        (
            "every searcher, on the problems they all have: " if groups else "",
            labels,
        )
    )
    return groups


def _sections(problems, split, selected, halves):
    """``(title, problem names)`` of each table: every family of every half."""
    for half in halves:
        for family in FAMILIES:
            names = [
                n
                for n in selected
                if (half == "all" or n in split[half])
                and (family == "all" or problems[n].family == family)
            ]
            where = "all problems" if half == "all" else f"{half} half"
            yield f"{family}, {where}", names


def print_paired(args, problems, budgets_of, split, results, selected, halves):
    """Print ``--paired A,B`` per family and half."""
    pair = args.paired.split(",")
    if len(pair) != 2 or any(label not in results for label in pair):
        sys.exit(f"--paired: two stored labels, A,B; got {args.paired!r}")
    others = [x for x in (args.compare or "").split(",") if x and x not in pair]
    for title, names in _sections(problems, split, selected, halves):
        result = scoring.paired(results, names, *pair, budgets_of, others)
        if result["problems"]:
            print()
            print(scoring.paired_markdown(result, *pair, title))


def print_tables(args, problems, budgets_of, split):
    """Print one table per family and half (per group of searchers)."""
    results = storage.load_all(args.results)
    if RANDOM not in results:
        sys.exit("no stored random-search results: run --searchers random first")
    selected = {n for n in _select(problems, args, split) if results[RANDOM].get(n)}
    groups = _label_groups(results, selected, args.compare)
    missing = [
        label for _, labels in groups for label in labels if label not in results
    ]
    if missing:
        sys.exit(f"--compare: no stored results for {missing}; have {sorted(results)}")
    halves = HALVES if args.half == "all" else (args.half,)
    if args.paired:
        print_paired(args, problems, budgets_of, split, results, selected, halves)
        return
    for heading, labels in groups:
        if heading:
            print(f"\n### {heading}{', '.join(labels)}")
        for title, names in _sections(problems, split, selected, halves):
            summary = scoring.summarise(results, names, labels, budgets_of)
            if summary["problems"]:
                print()
                print(scoring.markdown(summary, title))
    print()
    print(
        "score: 0 = random search's mean, 1 = best found by any searcher shown; "
        "rank: 1 = best; small/large = budgets (BBOB 10d+20 and 20d+30, "
        "sklearn 30 and 60 evaluations); step ms @50: median gap between "
        "evaluations 40-60 on BBOB problems; log10 regret: mean over BBOB problems "
        "and seeds, floored at -8."
    )


def parse_args(argv=None):
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--searchers",
        default=SKHP,
        help="comma-separated: skhp, random, skopt, optuna-tpe, optuna-gp, botorch, "
        "'peers' (all but skhp) or 'none' (tables only); default skhp",
    )
    p.add_argument("--label", help="store the runs under this name (one searcher)")
    p.add_argument(
        "--skhp-kwargs", default="{}", help="JSON keyword arguments for BayesSearchCV"
    )
    p.add_argument(
        "--searcher-kwargs",
        default="",
        help="JSON keyword arguments for every searcher run (an Optuna sampler's)",
    )
    p.add_argument("--half", choices=HALVES, default="all")
    p.add_argument("--family", choices=FAMILIES, default="all")
    p.add_argument("--problems", help="comma-separated name patterns (fnmatch)")
    p.add_argument("--quick", action="store_true", help="the small QUICK subset")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=1, help="parallel processes")
    p.add_argument("--force", action="store_true", help="rerun stored runs")
    p.add_argument("--part", help="write to results/<label>--<part>.json")
    p.add_argument(
        "--compare", help="labels in the tables (default: every stored label)"
    )
    p.add_argument(
        "--paired",
        help="A,B: searcher A against B problem by problem, with a bootstrap "
        "interval of the mean score difference (normalised among A, B, random "
        "search and --compare's labels)",
    )
    p.add_argument("--no-tables", action="store_true")
    p.add_argument(
        "--budgets",
        type=lambda s: [int(x) for x in s.split(",")],
        help="override every problem's small,large budgets (tests)",
    )
    p.add_argument("--results", default=str(storage.RESULTS), help="results folder")
    p.add_argument("--verbose", "-v", action="store_true")
    return p.parse_args(argv)


def main(argv=None):
    """Run, store, print."""
    args = parse_args(argv)
    problems = catalogue.all_problems()
    split = catalogue.load_split()
    budgets_of = _budgets_of(problems, args.budgets)
    names = _select(problems, args, split)
    if not names:
        sys.exit("no problem matches --half/--family/--problems/--quick")
    run_searchers(args, problems, names, budgets_of)
    if not args.no_tables:
        print_tables(args, problems, budgets_of, split)


if __name__ == "__main__":
    main()
