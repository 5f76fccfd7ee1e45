"""Choosing the branch and the slice a plot shows; what both explain plots draw."""

import numpy as np

from ..report.axes import category_label
from ..search.surrogate import check_surrogates
from ..space import Categorical

__all__ = [
    "axis_positions",
    "bar_limits",
    "choose_branch",
    "draw_evaluated",
    "format_axis",
    "reference_params",
    "score_name",
    "short_value",
]

# Tick labels of categories and values in titles: at most this many characters.
_WIDTH = 18


def choose_branch(search, names, branch=None):
    """The surrogate of the branch to plot ``names`` on.

    Parameters
    ----------
    search : skhp.BayesSearchCV
        A fitted Bayesian search.
    names : list of str
        Parameters the plot varies; all must be free on the branch.
    branch : int, default=None
        Index of the branch (position in the search space's list). None: the
        branch of ``best_params_`` if it has ``names`` free, else the first
        branch that has them.

    Returns
    -------
    index : int
    surrogate : skhp.search.surrogate.BranchSurrogate
    """
    surrogates = check_surrogates(search)
    free = [list(s.dimensions) for s in surrogates]

    def fits(i):
        return all(n in free[i] for n in names)

    if branch is not None:
        if not isinstance(branch, (int, np.integer)) or not (
            0 <= branch < len(surrogates)
        ):
            raise ValueError(
                f"branch must be an index in [0, {len(surrogates) - 1}], but got "
                f"branch={branch!r}."
            )
        if not fits(branch):
            raise ValueError(
                f"Branch {branch} does not have {list(names)} as free parameters; "
                f"its free parameters are {free[branch]}."
            )
        return int(branch), surrogates[branch]
    best = getattr(search, "best_params_", None)
    order = list(range(len(surrogates)))
    if best is not None:
        order.sort(key=lambda i: not surrogates[i].contains(best))
    for i in order:
        if fits(i):
            return i, surrogates[i]
    listing = "; ".join(f"branch {i}: {f}" for i, f in enumerate(free))
    raise ValueError(
        f"No branch of the search space has {list(names)} as free parameters "
        f"(free parameters by branch: {listing}). Pick parameters of one branch."
    )


def reference_params(search, surrogate):
    """Where a slice holds the parameters it does not vary.

    The search's best candidate when it is on this branch, else the branch's
    best evaluated candidate.
    """
    best = getattr(search, "best_params_", None)
    if best is not None and surrogate.contains(best):
        return dict(best)
    return surrogate.best()[0]


def axis_positions(dim, values):
    """Where ``values`` of ``dim`` go on a plot axis: indices for categories."""
    if isinstance(dim, Categorical):
        return np.array([dim.index(v) for v in values], dtype=float)
    return np.asarray(values, dtype=float)


def format_axis(ax, dim, name, which="x"):
    """Label an axis for ``dim``: log scale for a log prior, choices as ticks."""
    set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
    set_label(name)
    if isinstance(dim, Categorical):
        set_ticks = ax.set_xticks if which == "x" else ax.set_yticks
        set_ticks(
            range(len(dim)),
            [category_label(v, width=_WIDTH, float_format=None) for v in dim],
        )
    elif dim.is_log:
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")


def score_name(search):
    """What the score axis is called: the optimised metric's name."""
    refit = getattr(search, "refit", True)
    if isinstance(refit, str):
        return f"{refit} (CV)"
    scoring = getattr(search, "scoring", None)
    return f"{scoring} (CV)" if isinstance(scoring, str) else "score (CV)"


def bar_limits(values):
    """``(bottom, top)`` of a bar chart of ``values``: 5% of their range beyond.

    Bars start at ``bottom`` rather than 0, so that close scores differ
    visibly.
    """
    values = np.asarray(values, dtype=float)
    low, high = values.min(), values.max()
    margin = 0.05 * (high - low or 1.0)
    return low - margin, high + margin


def draw_evaluated(ax, x, scores):
    """The evaluated candidates as black dots on top of the surrogate's curves."""
    return ax.scatter(
        x,
        scores,
        color="black",
        s=18,
        zorder=3,
        label=f"evaluated ({len(scores)})",
    )


def short_value(value):
    """A parameter value in a title: floats to 3 significant digits."""
    return category_label(value, width=_WIDTH, float_format=".3g")
