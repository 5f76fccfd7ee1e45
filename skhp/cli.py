"""The ``skhp`` command line: ``run``, ``resume``, ``report`` and ``demo``.

Exit codes: 0 success; 1 a run failed (completed candidates stay in the
journal); 2 a usage or experiment-file mistake; 3 another process is writing
the output folder; 130 interrupted.
"""

import argparse
import sys
import time

from ._version import __version__

PARTS = ("lr", "mlp", "llm", "transformer")
DATASETS = ("digits", "breast_cancer", "wine", "iris")


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


def _folds(text):
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected a number >= 2, got {value}")
    return value


def _parts(text):
    parts = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list of {', '.join(PARTS)}, got {text!r}"
        )
    return list(dict.fromkeys(parts))


def _add_trust(parser):
    parser.add_argument(
        "--trust",
        action="store_true",
        help="allow an estimator class outside scikit-learn, skhp and skorch, and "
        "trust_remote_code: importing them runs their code, so only for files "
        "you trust",
    )


def _add_dask(parser):
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="fit on the workers of a running Dask cluster, e.g. tcp://host:8786 "
        '(needs pip install "skhp[dask]")',
    )
    group.add_argument(
        "--dask-workers",
        metavar="N",
        type=_positive_int,
        help="start a local Dask cluster with N workers and fit on it",
    )


def _dask(args):
    return {"dask_scheduler": args.dask_scheduler, "dask_workers": args.dask_workers}


def _cmd_run(args):
    from .experiment import load_experiment
    from .experiment.runner import execute, start, writing

    experiment = load_experiment(args.experiment, trust=args.trust)
    if args.dry_run:
        _print_plan(experiment, args.output or experiment.output)
        return 0
    output = args.output or experiment.output
    with writing(output):
        experiment, output = start(args.experiment, output, trust=args.trust)
        args.folder = output  # for the resume hint
        execute(experiment, output, **_dask(args))
    return 0


def _print_plan(experiment, output):
    from .experiment.budget import grid_for_budget

    print(f"experiment {experiment.source}: {experiment.title}")
    print(f"  estimator: {experiment.estimator.path} {experiment.estimator.params}")
    print(f"  scoring: {', '.join(experiment.scoring)}; {experiment.cv}-fold CV")
    for s in experiment.searchers:
        n = s.n_iter
        if s.kind == "grid":
            from sklearn.model_selection import ParameterGrid

            n = len(ParameterGrid(grid_for_budget(experiment.space, s.n_iter)))
        print(f"  searcher {s.name}: {s.kind}, {n} candidates")
    print(f"  output: {output}")


def _cmd_resume(args):
    from .experiment import resume

    resume(args.folder, trust=args.trust, **_dask(args))
    return 0


def _cmd_report(args):
    from .experiment import rebuild_report

    rebuild_report(
        args.folder,
        output=args.output,
        format={"md": "markdown"}.get(args.format, args.format),
    )
    return 0


def _cmd_demo(args):
    from .experiment.demo import run_demo

    output = args.output or time.strftime("skhp-demo-%Y%m%d-%H%M%S")
    start = time.perf_counter()
    outcomes = run_demo(
        args.parts,
        output=output,
        budget=args.budget,
        cv=args.cv,
        n_jobs=args.n_jobs,
        random_state=args.random_state,
        dataset=args.dataset,
        **_dask(args),
    )
    print(f"demo finished in {time.perf_counter() - start:.0f} s")
    return 0 if outcomes else 1


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skhp",
        description="Hyperparameter search for scikit-learn models, neural nets and "
        "LLMs.",
        epilog="Exit codes: 0 success, 1 the run failed, 2 a usage or "
        "experiment-file mistake, 3 another process is writing the output folder. "
        "Start with 'skhp demo'; 'skhp COMMAND --help' explains each command. The "
        "documentation's pages 'Getting started' and 'Experiment files and the skhp "
        "command line' describe experiment files.",
    )
    parser.add_argument("--version", action="version", version=f"skhp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "run",
        help="run an experiment file (TOML or YAML)",
        description="Check the experiment file, then run each of its searchers with "
        "a journal in the output folder, and write one CSV per searcher and a "
        "report there. An interrupted run continues with 'skhp resume FOLDER'.",
    )
    p.add_argument("experiment", metavar="EXPERIMENT", help="a .toml or .yaml file")
    p.add_argument(
        "--output",
        metavar="FOLDER",
        help="output folder (default: the file's 'output', else <name>-results "
        "next to the file)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and show what would run; fit nothing",
    )
    _add_trust(p)
    _add_dask(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "resume",
        help="finish an interrupted run",
        description="Run the experiment saved in FOLDER again against its journal: "
        "finished searchers are replayed from it, the interrupted one continues; "
        "no completed candidate is evaluated again.",
    )
    p.add_argument("folder", metavar="FOLDER", help="the output folder of a run")
    _add_trust(p)
    _add_dask(p)
    p.set_defaults(func=_cmd_resume)

    p = sub.add_parser(
        "report",
        help="rebuild the tables and report of a run from its journal",
        description="Rebuild the per-searcher CSV files and the report of FOLDER "
        "from its journal alone, without fitting anything.",
    )
    p.add_argument("folder", metavar="FOLDER", help="the output folder of a run")
    p.add_argument(
        "--output",
        metavar="DIR",
        help="write the tables and the report there instead of FOLDER (e.g. when "
        "FOLDER is read-only); FOLDER is only read",
    )
    p.add_argument(
        "--format",
        choices=("md", "html"),
        default="md",
        help="report.md next to its PNG plots (default), or report.html: one page "
        "with the plots inside, to open in a browser or send",
    )
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "demo",
        help="compare grid, random and Bayesian search on built-in tasks",
        description="Compare grid, random and Bayesian search with the same budget "
        "on up to four tasks: LogisticRegression on digits with the preset space "
        "(lr), a skorch MLP on wine (mlp), the embedded SmolLM2 LLM classifier "
        "on a small sentiment set over prompt x temperature x top_p x top_k (llm), "
        "and the embedded all-MiniLM-L6-v2 encoder fine-tuned in full or with LoRA "
        "on standard-library docstrings labelled by area (transformer). "
        "Prints a comparison table and writes reports and plots to the output "
        "folder. Parts whose optional dependencies are missing are skipped.",
    )
    p.add_argument(
        "--parts",
        type=_parts,
        default=list(PARTS),
        metavar="PARTS",
        help=f"comma-separated parts to run, among {','.join(PARTS)} (default: all)",
    )
    p.add_argument(
        "--budget",
        type=_positive_int,
        help="candidates per searcher in every part; grid search takes the finest "
        "grid that fits (default: lr 30, mlp 8, llm 4, transformer 3)",
    )
    p.add_argument(
        "--dataset",
        choices=DATASETS,
        default=None,
        help="data set of the lr part (default: digits)",
    )
    p.add_argument(
        "--cv",
        type=_folds,
        help="cross-validation folds (default: 3, llm and transformer 2)",
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
    p.add_argument(
        "--output",
        metavar="FOLDER",
        help="output folder (default: skhp-demo-<date>-<time>)",
    )
    _add_dask(p)
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv=None):
    """Entry point of the ``skhp`` command."""
    from .experiment import ExperimentError

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    prog = f"skhp {args.command}"
    try:
        return args.func(args)
    except ExperimentError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted; {_resume_hint(args)}", file=sys.stderr)
        return 130
    except Exception as exc:
        from .experiment.runner import RunFailedError
        from .journal import JournalMismatchError
        from .journal.lock import WriterLockError

        if isinstance(exc, WriterLockError):
            print(f"{prog}: error: {exc}", file=sys.stderr)
            return 3
        if isinstance(exc, RunFailedError):
            print(f"{prog}: error: {exc}", file=sys.stderr)
            return 1

        if isinstance(exc, JournalMismatchError):
            print(
                f"{prog}: error: {exc}\nThe experiment no longer matches its "
                "journal; start a new run in another folder with --output.",
                file=sys.stderr,
            )
            return 2
        print(
            f"{prog}: error: {type(exc).__name__}: {exc}\n{_resume_hint(args)}",
            file=sys.stderr,
        )
        return 1


def _resume_hint(args):
    folder = getattr(args, "folder", None)
    if args.command in ("run", "resume") and folder:
        return (
            "completed candidates are kept in the journal; continue with: "
            f"skhp resume {folder}"
        )
    return "completed candidates are kept in the journal of the output folder"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
