"""Earlier results, from wherever they are kept, as (params, score, failed, se)."""

import math
import os

import numpy as np

from .store import Journal

__all__ = ["known_results", "score_column", "split_scores", "standard_errors"]


def score_column(results, refit, owner):
    """The ``cv_results_`` key of the score a search optimises.

    Parameters
    ----------
    results : dict
        A ``cv_results_``.
    refit : bool or str
        The search's ``refit``; names the metric when there are several.
    owner : str
        Who asks, for the error message.
    """
    if "mean_test_score" in results:
        return "mean_test_score"
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return f"mean_test_{refit}"
    prefix = "mean_test_"
    metrics = sorted(k[len(prefix) :] for k in results if k.startswith(prefix))
    raise ValueError(
        f"{owner} optimises one metric, but the results hold several {metrics}; "
        f"set `refit` to the one to optimise, but got refit={refit!r}."
    )


def standard_errors(splits):
    """Each candidate's standard error of the mean score over its folds.

    ``std_test_score / sqrt(n_splits)`` for a candidate scored on every fold
    (the standard deviation as scikit-learn reports it), computed from the
    finite per-fold scores, so that a pruned candidate's first folds count;
    NaN with fewer than two finite folds.

    Parameters
    ----------
    splits : array-like of shape (n_candidates, n_splits)
        Per-fold test scores, NaN where a fold was not scored.

    Returns
    -------
    ndarray of shape (n_candidates,)
    """
    splits = np.asarray(splits, dtype=float)
    out = np.full(len(splits), math.nan)
    if splits.ndim != 2 or splits.shape[1] < 2:
        return out
    count = np.isfinite(splits).sum(axis=1)
    enough = count >= 2
    out[enough] = np.nanstd(splits[enough], axis=1) / np.sqrt(count[enough])
    return out


def split_scores(results, key):
    """The per-fold scores behind ``results[key]``, shape (n_candidates, n_splits)."""
    metric = key[len("mean_") :]
    columns = []
    while f"split{len(columns)}_{metric}" in results:
        columns.append(np.asarray(results[f"split{len(columns)}_{metric}"], float))
    if not columns:
        return np.empty((len(results["params"]), 0))
    return np.column_stack(columns)


def known_results(source, refit):
    """Turn ``warm_start`` into a list of (params, mean score, failed, se).

    ``se`` is the score's standard error over its folds (NaN where the
    results hold no per-fold scores), see :func:`standard_errors`.

    Parameters
    ----------
    source : dict, fitted search, str, path-like or Journal
        A ``cv_results_`` dict, a fitted search (its ``cv_results_``), or a
        journal holding exactly one study.
    refit : bool or str
        The searcher's ``refit``: names the metric with several metrics.
    """
    if isinstance(source, (str, os.PathLike)):
        if not os.path.exists(source):
            raise ValueError(
                f"warm_start: no journal file at {os.fspath(source)!r}. Give an "
                "existing journal, a cv_results_ dict or a fitted search."
            )
        source = Journal(source, create=False)
    if isinstance(source, Journal):
        with source:
            studies = source.studies()
            if len(studies) != 1:
                raise ValueError(
                    f"warm_start: the journal {source.path!r} holds {len(studies)} "
                    f"studies {studies}; pass journal.cv_results(study) for the one "
                    "to start from."
                )
            source = source.cv_results(studies[0])
    elif not isinstance(source, dict):
        if not hasattr(source, "cv_results_"):
            raise ValueError(
                "warm_start must be a cv_results_ dict, a fitted search, or a "
                f"journal (file path or skhp.journal.Journal), but got {source!r}, "
                "which has no cv_results_ (fit it first)."
            )
        source = source.cv_results_
    if "params" not in source:
        raise ValueError(
            "warm_start: the dict has no 'params' key; give a search's cv_results_."
        )
    if not source["params"]:
        return []
    key = score_column(source, refit, "warm_start")
    scores = np.asarray(source[key], dtype=float)
    ses = standard_errors(split_scores(source, key))
    status = source.get("status")
    known = []
    for i, params in enumerate(source["params"]):
        score = float(scores[i])
        failed = not math.isfinite(score) or (status is not None and status[i] != "ok")
        known.append((dict(params), score, failed, float(ses[i])))
    return known
