"""Running, resuming and reporting an experiment.

An output folder holds everything a run needs and makes::

    experiment.toml     a copy of the experiment file (or .yaml)
    run.lock            while a run or resume writes it (skhp.journal.lock)
    skhp-run.json       where relative paths in it point to
    journal.db          every evaluated candidate (skhp.journal)
    <searcher>.csv      one row per candidate, per searcher
    report.md           tables and plots (skhp.report)

so ``skhp resume FOLDER`` and ``skhp report FOLDER`` need nothing else.
"""

import contextlib
import json
import math
import os
import shutil
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .budget import grid_for_budget
from .catalog import load_dataset
from .files import load_experiment
from .schema import SEARCHERS, ExperimentError

__all__ = [
    "JOURNAL_FILE",
    "LOCK_FILE",
    "RUN_FILE",
    "Outcome",
    "RunFailedError",
    "execute",
    "format_table",
    "load_data",
    "make_estimator",
    "make_searchers",
    "rebuild_report",
    "resume",
    "run",
    "saved_experiment",
    "start",
    "writing",
]

JOURNAL_FILE = "journal.db"
RUN_FILE = "skhp-run.json"
LOCK_FILE = "run.lock"


@dataclass
class Outcome:
    """One searcher's result, as printed in the comparison table."""

    name: str
    best_score: float
    n_evaluations: int
    wall_time: float
    best_params: dict


def _passed_on():
    from ..journal import JournalMismatchError
    from ..journal.lock import WriterLockError

    return (JournalMismatchError, WriterLockError, ExperimentError)


_HELD = {}  # resolved folder -> [WriterLock, depth], this process's locks


@contextlib.contextmanager
def writing(folder):
    """Hold the run folder's lock: one ``skhp run``/``resume`` writes it at a time.

    A second writer is refused at once with
    :class:`~skhp.journal.lock.WriterLockError`, naming the holder's host,
    process id and start time. Re-entrant within a process. The lock file is
    :data:`LOCK_FILE` in the folder (created with the folder if needed); the
    operating system releases it when the holder's process ends.
    """
    from ..journal.lock import WriterLock

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExperimentError(
            [
                f"output: {str(folder)!r} is a file, not a folder; name a folder "
                "(new, or holding a run) with --output"
            ]
        )
    key = str(folder.resolve())
    if key in _HELD:
        _HELD[key][1] += 1
    else:
        folder.mkdir(parents=True, exist_ok=True)
        lock = WriterLock(
            folder / LOCK_FILE,
            f"The run folder {str(folder)!r}",
            hint="Wait for it to finish (or stop it), then run 'skhp resume "
            f"{folder}' if it was interrupted; 'skhp report {folder}' works "
            "meanwhile.",
        )
        _HELD[key] = [lock.acquire(), 1]
    try:
        yield
    finally:
        _HELD[key][1] -= 1
        if not _HELD[key][1]:
            _HELD.pop(key)[0].release()


def _import(path):
    import importlib

    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _step_name(cls):
    return cls.__name__.lower()


def make_estimator(experiment):
    """The estimator of ``experiment``, with a StandardScaler first if asked.

    Parameters
    ----------
    experiment : Experiment

    Returns
    -------
    estimator : estimator object
    prefix : str
        Put before parameter names (``"<step>__"`` in a pipeline, else "").
    """
    cls = _import(experiment.estimator.path)
    estimator = cls(**experiment.estimator.params)
    if not experiment.estimator.scale:
        return estimator, ""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), estimator), _step_name(cls) + "__"


def load_data(experiment):
    """``X, y`` of ``experiment`` (a list of str as ``X`` for text estimators)."""
    data = experiment.data
    if data.dataset is not None:
        return load_dataset(data.dataset)
    from .._optional import import_optional

    pd = import_optional("pandas", extra="test", purpose="reading CSV/Parquet data")
    path = Path(data.path)
    where = f"data.path {str(path)!r}"
    try:
        if path.suffix.lower() == ".csv":
            frame = pd.read_csv(path)
        else:
            frame = pd.read_parquet(path)
    except Exception as exc:
        raise ExperimentError([f"{where}: cannot read it: {exc}"]) from None
    columns = list(frame.columns)
    if data.target not in columns:
        raise ExperimentError(
            [
                f"data.target: no column {data.target!r} in {path.name}; "
                f"columns: {columns}"
            ]
        )
    features = list(data.columns or [c for c in columns if c != data.target])
    unknown = [c for c in features if c not in columns]
    if unknown:
        raise ExperimentError(
            [f"data.columns: {unknown} not in {path.name}; columns: {columns}"]
        )
    y = frame[data.target].to_numpy()
    if experiment.estimator.text:
        if len(features) != 1:
            raise ExperimentError(
                [
                    "data.columns: a text estimator takes one text column, got "
                    f'{features}; set columns = ["<text column>"]'
                ]
            )
        return frame[features[0]].astype(str).tolist(), y
    from .preflight import check_frame

    check_frame(frame, features, experiment, path.name)
    return frame[features].to_numpy(), y


def _prefixed(space, prefix):
    if isinstance(space, list):
        return [_prefixed(b, prefix) for b in space]
    return {prefix + k: v for k, v in space.items()}


def make_searchers(experiment, output, *, n_jobs=None, verbose=1):
    """One searcher per ``[[searchers]]`` entry, journaled in ``output``.

    Parameters
    ----------
    experiment : Experiment
    output : str or os.PathLike
        The output folder; the journal is ``output/journal.db``.
    n_jobs : int, default=None
        Overrides the experiment's ``n_jobs``.
    verbose : int, default=1
        Passed to the searchers (1: a progress bar on a terminal).

    Returns
    -------
    searchers : dict of str -> BaseSearchCV
    prefix : str
        The pipeline prefix of the parameter names ("" without a scaler).
    """
    from sklearn.base import is_classifier
    from sklearn.model_selection import KFold, StratifiedKFold

    estimator, prefix = make_estimator(experiment)
    space = _prefixed(experiment.space, prefix)
    folds = StratifiedKFold if is_classifier(estimator) else KFold
    cv = folds(experiment.cv, shuffle=True, random_state=experiment.random_state)
    scoring = experiment.scoring
    common = {
        "cv": cv,
        "scoring": scoring[0] if len(scoring) == 1 else list(scoring),
        "refit": True if len(scoring) == 1 else scoring[0],
        "n_jobs": experiment.n_jobs if n_jobs is None else n_jobs,
        "verbose": verbose,
        "journal": str(Path(output) / JOURNAL_FILE),
        "fit_timeout": experiment.fit_timeout,
    }
    searchers = {}
    for spec in experiment.searchers:
        kw = {**common, "study": spec.name, **spec.options}
        cls = SEARCHERS[spec.kind]
        if spec.kind == "grid":
            param_grid = grid_for_budget(space, spec.n_iter)
            searchers[spec.name] = cls(estimator, param_grid, **kw)
        else:
            searchers[spec.name] = cls(
                estimator,
                space,
                n_iter=spec.n_iter,
                random_state=experiment.random_state,
                **kw,
            )
    return searchers, prefix


def _metric_key(experiment):
    """The ``cv_results_`` suffix of the optimised metric."""
    if experiment is None or len(experiment.scoring) == 1:
        return "score"
    return experiment.scoring[0]


def _outcome(name, results, key, wall):
    scores = np.asarray(results.get(f"mean_test_{key}", []), dtype=float)
    if scores.size and np.isfinite(scores).any():
        best = int(np.nanargmax(scores))
        score = float(scores[best])
        params = results["params"][best]
    else:
        score, params = math.nan, {}
    return Outcome(name, score, len(results.get("params", [])), wall, params)


def format_table(outcomes, metric, *, first_column="searcher"):
    """The comparison table as text: best score, evaluations, wall time."""
    rows = [(o.name, o.best_score, o.n_evaluations, o.wall_time) for o in outcomes]
    width = max([len(first_column)] + [len(r[0]) for r in rows])
    head = f"best {metric}"
    score_w = max(len(head), 8)
    lines = [
        f"{first_column:<{width}}  {head:>{score_w}}  {'evaluations':>11}  "
        f"{'wall time':>9}"
    ]
    for name, score, n, wall in rows:
        lines.append(f"{name:<{width}}  {score:>{score_w}.4f}  {n:>11d}  {wall:>8.1f}s")
    return "\n".join(lines)


def _format_params(params):
    return ", ".join(
        f"{k}={v:.4g}"
        if isinstance(v, float)
        else f"{k}={v!r}"
        if isinstance(v, str)
        else f"{k}={v}"
        for k, v in params.items()
    )


def _report_metric(experiment):
    """The metric the tables and report follow (None: the only one)."""
    if experiment is None or len(experiment.scoring) == 1:
        return None
    return experiment.scoring[0]


def _strip(cv_results, prefix):
    """``cv_results_`` with the pipeline prefix taken off parameter names."""
    if not prefix:
        return cv_results
    out = {}
    for key, value in cv_results.items():
        if key.startswith("param_" + prefix):
            key = "param_" + key[len("param_" + prefix) :]
        out[key] = value
    out["params"] = [
        {k[len(prefix) :] if k.startswith(prefix) else k: v for k, v in p.items()}
        for p in cv_results["params"]
    ]
    return out


def _write_tables(output, results, experiment):
    from ..report import results_frame

    for name, res in results.items():
        frame = results_frame(res, name=name, metric=_report_metric(experiment))
        frame.to_csv(Path(output) / f"{name}.csv", index=False)


def _report(output, results, experiment, wall_times, format="markdown"):
    from ..report import write_report

    return write_report(
        output,
        results,
        title=experiment.title if experiment is not None else None,
        format=format,
        metric=_report_metric(experiment),
        wall_times=wall_times,
    )


@contextlib.contextmanager
def _backend(dask_scheduler, dask_workers):
    if dask_scheduler is None and dask_workers is None:
        yield
        return
    from ..distributed import dask_backend

    with dask_backend(scheduler=dask_scheduler, workers=dask_workers):
        yield


def _journal_wall_times(output, names):
    """Wall time of each study from the journal (spans interrupted runs)."""
    from ..journal import Journal

    journal = Journal(str(Path(output) / JOURNAL_FILE))
    try:
        known = set(journal.studies())
        return {n: journal.info(n)["wall_time"] for n in names if n in known}
    finally:
        journal.close()


def execute(
    experiment,
    output,
    *,
    stream=None,
    dask_scheduler=None,
    dask_workers=None,
):
    """Run every searcher of ``experiment`` into ``output``; write tables and report.

    Searchers whose study is complete in the journal are replayed from it, an
    interrupted one continues where it stopped.

    Parameters
    ----------
    experiment : Experiment
    output : str or os.PathLike
        The output folder (exists).
    stream : file, default=sys.stdout
        Where progress lines and the table go.
    dask_scheduler : str, default=None
        Address of a running dask scheduler to fit on.
    dask_workers : int, default=None
        Start a local dask cluster with this many workers.

    Returns
    -------
    outcomes : list of Outcome
    report : pathlib.Path or None
        Path of the report; None when pandas or matplotlib is missing.
    """
    with writing(output):
        return _execute(experiment, output, stream, dask_scheduler, dask_workers)


def _execute(experiment, output, stream, dask_scheduler, dask_workers):
    stream = sys.stdout if stream is None else stream
    output = Path(output)
    use_dask = dask_scheduler is not None or dask_workers is not None
    n_jobs = -1 if use_dask and experiment.n_jobs == 1 else None
    # verbose=1 draws the searchers' progress bar on a terminal; elsewhere it
    # would only add scikit-learn's "Fitting ..." lines to logs.
    verbose = 1 if getattr(sys.stderr, "isatty", lambda: False)() else 0
    searchers, prefix = make_searchers(
        experiment, output, n_jobs=n_jobs, verbose=verbose
    )
    X, y = load_data(experiment)
    from .preflight import preflight

    preflight(experiment, *make_estimator(experiment), X, y)
    metric = experiment.scoring[0]
    print(
        f"{experiment.title}: {len(y)} samples, {experiment.cv}-fold CV, "
        f"{metric}; output in {output}",
        file=stream,
        flush=True,
    )
    results, walls, outcomes, failures = {}, {}, [], {}
    with _backend(dask_scheduler, dask_workers), warnings.catch_warnings():
        from sklearn.exceptions import ConvergenceWarning

        # Small iteration budgets are part of the spaces searched; not
        # converging is a scored outcome, not news.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message=".*singular.*")
        for spec in experiment.searchers:
            search = searchers[spec.name]
            n = spec.n_iter
            if spec.kind == "grid":
                from sklearn.model_selection import ParameterGrid

                n = len(ParameterGrid(search.param_grid))
            print(
                f"  {spec.name} ({spec.kind}, {n} candidates) ...",
                file=stream,
                flush=True,
            )
            start = time.perf_counter()
            try:
                search.fit(X, y)
            except _passed_on():
                raise
            except Exception as exc:
                # One searcher's failure does not stop the others.
                failures[spec.name] = _failure_line(exc)
                print(
                    f"  {spec.name} failed: {failures[spec.name]}",
                    file=stream,
                    flush=True,
                )
            else:
                results[spec.name] = search
            walls[spec.name] = time.perf_counter() - start
    with contextlib.suppress(Exception):
        walls.update(_journal_wall_times(output, list(walls)))
    key = _metric_key(experiment)
    results = {n: _strip(s.cv_results_, prefix) for n, s in results.items()}
    recorded = _recorded_results(output, [n for n in failures if n not in results])
    results = {
        s.name: results.get(s.name, recorded.get(s.name))
        for s in experiment.searchers
        if s.name in results or s.name in recorded
    }
    results = {n: _strip(r, prefix) if n in recorded else r for n, r in results.items()}
    for name, res in results.items():
        outcomes.append(_outcome(name, res, key, walls[name]))
    try:
        _write_tables(output, results, experiment)
        report = _report(output, results, experiment, walls)
    except ImportError as exc:  # pandas or matplotlib missing: keep the results
        report = None
        print(
            f"tables and report skipped: {exc}\nThe results are in the journal; "
            f"after installing, run: skhp report {output}",
            file=sys.stderr,
        )
    print(file=stream)
    print(format_table(outcomes, metric), file=stream)
    print(file=stream)
    for o in outcomes:
        print(f"best {o.name}: {_format_params(o.best_params)}", file=stream)
    if report is not None:
        print(f"\nreport: {report}", file=stream, flush=True)
    if failures:
        raise RunFailedError(failures, len(experiment.searchers), output, outcomes)
    return outcomes, report


class RunFailedError(RuntimeError):
    """Some searchers of a run failed; the others ran and were reported.

    Attributes
    ----------
    failures : dict of str -> str
        Searcher name -> the first line of its error.
    outcomes : list of Outcome
        Of the searchers with results (failed ones included where the
        journal holds candidates of theirs).
    """

    def __init__(self, failures, n_searchers, output, outcomes):
        self.failures = dict(failures)
        self.outcomes = outcomes
        lines = "\n".join(f"  {n}: {m}" for n, m in self.failures.items())
        super().__init__(
            f"{len(self.failures)} of {n_searchers} searchers failed:\n{lines}\n"
            + ("The other searchers ran. " if len(self.failures) < n_searchers else "")
            + f"Every candidate is in {output}'s journal, "
            "each failed candidate's error in the CSV files' error column and "
            "the report's Failures section. Fix the cause and start a new run "
            "(resuming replays the recorded failures)."
        )


def _failure_line(exc):
    """``Type: first line`` of an exception, with the first fit error if any."""
    from ..journal.trial import error_summary

    text = str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    if "Traceback (most recent call last)" in text:
        line += f" (first error: {error_summary(text[text.index('Traceback') :])})"
    return line


def _recorded_results(output, names):
    """``cv_results_`` of the studies ``names`` from the journal (those it has)."""
    from ..journal import Journal

    path = Path(output) / JOURNAL_FILE
    if not names or not path.is_file():
        return {}
    with Journal(path, create=False) as journal:
        known = set(journal.studies())
        out = {}
        for name in names:
            if name in known and journal.info(name)["n_trials"]:
                out[name] = journal.cv_results(name)
        return out


def start(path, output=None, *, trust=False):
    """Create the output folder of a new run of the experiment file ``path``.

    Copies the file into it and records the folder its relative paths point
    to, so that :func:`resume` needs nothing else.

    Parameters
    ----------
    path : str or os.PathLike
        The experiment file.
    output : str or os.PathLike, default=None
        Overrides the file's ``output``.

    Returns
    -------
    experiment : Experiment
    output : pathlib.Path
    """
    path = Path(path)
    experiment = load_experiment(path, trust=trust)
    output = Path(output) if output is not None else experiment.output
    with writing(output):
        _start(path, output)
    return experiment, output


def _start(path, output):
    if (output / JOURNAL_FILE).exists():
        raise ExperimentError(
            [
                f"output: {str(output)!r} already holds a run; continue it with "
                f"'skhp resume {output}', or choose another folder with --output"
            ],
            str(path),
        )
    output.mkdir(parents=True, exist_ok=True)
    copy = output / f"experiment{path.suffix.lower()}"
    if path.resolve() != copy.resolve():
        shutil.copyfile(path, copy)
    (output / RUN_FILE).write_text(
        json.dumps(
            {
                "experiment": copy.name,
                "source": str(path.resolve()),
                "base_dir": str(path.resolve().parent),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


def saved_experiment(folder, *, trust=False):
    """The experiment saved in an output folder by :func:`start`.

    With ``trust=False`` an experiment naming a class outside scikit-learn,
    skhp and skorch is refused without importing it (a folder someone sent
    you is not code you chose to run).
    """
    folder = Path(folder)
    info_file = folder / RUN_FILE
    if not info_file.is_file():
        raise ExperimentError(
            [
                f"{str(folder)!r} is not an skhp output folder (no {RUN_FILE}); "
                "start a run with 'skhp run EXPERIMENT.toml'"
            ]
        )
    info = json.loads(info_file.read_text(encoding="utf-8"))
    return load_experiment(
        folder / info["experiment"], base_dir=info["base_dir"], trust=trust
    )


def run(path, output=None, *, trust=False, **kwargs):
    """Run the experiment file ``path`` (``skhp run``); see :func:`execute`.

    The output folder is locked from its creation to the end of the run
    (see :func:`writing`). ``trust`` as in :func:`check_experiment`.
    """
    if output is None:
        output = load_experiment(path, trust=trust).output
    with writing(output):
        experiment, output = start(path, output, trust=trust)
        return execute(experiment, output, **kwargs)


def resume(folder, *, trust=False, **kwargs):
    """Finish the run in ``folder`` (``skhp resume``); see :func:`execute`."""
    experiment = saved_experiment(folder, trust=trust)
    with writing(folder):
        return execute(experiment, Path(folder), **kwargs)


def rebuild_report(folder, *, stream=None, output=None, format="markdown"):
    """Rebuild tables and report of ``folder`` from its journal, without fitting.

    Parameters
    ----------
    folder : str or os.PathLike
        An output folder. Only read: its journal is opened read-only.
    stream : file, default=sys.stdout
    output : str or os.PathLike, default=None
        Where to write the tables and the report (default: ``folder``), e.g.
        for a folder that is read-only.
    format : {"markdown", "html"}, default="markdown"
        ``report.md`` (next to the PNG files it links) or ``report.html`` (one
        page with the images inside, to open in a browser or send).

    Returns
    -------
    outcomes : list of Outcome
    report : str
    """
    from ..journal import Journal

    stream = sys.stdout if stream is None else stream
    folder = Path(folder)
    if not (folder / JOURNAL_FILE).is_file():
        raise ExperimentError(
            [f"{str(folder)!r} has no {JOURNAL_FILE}; nothing to report"]
        )
    try:
        # Never trusted: a report imports nothing outside the allow-list.
        experiment = saved_experiment(folder)
    except ExperimentError as exc:
        experiment = None  # a journal written from Python: report it all
        if (folder / RUN_FILE).is_file():
            print(
                f"note: reporting from the journal alone, without the experiment "
                f"file ({exc.errors[0]})",
                file=sys.stderr,
            )
    journal = Journal(str(folder / JOURNAL_FILE), create=False)  # read-only
    try:
        names = journal.studies()
        if experiment is not None:
            order = [s.name for s in experiment.searchers]
            names = [n for n in order if n in names] + [
                n for n in names if n not in order
            ]
        results = {n: journal.cv_results(n) for n in names}
        walls = {n: journal.info(n)["wall_time"] for n in names}
    finally:
        journal.close()
    if experiment is not None and experiment.estimator.scale:
        # The pipeline step's name, from the import path: nothing imported.
        prefix = experiment.estimator.path.rpartition(":")[2].lower() + "__"
        results = {n: _strip(r, prefix) for n, r in results.items()}
    key = _metric_key(experiment)
    outcomes = [_outcome(n, results[n], key, walls[n]) for n in names]
    output = folder if output is None else Path(output)
    if not os.access(output if output.exists() else output.parent, os.W_OK):
        raise ExperimentError(
            [
                f"{str(output)!r} is not writable, so the tables and the report "
                "cannot be written there; give another folder with --output"
            ]
        )
    output.mkdir(parents=True, exist_ok=True)
    _write_tables(output, results, experiment)
    report = _report(output, results, experiment, walls, format=format)
    metric = experiment.scoring[0] if experiment is not None else "score"
    print(format_table(outcomes, metric), file=stream)
    print(f"\nreport: {report}", file=stream, flush=True)
    return outcomes, report
