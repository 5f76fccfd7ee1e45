"""Where each searcher's candidates fell along a parameter, against the best region."""

import math
import warnings

import numpy as np

from .axes import param_scale, scale_label
from .display import ResultsDisplay, check_params, pyplot, score_label, successful
from .frame import as_frame
from .importance import parameter_importance
from .style import searcher_color, short_names

__all__ = ["GridCoverageDisplay", "best_region"]

_TOP_FRACTION = 0.1


def best_region(values, scores, *, top_fraction=_TOP_FRACTION):
    """The range of a parameter over the best-scoring candidates.

    The best candidates are the ``ceil(top_fraction * n)`` highest scores
    among the ``n`` given (at least one), together with any candidate tied
    with the last of them; the region is ``(min, max)`` of their values.
    Candidates without a value (NaN: not on their branch) are left out.

    Parameters
    ----------
    values : array-like of float
    scores : array-like of float
    top_fraction : float, default=0.1

    Returns
    -------
    low, high : float
        NaN, NaN when no candidate has both a value and a finite score.
    """
    values = np.asarray(values, dtype=float)
    scores = np.asarray(scores, dtype=float)
    keep = np.isfinite(values) & np.isfinite(scores)
    values, scores = values[keep], scores[keep]
    if values.size == 0:
        return math.nan, math.nan
    n_top = max(1, math.ceil(top_fraction * values.size))
    threshold = np.sort(scores)[::-1][n_top - 1]
    top = values[scores >= threshold]
    return float(top.min()), float(top.max())


def _numeric(frame, params):
    return [p for p in params if param_scale(frame[p]) != "category"]


class GridCoverageDisplay(ResultsDisplay):
    """Each searcher's candidates along a parameter, with the best region shaded.

    One column of plots per parameter. The top plot is the score against
    the parameter (log axis for a parameter spanning more than two
    decades), one colour per searcher; the strip below puts each searcher's
    candidates on a row of its own, so that where a searcher looked is seen
    even when the scores overlap. The shaded band, on both, is the best
    region: the range of the parameter among the best 10% of the scores of
    all searchers together (see ``skhp.report.coverage.best_region``). A
    grid's points sit on fixed values and may all miss a narrow best region
    that a random or Bayesian search lands in: that is the "grid search may
    miss optimal values between grid points" effect.

    Parameters
    ----------
    values : dict of str to ndarray
        Each parameter's value for each successful candidate.
    scores : ndarray of shape (n_candidates,)
    searchers : ndarray of shape (n_candidates,)
        The searcher of each candidate.
    regions : dict of str to (float, float)
        The best region of each parameter.
    scales : dict of str to str
        ``"log"`` or ``"linear"`` per parameter.
    metric : str, default="score"
    top_fraction : float, default=0.1
        The share of best scores that defined the regions, for the legend.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (2, n_params)
        Score plots on the first row, strips on the second.
    spans_ : dict of str to matplotlib Polygon
        The shaded best region on each score plot.
    inside_ : dict of str to dict of str to int
        ``{parameter: {searcher: candidates inside the best region}}``.
    figure_ : matplotlib Figure
    """

    def __init__(
        self,
        values,
        scores,
        searchers,
        regions,
        scales,
        *,
        metric="score",
        top_fraction=_TOP_FRACTION,
    ):
        self.values = values
        self.scores = scores
        self.searchers = searchers
        self.regions = regions
        self.scales = scales
        self.metric = metric
        self.top_fraction = top_fraction

    def plot(self, ax=None, **kwargs):
        """Draw the score plots and strips.

        Parameters
        ----------
        ax : array-like of matplotlib Axes of shape (2, n_params), default=None
            Where to draw; a new figure when None.
        **kwargs
            Passed to ``ax.scatter`` on the score plots.

        Returns
        -------
        display : GridCoverageDisplay
        """
        names = list(self.values)
        if ax is None:
            figure, axes = pyplot().subplots(
                2,
                len(names),
                figsize=(4.6 * len(names), 4.6),
                squeeze=False,
                sharex="col",
                gridspec_kw={"height_ratios": [3, 1]},
            )
            figure.set_layout_engine("constrained")
        else:
            axes = np.asarray(ax, dtype=object).reshape(2, -1)
            if axes.shape[1] < len(names):
                raise ValueError(
                    f"`ax` must hold 2 x {len(names)} Axes (a score plot and a "
                    f"strip per parameter), but got {axes.size}; pass ax=None "
                    "for a new figure."
                )
        scores = np.asarray(self.scores, dtype=float)
        searchers = np.asarray(self.searchers, dtype=object)
        groups = list(dict.fromkeys(searchers))
        labels = short_names(names)
        markers = ["o", "s", "^", "D", "v", "P", "X"]
        kwargs.setdefault("s", 18)
        kwargs.setdefault("alpha", 0.75)
        label = f"best region (top {self.top_fraction:.0%} of scores)"
        self.spans_ = {}
        self.inside_ = {}
        for col, name in enumerate(names):
            top, strip = axes[0, col], axes[1, col]
            x = np.asarray(self.values[name], dtype=float)
            low, high = self.regions[name]
            if self.scales[name] == "log":
                top.set_xscale("log")
            if np.isfinite(low):
                # A zero-width region (one best value) still gets a visible band.
                self.spans_[name] = top.axvspan(
                    low, high, color="0.85", zorder=0, label=label
                )
                strip.axvspan(low, high, color="0.85", zorder=0)
                if low == high:
                    with warnings.catch_warnings():
                        # One value on the axis: matplotlib widens the limits
                        # itself and says so.
                        warnings.filterwarnings(
                            "ignore", message="Attempting to set identical low"
                        )
                        top.axvline(low, color="0.6", zorder=0)
                        strip.axvline(low, color="0.6", zorder=0)
            self.inside_[name] = {}
            for k, group in enumerate(groups):
                mask = (searchers == group) & np.isfinite(x)
                style = {
                    "color": searcher_color(group, groups),
                    "marker": markers[k % len(markers)],
                }
                top.scatter(x[mask], scores[mask], label=group, **style, **kwargs)
                strip.scatter(x[mask], np.full(mask.sum(), k), s=30, alpha=0.8, **style)
                self.inside_[name][group] = int(
                    np.sum((x[mask] >= low) & (x[mask] <= high))
                )
            strip.set_yticks(np.arange(len(groups)))
            strip.set_yticklabels([str(g) for g in groups], fontsize=8)
            strip.set_ylim(-0.6, len(groups) - 0.4)
            strip.set_xlabel(scale_label(labels[name], self.scales[name]))
            strip.grid(axis="x", alpha=0.3)
            top.grid(alpha=0.3)
            if col == 0:
                top.set_ylabel(score_label(self.metric))
        if names:
            axes[0, 0].legend(fontsize=7, loc="lower right")
            if ax is None:
                axes[0, 0].figure.suptitle("Where each searcher looked")
        self.axes_ = axes[:, : len(names)]
        self.figure_ = self.axes_[0, 0].figure
        return self

    @classmethod
    def from_results(
        cls,
        results,
        *,
        metric=None,
        name=None,
        params=None,
        n_params=2,
        top_fraction=_TOP_FRACTION,
        ax=None,
        **kwargs,
    ):
        """Compute the best regions from search results and draw them.

        Parameters
        ----------
        results : fitted search, dict, DataFrame, or list or dict of these
            As in :func:`~skhp.report.results_frame`; each searcher gets its
            colour and its row in the strip.
        metric : str, default=None
            The score, for multi-metric results.
        name : str, default=None
            Name of a single searcher.
        params : list of str, default=None
            The numeric parameters to show. By default the ``n_params`` most
            important numeric ones by
            :func:`~skhp.report.parameter_importance` (in the order of the
            results when there are too few candidates to rank them).
        n_params : int, default=2
            How many parameters to pick when ``params`` is None.
        top_fraction : float, default=0.1
            The share of the best scores (over all searchers, at least one
            candidate) whose parameter range is the best region.
        ax : array-like of matplotlib Axes, default=None
        **kwargs
            Passed to ``ax.scatter``.

        Returns
        -------
        display : GridCoverageDisplay

        Raises
        ------
        ValueError
            When the results have no numeric parameter, ``params`` names a
            categorical one, or ``top_fraction`` is not in (0, 1].
        """
        if not 0 < top_fraction <= 1:
            raise ValueError(
                f"top_fraction must be in (0, 1], but got top_fraction="
                f"{top_fraction!r}; 0.1 shades the range of the best 10% of "
                "the scores."
            )
        frame = as_frame(results, metric=metric, name=name)
        metric = frame.attrs["metric"]
        frame = frame[successful(frame, metric)]
        if params is None:
            numeric = _numeric(frame, check_params(None, frame))
            if not numeric:
                raise ValueError(
                    "The results have no numeric hyperparameter to lay out "
                    f"along an axis (parameters: {list(frame.attrs['params'])})."
                )
            try:
                ranked = list(parameter_importance(frame).index)
            except ValueError:
                ranked = numeric  # too few candidates to rank: keep the order
            params = [p for p in ranked if p in numeric][:n_params]
        else:
            params = check_params(params, frame)
            categorical = [p for p in params if p not in _numeric(frame, params)]
            if categorical:
                raise ValueError(
                    f"params={params!r} names categorical parameters "
                    f"{categorical}; this plot lays out numbers along an axis, "
                    "use ParameterScoreDisplay for categories."
                )
        scores = frame[f"mean_test_{metric}"].to_numpy(dtype=float)
        values = {p: frame[p].to_numpy(dtype=float) for p in params}
        display = cls(
            values,
            scores,
            frame["searcher"].to_numpy(dtype=object),
            {
                p: best_region(v, scores, top_fraction=top_fraction)
                for p, v in values.items()
            },
            {p: param_scale(frame[p]) for p in params},
            metric=metric,
            top_fraction=top_fraction,
        )
        return display.plot(ax=ax, **kwargs)
