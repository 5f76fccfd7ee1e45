"""What a Bayesian search believes, in pictures.

Display objects in scikit-learn's style (build with ``from_search``, draw
with ``plot``; the matplotlib artists are kept as attributes ending in
``_``) for a fitted :class:`~skhp.BayesSearchCV`:

- :class:`SurrogateDisplay`: the surrogate's predicted score with its
  uncertainty band, and the acquisition function, along one parameter, with
  the evaluated candidates;
- :class:`PartialDependenceDisplay`: the surrogate's mean score as a function
  of one or two parameters, averaged over the others.

matplotlib is imported when a plot is drawn (``pip install "skhp[plot]"``).
"""

from .partial_dependence import PartialDependenceDisplay
from .surrogate_plot import SurrogateDisplay

__all__ = ["PartialDependenceDisplay", "SurrogateDisplay"]
