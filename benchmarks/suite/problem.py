"""What one benchmark problem is: an estimator, a space, data and folds."""

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One problem of the suite.

    Parameters
    ----------
    name : str
        Unique name, the key in the results files and in ``split.json``.
    family : {"bbob", "sklearn"}
    make : callable
        ``make() -> (estimator, space, X, y, cv, scoring)``; ``space`` is a
        dict of skhp dimensions, ``cv`` a list of ``(train, test)`` index
        pairs, identical for every searcher and seed.
    budgets : tuple of int
        ``(small, large)`` numbers of evaluations; one run of the large budget
        gives the small one as its prefix.
    dim : int
        Number of hyperparameters.
    timed : bool
        Whether the estimator records fit/score timestamps (function
        estimators do), from which the searcher's own step cost is read.
    """

    name: str
    family: str
    make: object = field(repr=False)
    budgets: tuple
    dim: int
    timed: bool = False
