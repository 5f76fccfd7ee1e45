"""In-memory datasets, mini-batch iteration and the hold-out split.

skorch's default ``Dataset`` + ``DataLoader`` collate one sample at a time,
which costs more than the forward/backward pass of a small tabular net. The
data of a scikit-learn estimator already sits in memory as arrays, so batches
are taken by slicing whole tensors instead. This module imports torch at
import time and is only imported from inside ``fit``.
"""

from collections.abc import Mapping

import numpy as np
import torch

__all__ = ["TensorData", "TensorBatches", "HoldoutSplit"]


def _take(data, index):
    # type() first: an ABC isinstance check per batch is measurable.
    if type(data) is dict or (
        type(data) is not torch.Tensor and isinstance(data, Mapping)
    ):
        return {key: value[index] for key, value in data.items()}
    return data[index]


class TensorData(torch.utils.data.Dataset):
    """Inputs (a tensor or a dict of tensors) and optional targets in memory.

    Parameters
    ----------
    X : torch.Tensor or dict of str to torch.Tensor
        Inputs, first dimension indexes samples.
    y : torch.Tensor, default=None
        Targets; ``None`` for prediction.
    """

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        if isinstance(self.X, Mapping):
            return len(next(iter(self.X.values())))
        return len(self.X)

    def __getitem__(self, index):
        return self.batch(index)

    def batch(self, index):
        """Return ``(X[index], y[index])``; ``y`` part is ``None`` without y."""
        y = None if self.y is None else self.y[index]
        return _take(self.X, index), y

    def subset(self, index):
        """Return a new :class:`TensorData` with the samples at ``index``."""
        index = torch.as_tensor(index, dtype=torch.long)
        y = None if self.y is None else self.y[index]
        return TensorData(_take(self.X, index), y)


class TensorBatches:
    """Iterate over a :class:`TensorData` in mini-batches.

    Used as skorch's ``iterator_train`` and ``iterator_valid``; skorch passes
    ``batch_size`` and the ``iterator_train__*`` parameters.

    Parameters
    ----------
    dataset : TensorData
        Data to iterate over.
    batch_size : int, default=128
        Samples per batch (the last batch may be smaller).
    shuffle : bool, default=False
        Draw a new permutation (from torch's global generator, which the
        estimators seed from ``random_state``) at each pass.
    drop_last : bool, default=False
        Drop a last, incomplete batch.
    """

    def __init__(self, dataset, batch_size=128, shuffle=False, drop_last=False):
        if not isinstance(dataset, TensorData):
            raise TypeError(
                f"TensorBatches iterates over TensorData, got {type(dataset).__name__}."
            )
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last

    def __len__(self):
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = torch.randperm(n) if self.shuffle else None
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            end = min(start + self.batch_size, n)
            # Contiguous slices are views (no copy) when not shuffling.
            index = slice(start, end) if order is None else order[start:end]
            yield self.dataset.batch(index)


class HoldoutSplit:
    """skorch ``train_split``: hold out a (stratified) fraction for validation.

    Parameters
    ----------
    fraction : float
        Fraction of the samples used for validation, in (0, 1).
    stratify : bool
        Keep class proportions (classification).
    seed : int or None
        Seed of the split.
    """

    def __init__(self, fraction, stratify, seed):
        self.fraction = fraction
        self.stratify = stratify
        self.seed = seed

    def __call__(self, dataset, y=None, **fit_params):
        from sklearn.model_selection import train_test_split

        n = len(dataset)
        labels = dataset.y.cpu().numpy() if self.stratify else None
        idx_train, idx_valid = train_test_split(
            np.arange(n),
            test_size=self.fraction,
            stratify=labels,
            random_state=self.seed,
        )
        return dataset.subset(np.sort(idx_train)), dataset.subset(np.sort(idx_valid))
