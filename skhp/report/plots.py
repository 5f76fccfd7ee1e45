"""Plots of search results, in scikit-learn's Display style.

Each Display holds what it draws, ``plot(ax=None)`` draws it and returns the
Display with ``ax_`` (or ``axes_``) and ``figure_`` set, and
``from_results(...)`` / ``from_search(...)`` compute and plot in one call, as
``sklearn.metrics.RocCurveDisplay`` does. matplotlib is imported when a
plot is drawn (see :mod:`skhp.report.display`).
"""

import numpy as np

from .._optional import import_optional
from .axes import (
    category_label,
    is_absent,
    is_crowded,
    param_scale,
    scale_label,
    sorted_categories,
)
from .display import (
    ResultsDisplay,
    check_params,
    matplotlib_module,
    new_axes,
    pyplot,
    score_label,
    subplot_grid,
    successful,
)
from .frame import as_frame
from .importance import importances
from .style import SCORE_CMAP, searcher_color, short_names

__all__ = [
    "ConvergenceDisplay",
    "ParallelCoordinatesDisplay",
    "ParameterImportanceDisplay",
    "ParameterScoreDisplay",
]


#: Plot titles, the same in notebooks and in reports.
TITLES = {
    "convergence": "Convergence: best score so far",
    "parallel": "Parallel coordinates: each candidate's parameters and score",
    "scores": "Score per parameter",
    "importance": "Parameter importance",
}

# On the convergence plot, a searcher with more than this many times the
# evaluations of the smallest budget would squeeze the other curves: the x
# axis is clipped and a note says so.
_CLIP_RATIO = 3


class ConvergenceDisplay(ResultsDisplay):
    """Best score so far against the number of evaluations (or time).

    One step line per searcher, so that searchers on the same problem can be
    compared on one chart: the higher and the further left, the better.

    Parameters
    ----------
    x : list of ndarray
        For each searcher, the x position of each evaluation (evaluation
        number, or cumulative seconds).
    best_scores : list of ndarray
        For each searcher, the best score of its successful candidates so
        far (NaN before the first success).
    scores : list of ndarray, default=None
        For each searcher, each candidate's own score, drawn as faint dots.
    names : list of str, default=None
        Searcher names, for the legend.
    metric : str, default="score"
        Name of the score, for the y label.
    xlabel : str, default="evaluations"
        Label of the x axis.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        The best-so-far line of each searcher, in its searcher's colour.
    clipped_ : int or None
        Where the x axis was cut, when one searcher evaluated more than 3
        times the candidates of another (a fine grid against small random
        and Bayesian budgets); None when it was not.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from skhp.report import ConvergenceDisplay
    >>> display = ConvergenceDisplay.from_results(  # doctest: +SKIP
    ...     {"grid": grid_search, "bayes": bayes_search}
    ... )
    """

    def __init__(
        self,
        x,
        best_scores,
        *,
        scores=None,
        names=None,
        metric="score",
        xlabel="evaluations",
    ):
        self.x = x
        self.best_scores = best_scores
        self.scores = scores
        self.names = names
        self.metric = metric
        self.xlabel = xlabel

    def plot(self, ax=None, *, show_scores=True, _colours=None, **kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        show_scores : bool, default=True
            Also draw each candidate's own score as a faint dot.
        **kwargs
            Passed to ``ax.step`` for every line.

        Returns
        -------
        display : ConvergenceDisplay
        """
        ticker = matplotlib_module("ticker")
        ax = new_axes(ax, (6.4, 4.2))
        names = self.names or [None] * len(self.x)
        self.lines_ = []
        for i, (x, best, name) in enumerate(zip(self.x, self.best_scores, names)):
            line_kwargs = dict(kwargs)
            if _colours and name in _colours:
                line_kwargs["color"] = _colours[name]
            elif name is not None and "color" not in line_kwargs:
                line_kwargs["color"] = searcher_color(name, names)
            n = len(x)
            label = name if name is None else f"{name} ({n} evaluations)"
            (line,) = ax.step(x, best, where="post", label=label, **line_kwargs)
            self.lines_.append(line)
            if show_scores and self.scores is not None:
                ax.scatter(x, self.scores[i], s=10, alpha=0.3, color=line.get_color())
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(f"best {score_label(self.metric)} so far")
        self.clipped_ = None
        if self.xlabel == "evaluations":
            ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
            sizes = [len(x) for x in self.x if len(x)]
            if len(sizes) > 1 and max(sizes) > _CLIP_RATIO * min(sizes):
                # One searcher (a fine grid) with far more evaluations would
                # squeeze the others into the left edge: show twice the
                # second-largest budget and say so.
                limit = 2 * sorted(sizes)[-2]
                ax.set_xlim(0.5, limit + 0.5)
                self.clipped_ = limit
                ax.annotate(
                    f"x axis clipped at {limit} evaluations (longest run: "
                    f"{max(sizes)}); the legend gives each searcher's count",
                    xy=(0.01, 0.01),
                    xycoords="axes fraction",
                    fontsize=7,
                    color="0.3",
                )
        ax.set_title(TITLES["convergence"])
        if any(name is not None for name in names):
            ax.legend(loc="lower right", fontsize=8)
        ax.grid(alpha=0.3)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_results(
        cls,
        results,
        *,
        metric=None,
        name=None,
        x="evaluations",
        ax=None,
        show_scores=True,
        **kwargs,
    ):
        """Compute the curves from search results and draw them.

        Parameters
        ----------
        results : fitted search, dict, DataFrame, or list or dict of these
            As in :func:`~skhp.report.results_frame`; each searcher is one
            line.
        metric : str, default=None
            The score to follow, for multi-metric results.
        name : str, default=None
            Name of a single searcher, for the legend.
        x : {"evaluations", "time"}, default="evaluations"
            The x axis: the number of candidates evaluated, or the
            cumulative fit and score time in seconds (summed over folds: the
            time one worker would need; with ``n_jobs > 1`` the wall time is
            shorter).
        ax : matplotlib Axes, default=None
        show_scores : bool, default=True
        **kwargs
            Passed to ``ax.step``.

        Returns
        -------
        display : ConvergenceDisplay
        """
        if x not in ("evaluations", "time"):
            raise ValueError(f"x must be 'evaluations' or 'time', but got x={x!r}.")
        frame = as_frame(results, metric=metric, name=name)
        metric = frame.attrs["metric"]
        successful(frame, metric)
        xs, bests, scores, names = [], [], [], []
        for searcher, part in frame.groupby("searcher", sort=False):
            if x == "time":
                xs.append(np.cumsum(part["total_time"].to_numpy(dtype=float)))
            else:
                xs.append(part["iteration"].to_numpy())
            bests.append(part["best_so_far"].to_numpy(dtype=float))
            own = part[f"mean_test_{metric}"].to_numpy(dtype=float)
            scores.append(np.where(part["status"].to_numpy() == "ok", own, np.nan))
            names.append(searcher)
        display = cls(
            xs,
            bests,
            scores=scores,
            names=names,
            metric=metric,
            xlabel="evaluations"
            if x == "evaluations"
            else "fit and score time, cumulative (s)",
        )
        return display.plot(ax=ax, show_scores=show_scores, **kwargs)

    @classmethod
    def from_repeats(cls, repeats, *, metric=None, ax=None, band=(25, 75), **kwargs):
        """Median best-so-far curves over repeated runs, with a band, per searcher.

        With small budgets the ranking of searchers changes from seed to
        seed; over several runs (seeds, data splits) the median curve and the
        spread between runs tell a real difference from luck.

        Parameters
        ----------
        repeats : dict of str to list
            ``{searcher name: [results of run 1, run 2, ...]}``, each result
            as accepted by :func:`~skhp.report.results_frame` (a fitted search,
            its ``cv_results_``), or a frame from ``results_frame`` whose
            searcher names are ``"<searcher>@<run>"`` (``"bayes@0"``,
            ``"bayes@1"``, ...), as :func:`~skhp.report.write_report` draws it.
        metric : str, default=None
        ax : matplotlib Axes, default=None
        band : (float, float), default=(25, 75)
            The percentiles of the runs the shaded band spans.
        **kwargs
            Passed to ``ax.step`` for every median line.

        Returns
        -------
        display : ConvergenceDisplay
            ``best_scores`` holds the median curves, ``bands_`` the shaded
            areas, ``n_runs_`` the runs per searcher. Each curve stops at the
            shortest run of its searcher.
        """
        runs = _repeat_curves(repeats, metric)
        ax = new_axes(ax, (6.4, 4.2))
        names = list(runs)
        xs, medians, bands, counts, colours = [], [], [], {}, {}
        used = "score"
        for name, (curves, run_metric) in runs.items():
            used = run_metric
            n = min(len(c) for c in curves)
            stack = np.vstack([c[:n] for c in curves])
            x = np.arange(1, n + 1)
            low, high = np.nanpercentile(stack, band, axis=0)
            colour = searcher_color(name, names)
            bands.append(
                ax.fill_between(x, low, high, step="post", alpha=0.2, color=colour)
            )
            xs.append(x)
            medians.append(np.nanmedian(stack, axis=0))
            counts[name] = len(curves)
            colours[f"{name}, median of {len(curves)} runs"] = colour
        display = cls(xs, medians, names=list(colours), metric=used)
        display.plot(ax=ax, show_scores=False, _colours=colours, **kwargs)
        display.bands_ = bands
        display.n_runs_ = counts
        ax.set_title(
            f"Convergence over repeated runs: median, {band[0]:g}-{band[1]:g}th "
            "percentile band"
        )
        return display


def _repeat_curves(repeats, metric):
    """``{searcher: ([best-so-far curve per run], metric)}``."""
    pd = import_optional("pandas", extra="plot", purpose="plots")
    if isinstance(repeats, pd.DataFrame):
        frame = as_frame(repeats, metric=metric)
        grouped = {}
        for name, part in frame.groupby("searcher", sort=False):
            base = str(name).rsplit("@", 1)[0]
            grouped.setdefault(base, []).append(
                part["best_so_far"].to_numpy(dtype=float)
            )
        return {k: (v, frame.attrs["metric"]) for k, v in grouped.items()}
    if not isinstance(repeats, dict) or not repeats:
        raise ValueError(
            "`repeats` must be a dict {searcher name: [results of each run]} or a "
            "results frame with searchers named '<searcher>@<run>', but got "
            f"{type(repeats).__name__}."
        )
    out = {}
    for name, runs in repeats.items():
        if isinstance(runs, dict) or not isinstance(runs, list | tuple) or not runs:
            raise ValueError(
                f"repeats[{name!r}] must be a non-empty list of results, one per "
                f"run, but got {type(runs).__name__}."
            )
        curves, used = [], None
        for run in runs:
            frame = as_frame(run, metric=metric, name=name)
            used = frame.attrs["metric"]
            curves.append(frame["best_so_far"].to_numpy(dtype=float))
        out[str(name)] = (curves, used)
    return out


def _axis_layout(values, scale):
    """Positions in [0, 1] of a column's values, and (position, label) ticks."""
    if scale == "category":
        labels = sorted_categories(values)
        step = 1.0 / (len(labels) - 1) if len(labels) > 1 else 0.0
        where = {
            label: (i * step if len(labels) > 1 else 0.5)
            for i, label in enumerate(labels)
        }
        positions = np.array(
            [np.nan if is_absent(v) else where[category_label(v)] for v in values],
            dtype=float,
        )
        return positions, [(where[label], label) for label in labels]
    numbers = values.to_numpy(dtype=float)
    shown = np.log10(numbers) if scale == "log" else numbers
    finite = shown[np.isfinite(shown)]
    if finite.size == 0:
        return np.full(len(numbers), np.nan), []
    low, high = finite.min(), finite.max()
    if high == low:
        return np.where(np.isfinite(shown), 0.5, np.nan), [
            (0.5, f"{numbers[np.isfinite(shown)][0]:.3g}")
        ]
    positions = (shown - low) / (high - low)
    if scale == "log":
        decades = np.arange(np.ceil(low), np.floor(high) + 1)
        if decades.size > 6:
            decades = decades[:: int(np.ceil(decades.size / 6))]
        ticks = [((d - low) / (high - low), f"1e{int(d)}") for d in decades]
    else:
        ticks = [
            (t, f"{low + t * (high - low):.3g}") for t in (0.0, 0.25, 0.5, 0.75, 1.0)
        ]
    return positions, ticks


class ParallelCoordinatesDisplay(ResultsDisplay):
    """One vertical axis per hyperparameter, one line per candidate.

    Each line joins a candidate's values on every axis and ends on the score
    axis; its colour is its score (see the colour bar), so the region where
    the good candidates gather stands out. Numbers spanning more than two
    decades are placed on a log scale; categories are evenly spaced.
    Failed candidates are not drawn.

    Parameters
    ----------
    positions : ndarray of shape (n_candidates, n_axes)
        Each candidate's place on each axis, in [0, 1]; NaN where a
        conditional branch lacks the parameter.
    scores : ndarray of shape (n_candidates,)
        The colour of each line.
    axis_names : list of str
        The names under the axes.
    ticks : list of list of (float, str)
        For each axis, the tick positions in [0, 1] and their labels.
    scales : list of str
        For each axis, ``"log"``, ``"linear"`` or ``"category"``.
    metric : str, default="score"

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One per candidate drawn, the best last (on top).
    colorbar_ : matplotlib Colorbar
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, positions, scores, axis_names, ticks, scales, *, metric="score"):
        self.positions = positions
        self.scores = scores
        self.axis_names = axis_names
        self.ticks = ticks
        self.scales = scales
        self.metric = metric

    @property
    def scales_(self):
        """``{axis name: scale}``, as laid out."""
        return dict(zip(self.axis_names, self.scales))

    def plot(self, ax=None, *, cmap=SCORE_CMAP, **kwargs):
        """Draw the lines.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        cmap : str or Colormap, default="viridis"
        **kwargs
            Passed to ``ax.plot`` for every line.

        Returns
        -------
        display : ParallelCoordinatesDisplay
        """
        plt = pyplot()
        colors = matplotlib_module("colors")
        cm = matplotlib_module("cm")
        n_axes = len(self.axis_names)
        ax = new_axes(ax, (max(6.4, 1.5 * n_axes + 1.5), 4.5))
        scores = np.asarray(self.scores, dtype=float)
        low, high = (scores.min(), scores.max()) if scores.size else (0.0, 1.0)
        norm = colors.Normalize(vmin=low, vmax=high if high > low else low + 1e-12)
        cmap = plt.get_cmap(cmap)
        kwargs.setdefault("alpha", 0.7)
        kwargs.setdefault("linewidth", 1.2)
        self.lines_ = []
        for row in np.argsort(scores, kind="stable"):
            (line,) = ax.plot(
                np.arange(n_axes),
                self.positions[row],
                color=cmap(norm(scores[row])),
                marker="o",
                markersize=2.5,
                **kwargs,
            )
            self.lines_.append(line)
        for i, ticks in enumerate(self.ticks):
            ax.axvline(i, color="0.4", linewidth=0.8, zorder=0)
            for position, label in ticks:
                ax.text(i - 0.03, position, label, ha="right", va="center", fontsize=7)
        ax.set_xticks(np.arange(n_axes))
        labels = short_names(self.axis_names)
        ax.set_xticklabels(
            [
                scale_label(labels[name], scale, sep="\n")
                for name, scale in zip(self.axis_names, self.scales)
            ],
            rotation=20 if n_axes > 6 else 0,
        )
        ax.set_title(TITLES["parallel"])
        ax.set_yticks([])
        ax.set_xlim(-0.5, n_axes - 0.7)
        ax.set_ylim(-0.05, 1.05)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        mappable = cm.ScalarMappable(norm=norm, cmap=cmap)
        self.colorbar_ = ax.figure.colorbar(
            mappable, ax=ax, label=score_label(self.metric)
        )
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_results(
        cls, results, *, metric=None, name=None, params=None, ax=None, **kwargs
    ):
        """Lay out search results on parallel axes and draw them.

        Parameters
        ----------
        results : fitted search, dict, DataFrame, or list or dict of these
            As in :func:`~skhp.report.results_frame`; several searchers are
            pooled.
        metric : str, default=None
            The score that colours the lines, for multi-metric results.
        name : str, default=None
        params : list of str, default=None
            The parameters to show, in this order; all by default.
        ax : matplotlib Axes, default=None
        **kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : ParallelCoordinatesDisplay
        """
        frame = as_frame(results, metric=metric, name=name)
        metric = frame.attrs["metric"]
        params = check_params(params, frame)
        frame = frame[successful(frame, metric)]
        columns, ticks, scales = [], [], []
        for param in params:
            scale = param_scale(frame[param])
            positions, axis_ticks = _axis_layout(frame[param], scale)
            columns.append(positions)
            ticks.append(axis_ticks)
            scales.append(scale)
        score_column = frame[f"mean_test_{metric}"]
        positions, axis_ticks = _axis_layout(score_column, "linear")
        columns.append(positions)
        ticks.append(axis_ticks)
        scales.append("linear")
        display = cls(
            np.column_stack(columns) if len(frame) else np.empty((0, len(columns))),
            score_column.to_numpy(dtype=float),
            [*params, metric],
            ticks,
            scales,
            metric=metric,
        )
        return display.plot(ax=ax, **kwargs)


class ParameterScoreDisplay(ResultsDisplay):
    """The score against each hyperparameter, one subplot per parameter.

    A number is a scatter plot (log x when its values span more than two
    decades); a category is a box per category with the candidates as dots.
    Colours tell searchers apart. Failed candidates are not drawn.

    Parameters
    ----------
    values : dict of str to pandas.Series
        Each parameter's value for each successful candidate.
    scores : ndarray of shape (n_candidates,)
    searchers : ndarray of shape (n_candidates,), default=None
        The searcher of each candidate, for colours and the legend.
    metric : str, default="score"

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per parameter, in the order of ``values``.
    figure_ : matplotlib Figure
    """

    def __init__(self, values, scores, *, searchers=None, metric="score"):
        self.values = values
        self.scores = scores
        self.searchers = searchers
        self.metric = metric

    def plot(self, ax=None, *, n_cols=3, **kwargs):
        """Draw one subplot per parameter.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One Axes per parameter; a new figure with a grid of ``n_cols``
            columns when None.
        n_cols : int, default=3
        **kwargs
            Passed to ``ax.scatter``.

        Returns
        -------
        display : ParameterScoreDisplay
        """
        names = list(self.values)
        if ax is None:
            axes = subplot_grid(len(names), n_cols)
        else:
            axes = np.ravel(np.asarray(ax, dtype=object))
            if len(axes) < len(names):
                raise ValueError(
                    f"`ax` must hold one Axes per parameter ({len(names)}), but "
                    f"got {len(axes)}; pass ax=None for a new figure."
                )
        scores = np.asarray(self.scores, dtype=float)
        searchers = (
            np.asarray(self.searchers, dtype=object)
            if self.searchers is not None
            else np.full(len(scores), None, dtype=object)
        )
        groups = list(dict.fromkeys(searchers))
        labels_of = short_names(names)
        rng = np.random.default_rng(0)  # jitter only; fixed so images are stable
        kwargs.setdefault("s", 14)
        kwargs.setdefault("alpha", 0.7)
        for axis, name in zip(axes, names):
            values = self.values[name]
            scale = param_scale(values)
            if scale == "category":
                labels = sorted_categories(values)
                where = {label: i for i, label in enumerate(labels)}
                x = np.array(
                    [
                        np.nan if is_absent(v) else where[category_label(v)]
                        for v in values
                    ],
                    dtype=float,
                )
                axis.boxplot(
                    [scores[x == i] for i in range(len(labels))],
                    positions=np.arange(len(labels)),
                    widths=0.5,
                    showfliers=False,
                    # Black medians: orange is a searcher's colour.
                    medianprops={"color": "black"},
                )
                axis.set_xticks(np.arange(len(labels)))
                crowded = is_crowded(labels)
                axis.set_xticklabels(
                    labels,
                    rotation=30 if crowded else 0,
                    ha="right" if crowded else "center",
                    fontsize=7 if crowded else None,
                )
                x = x + rng.uniform(-0.15, 0.15, size=len(x))
            else:
                x = values.to_numpy(dtype=float)
                if scale == "log":
                    axis.set_xscale("log")
            for group in groups:
                mask = searchers == group
                axis.scatter(
                    x[mask],
                    scores[mask],
                    color=searcher_color(group, groups),
                    label=group,
                    **kwargs,
                )
            axis.set_xlabel(labels_of[name])
            axis.grid(alpha=0.3)
        for i, axis in enumerate(axes[: len(names)]):
            if i % n_cols == 0 or ax is not None:
                axis.set_ylabel(score_label(self.metric))
        if len(groups) > 1 and names:
            axes[0].legend(fontsize=7)
        if names and ax is None:
            axes[0].figure.suptitle(TITLES["scores"])
        self.axes_ = np.asarray(axes[: len(names)], dtype=object)
        self.figure_ = self.axes_[0].figure if names else None
        return self

    @classmethod
    def from_results(
        cls, results, *, metric=None, name=None, params=None, ax=None, **kwargs
    ):
        """Plot the score against each parameter of search results.

        Parameters
        ----------
        results : fitted search, dict, DataFrame, or list or dict of these
            As in :func:`~skhp.report.results_frame`.
        metric : str, default=None
        name : str, default=None
        params : list of str, default=None
            The parameters to show; all by default.
        ax : array-like of matplotlib Axes, default=None
        **kwargs
            Passed to :meth:`plot` (``n_cols``) and ``ax.scatter``.

        Returns
        -------
        display : ParameterScoreDisplay
        """
        frame = as_frame(results, metric=metric, name=name)
        metric = frame.attrs["metric"]
        params = check_params(params, frame)
        frame = frame[successful(frame, metric)]
        display = cls(
            {param: frame[param] for param in params},
            frame[f"mean_test_{metric}"].to_numpy(dtype=float),
            searchers=frame["searcher"].to_numpy(dtype=object),
            metric=metric,
        )
        return display.plot(ax=ax, **kwargs)


class ParameterImportanceDisplay(ResultsDisplay):
    """A horizontal bar per hyperparameter: how much the score depends on it.

    See :func:`~skhp.report.parameter_importance` for the method (the drop
    in a random forest's R² when the parameter is shuffled).

    Parameters
    ----------
    importances : pandas.Series
        Importance per parameter.
    std : pandas.Series, default=None
        Spread over the shuffles, drawn as error bars.
    metric : str, default="score"

    Attributes
    ----------
    bars_ : matplotlib BarContainer
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, importances, *, std=None, metric="score"):
        self.importances = importances
        self.std = std
        self.metric = metric

    def plot(self, ax=None, **kwargs):
        """Draw the bars, the most important at the top.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        **kwargs
            Passed to ``ax.barh``.

        Returns
        -------
        display : ParameterImportanceDisplay
        """
        order = self.importances.sort_values(ascending=True, kind="stable")
        ax = new_axes(ax, (6.0, 0.45 * len(order) + 1.5))
        if self.std is not None:
            kwargs.setdefault("xerr", self.std[order.index].to_numpy())
        labels = short_names([str(name) for name in order.index])
        self.bars_ = ax.barh(
            [labels[str(name)] for name in order.index], order.to_numpy(), **kwargs
        )
        ax.set_xlabel(
            f"importance for the {score_label(self.metric)}: drop in R² when "
            "shuffled\n(0: no effect found; it can exceed 1 when the shuffled "
            "model predicts worse than the mean)"
        )
        ax.set_title(TITLES["importance"])
        ax.set_xlim(left=0)
        ax.grid(axis="x", alpha=0.3)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_results(
        cls,
        results,
        *,
        metric=None,
        name=None,
        n_repeats=10,
        random_state=0,
        ax=None,
        **kwargs,
    ):
        """Compute parameter importances and draw them.

        Parameters
        ----------
        results : fitted search, dict, DataFrame, or list or dict of these
            As in :func:`~skhp.report.results_frame`; several searchers are
            pooled.
        metric : str, default=None
        name : str, default=None
        n_repeats : int, default=10
        random_state : int, default=0
        ax : matplotlib Axes, default=None
        **kwargs
            Passed to ``ax.barh``.

        Returns
        -------
        display : ParameterImportanceDisplay
        """
        frame = as_frame(results, metric=metric, name=name)
        mean, std = importances(frame, n_repeats=n_repeats, random_state=random_state)
        display = cls(mean, std=std, metric=frame.attrs["metric"])
        return display.plot(ax=ax, **kwargs)
