"""What every Display of skhp shares: matplotlib, new figures, saved images.

The result Displays of :mod:`skhp.report` also share their base class
(``from_search`` on top of ``from_results``), the mask of successful
candidates, the check of a ``params`` list and the label of the score axis.
matplotlib is imported when a plot is drawn, with an error naming the
``plot`` extra when it is missing.
"""

import numpy as np

from .._optional import import_optional

__all__ = [
    "check_params",
    "matplotlib_module",
    "new_axes",
    "pyplot",
    "ResultsDisplay",
    "save_figure",
    "score_label",
    "subplot_grid",
    "successful",
]

# Resolution of the images of a report.
_DPI = 110


def matplotlib_module(name, *, purpose="plots"):
    """``matplotlib.<name>``, or an ImportError naming ``skhp[plot]``."""
    return import_optional(f"matplotlib.{name}", extra="plot", purpose=purpose)


def pyplot(*, purpose="plots"):
    """``matplotlib.pyplot``, or an ImportError naming ``skhp[plot]``."""
    return matplotlib_module("pyplot", purpose=purpose)


def new_axes(ax, figsize, *, purpose="plots"):
    """``ax`` itself, or the Axes of a new figure of ``figsize`` when it is None."""
    if ax is None:
        _, ax = pyplot(purpose=purpose).subplots(figsize=figsize)
    return ax


def subplot_grid(n, n_cols):
    """``n`` Axes of a new figure, ``n_cols`` to a row; the spare ones hidden."""
    n_cols = min(n_cols, n)
    n_rows = int(np.ceil(n / n_cols))
    figure, axes = pyplot().subplots(
        n_rows, n_cols, figsize=(3.4 * n_cols, 3.0 * n_rows), squeeze=False
    )
    axes = axes.ravel()
    for extra in axes[n:]:
        extra.set_visible(False)
    figure.set_layout_engine("constrained")
    return axes[:n]


def save_figure(figure, path):
    """Write ``figure`` as the image of a report and close it."""
    figure.savefig(path, dpi=_DPI, bbox_inches="tight")
    pyplot(purpose="reports").close(figure)


def score_label(metric):
    """The label of a score axis: ``"mean CV score"``, ``"mean CV <metric>"``."""
    return "mean CV score" if metric == "score" else f"mean CV {metric}"


def successful(frame, metric):
    """Mask of the successful candidates; an error when there is none."""
    scores = frame[f"mean_test_{metric}"].to_numpy(dtype=float)
    ok = (frame["status"].to_numpy() == "ok") & np.isfinite(scores)
    if not ok.any():
        raise ValueError(
            f"No candidate succeeded (all {len(ok)} failed or were pruned), so "
            "there is no score to plot; see the 'error' column of the results "
            "(or the report's Failures section), or refit with "
            "error_score='raise' to see why fits fail."
        )
    return ok


def check_params(params, frame):
    """The parameters to plot: ``params``, checked, or all of the results'."""
    known = list(frame.attrs["params"])
    if params is None:
        if not known:
            raise ValueError(
                "The results have no hyperparameter to plot (every `params` "
                "dict is empty)."
            )
        return known
    unknown = [p for p in params if p not in known]
    if unknown:
        raise ValueError(
            f"params={list(params)!r} names parameters the results do not have: "
            f"{unknown}; choose among {known}."
        )
    return list(params)


class ResultsDisplay:
    """Shared ``from_search``: the same as ``from_results`` for one search."""

    @classmethod
    def from_search(cls, search, **kwargs):
        """Compute the plot from a fitted search and draw it.

        Parameters
        ----------
        search : fitted BaseSearchCV
            ``GridSearchCV``, ``RandomizedSearchCV``, ``skhp.BayesSearchCV``
            or any search with ``cv_results_``.
        **kwargs
            Passed to :meth:`from_results` (``metric``, ``name``, ``ax`` ...).

        Returns
        -------
        display : Display
            The display, drawn.
        """
        if not hasattr(search, "cv_results_"):
            raise ValueError(
                f"`search` must be a fitted search with `cv_results_`, but got "
                f"{type(search).__name__} without it; call `search.fit(X, y)` "
                "first, or use `from_results` for a `cv_results_` dict."
            )
        return cls.from_results(search, **kwargs)
