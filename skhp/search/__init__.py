"""Searchers: skhp's :class:`BayesSearchCV`, its stopping rules, and
scikit-learn's grid and random searches with a journal and a progress bar."""

from .bayes import BayesSearchCV
from .callbacks import NoImprovement, SearchProgress, TargetScore, TimeBudget
from .classic import GridSearchCV, RandomizedSearchCV
from .minimize import minimize
from .pruners import MedianPruner, PercentilePruner, Pruner

__all__ = [
    "BayesSearchCV",
    "GridSearchCV",
    "MedianPruner",
    "PercentilePruner",
    "Pruner",
    "RandomizedSearchCV",
    "NoImprovement",
    "SearchProgress",
    "TargetScore",
    "TimeBudget",
    "minimize",
]
