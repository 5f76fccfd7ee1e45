"""How many evaluations each searcher needed to reach a target score."""

import math

import numpy as np

from .._optional import import_optional
from .frame import as_frame

__all__ = ["evaluations_to_target", "default_target"]

# The default target is the best score found minus this fraction of its size.
_TOLERANCE = 0.005


def default_target(scores):
    """The default target for a set of successful scores, and how it was set.

    ``best - 0.5% of |best|``: 99.5% of the best score when it is positive,
    and as close below it for a negative score (``-0.2`` gives ``-0.201``;
    99.5% of a negative score would be above it, out of reach). When the
    best score is exactly 0, 0.5% of the range of the scores is used instead.

    Parameters
    ----------
    scores : array-like of float
        The successful candidates' scores (non-finite ones are ignored).

    Returns
    -------
    target : float
    rule : str
        The rule in words, with the numbers, for a report.
    """
    scores = np.asarray(scores, dtype=float)
    scores = scores[np.isfinite(scores)]
    if scores.size == 0:
        return math.nan, "no candidate succeeded, so there is no target"
    best = float(scores.max())
    if best != 0:
        target = best - _TOLERANCE * abs(best)
        share = "99.5% of" if best > 0 else "0.5% of |best| below"
        return target, (
            f"{target:.4g}: {share} the best score any searcher found ({best:.4g})"
        )
    spread = best - float(scores.min())
    target = best - _TOLERANCE * spread
    return target, (
        f"{target:.4g}: the best score any searcher found ({best:.4g}) minus "
        "0.5% of the range of the scores"
    )


def evaluations_to_target(results, target=None, *, metric=None):
    """Evaluations (and compute time) each searcher needed to reach a score.

    For each searcher, in its own evaluation order, the first successful
    candidate whose mean CV score is at least ``target``.

    Parameters
    ----------
    results : fitted search, dict, DataFrame, Journal, or list or dict of these
        As in :func:`~skhp.report.results_frame`; a dict ``{name: search}``
        names the searchers.
    target : float, default=None
        The score to reach (in the units of the metric, higher is better).
        By default, 99.5% of the best score any searcher found; for a
        negative best score (a negated error, say), ``best - 0.005 * |best|``,
        the same distance below it; when the best score is 0, 0.5% of the
        range of the scores below it. So the searcher that found the best
        score always reaches the default target.
    metric : str, default=None
        The score to follow, for multi-metric results.

    Returns
    -------
    table : pandas.DataFrame
        One row per searcher, in the order of the results, with the columns:

        - ``searcher``;
        - ``evaluations``: 1-based number of candidates evaluated until the
          first that reached the target (counting failed and pruned ones);
          NaN if none did;
        - ``reached``: whether one did;
        - ``time_to_target``: seconds spent fitting and scoring (summed over
          the folds, as ``total_time`` in :func:`results_frame`) up to and
          including that candidate; NaN if never reached;
        - ``best_score``: the searcher's best score;
        - ``n_evaluations``: how many candidates it evaluated in all.

        ``table.attrs`` records ``target``, ``rule`` (how the target was
        set, in words) and ``metric``.

    Raises
    ------
    ValueError
        When ``target`` is not a finite number, or ``metric`` is unknown.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skhp.report import evaluations_to_target
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(LogisticRegression(), {"C": [1e-3, 1.0]}, cv=3)
    >>> table = evaluations_to_target({"grid": search.fit(X, y)})
    >>> table[["searcher", "evaluations", "reached"]]
      searcher  evaluations  reached
    0     grid          2.0     True
    """
    pd = import_optional("pandas", extra="plot", purpose="results tables")
    frame = as_frame(results, metric=metric)
    metric = frame.attrs["metric"]
    score = frame[f"mean_test_{metric}"].to_numpy(dtype=float)
    ok = (frame["status"].to_numpy() == "ok") & np.isfinite(score)
    if target is None:
        target, rule = default_target(score[ok])
    else:
        if isinstance(target, bool) or not isinstance(target, int | float | np.number):
            raise ValueError(
                f"target must be a number (a score to reach), but got "
                f"target={target!r}; leave it None for 99.5% of the best score."
            )
        target = float(target)
        if not math.isfinite(target):
            raise ValueError(
                f"target must be a finite score, but got target={target!r}."
            )
        rule = f"{target:.4g}, as given"
    rows = []
    for searcher, part in frame.groupby("searcher", sort=False):
        scores = part[f"mean_test_{metric}"].to_numpy(dtype=float)
        good = (part["status"].to_numpy() == "ok") & np.isfinite(scores)
        hits = np.flatnonzero(good & (scores >= target))
        times = np.cumsum(np.nan_to_num(part["total_time"].to_numpy(dtype=float)))
        if hits.size:
            first = int(hits[0])
            evaluations = float(part["iteration"].to_numpy()[first])
            seconds = float(times[first])
        else:
            evaluations = seconds = math.nan
        rows.append(
            {
                "searcher": searcher,
                "evaluations": evaluations,
                "reached": bool(hits.size),
                "time_to_target": seconds,
                "best_score": float(scores[good].max()) if good.any() else math.nan,
                "n_evaluations": len(part),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "searcher",
            "evaluations",
            "reached",
            "time_to_target",
            "best_score",
            "n_evaluations",
        ],
    )
    table.attrs["target"] = target
    table.attrs["rule"] = rule
    table.attrs["metric"] = metric
    return table
