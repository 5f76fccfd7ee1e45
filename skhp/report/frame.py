"""Search results as one tidy table: a row per candidate, a column per parameter."""

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from .._optional import import_optional

__all__ = ["results_frame"]

# Columns of the frame that are not hyperparameters; a parameter with one of
# these names gets a ``param_`` prefix.
_FIXED = ("searcher", "iteration", "mean_fit_time", "total_time", "status", "error")


class _Run:
    """One searcher's results: its name, ``cv_results_`` and refit metric."""

    def __init__(self, name, cv_results, refit=None, wall_time=None):
        self.name = name
        self.cv_results = cv_results
        self.refit = refit
        self.wall_time = wall_time


def _pandas():
    return import_optional("pandas", extra="plot", purpose="results tables")


def _is_cv_results(obj):
    return isinstance(obj, Mapping) and "params" in obj


def _is_journal(obj):
    return callable(getattr(obj, "studies", None)) and callable(
        getattr(obj, "cv_results", None)
    )


def _one_run(obj, name):
    """A ``_Run`` from a ``cv_results_`` dict or a fitted search."""
    if _is_cv_results(obj):
        return _Run(name or "search", obj)
    if hasattr(obj, "cv_results_"):
        refit = getattr(obj, "refit", None)
        return _Run(
            name or type(obj).__name__,
            obj.cv_results_,
            refit if isinstance(refit, str) else None,
        )
    if hasattr(obj, "fit") and hasattr(obj, "get_params"):
        raise ValueError(
            f"The search {type(obj).__name__} has no `cv_results_`: call "
            "`fit(X, y)` before asking for its results."
        )
    raise TypeError(
        "`results` must be a fitted search (GridSearchCV, RandomizedSearchCV, "
        "skhp.BayesSearchCV, ...), its `cv_results_` dict, a skhp Journal, or a "
        "list or dict of these (one per searcher), but got an object of type "
        f"{type(obj).__name__}."
    )


def _runs(results, name=None):
    """Turn every accepted form of ``results`` into a list of ``_Run``."""
    if _is_journal(results):
        runs = []
        for study in results.studies():
            info = (
                results.info(study) if callable(getattr(results, "info", None)) else {}
            )
            runs.append(
                _Run(study, results.cv_results(study), None, info.get("wall_time"))
            )
    elif _is_cv_results(results) or hasattr(results, "cv_results_"):
        runs = [_one_run(results, name)]
    elif isinstance(results, Mapping):
        runs = [_one_run(value, str(key)) for key, value in results.items()]
    elif isinstance(results, Sequence) and not isinstance(results, str):
        if name is not None:
            raise ValueError(
                "`name` names a single search; for several, pass a dict "
                "{name: search} instead of a list (got name={name!r})."
            )
        runs = [_one_run(value, None) for value in results]
    else:
        runs = [_one_run(results, name)]
    if not runs:
        raise ValueError(
            "`results` holds no searcher: pass at least one fitted search or "
            "`cv_results_` dict."
        )
    # Two searchers of the same class in a list: tell them apart.
    seen = {}
    for run in runs:
        count = seen.get(run.name, 0) + 1
        seen[run.name] = count
        if count > 1:
            run.name = f"{run.name}-{count}"
    return runs


def _metrics(cv_results):
    """Metric names of a ``cv_results_``: ``["score"]`` for a single metric."""
    return [
        key[len("mean_test_") :] for key in cv_results if key.startswith("mean_test_")
    ]


def _resolve_metric(runs, metric):
    """The metric to follow, the same for every run."""
    common = None
    for run in runs:
        names = _metrics(run.cv_results)
        common = names if common is None else [m for m in common if m in names]
    if not common:
        raise ValueError(
            "The results have no `mean_test_<metric>` entry in common; were they "
            "produced by scikit-learn searches with the same `scoring`?"
        )
    if metric is not None:
        if metric not in common:
            raise ValueError(
                f"metric={metric!r} is not a metric of these results; use one "
                f"of {common}."
            )
        return metric
    if len(common) == 1:
        return common[0]
    refit = runs[0].refit
    if refit in common:
        return refit
    raise ValueError(
        f"The results hold several metrics ({common}) and none is the refit "
        "metric of the search; choose the one to follow with `metric=`, e.g. "
        f"metric={common[0]!r}."
    )


def _n_splits(cv_results, metric):
    prefix = "split"
    suffix = f"_test_{metric}"
    return sum(
        1
        for key in cv_results
        if key.startswith(prefix)
        and key.endswith(suffix)
        and key[5 : -len(suffix)].isdigit()
    )


_MISSING = object()  # a parameter absent from a candidate's branch


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _param_column(values):
    """A numeric column where every value is a number, else Python objects."""
    present = [v for v in values if v is not _MISSING]
    if present and all(_is_number(v) for v in present):
        complete = len(present) == len(values)
        if complete and all(isinstance(v, numbers.Integral) for v in present):
            return np.array([int(v) for v in values], dtype=np.int64)
        return np.array(
            [float(v) if v is not _MISSING else np.nan for v in values], dtype=float
        )
    # Absent is NaN, so that a parameter whose value is None stays None.
    column = np.empty(len(values), dtype=object)
    column[:] = [np.nan if v is _MISSING else v for v in values]
    return column


def _run_frame(run, metric):
    """The frame of one searcher, without its parameter columns."""
    pd = _pandas()
    cv = run.cv_results
    n = len(cv["params"])
    columns = {"searcher": [run.name] * n, "iteration": np.arange(1, n + 1)}
    for key in cv:
        if key.startswith(("mean_test_", "std_test_", "rank_test_")):
            columns[key] = np.asarray(cv[key])
        if key.startswith(("mean_train_", "std_train_")):
            columns[key] = np.asarray(cv[key], dtype=float)
    fit_time = np.asarray(cv.get("mean_fit_time", np.full(n, np.nan)), dtype=float)
    score_time = np.asarray(cv.get("mean_score_time", np.zeros(n)), dtype=float)
    columns["mean_fit_time"] = fit_time
    columns["total_time"] = (fit_time + score_time) * max(_n_splits(cv, metric), 1)
    scores = np.asarray(cv[f"mean_test_{metric}"], dtype=float)
    if "status" in cv:
        status = np.asarray(cv["status"], dtype=object)
    else:
        status = np.where(np.isfinite(scores), "ok", "failed").astype(object)
        if "pruned" in cv:
            # BayesSearchCV(pruner=...) marks candidates stopped after their
            # first folds; their mean score is NaN but they did not fail.
            pruned = np.asarray(cv["pruned"], dtype=bool)
            status[pruned] = "pruned"
    columns["status"] = status
    if "error" in cv:
        columns["error"] = np.asarray(cv["error"], dtype=object)
    ok = (status == "ok") & np.isfinite(scores)
    columns["best_so_far"] = _running_best(scores, ok)
    return pd.DataFrame(columns)


def _param_frame(runs, param_names):
    """One column per parameter over every run, typed from all their values."""
    pd = _pandas()
    columns = {}
    for param in param_names:
        column = param if param not in _FIXED else f"param_{param}"
        values = _param_column(
            [p.get(param, _MISSING) for run in runs for p in run.cv_results["params"]]
        )
        # object dtype kept explicitly: pandas would turn strings into its own
        # string dtype, and None into NaN.
        columns[column] = pd.Series(values, dtype=values.dtype)
    return pd.DataFrame(
        columns, index=pd.RangeIndex(sum(len(r.cv_results["params"]) for r in runs))
    )


def _running_best(scores, ok):
    best = np.full(len(scores), np.nan)
    current = -math.inf
    for i, (score, good) in enumerate(zip(scores, ok)):
        if good:
            current = max(current, score)
        if current > -math.inf:
            best[i] = current
    return best


def _param_names(runs):
    names = {}
    for run in runs:
        for params in run.cv_results["params"]:
            for key in params:
                names.setdefault(key, None)
    return list(names)


def results_frame(results, *, name=None, metric=None):
    """Search results as a tidy pandas DataFrame, one row per candidate.

    Parameters
    ----------
    results : fitted search, dict, Journal, or list or dict of these
        A fitted ``GridSearchCV``, ``RandomizedSearchCV`` or
        :class:`skhp.BayesSearchCV` (or any ``BaseSearchCV``), its
        ``cv_results_`` dict, a :class:`skhp.journal.Journal` (one searcher
        per study), a list of these, or a dict ``{searcher name: search}``
        to compare several searchers in one table.
    name : str, default=None
        Name of the searcher for a single search. Defaults to the class name
        of the search (``"BayesSearchCV"``), or ``"search"`` for a bare
        ``cv_results_`` dict. For several searchers, use a dict.
    metric : str, default=None
        The metric that ``best_so_far`` follows, for multi-metric results.
        Defaults to the search's ``refit`` metric when it is a string, or to
        the only metric. Single-metric results call it ``"score"``.

    Returns
    -------
    frame : pandas.DataFrame
        One row per candidate, in evaluation order, searcher after searcher,
        with the columns:

        - ``searcher``: the searcher's name;
        - ``iteration``: 1-based evaluation order within the searcher;
        - one column per hyperparameter, named as in ``params`` (``C``,
          ``clf__C``): numbers where every value is a number, else Python
          objects; NaN where a conditional branch lacks it (a value that is
          None stays None);
        - ``mean_test_<metric>``, ``std_test_<metric>``, ``rank_test_<metric>``
          for each metric (``mean_test_score`` ... for a single metric), and
          the ``*_train_*`` means with ``return_train_score=True``;
        - ``mean_fit_time`` and ``total_time`` (seconds spent fitting and
          scoring the candidate, summed over the folds);
        - ``status``: ``"ok"``, ``"failed"`` (every fit failed, so the score
          is ``error_score``) or ``"pruned"`` (stopped early: from a journal,
          or the ``pruned`` column of ``BayesSearchCV(pruner=...)``);
        - ``error`` (where the results have it: skhp's searchers and
          journals): the first line of the candidate's first failed fit's
          error, empty where no fit failed;
        - ``best_so_far``: the best ``mean_test_<metric>`` of the searcher's
          successful candidates up to this row.

        ``frame.attrs`` records ``metric``, ``params`` (the parameter
        columns), ``wall_times`` (``{searcher: seconds}`` where known) and
        ``n_splits`` (``{searcher: folds per candidate}``, 0 where unknown).

    Raises
    ------
    ValueError
        When the results hold no candidate, or ``metric`` is not one of them.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skhp.report import results_frame
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0]}, cv=3)
    >>> frame = results_frame(search.fit(X, y))
    >>> frame[["searcher", "iteration", "C", "status"]]
           searcher  iteration     C status
    0  GridSearchCV          1  0.01     ok
    1  GridSearchCV          2  1.00     ok
    """
    pd = _pandas()
    runs = _runs(results, name)
    if all(len(run.cv_results["params"]) == 0 for run in runs):
        raise ValueError(
            "The results hold no candidate: was the search stopped before "
            "evaluating any?"
        )
    metric = _resolve_metric(runs, metric)
    param_names = _param_names(runs)
    rest = pd.concat([_run_frame(run, metric) for run in runs], ignore_index=True)
    params = _param_frame(runs, param_names)
    frame = pd.concat(
        [
            rest[["searcher", "iteration"]],
            params,
            rest.drop(columns=["searcher", "iteration"]),
        ],
        axis=1,
    )
    frame.attrs["metric"] = metric
    frame.attrs["params"] = [
        p if p not in _FIXED else f"param_{p}" for p in param_names
    ]
    frame.attrs["wall_times"] = {
        run.name: run.wall_time for run in runs if run.wall_time is not None
    }
    frame.attrs["n_splits"] = {
        run.name: _n_splits(run.cv_results, metric) for run in runs
    }
    return frame


def as_frame(results, *, metric=None, name=None):
    """A frame from ``results``, or ``results`` itself if it is one already.

    Shared by the plots and the report, which all accept either.
    """
    pd = _pandas()
    if isinstance(results, pd.DataFrame):
        if "params" not in results.attrs or "metric" not in results.attrs:
            raise ValueError(
                "This DataFrame was not made by `skhp.report.results_frame` (its "
                "`attrs` lack 'params' and 'metric'); pass the fitted search or "
                "its `cv_results_` instead."
            )
        if metric is not None and metric != results.attrs["metric"]:
            if f"mean_test_{metric}" not in results.columns:
                metrics = [
                    c[len("mean_test_") :]
                    for c in results.columns
                    if c.startswith("mean_test_")
                ]
                raise ValueError(
                    f"metric={metric!r} is not a metric of these results; use "
                    f"one of {metrics}."
                )
            results = results.copy()
            results.attrs["metric"] = metric
            parts = []
            for _, part in results.groupby("searcher", sort=False):
                scores = part[f"mean_test_{metric}"].to_numpy(dtype=float)
                ok = (part["status"].to_numpy() == "ok") & np.isfinite(scores)
                parts.append(pd.Series(_running_best(scores, ok), index=part.index))
            results["best_so_far"] = pd.concat(parts)
        return results
    return results_frame(results, metric=metric, name=name)
