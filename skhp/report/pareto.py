"""The Pareto front of a search with several objectives: a plot and a table.

For searches fitted with ``objectives=`` (:mod:`skhp.search.objectives`), or
any ``cv_results_`` with the objectives given here.
"""

import numpy as np

from .._optional import import_optional
from ..search.objectives import (
    TIME_COSTS,
    check_objectives,
    objective_matrix,
    pareto_ranks,
)
from .display import new_axes, save_figure
from .style import short_names

__all__ = ["ParetoFrontDisplay", "pareto_front_table", "pareto_sections"]

TITLE = "Pareto front: quality against cost"


def _column(name, results):
    """The cv_results_ column of an objective name."""
    if name in TIME_COSTS or name.startswith("mean_"):
        return name
    column = f"mean_test_{name}"
    return column if column in results else "mean_test_score"


def _read(search_or_results, objectives):
    """``(cv_results_, {column: direction}, {column: label}, best_index or None)``."""
    search = None
    if isinstance(search_or_results, dict):
        results, best = search_or_results, None
    elif hasattr(search_or_results, "cv_results_"):
        search = search_or_results
        results = search.cv_results_
        best = getattr(search, "best_index_", None)
        if objectives is None:
            objectives = getattr(search, "objectives", None)
            if objectives:
                # The search's own reading of its objectives: exact columns.
                columns = check_objectives(search)
                labels = dict(zip(columns, objectives))
                return results, columns, labels, best
    else:
        raise ValueError(
            "Pass a fitted search or its cv_results_ dict, but got "
            f"{type(search_or_results).__name__}."
        )
    if not objectives or len(objectives) < 2:
        raise ValueError(
            "The Pareto front needs at least two objectives: fit the search with "
            "objectives={name: 'max' or 'min', ...}, or pass objectives= here; "
            f"got objectives={objectives!r}."
        )
    columns, labels = {}, {}
    for name, direction in objectives.items():
        column = _column(name, results)
        if column not in results:
            raise ValueError(
                f"The objective {name!r} has no column {column!r} in cv_results_."
            )
        columns[column] = direction
        labels[column] = name
    return results, columns, labels, best


def pareto_front_table(search_or_results, *, objectives=None):
    """The candidates on the Pareto front, as a DataFrame.

    Parameters
    ----------
    search_or_results : fitted search or dict
        A search fitted with ``objectives=``, or a ``cv_results_`` dict.
    objectives : dict, default=None
        ``{name: "max" | "min"}``; by default the search's own.

    Returns
    -------
    table : pandas.DataFrame
        One row per non-dominated candidate (``pareto_rank == 1``), indexed
        by its position in ``cv_results_``, sorted by the first objective
        (best first): the objectives, the parameters (short names) and
        ``refit``, True for the candidate ``best_index_`` names.
    """
    pd = import_optional("pandas", extra="plot", purpose="results tables")
    results, columns, labels, best = _read(search_or_results, objectives)
    ranks = pareto_ranks(objective_matrix(results, columns))
    front = np.flatnonzero(ranks == 1)
    first, direction = next(iter(columns.items()))
    values = np.asarray(results[first], dtype=float)[front]
    front = front[np.argsort(-values if direction == "max" else values, kind="stable")]
    data = {labels[c]: np.asarray(results[c], dtype=float)[front] for c in columns}
    params = [results["params"][i] for i in front]
    names = sorted({k for p in params for k in p})
    short = short_names(names)
    for name in names:
        data[short[name]] = [p.get(name) for p in params]
    data["refit"] = [best is not None and int(i) == int(best) for i in front]
    return pd.DataFrame(data, index=pd.Index(front, name="candidate"))


class ParetoFrontDisplay:
    """Quality against cost: the front highlighted, dominated points faded.

    Parameters
    ----------
    x, y : ndarray
        Each candidate's cost (x) and quality (y).
    ranks : ndarray of int
        Each candidate's Pareto rank (1 = non-dominated).
    chosen : int or None, default=None
        The candidate the refit policy chose (``best_index_``), marked.
    x_label, y_label : str
    x_direction, y_direction : {"max", "min"}
        Which way is better, for the step line along the front.
    x_reference, y_reference : float or None, default=None
        The reference point of the search's proposals on each axis
        (``reference_point_``: the least useful value), drawn as a dashed
        line.

    Attributes
    ----------
    front_ : matplotlib PathCollection
        The non-dominated candidates.
    dominated_ : matplotlib PathCollection
        The others, faded.
    chosen_ : matplotlib Line2D or None
    reference_ : list of matplotlib Line2D
        The dashed lines of the reference point, one per axis given.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from skhp.report.pareto import ParetoFrontDisplay
    >>> display = ParetoFrontDisplay.from_search(search)  # doctest: +SKIP
    """

    def __init__(
        self,
        x,
        y,
        ranks,
        *,
        chosen=None,
        x_label="cost",
        y_label="score",
        x_direction="min",
        y_direction="max",
        x_reference=None,
        y_reference=None,
    ):
        self.x = x
        self.y = y
        self.ranks = ranks
        self.chosen = chosen
        self.x_label = x_label
        self.y_label = y_label
        self.x_direction = x_direction
        self.y_direction = y_direction
        self.x_reference = x_reference
        self.y_reference = y_reference

    def plot(self, ax=None):
        """Draw the candidates, the front's step line and the refit choice.

        Returns
        -------
        display : ParetoFrontDisplay
        """
        ax = new_axes(ax, (6.4, 4.4))
        x, y = np.asarray(self.x, float), np.asarray(self.y, float)
        ranks = np.asarray(self.ranks)
        on = ranks == 1
        self.dominated_ = ax.scatter(
            x[~on], y[~on], s=22, color="tab:gray", alpha=0.3, label="dominated"
        )
        self.front_ = ax.scatter(
            x[on], y[on], s=40, color="tab:blue", zorder=3, label="Pareto front"
        )
        order = np.argsort(x[on] if self.x_direction == "min" else -x[on])
        ax.step(x[on][order], y[on][order], where="post", color="tab:blue", alpha=0.6)
        self.chosen_ = None
        if self.chosen is not None:
            (self.chosen_,) = ax.plot(
                [x[self.chosen]],
                [y[self.chosen]],
                marker="*",
                markersize=16,
                color="tab:red",
                linestyle="none",
                zorder=4,
                label="refit choice",
            )
        self.reference_ = []
        style = dict(color="tab:gray", linestyle="--", linewidth=1)
        if self.x_reference is not None:
            self.reference_.append(ax.axvline(self.x_reference, **style))
        if self.y_reference is not None:
            self.reference_.append(ax.axhline(self.y_reference, **style))
        if self.reference_:
            self.reference_[0].set_label("reference point")
        arrow = {"min": "lower is better", "max": "higher is better"}
        ax.set_xlabel(f"{self.x_label} ({arrow[self.x_direction]})")
        ax.set_ylabel(f"{self.y_label} ({arrow[self.y_direction]})")
        ax.set_title(TITLE)
        ax.grid(alpha=0.3)
        ax.legend(loc="best")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_search(
        cls, search_or_results, *, objectives=None, x=None, y=None, ax=None
    ):
        """Plot a fitted search's Pareto front, or that of a ``cv_results_`` dict.

        Parameters
        ----------
        search_or_results : fitted search or dict
            A search fitted with ``objectives=``, or a ``cv_results_`` dict.
        objectives : dict, default=None
            ``{name: "max" | "min"}``; by default the search's own. The
            Pareto ranks are over all of them.
        x, y : str, default=None
            The objectives on the axes: by default ``y`` is the first and
            ``x`` the second.
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : ParetoFrontDisplay
        """
        results, columns, labels, best = _read(search_or_results, objectives)
        by_name = {labels[c]: c for c in columns}
        names = list(by_name)
        y = names[0] if y is None else y
        x = next(n for n in names if n != y) if x is None else x
        for axis, name in (("x", x), ("y", y)):
            if name not in by_name:
                raise ValueError(
                    f"{axis}={name!r} is not one of the objectives {names}."
                )
        ranks = pareto_ranks(objective_matrix(results, columns))
        reference = getattr(search_or_results, "reference_point_", None) or {}
        display = cls(
            np.asarray(results[by_name[x]], dtype=float),
            np.asarray(results[by_name[y]], dtype=float),
            ranks,
            chosen=None if best is None else int(best),
            x_label=x,
            y_label=y,
            x_direction=columns[by_name[x]],
            y_direction=columns[by_name[y]],
            x_reference=reference.get(x),
            y_reference=reference.get(y),
        )
        return display.plot(ax=ax)


def _searches_with_objectives(results):
    """``[(name, search)]`` for the fitted searches in ``results`` with objectives."""
    if isinstance(results, dict) and "params" in results:
        return []  # a cv_results_ dict: no directions known
    if isinstance(results, dict):
        items = list(results.items())
    elif isinstance(results, (list, tuple)):
        items = [(type(r).__name__, r) for r in results]
    else:
        items = [(type(results).__name__, results)]
    return [
        (str(name), r)
        for name, r in items
        if getattr(r, "objectives", None) and hasattr(r, "cv_results_")
    ]


def pareto_sections(results, folder):
    """The report's Pareto sections: ``[(title, path, table, caption)]``.

    One per fitted search in ``results`` that has ``objectives``; ``table``
    is ``(header, rows)`` of its front.
    """
    sections = []
    for i, (name, search) in enumerate(_searches_with_objectives(results)):
        display = ParetoFrontDisplay.from_search(search)
        path = folder / (f"pareto_{i}.png" if i else "pareto.png")
        save_figure(display.figure_, path)
        table = pareto_front_table(search)
        header = ["candidate", *table.columns]
        rows = [[int(idx), *row] for idx, row in zip(table.index, table.to_numpy())]
        objectives = ", ".join(f"{k} ({v})" for k, v in search.objectives.items())
        caption = (
            f"{name}: every candidate by its objectives ({objectives}); the "
            "non-dominated ones (pareto_rank 1: no other candidate is at least "
            "as good on every objective and better on one) in blue with the "
            "front's step line, the dominated ones faded, and the refit "
            "choice (best_index_: the cheapest candidate within one standard "
            "error of the best on the primary metric, unless refit is a "
            "callable) as a red star. The table lists the front."
        )
        reference = getattr(search, "reference_point_", None)
        if reference:
            source = (
                "the score of a baseline that ignores the features"
                if search.reference_point == "baseline"
                else "as given"
            )
            caption += (
                " The dashed line is the reference point of the search's "
                f"proposals ({reference}; {source}): the least useful value of "
                "an objective."
            )
        sections.append((f"{TITLE} ({name})", path, (header, rows), caption))
    return sections
