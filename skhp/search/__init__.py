"""Searchers: skhp's :class:`BayesSearchCV`, its stopping rules, and
scikit-learn's grid and random searches with a journal and a progress bar."""

from .bayes import BayesSearchCV
from .classic import GridSearchCV, RandomizedSearchCV
from .callbacks import NoImprovement, SearchProgress, TargetScore, TimeBudget

__all__ = [
    "BayesSearchCV",
    "GridSearchCV",
    "RandomizedSearchCV",
    "NoImprovement",
    "SearchProgress",
    "TargetScore",
    "TimeBudget",
]
