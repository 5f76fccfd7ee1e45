"""Everything skhp takes from skorch's private API (the nets of skhp.neural).

Imports nothing at import time; the functions take a skorch net. A skorch
release without one of these names raises :class:`PrivateAPIError` at the
neural estimator's fit, naming the skorch version.
"""

from .sklearn import PrivateAPIError

__all__ = [
    "LeanTrainingMode",
    "net_optimizers",
    "set_training",
    "step_optimizer",
    "zero_grad",
]


def _attribute(net, name):
    try:
        return getattr(net, name)
    except AttributeError:
        import skorch

        raise PrivateAPIError(
            f"skhp's neural nets need skorch's private NeuralNet.{name}, which "
            f"skorch {skorch.__version__} does not have. Install a skorch release "
            "that skhp supports (see setup.cfg), or report it to skhp."
        ) from None


class LeanTrainingMode:
    """Mixin: skorch's ``_set_training`` that switches a module's mode only on change.

    skorch calls it (``module.train()`` on every module and criterion) before
    every batch, which walks all submodules.
    """

    def _set_training(self, training=True):
        for name in _attribute(self, "_modules") + _attribute(self, "_criteria"):
            module = getattr(self, name + "_")
            if module.training != training:
                module.train(training)


def set_training(net, training=True):
    """Put ``net``'s modules and criteria in training (or evaluation) mode."""
    _attribute(net, "_set_training")(training)


def net_optimizers(net):
    """``net``'s initialised optimizers."""
    return [getattr(net, name + "_") for name in _attribute(net, "_optimizers")]


def zero_grad(net):
    """Zero the gradients of ``net``'s optimizers."""
    _attribute(net, "_zero_grad_optimizer")()


def step_optimizer(net, step_fn=None):
    """Step ``net``'s optimizers (with ``step_fn`` as closure, or none)."""
    _attribute(net, "_step_optimizer")(step_fn)
