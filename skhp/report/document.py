"""A report of one or several searches: tables and plots in one readable page."""

import base64
import html
import math
import numbers
from pathlib import Path

import numpy as np

from .._optional import import_optional
from .axes import is_absent
from .coverage import GridCoverageDisplay
from .dependence import PartialDependenceMatrixDisplay
from .display import pyplot, save_figure
from .frame import as_frame
from .pareto import pareto_sections
from .plots import (
    TITLES,
    ConvergenceDisplay,
    ParallelCoordinatesDisplay,
    ParameterImportanceDisplay,
    ParameterScoreDisplay,
)
from .style import short_names
from .target import evaluations_to_target

__all__ = ["winner_text", "write_report"]

_TOP = 10

# (file name, Display, title, how to read it)
_FIGURES = [
    (
        "convergence.png",
        ConvergenceDisplay,
        TITLES["convergence"],
        "Best score found so far after each evaluation, one line per searcher "
        "(dots: each candidate's own score); higher and further left is better. "
        "The legend gives each searcher's number of evaluations; when one "
        "searcher has far more, the x axis is clipped (a note on the plot "
        "says where).",
    ),
    (
        "parallel_coordinates.png",
        ParallelCoordinatesDisplay,
        TITLES["parallel"],
        "One line per successful candidate through its value on each "
        "parameter axis, coloured by score: where the bright lines gather "
        "is the good region.",
    ),
    (
        "parameter_scores.png",
        ParameterScoreDisplay,
        TITLES["scores"],
        "The score against each parameter (a box per category): a clear trend "
        "or a best category shows where to search next; a flat cloud, a "
        "parameter that does not matter here.",
    ),
    (
        "parameter_importance.png",
        ParameterImportanceDisplay,
        TITLES["importance"],
        "How much the score depends on each parameter: the drop in R² of a "
        "random forest that predicts the score from the parameters, when "
        "that parameter is shuffled (0: no effect found; above 1 when the "
        "shuffled forest predicts worse than a constant). Read it as a "
        "ranking, not as a share of the score.",
    ),
]


_FIGURES.append(
    (
        "partial_dependence.png",
        PartialDependenceMatrixDisplay,
        "Partial dependence of the score on the top parameters",
        "For the three most important parameters: the score a random forest "
        "predicts as one parameter (diagonal) or a pair (contours) varies, "
        "averaged over the candidates (dots). Bright areas are where to "
        "search next; bands parallel to an axis mean that parameter does not "
        "matter there; a log scale is shown as log10.",
    )
)

# Drawn only when the results compare several searchers.
_COMPARISON_FIGURES = [
    (
        "grid_coverage.png",
        GridCoverageDisplay,
        "Where each searcher looked",
        "For the one or two most important numeric parameters: the score "
        "against the parameter (top) and each searcher's candidates on a row "
        "of its own (bottom). The shaded band is the best region, the range "
        "of the parameter among the best 10% of the scores of all searchers "
        "together. A searcher with no point in the band never tried the "
        "values that scored best; a grid whose points straddle a narrow band "
        "shows how grid search can miss optimal values between its points.",
    ),
]


def _format_value(value):
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        return f"{value:.4g}"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))
    return value if isinstance(value, str) else repr(value)


def _format_params(row, params, labels=None):
    labels = labels or {}
    parts = []
    for param in params:
        value = row[param]
        if is_absent(value):
            continue  # not in this candidate's branch
        parts.append(f"{labels.get(param, param)}={_format_value(value)}")
    return ", ".join(parts)


def _metrics(frame):
    """Every metric of the results, the optimised one first."""
    metric = frame.attrs["metric"]
    others = [
        c[len("mean_test_") :]
        for c in frame.columns
        if c.startswith("mean_test_") and c != f"mean_test_{metric}"
    ]
    return [metric, *others]


def _best_rows(frame, metric):
    """``{searcher: best successful row or None}``."""
    score = f"mean_test_{metric}"
    best = {}
    for searcher, part in frame.groupby("searcher", sort=False):
        ok = part[(part["status"] == "ok") & np.isfinite(part[score].astype(float))]
        best[searcher] = ok.loc[ok[score].astype(float).idxmax()] if len(ok) else None
    return best


def winner_text(frame):
    """Who won, by how much, and whether that is more than the CV noise.

    The noise is the standard error of the winner's mean CV score, its
    ``std_test`` over the folds divided by the square root of the number of
    folds: a margin smaller than that is a tie on these folds.

    Parameters
    ----------
    frame : DataFrame
        From :func:`~skhp.report.results_frame`.

    Returns
    -------
    text : str
        One or two sentences, plain text.
    winner : str or None
        The winning searcher (None when no candidate succeeded).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skhp import GridSearchCV
    >>> from skhp.report import results_frame, winner_text
    >>> X, y = load_iris(return_X_y=True)
    >>> a = GridSearchCV(LogisticRegression(), {"C": [0.01, 0.1]}, cv=3).fit(X, y)
    >>> b = GridSearchCV(LogisticRegression(), {"C": [1.0, 10.0]}, cv=3).fit(X, y)
    >>> text, name = winner_text(results_frame({"small C": a, "large C": b}))
    >>> name
    'large C'
    """
    metric = frame.attrs["metric"]
    best = {k: v for k, v in _best_rows(frame, metric).items() if v is not None}
    if not best:
        return "No candidate succeeded, so there is no winner.", None
    score = f"mean_test_{metric}"
    ranked = sorted(best.items(), key=lambda kv: -float(kv[1][score]))
    name, row = ranked[0]
    value = float(row[score])
    folds = frame.attrs.get("n_splits", {}).get(name, 0)
    std = float(row.get(f"std_test_{metric}", float("nan")))
    se = std / math.sqrt(folds) if folds and math.isfinite(std) else float("nan")
    noise = (
        f" (± {se:.4f}, the standard error over {folds} folds)"
        if math.isfinite(se)
        else ""
    )
    if len(ranked) == 1:
        return f"Best candidate: {metric} {value:.4f}{noise}.", name
    tied = [n for n, r in ranked if float(r[score]) == value]
    if len(tied) > 1:
        return (
            f"Tie: {' and '.join(tied)} found the same best {metric}, "
            f"{value:.4f}{noise}.",
            name,
        )
    second, second_row = ranked[1]
    margin = value - float(second_row[score])
    text = (
        f"Winner: {name}, best {metric} {value:.4f}{noise}, {margin:.4f} ahead of "
        f"{second} ({float(second_row[score]):.4f})."
    )
    if math.isfinite(se):
        if margin <= se:
            text += (
                " The margin is within one standard error: on these folds the "
                "two are tied; more folds or repeated runs would separate them."
            )
        else:
            text += " The margin is more than one standard error."
    return text, name


def markdown_table(header, rows):
    """A GitHub-flavoured Markdown table from a header and rows of cells.

    Cells are formatted as text, with ``|`` escaped and line breaks removed,
    so that any parameter value keeps the table intact.

    Parameters
    ----------
    header : list of str
    rows : list of list

    Returns
    -------
    table : str
    """

    def cell(value):
        text = _format_value(value)
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(cell(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _summary(frame, metric, wall_times, labels=None):
    """One row per searcher: best score, other metrics, best parameters, counts."""
    score = f"mean_test_{metric}"
    params = frame.attrs["params"]
    others = _metrics(frame)[1:]
    header = [
        "searcher",
        f"best {metric}",
        *(f"{m} (same candidate)" for m in others),
        "best parameters",
        "evaluations",
        "failed",
        "pruned",
    ]
    if wall_times:
        header.append("wall time (s)")
    rows = []
    for searcher, part in frame.groupby("searcher", sort=False):
        ok = part[(part["status"] == "ok") & np.isfinite(part[score].astype(float))]
        if len(ok):
            best = ok.loc[ok[score].astype(float).idxmax()]
            best_score = float(best[score])
            best_params = _format_params(best, params, labels)
            extra = [float(best[f"mean_test_{m}"]) for m in others]
        else:
            best_score, best_params = float("nan"), "(every candidate failed)"
            extra = [float("nan")] * len(others)
        row = [
            searcher,
            best_score,
            *extra,
            best_params,
            len(part),
            int((part["status"] == "failed").sum()),
            int((part["status"] == "pruned").sum()),
        ]
        if wall_times:
            wall = wall_times.get(searcher)
            row.append(float(wall) if wall is not None else float("nan"))
        rows.append(row)
    return header, rows


def _top(frame, metric, n, labels=None):
    """The ``n`` best successful candidates over all searchers."""
    labels = labels or {}
    score = f"mean_test_{metric}"
    ok = frame[(frame["status"] == "ok") & np.isfinite(frame[score].astype(float))]
    best = ok.sort_values(score, ascending=False, kind="stable").head(n)
    params = [p for p in frame.attrs["params"]]
    others = _metrics(frame)[1:]
    header = [
        "#",
        "searcher",
        "iteration",
        *(labels.get(p, p) for p in params),
        f"mean {metric}",
        f"std {metric}",
        *(f"mean {m}" for m in others),
    ]
    std = f"std_test_{metric}"
    rows = [
        [
            i + 1,
            row["searcher"],
            int(row["iteration"]),
            *(row[p] for p in params),
            float(row[score]),
            float(row[std]) if std in row else float("nan"),
            *(float(row[f"mean_test_{m}"]) for m in others),
        ]
        for i, (_, row) in enumerate(best.iterrows())
    ]
    return header, rows


def _failures(frame):
    """Failed fits grouped by error message: (header, rows), or None."""
    if "error" not in frame.columns:
        return None
    errors = frame["error"]
    failed = frame[errors.notna() & (errors.astype(str) != "")]
    if not len(failed):
        return None
    rows = []
    for (searcher, message), part in failed.groupby(["searcher", "error"], sort=False):
        status = part["status"].astype(str)
        rows.append(
            [
                searcher,
                message,
                len(part),
                int((status == "failed").sum()),
                ", ".join(str(int(i)) for i in part["iteration"].head(5))
                + (", ..." if len(part) > 5 else ""),
            ]
        )
    rows.sort(key=lambda r: -r[2])
    header = ["searcher", "error", "candidates", "of which failed", "iterations"]
    return header, rows


def _to_target(frame):
    """The evaluations-to-target table and its caption."""
    table = evaluations_to_target(frame)
    metric = frame.attrs["metric"]
    header = [
        "searcher",
        "evaluations to target",
        "fit and score time to target (s)",
        f"best {metric}",
        "evaluations",
    ]
    rows = [
        [
            row.searcher,
            int(row.evaluations) if row.reached else "never",
            float(row.time_to_target),
            float(row.best_score),
            int(row.n_evaluations),
        ]
        for row in table.itertuples()
    ]
    caption = (
        f"Target {table.attrs['rule']}. Evaluations: candidates each searcher "
        "evaluated, in its own order, until the first that reached the target "
        "(failed and pruned ones count); the time is fitting and scoring "
        "summed over the folds up to it (the time of one worker)."
    )
    return (header, rows), caption


def _draw_figures(frame, folder):
    """Save each plot as a PNG; skip those the results cannot support."""
    drawn = []
    figures = list(_FIGURES)
    if frame["searcher"].nunique() > 1:
        figures += _COMPARISON_FIGURES
    names = [str(n) for n in frame["searcher"].unique()]
    bases = [n.rsplit("@", 1)[0] for n in names]
    repeated = all("@" in n for n in names) and len(set(bases)) < len(bases)
    for file_name, display_class, title, caption in figures:
        try:
            if repeated and display_class is ConvergenceDisplay:
                # Runs named "<searcher>@<run>": median curves with bands.
                display = ConvergenceDisplay.from_repeats(frame)
                caption = (
                    "Best score so far after each evaluation: the median over "
                    "the repeated runs of each searcher (named "
                    "'<searcher>@<run>'), with the band between the 25th and "
                    "75th percentiles of the runs. Where the bands overlap, the "
                    "difference between the searchers is within the luck of "
                    "the draw."
                )
            else:
                display = display_class.from_results(frame)
        except ValueError as exc:
            # Too few successes for importances, no parameter at all, ...
            drawn.append((None, title, f"Not drawn: {exc}"))
            continue
        path = folder / file_name
        save_figure(display.figure_, path)
        drawn.append((path, title, caption))
    return drawn


_FAILURES_CAPTION = (
    "Candidates with at least one failed fit, grouped by the first line of "
    "the error (the full text is in the journal: Journal.trials(study)[i]."
    "error). 'Failed' candidates failed on every fold; the others scored on "
    "the folds that did not fail."
)


def _legend(labels):
    """The full names behind shortened parameter labels, or ""."""
    pairs = [(short, full) for full, short in labels.items() if short != full]
    if not pairs:
        return ""
    return "Parameters, as named in the tables and plots: " + "; ".join(
        f"{short} = {full}" for short, full in pairs
    )


def _markdown(
    title,
    metric,
    summary,
    top,
    figures,
    target=None,
    notes=("", None),
    failures=None,
    pareto=(),
):
    winner, legend = notes
    header, rows = summary
    if winner[1] is not None:
        # The winner's row in bold.
        rows = [[f"**{r[0]}**", *r[1:]] if r[0] == winner[1] else r for r in rows]
    parts = [f"# {title}", ""]
    parts += [
        f"Metric: `{metric}` (mean over the cross-validation folds; higher is better).",
        "",
        f"**{winner[0]}**",
        "",
        "## Searchers",
        "",
        markdown_table(header, rows),
        "",
    ]
    if legend:
        parts += [legend, ""]
    if target is not None:
        table, caption = target
        parts += ["## Evaluations to target", "", markdown_table(*table), ""]
        parts += [caption, ""]
    parts += [
        f"## Top {len(top[1])} candidates",
        "",
        markdown_table(*top) if top[1] else "No candidate succeeded.",
        "",
    ]
    if failures is not None:
        parts += ["## Failures", "", markdown_table(*failures), ""]
        parts += [_FAILURES_CAPTION, ""]
    for sec_title, path, table, caption in pareto:
        parts += [f"## {sec_title}", "", f"![{sec_title}]({path.name})", ""]
        parts += [markdown_table(*table), "", caption, ""]
    for path, fig_title, caption in figures:
        parts += [f"## {fig_title}", ""]
        if path is not None:
            parts += [f"![{fig_title}]({path.name})", ""]
        parts += [caption, ""]
    return "\n".join(parts)


def _html_table(header, rows):
    pd = import_optional("pandas", extra="plot", purpose="results tables")
    table = pd.DataFrame(
        [[_format_value(v) for v in row] for row in rows],
        columns=[str(h) for h in header],
    )
    return table.to_html(index=False, escape=True, border=0)


_STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em;
        max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left;
         overflow-wrap: anywhere; max-width: 28em; }
th { background: #f0f0f0; }
tr.winner td { background: #e8f5e9; font-weight: bold; }
p.winner { font-size: 1.1em; padding: 0.6em; background: #e8f5e9;
           border-left: 4px solid #2ca02c; }
img { max-width: 100%; }
figcaption { color: #444; margin-bottom: 2em; }
"""


def _html_image(path, alt):
    # Embedded, so that the page is one file that can be mailed.
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" '
        f'alt="{html.escape(alt)}" data-file="{path.name}">'
    )


def _html(
    title,
    metric,
    summary,
    top,
    figures,
    target=None,
    notes=("", None),
    failures=None,
    pareto=(),
):
    winner, legend = notes
    table = _html_table(*summary)
    if winner[1] is not None:
        cell = f"<td>{html.escape(str(winner[1]))}</td>"
        table = table.replace(
            f"<tr>\n      {cell}", f'<tr class="winner">\n      {cell}'
        )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Metric: <code>{html.escape(metric)}</code> (mean over the "
        "cross-validation folds; higher is better).</p>",
        f'<p class="winner">{html.escape(winner[0])}</p>',
        "<h2>Searchers</h2>",
        table,
    ]
    if legend:
        parts.append(f"<p>{html.escape(legend)}</p>")
    if target is not None:
        table, caption = target
        parts += [
            "<h2>Evaluations to target</h2>",
            _html_table(*table),
            f"<p>{html.escape(caption)}</p>",
        ]
    parts += [
        f"<h2>Top {len(top[1])} candidates</h2>",
        _html_table(*top) if top[1] else "<p>No candidate succeeded.</p>",
    ]
    if failures is not None:
        parts += [
            "<h2>Failures</h2>",
            _html_table(*failures),
            f"<p>{html.escape(_FAILURES_CAPTION)}</p>",
        ]
    for sec_title, path, table, caption in pareto:
        parts += [
            f"<h2>{html.escape(sec_title)}</h2><figure>",
            _html_image(path, sec_title),
            f"<figcaption>{html.escape(caption)}</figcaption></figure>",
            _html_table(*table),
        ]
    for path, fig_title, caption in figures:
        parts.append(f"<h2>{html.escape(fig_title)}</h2><figure>")
        if path is not None:
            parts.append(_html_image(path, fig_title))
        parts.append(f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    folder,
    results,
    *,
    title=None,
    format="markdown",
    metric=None,
    wall_times=None,
    top=_TOP,
):
    """Write a report of one or several searches, readable without Python.

    The folder receives a PNG per plot (convergence, parallel coordinates,
    score per parameter, parameter importance) and one page, ``report.md``
    or ``report.html``, with: the winner, its margin over the runner-up and
    whether that margin is more than the standard error of its CV score
    (:func:`winner_text`); a table comparing the searchers (best score,
    every other metric of the same candidate, best parameters, evaluations,
    failed and pruned candidates, wall time), the winner's row highlighted;
    the best candidates over all searchers; the failures grouped by error
    message with their counts (where the results record errors: skhp's
    searchers and journals); and the plots, each with a title
    and a line on how to read it. Pipeline prefixes (``svc__``) are left out
    of the labels, with a line that gives the full names. The HTML page
    embeds its images, so it can be sent alone, and its tables wrap long
    values; the Markdown page links to the PNG files next to it.

    When the results hold several searchers, the page also compares them
    on the same budget: a table of the evaluations each needed to reach a
    target score (99.5% of the best score any searcher found; see
    :func:`~skhp.report.evaluations_to_target`), and a plot of where each
    searcher's candidates fell along the most important numeric parameters
    against the best region (``grid_coverage.png``, see
    :class:`~skhp.report.GridCoverageDisplay`).

    For each fitted search with ``objectives=`` the page has a Pareto
    section: its plot (``pareto.png``, see
    :class:`~skhp.report.ParetoFrontDisplay`; front highlighted, dominated
    candidates faded, the refit choice marked) and a table of the front
    (:func:`~skhp.report.pareto_front_table`).

    Parameters
    ----------
    folder : str or path-like
        Where to write; created if missing. Existing files of the same
        names are replaced.
    results : fitted search, dict, DataFrame, Journal, or list or dict of these
        As in :func:`~skhp.report.results_frame`; a dict
        ``{name: search}`` names the searchers.
    title : str, default=None
        The page title; "Hyperparameter search report" by default.
    format : {"markdown", "html"}, default="markdown"
    metric : str, default=None
        The score to report, for multi-metric results.
    wall_times : dict of str to float, default=None
        ``{searcher name: seconds}`` for the comparison table, e.g. measured
        around each ``fit``. Journals record their own.
    top : int, default=10
        How many of the best candidates to list.

    Returns
    -------
    path : pathlib.Path
        The report page.

    Raises
    ------
    ValueError
        For an unknown ``format`` or ``metric``, or results without candidates.
    """
    if format not in ("markdown", "html"):
        raise ValueError(
            f"format must be 'markdown' or 'html', but got format={format!r}."
        )
    pyplot(purpose="reports")  # a missing matplotlib fails before any work
    frame = as_frame(results, metric=metric)
    metric = frame.attrs["metric"]
    times = dict(frame.attrs.get("wall_times", {}))
    if wall_times:
        unknown = sorted(set(wall_times) - set(frame["searcher"]))
        if unknown:
            raise ValueError(
                f"wall_times names searchers the results do not have: {unknown}; "
                f"the searchers are {list(dict.fromkeys(frame['searcher']))}."
            )
        times.update(wall_times)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    figures = _draw_figures(frame, folder)
    title = title or "Hyperparameter search report"
    labels = short_names(frame.attrs["params"])
    summary = _summary(frame, metric, times, labels)
    best = _top(frame, metric, top, labels)
    target = None
    if frame["searcher"].nunique() > 1:
        target = _to_target(frame)
    notes = (winner_text(frame), _legend(labels))
    failures = _failures(frame)
    pareto = pareto_sections(results, folder)
    render = _html if format == "html" else _markdown
    path = folder / ("report.html" if format == "html" else "report.md")
    text = render(
        title, metric, summary, best, figures, target, notes, failures, pareto
    )
    path.write_text(text, encoding="utf-8")
    return path
