"""A ready search space for logistic regression."""

from ..linear.logistic import SOLVER_PENALTIES
from ..space import Categorical, Integer, Real

__all__ = ["logistic_regression", "logistic_regression_initial_points"]


def logistic_regression(
    *,
    C=None,
    max_iter=None,
    solvers=None,
    fit_intercept=(True, False),
    prefix="",
):
    """Search space for :class:`skhp.linear.LogisticRegression`.

    A conditional space (a list of branches) over ``solver``, ``penalty``,
    ``C``, ``max_iter``, ``fit_intercept`` and, for elastic-net, ``l1_ratio``,
    in which only solver/penalty pairs that scikit-learn accepts can occur:

    ============================================  ============================
    solver                                        penalties
    ============================================  ============================
    liblinear                                     l1, l2
    lbfgs, newton-cg, newton-cholesky, sag        l2, none
    saga                                          l1, l2, elasticnet, none
    ============================================  ============================

    ``C`` is not searched where ``penalty="none"`` (it has no effect there), and
    ``l1_ratio`` only where ``penalty="elasticnet"``. The space works with
    :class:`skhp.BayesSearchCV`, ``RandomizedSearchCV`` and, through
    :func:`skhp.grid`, ``GridSearchCV``.

    Which solver when: "liblinear" (coordinate descent) is a good choice for
    small data sets and is the one for L1 with few samples; "sag" and "saga"
    (stochastic average gradient) make cheap passes over the data and are
    fastest when there are many samples, provided the features are on the
    same scale (put a ``StandardScaler`` before the model); "lbfgs" is a
    robust default; "newton-cholesky" shines when samples far outnumber
    features (and there are few classes).

    Parameters
    ----------
    C : Dimension, default=Real(1e-4, 1e4, prior="log-uniform")
        Inverse regularisation strength.
    max_iter : Dimension, default=Integer(100, 1000, prior="log-uniform")
        Solver iteration budget.
    solvers : list of str, default=None
        Restrict the space to these solvers (all six by default).
    fit_intercept : sequence of bool, default=(True, False)
        Values of ``fit_intercept`` to try.
    prefix : str, default=""
        Put before every name, for a model inside a Pipeline (e.g.
        ``"logisticregression__"``).

    Returns
    -------
    space : list of dict
        One dict per branch.

    Examples
    --------
    >>> from skhp import BayesSearchCV
    >>> from skhp.linear import LogisticRegression
    >>> from skhp.presets import logistic_regression
    >>> search = BayesSearchCV(LogisticRegression(), logistic_regression(), n_iter=20)
    """
    C = Real(1e-4, 1e4, prior="log-uniform") if C is None else C
    max_iter = Integer(100, 1000, prior="log-uniform") if max_iter is None else max_iter
    chosen = list(SOLVER_PENALTIES) if solvers is None else list(solvers)
    unknown = [s for s in chosen if s not in SOLVER_PENALTIES]
    if unknown or not chosen:
        raise ValueError(
            f"`solvers` must be a non-empty list drawn from {list(SOLVER_PENALTIES)}, "
            f"but got solvers={solvers!r}."
        )
    common = {"max_iter": max_iter, "fit_intercept": Categorical(list(fit_intercept))}

    # Group solvers by the penalties they take with a C, so each branch is one
    # rectangle of valid combinations.
    by_penalties = {}
    for solver in chosen:
        penalties = tuple(p for p in SOLVER_PENALTIES[solver] if p in ("l1", "l2"))
        by_penalties.setdefault(penalties, []).append(solver)
    branches = [
        {
            "solver": Categorical(solvers_),
            "penalty": Categorical(list(pens)),
            "C": C,
            **common,
        }
        for pens, solvers_ in by_penalties.items()
    ]
    if "saga" in chosen:
        branches.append(
            {
                "solver": Categorical(["saga"]),
                "penalty": Categorical(["elasticnet"]),
                "C": C,
                "l1_ratio": Real(0.0, 1.0),
                **common,
            }
        )
    unpenalised = [s for s in chosen if "none" in SOLVER_PENALTIES[s]]
    if unpenalised:
        branches.append(
            {
                "solver": Categorical(unpenalised),
                "penalty": Categorical(["none"]),
                **common,
            }
        )
    return [{prefix + name: dim for name, dim in b.items()} for b in branches]


def logistic_regression_initial_points(*, solvers=None, prefix=""):
    """Known-good first candidates for :func:`logistic_regression`.

    One candidate: scikit-learn's defaults for
    :class:`sklearn.linear_model.LogisticRegression`, ``solver="lbfgs"``,
    ``penalty="l2"``, ``C=1.0``, ``max_iter=100``, ``fit_intercept=True``
    (scikit-learn's API reference and user guide, section "Logistic
    regression"). These defaults are the usual starting point because they
    work well on standardised features: an L2 penalty of unit strength
    (``C=1``) is mild enough not to underfit and strong enough to keep the
    problem well conditioned, and 100 L-BFGS iterations converge on most
    small and medium data sets. Passing them to
    ``BayesSearchCV(initial_points=...)`` makes the search evaluate the
    default first, so its result is never worse than the untuned model.

    Parameters
    ----------
    solvers : list of str, default=None
        The ``solvers`` given to :func:`logistic_regression`. When "lbfgs"
        is not among them, the first of them takes its place (every solver
        supports the L2 penalty).
    prefix : str, default=""
        The ``prefix`` given to :func:`logistic_regression`.

    Returns
    -------
    points : list of dict
        Candidates of the default space (``C`` and ``max_iter`` at their
        default ranges).

    Examples
    --------
    >>> from skhp.presets import logistic_regression_initial_points
    >>> logistic_regression_initial_points()
    [{'solver': 'lbfgs', 'penalty': 'l2', 'C': 1.0, 'max_iter': 100, \
'fit_intercept': True}]
    """
    chosen = list(SOLVER_PENALTIES) if solvers is None else list(solvers)
    unknown = [s for s in chosen if s not in SOLVER_PENALTIES]
    if unknown or not chosen:
        raise ValueError(
            f"`solvers` must be a non-empty list drawn from {list(SOLVER_PENALTIES)}, "
            f"but got solvers={solvers!r}."
        )
    solver = "lbfgs" if "lbfgs" in chosen else chosen[0]
    point = {
        "solver": solver,
        "penalty": "l2",
        "C": 1.0,
        "max_iter": 100,
        "fit_intercept": True,
    }
    return [{prefix + name: value for name, value in point.items()}]
