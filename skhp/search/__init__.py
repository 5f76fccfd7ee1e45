"""Searchers: skhp's :class:`BayesSearchCV` and its stopping rules."""

from .bayes import BayesSearchCV
from .callbacks import NoImprovement, SearchProgress, TargetScore, TimeBudget

__all__ = [
    "BayesSearchCV",
    "NoImprovement",
    "SearchProgress",
    "TargetScore",
    "TimeBudget",
]
