"""The ``skhp`` command line.

``skhp demo`` compares grid, random and Bayesian search with the same budget
on a built-in data set, with logistic regression and its preset space.
"""

import argparse
import sys
import time
import warnings

from ._version import __version__

DATASETS = ("digits", "breast_cancer", "wine", "iris")


def _load(name):
    from sklearn import datasets

    return getattr(datasets, f"load_{name}")(return_X_y=True)


def _demo_grid(space, n):
    """The preset space's grid with ``n`` values of C and l1_ratio."""
    from .space import grid

    return grid(
        space,
        n_points={
            "logisticregression__C": n,
            "logisticregression__l1_ratio": n,
            "logisticregression__max_iter": 1,
        },
    )


def _grid_within(space, budget):
    """The finest grid of ``space`` with at most ``budget`` candidates, or None."""
    from sklearn.model_selection import ParameterGrid

    best = None
    for n in range(1, 50):
        candidate = _demo_grid(space, n)
        if len(ParameterGrid(candidate)) > budget:
            break
        best = candidate
    return best


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def demo(args):
    """Run the three searchers on one data set and print a comparison table."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import (
        GridSearchCV,
        ParameterGrid,
        RandomizedSearchCV,
        StratifiedKFold,
    )
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .linear import LogisticRegression
    from .presets import logistic_regression
    from .search import BayesSearchCV
    from .space import Integer

    X, y = _load(args.dataset)
    # A max_iter range that keeps the demo to a few minutes on 2 cores.
    space = logistic_regression(
        max_iter=Integer(50, 500, prior="log-uniform"), prefix="logisticregression__"
    )
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    cv = StratifiedKFold(args.cv, shuffle=True, random_state=args.random_state)
    param_grid = _grid_within(space, args.budget)
    if param_grid is None:
        print(
            f"skhp demo: error: --budget {args.budget} is smaller than the coarsest "
            f"grid of the space ({len(ParameterGrid(_demo_grid(space, 1)))} "
            "candidates, one value per range); raise --budget.",
            file=sys.stderr,
        )
        return 2
    common = {"cv": cv, "n_jobs": args.n_jobs}
    searchers = {
        "grid": GridSearchCV(pipe, param_grid, **common),
        "random": RandomizedSearchCV(
            pipe, space, n_iter=args.budget, random_state=args.random_state, **common
        ),
        "bayes": BayesSearchCV(
            pipe, space, n_iter=args.budget, random_state=args.random_state, **common
        ),
    }
    print(
        f"skhp {__version__} demo: LogisticRegression on {args.dataset} "
        f"({X.shape[0]} samples, {X.shape[1]} features), {args.cv}-fold CV, "
        f"budget {args.budget} candidates per searcher."
    )
    rows = []
    for name, search in searchers.items():
        print(f"  running {name} search ...", flush=True)
        start = time.perf_counter()
        with warnings.catch_warnings():
            # Short max_iter values are part of the space; not converging is a
            # legitimate, scored outcome here.
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.filterwarnings("ignore", message=".*singular.*")
            search.fit(X, y)
        wall = time.perf_counter() - start
        best = {k.split("__", 1)[1]: v for k, v in search.best_params_.items()}
        rows.append(
            (name, search.best_score_, len(search.cv_results_["params"]), wall, best)
        )

    print()
    print(
        f"{'searcher':<9} {'best CV accuracy':>17} {'evaluations':>12} "
        f"{'wall time':>10}"
    )
    for name, score, n, wall, _ in rows:
        print(f"{name:<9} {score:>17.4f} {n:>12d} {wall:>9.1f}s")
    print()
    for name, _, _, _, best in rows:
        shown = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in best.items()
        )
        print(f"best {name}: {shown}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skhp",
        description="Hyperparameter search for scikit-learn models, neural nets and "
        "LLMs.",
    )
    parser.add_argument("--version", action="version", version=f"skhp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser(
        "demo",
        help="compare grid, random and Bayesian search on a built-in data set",
        description="Compare grid, random and Bayesian search with the same budget: "
        "LogisticRegression (StandardScaler first) over skhp's preset space of "
        "solver, penalty, C, max_iter and fit_intercept.",
    )
    p.add_argument(
        "--dataset",
        choices=DATASETS,
        default="breast_cancer",
        help="built-in data set (default: %(default)s)",
    )
    p.add_argument(
        "--budget",
        type=_positive_int,
        default=30,
        help="candidates per searcher; grid search takes the finest grid "
        "that fits (default: %(default)s)",
    )
    p.add_argument(
        "--cv",
        type=_positive_int,
        default=3,
        help="cross-validation folds (default: %(default)s)",
    )
    p.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        help="parallel fits, -1 for all cores (default: %(default)s)",
    )
    p.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed for the searchers and the folds (default: %(default)s)",
    )
    p.set_defaults(func=demo)
    return parser


def main(argv=None):
    """Entry point of the ``skhp`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "demo" and args.cv < 2:
        parser.error("argument --cv: expected a number >= 2")
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
