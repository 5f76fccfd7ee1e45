"""skhp: hyperparameter search for scikit-learn models, neural nets and LLMs.

Grid, random and Bayesian search through the scikit-learn API. Heavy
dependencies (torch, transformers, dask, ...) are optional extras, imported
only by the modules that need them.
"""

from ._config import config_context, get_config, set_config
from ._version import __version__
from .search import BayesSearchCV, GridSearchCV, RandomizedSearchCV, minimize
from .space import Categorical, Integer, Real, grid

__all__ = [
    "BayesSearchCV",
    "Categorical",
    "GridSearchCV",
    "Integer",
    "RandomizedSearchCV",
    "Real",
    "__version__",
    "config_context",
    "get_config",
    "grid",
    "minimize",
    "set_config",
]
