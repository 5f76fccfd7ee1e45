"""Linear models with the hyperparameters users search over."""

from .logistic import PENALTIES, SOLVER_PENALTIES, SOLVERS, LogisticRegression

__all__ = ["PENALTIES", "SOLVERS", "SOLVER_PENALTIES", "LogisticRegression"]
