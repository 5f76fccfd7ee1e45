"""skhp's Gaussian-process Bayesian optimisation, one concept per module.

* :mod:`.space`: points of a scikit-optimize space to unit features, and which
  features are discrete;
* :mod:`.prior`: priors on the model's hyperparameters;
* :mod:`.gp`: the Gaussian process (Matérn 5/2, one length scale per
  feature), fitted by maximum a posteriori;
* :mod:`.acquisition`: log expected improvement, log probability of
  improvement, lower confidence bound, with gradients;
* :mod:`.acq_optimizer`: maximising an acquisition over a mixed space;
* :mod:`.policy`: the ask/tell loop that ties them together.

:class:`skhp.search.optimizer.SurrogateOptimizer` is the public entry point.
"""

from .acquisition import Acquisition
from .gp import GaussianProcess
from .policy import GPOptimizer
from .prior import HyperPrior
from .space import SpaceEncoding

__all__ = [
    "Acquisition",
    "GPOptimizer",
    "GaussianProcess",
    "HyperPrior",
    "SpaceEncoding",
]
