"""Earlier results, from wherever they are kept, as (params, score, failed)."""

import math
import os

import numpy as np

from .store import Journal

__all__ = ["known_results"]


def _score_key(results, refit):
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return f"mean_test_{refit}"
    if "mean_test_score" in results:
        return "mean_test_score"
    metrics = sorted(
        k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
    )
    raise ValueError(
        "warm_start: the results hold several metrics "
        f"{metrics}; set `refit` to the one this search optimises, but got "
        f"refit={refit!r}."
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
    scores = np.asarray(source[_score_key(source, refit)], dtype=float)
    status = source.get("status")
    known = []
    for i, params in enumerate(source["params"]):
        score = float(scores[i])
        failed = not math.isfinite(score) or (status is not None and status[i] != "ok")
        known.append((dict(params), score, failed))
    return known
