"""What every plot and table of a report shares: colours and short labels."""

__all__ = ["SCORE_CMAP", "searcher_color", "short_names"]

#: The colour map of scores (parallel coordinates, partial dependence).
SCORE_CMAP = "viridis"

# matplotlib's tab10, with a colour fixed for each usual searcher name, so
# that "random" is the same orange on every plot and nothing else is.
_FIXED = {
    "grid": "#1f77b4",
    "gridsearchcv": "#1f77b4",
    "random": "#ff7f0e",
    "randomizedsearchcv": "#ff7f0e",
    "bayes": "#2ca02c",
    "bayessearchcv": "#2ca02c",
}
_OTHERS = [
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#d62728",
    "#7f7f7f",
]


def searcher_color(name, names=()):
    """The colour of searcher ``name``, the same on every plot of a report.

    "grid", "random" and "bayes" (and the class names) have fixed colours;
    other names take the next free colour in the order of ``names``.

    Parameters
    ----------
    name : str or None
    names : sequence of str
        Every searcher of the results, in order.

    Returns
    -------
    color : str
    """
    key = str(name).lower()
    if key in _FIXED:
        return _FIXED[key]
    others = [n for n in dict.fromkeys(names) if str(n).lower() not in _FIXED]
    index = others.index(name) if name in others else len(others)
    return _OTHERS[index % len(_OTHERS)]


def short_names(names):
    """Labels without the common ``step__`` prefix of Pipeline parameters.

    ``logisticregression__C`` and ``logisticregression__penalty`` become
    ``C`` and ``penalty``. A name is left whole when shortening would make
    two labels equal.

    Parameters
    ----------
    names : list of str

    Returns
    -------
    labels : dict of str -> str
        ``{full name: label}``.

    Examples
    --------
    >>> from skhp.report.style import short_names
    >>> short_names(["svc__C", "svc__gamma"])
    {'svc__C': 'C', 'svc__gamma': 'gamma'}
    >>> short_names(["scaler__with_mean", "svc__C"])
    {'scaler__with_mean': 'with_mean', 'svc__C': 'C'}
    """
    names = [str(n) for n in names]
    labels = {n: n.rsplit("__", 1)[-1] for n in names}
    counts = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    return {n: (label if counts[label] == 1 else n) for n, label in labels.items()}
