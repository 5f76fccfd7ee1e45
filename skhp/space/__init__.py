"""Search spaces that every searcher understands.

A space is a dict ``{parameter name: dimension}``, or a list of such dicts for a
conditional space. The same space goes to :class:`skhp.BayesSearchCV`, to
scikit-learn's ``RandomizedSearchCV`` (dimensions have ``rvs``) and, through
:func:`grid`, to ``GridSearchCV``.
"""

from .conversion import as_dimension, check_space
from .dimensions import Categorical, Dimension, Integer, Real
from .grid import grid

__all__ = [
    "Categorical",
    "Dimension",
    "Integer",
    "Real",
    "as_dimension",
    "check_space",
    "grid",
]
