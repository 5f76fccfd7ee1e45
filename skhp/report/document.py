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
from .frame import as_frame
from .plots import (
    ConvergenceDisplay,
    ParallelCoordinatesDisplay,
    ParameterImportanceDisplay,
    ParameterScoreDisplay,
)
from .target import evaluations_to_target

__all__ = ["write_report"]

_TOP = 10

# (file name, Display, title, how to read it)
_FIGURES = [
    (
        "convergence.png",
        ConvergenceDisplay,
        "Convergence",
        "Best score found so far after each evaluation, one line per searcher "
        "(dots: each candidate's own score); higher and further left is better.",
    ),
    (
        "parallel_coordinates.png",
        ParallelCoordinatesDisplay,
        "Parallel coordinates",
        "One line per successful candidate through its value on each "
        "parameter axis, coloured by score: where the bright lines gather "
        "is the good region.",
    ),
    (
        "parameter_scores.png",
        ParameterScoreDisplay,
        "Score per parameter",
        "The score against each parameter (a box per category): a clear trend "
        "or a best category shows where to search next; a flat cloud, a "
        "parameter that does not matter here.",
    ),
    (
        "parameter_importance.png",
        ParameterImportanceDisplay,
        "Parameter importance",
        "How much the score depends on each parameter: the drop in R² of a "
        "random forest that predicts the score from the parameters, when "
        "that parameter is shuffled (0: no effect found).",
    ),
]


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


def _format_params(row, params):
    parts = []
    for param in params:
        value = row[param]
        if is_absent(value):
            continue  # not in this candidate's branch
        parts.append(f"{param}={_format_value(value)}")
    return ", ".join(parts)


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


def _summary(frame, metric, wall_times):
    """One row per searcher: best score, best parameters, counts, time."""
    score = f"mean_test_{metric}"
    params = frame.attrs["params"]
    header = [
        "searcher",
        f"best {metric}",
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
            best_score, best_params = float(best[score]), _format_params(best, params)
        else:
            best_score, best_params = float("nan"), "(every candidate failed)"
        row = [
            searcher,
            best_score,
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


def _top(frame, metric, n):
    """The ``n`` best successful candidates over all searchers."""
    score = f"mean_test_{metric}"
    ok = frame[(frame["status"] == "ok") & np.isfinite(frame[score].astype(float))]
    best = ok.sort_values(score, ascending=False, kind="stable").head(n)
    params = [p for p in frame.attrs["params"]]
    header = ["#", "searcher", "iteration", *params, f"mean {metric}", f"std {metric}"]
    std = f"std_test_{metric}"
    rows = [
        [
            i + 1,
            row["searcher"],
            int(row["iteration"]),
            *(row[p] for p in params),
            float(row[score]),
            float(row[std]) if std in row else float("nan"),
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


def _draw_figures(frame, folder, plt):
    """Save each plot as a PNG; skip those the results cannot support."""
    drawn = []
    figures = list(_FIGURES)
    if frame["searcher"].nunique() > 1:
        figures += _COMPARISON_FIGURES
    for file_name, display_class, title, caption in figures:
        try:
            display = display_class.from_results(frame)
        except ValueError as exc:
            # Too few successes for importances, no parameter at all, ...
            drawn.append((None, title, f"Not drawn: {exc}"))
            continue
        path = folder / file_name
        display.figure_.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(display.figure_)
        drawn.append((path, title, caption))
    return drawn


_FAILURES_CAPTION = (
    "Candidates with at least one failed fit, grouped by the first line of "
    "the error (the full text is in the journal: Journal.trials(study)[i]."
    "error). 'Failed' candidates failed on every fold; the others scored on "
    "the folds that did not fail."
)


def _markdown(title, metric, summary, top, figures, target=None, failures=None):
    parts = [f"# {title}", ""]
    parts += [
        f"Metric: `{metric}` (mean over the cross-validation folds; higher is better).",
        "",
        "## Searchers",
        "",
        markdown_table(*summary),
        "",
    ]
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
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
th { background: #f0f0f0; }
img { max-width: 100%; }
figcaption { color: #444; margin-bottom: 2em; }
"""


def _html(title, metric, summary, top, figures, target=None, failures=None):
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Metric: <code>{html.escape(metric)}</code> (mean over the "
        "cross-validation folds; higher is better).</p>",
        "<h2>Searchers</h2>",
        _html_table(*summary),
    ]
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
    for path, fig_title, caption in figures:
        parts.append(f"<h2>{html.escape(fig_title)}</h2><figure>")
        if path is not None:
            # Embedded, so that the page is one file that can be mailed.
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(
                f'<img src="data:image/png;base64,{data}" '
                f'alt="{html.escape(fig_title)}" data-file="{path.name}">'
            )
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
    or ``report.html``, with: a table comparing the searchers (best score,
    best parameters, evaluations, failed and pruned candidates, wall time),
    the best candidates over all searchers, the failures grouped by error
    message with their counts (where the results record errors: skhp's
    searchers and journals), and the plots with a line on how to read each.
    The HTML page embeds its images, so it can be sent alone; the Markdown
    page links to the PNG files next to it.

    When the results hold several searchers, the page also compares them
    on the same budget: a table of the evaluations each needed to reach a
    target score (99.5% of the best score any searcher found; see
    :func:`~skhp.report.evaluations_to_target`), and a plot of where each
    searcher's candidates fell along the most important numeric parameters
    against the best region (``grid_coverage.png``, see
    :class:`~skhp.report.GridCoverageDisplay`).

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
    plt = import_optional("matplotlib.pyplot", extra="plot", purpose="reports")
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
    figures = _draw_figures(frame, folder, plt)
    title = title or "Hyperparameter search report"
    summary = _summary(frame, metric, times)
    best = _top(frame, metric, top)
    target = None
    if frame["searcher"].nunique() > 1:
        target = _to_target(frame)
    failures = _failures(frame)
    if format == "html":
        path = folder / "report.html"
        text = _html(title, metric, summary, best, figures, target, failures)
    else:
        path = folder / "report.md"
        text = _markdown(title, metric, summary, best, figures, target, failures)
    path.write_text(text, encoding="utf-8")
    return path
