"""BBOB noiseless test functions (``cocoex``) as scikit-learn estimators.

Each function is wrapped as a :class:`FunctionEstimator` whose
hyperparameters ``x0 .. x{d-1}`` are the function's arguments in the BBOB box
``[-5, 5]``: ``fit`` learns nothing and ``score`` returns minus the regret
``f(x) - f_opt``, so every searcher runs through the same fit/score path as in
real use and the best score is minus the best regret.
"""

import os
import tempfile
import time

import numpy as np
from sklearn.base import BaseEstimator

from skhp import Real

from .problem import Problem

FUNCTIONS = tuple(range(1, 25))
DIMENSIONS = (2, 5)
INSTANCES = (1,)

# (fit start, score end) perf_counter pairs of every evaluation in this
# process, in order; searchers clear it before a run and read it after, to get
# the time spent between evaluations (the searcher's own step cost).
EVENTS = []

_CACHE = {}


def _coco_problem(function, dim, instance):
    """The cocoex problem and its optimal value, cached per process."""
    key = (function, dim, instance)
    if key not in _CACHE:
        import cocoex

        suite = cocoex.Suite(
            "bbob",
            "",
            f"function_indices:{function} dimensions:{dim} instance_indices:{instance}",
        )
        problem = suite.get_problem_by_function_dimension_instance(
            function, dim, instance
        )
        # cocoex writes the optimum's location to a file in the working
        # directory; f there is the optimal value f_opt.
        cwd = os.getcwd()
        with tempfile.TemporaryDirectory() as tmp:
            os.chdir(tmp)
            try:
                problem._best_parameter("print")
                x_opt = np.atleast_1d(np.loadtxt("._bbob_problem_best_parameter.txt"))
            finally:
                os.chdir(cwd)
        _CACHE[key] = (problem, float(problem(x_opt)))
    return _CACHE[key]


def parse_name(name):
    """``"bbob_f003_i01_d02"`` -> ``(3, 2, 1)`` (function, dimension, instance)."""
    _, f, i, d = name.split("_")
    return int(f[1:]), int(d[1:]), int(i[1:])


def regret(name, x):
    """``f(x) - f_opt`` of a BBOB problem given by name."""
    function, dim, instance = parse_name(name)
    problem, f_opt = _coco_problem(function, dim, instance)
    return float(problem(np.asarray(x, dtype=float))) - f_opt


class FunctionEstimator(BaseEstimator):
    """A BBOB function as an estimator: its parameters are the arguments.

    Parameters
    ----------
    problem : str
        BBOB problem name, ``"bbob_f{function:03d}_i{instance:02d}_d{dim:02d}"``.
    **x : float
        ``x0 .. x{d-1}``, the point; 0 when not given.
    """

    def __init__(self, problem="bbob_f001_i01_d02", **x):
        self.problem = problem
        for key, value in x.items():
            setattr(self, key, value)

    def _names(self):
        return [f"x{i}" for i in range(parse_name(self.problem)[1])]

    def get_params(self, deep=True):
        """The problem name and the point ``x0 .. x{d-1}``."""
        params = {"problem": self.problem}
        for key in self._names():
            params[key] = getattr(self, key, 0.0)
        return params

    def fit(self, X, y=None):
        """Learn nothing; record the start time of the evaluation."""
        self._start = time.perf_counter()
        self.fitted_ = True
        return self

    def score(self, X, y=None):
        """Minus the regret ``f(x) - f_opt`` at the current point."""
        value = -regret(self.problem, [getattr(self, k, 0.0) for k in self._names()])
        EVENTS.append((getattr(self, "_start", np.nan), time.perf_counter()))
        return value


def _make(name, dim):
    def make():
        space = {f"x{i}": Real(-5.0, 5.0) for i in range(dim)}
        X = np.zeros((2, 1))
        y = np.zeros(2)
        # One fixed split on dummy data: every evaluation is one fit and one
        # score of the function estimator.
        cv = [(np.array([0]), np.array([1]))]
        return FunctionEstimator(problem=name), space, X, y, cv, None

    return make


def bbob_problems():
    """Every BBOB problem of the suite, by name.

    Returns
    -------
    dict of str -> Problem
        Budgets ``10 d + 20`` and ``20 d + 30`` evaluations.
    """
    out = {}
    for dim in DIMENSIONS:
        for function in FUNCTIONS:
            for instance in INSTANCES:
                name = f"bbob_f{function:03d}_i{instance:02d}_d{dim:02d}"
                out[name] = Problem(
                    name=name,
                    family="bbob",
                    make=_make(name, dim),
                    budgets=(10 * dim + 20, 20 * dim + 30),
                    dim=dim,
                    timed=True,
                )
    return out
