"""How the score depends on pairs of the most important parameters."""

import numpy as np

from .axes import category_label, is_absent, is_crowded, param_scale
from .display import ResultsDisplay, pyplot, score_label, successful
from .frame import as_frame
from .importance import _encode, importances
from .style import SCORE_CMAP, short_names

__all__ = ["PartialDependenceMatrixDisplay"]

_GRID = 20


def _category(value):
    return "None" if is_absent(value) or value is None else category_label(value)


def _encode_all(frame, params):
    """Numbers (log10 on a log scale) and category codes, NaN as "None"."""
    columns = []
    for param in params:
        values = frame[param]
        if param_scale(values) == "category":
            labels = values.map(_category)
            code = {label: i for i, label in enumerate(sorted(set(labels)))}
            columns.append(labels.map(code).to_numpy(dtype=float))
        else:
            columns.append(_encode(frame, [param])[:, 0])
    return np.column_stack(columns)


class PartialDependenceMatrixDisplay(ResultsDisplay):
    """Partial dependence of the score on the top parameters, alone and in pairs.

    A random forest learns the mean CV score from the parameters of the
    successful candidates (the model of :func:`~skhp.report.parameter_importance`);
    its partial dependence (``sklearn.inspection.partial_dependence``, the
    forest's prediction averaged over the candidates while one or two
    parameters are set to each value of a grid) is drawn for the
    ``n_params`` most important parameters: a curve per parameter on the
    diagonal, a filled contour per pair below it, with the candidates as
    dots. This is the matrix of scikit-optimize's ``plot_objective`` and
    Optuna's contour plot, built from any search's results rather than from
    a Bayesian search's own model. A log scale is shown as log10 of the
    value; categories as their codes, labelled.

    Parameters
    ----------
    params : list of str
        The parameters, most important first.
    grids : list of ndarray
        The values each parameter's dependence is computed at (encoded).
    curves : list of ndarray
        One-parameter partial dependence on each grid.
    surfaces : dict of (int, int) -> ndarray
        ``(i, j) -> array of shape (len(grids[i]), len(grids[j]))``, for i > j.
    points : ndarray of shape (n_candidates, n_params)
        The candidates' encoded values.
    scores : ndarray of shape (n_candidates,)
    labels : list of str
        Axis labels.
    ticks : list of list of (float, str) or None
        Tick positions and labels of categorical axes.
    metric : str, default="score"

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (n_params, n_params)
    figure_ : matplotlib Figure
    """

    def __init__(
        self,
        params,
        grids,
        curves,
        surfaces,
        points,
        scores,
        labels,
        ticks,
        *,
        metric="score",
    ):
        self.params = params
        self.grids = grids
        self.curves = curves
        self.surfaces = surfaces
        self.points = points
        self.scores = scores
        self.labels = labels
        self.ticks = ticks
        self.metric = metric

    def plot(self, *, cmap=SCORE_CMAP):
        """Draw the matrix in a new figure.

        Returns
        -------
        display : PartialDependenceMatrixDisplay
        """
        n = len(self.params)
        figure, axes = pyplot().subplots(
            n, n, figsize=(2.8 * n + 1, 2.6 * n + 0.6), squeeze=False
        )
        figure.set_layout_engine("constrained")
        low = min(float(np.min(c)) for c in self.curves)
        high = max(float(np.max(c)) for c in self.curves)
        for s in self.surfaces.values():
            low, high = min(low, float(s.min())), max(high, float(s.max()))
        surface = None
        # One colour scale for every pair, so that colours compare.
        levels = np.linspace(low, high if high > low else low + 1e-12, 13)
        for i in range(n):
            for j in range(n):
                ax = axes[i, j]
                if j > i:
                    ax.set_visible(False)
                    continue
                if i == j:
                    ax.plot(self.grids[i], self.curves[i], color="black")
                    ax.set_ylim(low, high + (high - low) * 0.05 + 1e-12)
                    ax.set_ylabel(f"partial dependence\n({score_label(self.metric)})")
                    self._ticks(ax.xaxis, i)
                else:
                    surface = ax.contourf(
                        self.grids[j],
                        self.grids[i],
                        self.surfaces[(i, j)],
                        levels=levels,
                        cmap=cmap,
                        extend="both",
                    )
                    ax.scatter(
                        self.points[:, j],
                        self.points[:, i],
                        s=8,
                        color="white",
                        edgecolor="black",
                        linewidth=0.4,
                    )
                    if j == 0:
                        ax.set_ylabel(self.labels[i])
                        self._ticks(ax.yaxis, i)
                if i == n - 1:
                    ax.set_xlabel(self.labels[j])
                    self._ticks(ax.xaxis, j)
        if surface is not None:
            figure.colorbar(
                surface, ax=axes[:, -1].tolist(), label=score_label(self.metric)
            )
        figure.suptitle("Partial dependence of the score on the top parameters")
        self.axes_ = axes
        self.figure_ = figure
        return self

    def _ticks(self, axis, k):
        if self.ticks[k] is not None:
            positions, names = zip(*self.ticks[k]) if self.ticks[k] else ((), ())
            axis.set_ticks(list(positions))
            crowded = axis.axis_name == "x" and is_crowded(names)
            axis.set_ticklabels(
                list(names),
                fontsize=7,
                rotation=30 if crowded else 0,
                ha="right" if crowded else "center",
            )

    @classmethod
    def from_results(
        cls, results, *, metric=None, name=None, n_params=3, random_state=0, **kwargs
    ):
        """Fit the forest, compute the partial dependences and draw them.

        Parameters
        ----------
        results : fitted search, dict, DataFrame, or list or dict of these
            As in :func:`~skhp.report.results_frame`; searchers are pooled.
        metric : str, default=None
        name : str, default=None
        n_params : int, default=3
            How many of the most important parameters to show (at least 2
            must vary).
        random_state : int, default=0
        **kwargs
            Passed to :meth:`plot` (``cmap``).

        Returns
        -------
        display : PartialDependenceMatrixDisplay

        Raises
        ------
        ValueError
            With fewer than 5 successful candidates, or fewer than 2
            parameters that vary.
        """
        from sklearn.ensemble import RandomForestRegressor
        from sklearn.inspection import partial_dependence

        frame = as_frame(results, metric=metric, name=name)
        metric = frame.attrs["metric"]
        mean, _ = importances(frame, n_repeats=3, random_state=random_state)
        ok = successful(frame, metric)
        frame = frame[ok]
        varied = []
        for p in mean.index:
            values = frame[p]
            if param_scale(values) == "category":
                # A missing category is None (pandas keeps None as NaN).
                ok_p = values.map(_category).nunique() > 1
            else:
                ok_p = values.nunique() > 1 and not values.map(is_absent).any()
            if ok_p:
                varied.append(p)
        params = varied[:n_params]
        if len(params) < 2:
            raise ValueError(
                "A partial dependence matrix needs 2 parameters that vary in every "
                f"successful candidate; these results have {len(params)} "
                f"({params}). Parameters of only some branches are left out."
            )
        X = _encode_all(frame, params)
        y = frame[f"mean_test_{metric}"].to_numpy(dtype=float)
        forest = RandomForestRegressor(
            n_estimators=100, random_state=random_state, n_jobs=1
        ).fit(X, y)
        full = short_names(list(frame.attrs["params"]))
        grids, curves, labels, ticks = [], [], [], []
        for k, param in enumerate(params):
            pd_k = partial_dependence(
                forest, X, [k], grid_resolution=_GRID, kind="average"
            )
            grids.append(np.asarray(pd_k["grid_values"][0], dtype=float))
            curves.append(np.asarray(pd_k["average"][0], dtype=float))
            scale = param_scale(frame[param])
            label = full.get(param, param)
            if scale == "log":
                label = f"log10 {label}"
            labels.append(label)
            if scale == "category":
                names = sorted(set(frame[param].map(_category)))
                ticks.append(list(enumerate(names)))
            else:
                ticks.append(None)
        surfaces = {}
        for i in range(len(params)):
            for j in range(i):
                pd_ij = partial_dependence(
                    forest, X, [(i, j)], grid_resolution=_GRID, kind="average"
                )
                surfaces[(i, j)] = np.asarray(pd_ij["average"][0], dtype=float)
        display = cls(
            params,
            grids,
            curves,
            surfaces,
            X,
            y,
            labels,
            ticks,
            metric=metric,
        )
        return display.plot(**kwargs)
