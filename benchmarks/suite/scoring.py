"""Scores as Bayesmark computes them, mean ranks and step costs, as Markdown.

Per problem and budget ``b``, a run's value is the best score among its first
``b`` evaluations (failed ones ignored), clipped from below, as Bayesmark's
mean score does, at the median score of one random evaluation (the median of
all random-search evaluations on the problem; a run with no finite score gets
that value too). With ``r`` the mean over seeds of random search's value and
``best`` the best value any compared searcher ever found on the problem, a
run's normalised score is ``(value - r) / (best - r)``: 0 is random search's
mean at that budget, 1 the best ever found. A searcher's score on a problem is
the mean over its seeds, and the table shows the mean over problems. Ranks:
per problem, searchers ranked by their mean value over seeds (1 = best, ties
share the mean rank), averaged over problems. BBOB-only tables also show the
mean over problems and seeds of log10 of the regret (floored at 1e-8), which
shows how far a searcher refines an optimum where the normalised score
saturates near 1.
"""

import math

import numpy as np
from scipy.stats import rankdata

RANDOM = "random"
STEP_WINDOW = (40, 60)  # evaluations around 50 observations
_RELATIVE_TOLERANCE = 1e-6


def value_at(run, budget):
    """Best finite score among a run's first ``budget`` evaluations (or NaN)."""
    head = [s for s in run["scores"][:budget] if s is not None]
    return max(head) if head else math.nan


def problem_scores(runs_by_label, budget):
    """Normalised score and mean value of each label on one problem.

    Parameters
    ----------
    runs_by_label : dict of str -> dict of int -> dict
        ``{label: {seed: run}}``; must include ``"random"``.
    budget : int

    Returns
    -------
    dict of str -> (float, float)
        ``{label: (mean normalised score, mean value)}``.
    """
    pooled = np.array(
        [
            s
            for run in runs_by_label[RANDOM].values()
            for s in run["scores"]
            if s is not None
        ]
    )
    finals = np.array(
        [
            value_at(run, len(run["scores"]))
            for runs in runs_by_label.values()
            for run in runs.values()
        ]
    )
    if not np.isfinite(finals).any():
        return {label: (0.0, math.nan) for label in runs_by_label}
    if pooled.size:
        clip = float(np.median(pooled))
    else:  # random search never succeeded: clip at the worst final value
        clip = float(np.nanmin(finals))
    best = float(np.nanmax(finals))
    values = {
        label: np.array([value_at(run, budget) for run in runs.values()])
        for label, runs in runs_by_label.items()
    }
    values = {
        k: np.maximum(np.where(np.isfinite(v), v, clip), clip)
        for k, v in values.items()
    }
    reference = float(np.mean(values[RANDOM]))
    span = best - reference
    # Scores are stored to 8 significant digits (some older runs unrounded):
    # a span below that is random search at the best value, not a scale.
    degenerate = span <= _RELATIVE_TOLERANCE * max(1.0, abs(best))
    out = {}
    for label, v in values.items():
        normed = np.zeros_like(v) if degenerate else (v - reference) / span
        out[label] = (float(np.mean(normed)), float(np.mean(v)))
    return out


def _log10_regret(runs, budget):
    """Mean over seeds of log10 of a BBOB run's regret (floored at 1e-8)."""
    return float(np.mean([math.log10(max(-value_at(r, budget), 1e-8)) for r in runs]))


def _step_ms(runs):
    """Median over runs of the median gap around evaluation 50 (timed runs)."""
    lo, hi = STEP_WINDOW
    meds = [float(np.median(r["gaps_ms"][lo:hi])) for r in runs if r["gaps_ms"][lo:hi]]
    return float(np.median(meds)) if meds else math.nan


def _overhead_ms(runs):
    """Median over runs of (wall - fit and score time) per evaluation."""
    per = [
        1000.0 * (r["wall"] - r["fit_score"]) / len(r["scores"])
        for r in runs
        if r["scores"]
    ]
    return float(np.median(per)) if per else math.nan


def _common_problems(results, problems, labels):
    """The problems, sorted, on which every label has a stored run."""
    return [
        p
        for p in sorted(problems)
        if all(results.get(label, {}).get(p) for label in labels)
    ]


def summarise(results, problems, labels, budgets_of):
    """One table's numbers.

    Parameters
    ----------
    results : dict
        ``{label: {problem: {seed: run}}}`` (from ``storage.load_all``).
    problems : iterable of str
        Problems to score; those that random search or any of ``labels``
        lacks are left out.
    labels : list of str
        Searchers to compare (random search is added if missing).
    budgets_of : callable
        ``budgets_of(problem) -> (small, large)``.

    Returns
    -------
    dict
        ``{"problems": [...], "rows": {label: {"score": (small, large),
        "rank": (small, large), "step_ms", "overhead_ms", "seeds"}}}``.
    """
    labels = list(dict.fromkeys([*labels, RANDOM]))
    used = _common_problems(results, problems, labels)
    scores = {label: ([], []) for label in labels}
    ranks = {label: ([], []) for label in labels}
    for p in used:
        by_label = {label: results[label][p] for label in labels}
        for i, budget in enumerate(budgets_of(p)):
            sc = problem_scores(by_label, budget)
            order = rankdata([-sc[label][1] for label in labels])
            for label, rank in zip(labels, order):
                scores[label][i].append(sc[label][0])
                ranks[label][i].append(float(rank))
    rows = {}
    all_bbob = bool(used) and all(p.startswith("bbob_") for p in used)
    for label in labels:
        runs = [run for p in used for run in results[label][p].values()]
        log_regret = (
            tuple(
                float(
                    np.mean(
                        [
                            _log10_regret(results[label][p].values(), b[i])
                            for p, b in ((p, budgets_of(p)) for p in used)
                        ]
                    )
                )
                for i in (0, 1)
            )
            if all_bbob
            else None
        )
        rows[label] = {
            "score": tuple(float(np.mean(s)) if s else math.nan for s in scores[label]),
            "rank": tuple(float(np.mean(r)) if r else math.nan for r in ranks[label]),
            "step_ms": _step_ms(runs),
            "overhead_ms": _overhead_ms(runs),
            "log10_regret": log_regret,
            "seeds": (
                float(np.mean([len(results[label][p]) for p in used])) if used else 0.0
            ),
        }
    return {"problems": used, "rows": rows}


def paired(results, problems, a, b, budgets_of, labels=(), n_boot=4000, seed=0):
    """Searcher ``a`` against ``b``, problem by problem, with a bootstrap interval.

    The suite's means move by a few hundredths when a problem or a seed is
    added; this says whether a difference between two searchers is larger
    than that. Per problem and budget: the difference of their normalised
    scores (normalised among ``a``, ``b``, random search and ``labels``) and
    which has the better mean value. The interval resamples problems (a
    percentile bootstrap of the mean difference).

    Returns
    -------
    dict
        ``{"problems": [...], "budgets": [{"diff", "low", "high", "wins",
        "losses", "ties"}, ...]}``, small budget first.
    """
    labels = list(dict.fromkeys([a, b, *labels, RANDOM]))
    used = _common_problems(results, problems, labels)
    rng = np.random.default_rng(seed)
    out = []
    for i in (0, 1):
        diffs, signs = [], []
        for p in used:
            sc = problem_scores(
                {lab: results[lab][p] for lab in labels}, budgets_of(p)[i]
            )
            diffs.append(sc[a][0] - sc[b][0])
            signs.append(np.sign(sc[a][1] - sc[b][1]))
        diffs, signs = np.array(diffs), np.array(signs)
        if used:
            boots = rng.choice(diffs, (n_boot, len(diffs))).mean(axis=1)
            low, high = np.percentile(boots, [2.5, 97.5])
        else:
            low = high = math.nan
        out.append(
            {
                "diff": float(diffs.mean()) if used else math.nan,
                "low": float(low),
                "high": float(high),
                "wins": int((signs > 0).sum()),
                "losses": int((signs < 0).sum()),
                "ties": int((signs == 0).sum()),
            }
        )
    return {"problems": used, "budgets": out}


def paired_markdown(result, a, b, title):
    """One line per budget of :func:`paired`'s numbers."""
    lines = [f"**{a} against {b}, {title}** ({len(result['problems'])} problems)", ""]
    for name, r in zip(("small", "large"), result["budgets"]):
        lines.append(
            f"- {name} budget: score difference {_fmt(r['diff'])} (95% bootstrap "
            f"over problems {_fmt(r['low'])} to {_fmt(r['high'])}); {a} better on "
            f"{r['wins']}, worse on {r['losses']}, level on {r['ties']}"
        )
    return "\n".join(lines)


def _fmt(x, digits=3):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    text = f"{x:.{digits}f}"
    # A rounding residue (-1e-17) is no negative score.
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def markdown(summary, title):
    """A Markdown table of :func:`summarise`'s numbers, best score first."""
    rows = summary["rows"]
    regrets = all(r["log10_regret"] is not None for r in rows.values())
    extra = " log10 regret small | log10 regret large |" if regrets else ""
    lines = [
        f"**{title}** ({len(summary['problems'])} problems)",
        "",
        "| searcher | score small | score large | rank small | rank large "
        "| step ms @50 | overhead ms/eval | seeds |" + extra,
        "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if regrets else ""),
    ]
    order = sorted(rows, key=lambda k: -np.nan_to_num(rows[k]["score"][1], nan=-9))
    for label in order:
        r = rows[label]
        lines.append(
            f"| {label} | {_fmt(r['score'][0])} | {_fmt(r['score'][1])} "
            f"| {_fmt(r['rank'][0], 2)} | {_fmt(r['rank'][1], 2)} "
            f"| {_fmt(r['step_ms'], 1)} | {_fmt(r['overhead_ms'], 1)} "
            f"| {_fmt(r['seeds'], 1)} |"
            + (
                f" {_fmt(r['log10_regret'][0], 2)} | {_fmt(r['log10_regret'][1], 2)} |"
                if regrets
                else ""
            )
        )
    return "\n".join(lines)
