"""Earlier results, from wherever they are kept, as (params, score, failed)."""

import math
import os

import numpy as np

from .store import Journal

__all__ = ["known_results", "score_column"]


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


def known_results(source, refit):
    """Turn ``warm_start`` into a list of (params, mean score, failed).

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
    scores = np.asarray(source[score_column(source, refit, "warm_start")], dtype=float)
    status = source.get("status")
    known = []
    for i, params in enumerate(source["params"]):
        score = float(scores[i])
        failed = not math.isfinite(score) or (status is not None and status[i] != "ok")
        known.append((dict(params), score, failed))
    return known
