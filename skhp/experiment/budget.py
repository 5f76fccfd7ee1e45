"""Grid search with the budget of random and Bayesian search.

The experiment runner and ``skhp run --dry-run`` use
:func:`skhp.space.budget.grid_for_budget` (also ``skhp.grid(space, budget=n)``);
it lives with the search spaces and is re-exported here.
"""

from ..space.budget import coarsest_grid_size, grid_for_budget, varied_dimensions

__all__ = ["coarsest_grid_size", "grid_for_budget", "varied_dimensions"]
