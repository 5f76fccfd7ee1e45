"""Ready search spaces for common models, and known-good points to start from.

Each preset ``name()`` returns a search space; ``name_initial_points()``
returns candidates of that space that are good first guesses (the defaults
the literature or the libraries recommend, with the source in the
docstring), for ``BayesSearchCV(initial_points=...)``.
"""

from .llm import llm_classifier, llm_classifier_initial_points
from .logistic import logistic_regression, logistic_regression_initial_points
from .neural import mlp, mlp_initial_points

__all__ = [
    "llm_classifier",
    "llm_classifier_initial_points",
    "logistic_regression",
    "logistic_regression_initial_points",
    "mlp",
    "mlp_initial_points",
]
