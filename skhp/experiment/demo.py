"""``skhp demo``: grid vs random vs Bayesian search with the same budget.

Each part is an ordinary experiment file (the templates below), written into
its own folder of the demo's output and run like ``skhp run``, so every part
can be resumed, reported and read as an example. The transformer part also
prints full fine-tuning against LoRA (:func:`transformer_table`).
"""

import sys
import time
from pathlib import Path

from ..space.budget import grid_for_budget, varied_dimensions
from .catalog import PRESETS, missing_modules
from .files import load_experiment
from .runner import format_table, run

__all__ = [
    "DEFAULT_BUDGETS",
    "PARTS",
    "budget_note",
    "experiment_text",
    "run_demo",
    "transformer_table",
]

_HEAD = """\
title = "{title}"
cv = {cv}
scoring = "accuracy"
n_jobs = {n_jobs}
random_state = {random_state}
"""

_SEARCHERS = """
[[searchers]]
kind = "grid"
n_iter = {budget}

[[searchers]]
kind = "random"
n_iter = {budget}

[[searchers]]
kind = "bayes"
n_iter = {budget}
n_initial_points = {n_initial}
"""

#: part -> (preset, title, extra TOML, default data set)
PARTS = {
    "lr": (
        "logistic_regression",
        "LogisticRegression on {dataset}, preset space",
        "",
        "digits",
    ),
    "mlp": (
        "mlp_classifier",
        "skorch MLP on {dataset}",
        "\n[estimator.params]\nmax_epochs = 15\n",
        "wine",
    ),
    "llm": (
        "llm_classifier",
        "SmolLM2 classifier on {dataset}: prompt x temperature x top_p x top_k",
        "\n[estimator.params]\nmax_new_tokens = 6\nbatch_size = 16\n",
        "sentiment",
    ),
    "transformer": (
        "transformer_classifier",
        "all-MiniLM-L6-v2 on {dataset}: full fine-tuning vs LoRA",
        "",
        "stdlib_topics",
    ),
}

#: Candidates per searcher when --budget is not given.
DEFAULT_BUDGETS = {"lr": 30, "mlp": 8, "llm": 4, "transformer": 3}
#: Folds per part when --cv is not given (the text set has 16 samples).
DEFAULT_CV = {"lr": 3, "mlp": 3, "llm": 2, "transformer": 2}


def experiment_text(part, *, budget, cv, n_jobs=1, random_state=0, dataset=None):
    """The experiment file of one demo part, as TOML text.

    Parameters
    ----------
    part : {"lr", "mlp", "llm"}
    budget : int
        Candidates per searcher.
    cv : int
        Folds.
    n_jobs : int, default=1
    random_state : int, default=0
    dataset : str, default=None
        Built-in data set; the part's default when None.

    Returns
    -------
    text : str
    """
    preset, title, extra, default_data = PARTS[part]
    dataset = dataset or default_data
    head = _HEAD.format(
        title=title.format(dataset=dataset),
        cv=cv,
        n_jobs=n_jobs,
        random_state=random_state,
    )
    body = (
        f'\n[estimator]\npreset = "{preset}"\n{extra}\n[data]\ndataset = "{dataset}"\n'
    )
    searchers = _SEARCHERS.format(budget=budget, n_initial=max(1, min(5, budget // 2)))
    return head + body + searchers


def budget_note(part, path, budget):
    """One line on what the grid of a part holds within ``budget``.

    Random and Bayesian search evaluate ``budget`` candidates; grid search
    evaluates the largest grid within it (``skhp.grid(space, budget=n)``),
    which can hold fewer, and can leave a dimension at one value.

    Parameters
    ----------
    part : str
    path : path-like
        The part's experiment file.
    budget : int

    Returns
    -------
    line : str
    """
    from sklearn.model_selection import ParameterGrid

    space = load_experiment(path).space
    param_grid = grid_for_budget(space, budget)
    if param_grid is None:
        return f"part {part}: budget {budget}; the space has no grid that small"
    size = len(ParameterGrid(param_grid))
    varied = varied_dimensions(param_grid)
    names = []
    for branch in [space] if isinstance(space, dict) else space:
        names += [n for n in branch if n not in names]
    fixed = [n for n in names if n not in varied]
    line = (
        f"part {part}: budget {budget} candidates per searcher; grid: {size} "
        f"(the largest grid within it), varies {', '.join(varied) or 'nothing'}"
    )
    return line + (f"; one value of {', '.join(fixed)}" if fixed else "")


def run_demo(
    parts,
    *,
    output,
    budget=None,
    cv=None,
    n_jobs=1,
    random_state=0,
    dataset=None,
    stream=None,
    dask_scheduler=None,
    dask_workers=None,
):
    """Run the demo parts into ``output`` and print the comparison table.

    Parameters
    ----------
    parts : list of str
        Among ``"lr"``, ``"mlp"``, ``"llm"``.
    output : str or os.PathLike
        Folder for the parts' folders and ``summary.md``.
    budget : int, default=None
        Candidates per searcher, for every part; None: :data:`DEFAULT_BUDGETS`.
    cv : int, default=None
        Folds, for every part; None: :data:`DEFAULT_CV`.
    n_jobs, random_state : int
        As in an experiment file.
    dataset : str, default=None
        Data set of the ``lr`` part (default ``"digits"``).
    stream : file, default=sys.stdout
    dask_scheduler, dask_workers
        As in :func:`skhp.experiment.execute`.

    Returns
    -------
    outcomes : dict of str -> list of Outcome
        Per part that ran.
    """
    stream = sys.stdout if stream is None else stream
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    outcomes, skipped, times, notes, extra = {}, [], {}, [], []
    for part in parts:
        preset = PRESETS[PARTS[part][0]]
        missing, install = missing_modules(preset, {})
        if missing:
            message = (
                f"skipping part {part!r}: it needs {', '.join(missing)}; "
                f"install with: {install}"
            )
            print(message, file=sys.stderr, flush=True)
            skipped.append(message)
            continue
        folder = output / part
        folder.mkdir(exist_ok=True)
        path = folder / "experiment.toml"
        part_budget = budget or DEFAULT_BUDGETS[part]
        path.write_text(
            experiment_text(
                part,
                budget=part_budget,
                cv=cv or DEFAULT_CV[part],
                n_jobs=n_jobs,
                random_state=random_state,
                dataset=dataset if part == "lr" else None,
            ),
            encoding="utf-8",
        )
        notes.append(budget_note(part, path, part_budget))
        print(f"\n== part {part} ==\n{notes[-1]}", file=stream, flush=True)
        start = time.perf_counter()
        outcomes[part], _ = run(
            path,
            output=folder,
            stream=stream,
            dask_scheduler=dask_scheduler,
            dask_workers=dask_workers,
        )
        times[part] = time.perf_counter() - start
        if part == "transformer":
            extra.append(transformer_table(folder, stream=stream))
    rows = [
        o.__class__(f"{part}/{o.name}", o.best_score, o.n_evaluations, o.wall_time, {})
        for part, found in outcomes.items()
        for o in found
    ]
    summary = ["# skhp demo", ""]
    if rows:
        table = format_table(rows, "accuracy", first_column="part/searcher")
        legend = "\n".join(notes)
        print(
            "\n== comparison: the same budget per part; evaluations: what each "
            f"searcher got ==\n{table}\n{legend}",
            file=stream,
        )
        summary += ["```", table, "```", ""] + [f"- {n}" for n in notes]
        summary += [
            f"- part {p}: {t:.0f} s in all, report in {p}/" for p, t in times.items()
        ]
    for table in extra:
        summary += ["```", table, "```", ""]
    summary += [f"- {s}" for s in skipped]
    (output / "summary.md").write_text("\n".join(summary) + "\n", encoding="utf-8")
    print(f"\nall output in {output}", file=stream, flush=True)
    return outcomes


def _count_parameters(model, n_classes, params, cache):
    """(trainable, total) parameters of the encoder set up as ``params`` says."""
    names = ("lora", "lora_r", "lora_target_modules", "freeze_base")
    settings = {k: params[k] for k in names if k in params}
    key = repr(sorted(settings.items()))
    if key not in cache:
        from ..neural.modules import SequenceClassifier

        module = SequenceClassifier(
            model,
            n_classes,
            quiet=True,
            model_kwargs={"ignore_mismatched_sizes": True},
            **settings,
        )
        weights = list(module.parameters())
        cache[key] = (
            sum(w.numel() for w in weights if w.requires_grad),
            sum(w.numel() for w in weights),
        )
    return cache[key]


def transformer_table(folder, *, stream=None):
    """Full fine-tuning against LoRA in the transformer part's searches.

    For each searcher of the run in ``folder``, the best candidate of each
    branch (full fine-tuning, LoRA): mean CV accuracy, mean fit time of one
    fold and the parameters training updates (counted on the encoder set up
    with that candidate's parameters; no training). The table is printed and
    added to the part's ``report.md`` when there is one.

    Parameters
    ----------
    folder : str or os.PathLike
        Output folder of the transformer part.
    stream : file, default=sys.stdout

    Returns
    -------
    table : str
        The table, as printed.
    """
    import numpy as np

    from ..journal import Journal
    from ..neural import TransformerClassifier
    from ..neural.encoders import resolve_encoder
    from .runner import JOURNAL_FILE, load_data, saved_experiment

    stream = sys.stdout if stream is None else stream
    experiment = saved_experiment(folder)
    _, y = load_data(experiment)
    fixed = {**TransformerClassifier().get_params(), **experiment.estimator.params}
    model = resolve_encoder(fixed["model_name_or_path"])
    journal = Journal(str(Path(folder) / JOURNAL_FILE))
    try:
        results = {n: journal.cv_results(n) for n in journal.studies()}
    finally:
        journal.close()
    header = (
        f"{'searcher':<8}  {'branch':<12}  {'accuracy':>8}  {'fit time':>8}  "
        f"{'trainable':>10}  {'of all':>6}"
    )
    lines, cache = [header], {}
    for name, res in results.items():
        scores = np.asarray(res["mean_test_score"], dtype=float)
        for lora in (False, True):
            rows = [
                i
                for i, p in enumerate(res["params"])
                if bool({**fixed, **p}["lora"]) == lora and np.isfinite(scores[i])
            ]
            if not rows:
                lines.append(f"{name:<8}  {'LoRA' if lora else 'full':<12}  (none)")
                continue
            best = max(rows, key=lambda i: scores[i])
            params = {**fixed, **res["params"][best]}
            branch = f"LoRA r={params['lora_r']}" if lora else "full"
            trainable, total = _count_parameters(model, len(set(y)), params, cache)
            lines.append(
                f"{name:<8}  {branch:<12}  {scores[best]:>8.4f}  "
                f"{res['mean_fit_time'][best]:>7.1f}s  {trainable:>10,d}  "
                f"{trainable / total:>6.1%}"
            )
    table = "\n".join(lines)
    report = Path(folder) / "report.md"
    if report.is_file():
        with report.open("a", encoding="utf-8") as f:
            f.write(
                "\n## Full fine-tuning vs LoRA\n\nThe best candidate of each "
                "branch per searcher; trainable: the parameters training "
                f"updates.\n\n```text\n{table}\n```\n"
            )
    print(
        f"\n== full fine-tuning vs LoRA (best of each, per searcher) ==\n{table}",
        file=stream,
        flush=True,
    )
    return table
