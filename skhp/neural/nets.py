"""skorch net classes used by the estimators (imports torch and skorch)."""

import torch
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback
from skorch.dataset import unpack_data
from skorch.history import History
from skorch.utils import TeeGenerator

from .._compat.skorch import (
    LeanTrainingMode,
    net_optimizers,
    set_training,
    step_optimizer,
    zero_grad,
)

__all__ = ["AccumulatingNetClassifier", "LeanHistory", "NetClassifier", "NetRegressor"]


class LeanHistory(History):
    """skorch ``History`` whose per-batch writes skip the indexing machinery.

    ``History.__getitem__`` copies the whole history to resolve ``self[-1]``;
    skorch writes to the current batch three times per batch.
    """

    def new_batch(self):
        list.__getitem__(self, -1)["batches"].append({})

    def record_batch(self, attr, value):
        list.__getitem__(self, -1)["batches"][-1][attr] = value


class _LeanNet(LeanTrainingMode):
    """Per-batch savings that matter for small nets.

    skorch calls ``module.train()`` before every batch, which walks all
    submodules; here the mode is switched only when it changes. Callbacks
    with nothing to do (validation scores without validation data, the
    printed table when ``verbose=0``) are left out, since every callback is
    notified several times per batch. Optimizers other than LBFGS step
    without a closure, and the history is a :class:`LeanHistory`.
    """

    def initialize_history(self):
        if self.history_ is None:
            self.history_ = LeanHistory()
        else:
            self.history_.clear()
        return self

    def train_step(self, batch, **fit_params):
        # skorch passes a closure to optimizer.step() for optimizers such as
        # LBFGS that re-evaluate the loss; the others get a plain step.
        if any(isinstance(opt, torch.optim.LBFGS) for opt in net_optimizers(self)):
            return super().train_step(batch, **fit_params)
        zero_grad(self)
        step = self.train_step_single(batch, **fit_params)
        if self._grad_listeners():
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self.get_all_learnable_params()),
                batch=batch,
                training=True,
            )
        step_optimizer(self)
        return step

    def _grad_listeners(self):
        return [
            cb
            for _, cb in self.callbacks_
            if type(cb).on_grad_computed is not Callback.on_grad_computed
        ]

    def get_default_callbacks(self):
        idle = set()
        if self.train_split is None:
            idle |= {"valid_loss", "valid_acc"}
        if not self.verbose:
            idle.add("print_log")
        return [
            (name, cb)
            for name, cb in super().get_default_callbacks()
            if name not in idle
        ]


class NetClassifier(_LeanNet, NeuralNetClassifier):
    """skorch ``NeuralNetClassifier`` with less per-batch overhead."""


class NetRegressor(_LeanNet, NeuralNetRegressor):
    """skorch ``NeuralNetRegressor`` with less per-batch overhead."""


class AccumulatingNetClassifier(NetClassifier):
    """skorch classifier that accumulates gradients over several batches.

    The optimizer steps once every ``gradient_accumulation_steps`` batches
    and once more at the end of an epoch for a last, incomplete group, so
    that no gradient is carried into the next epoch.

    Parameters
    ----------
    *args, **kwargs
        Passed to :class:`skorch.NeuralNetClassifier`.
    gradient_accumulation_steps : int, default=1
        Batches whose gradients are summed before an optimizer step.
    """

    def __init__(self, *args, gradient_accumulation_steps=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.gradient_accumulation_steps = gradient_accumulation_steps

    def train_step(self, batch, **fit_params):
        steps = self.gradient_accumulation_steps
        if steps == 1:
            return super().train_step(batch, **fit_params)
        set_training(self, True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        # Dividing makes the accumulated gradient the mean over the group,
        # i.e. the gradient of one batch of size steps * batch_size.
        (loss / steps).backward()
        self._pending_batches += 1
        if self._pending_batches == steps:
            self._step_and_reset()
        return {"loss": loss.detach(), "y_pred": y_pred}

    def _step_and_reset(self):
        step_optimizer(self)
        zero_grad(self)
        self._pending_batches = 0

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        self._pending_batches = 0
        super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        if training and self._pending_batches:
            self._step_and_reset()
