"""Maximising the acquisition over a mixed space.

1. Score random points of the space and the best points told; keep the best
   few as starts (always including the incumbent, where the final
   refinement of a search happens).
2. From all starts at once, alternate until nothing changes (at most a few
   rounds): L-BFGS-B over the continuous features (reals, and integers with
   many values), with the others fixed; then, dimension by dimension, try
   every value of each categorical and each integer with few values (and the
   nearest values of a wide integer) and keep the best. The starts are
   optimised jointly (the sum of their acquisition values, whose gradient
   separates), so one model prediction serves all of them per step.
3. Return every start's optimum, best first, so the caller can skip points
   already evaluated.
"""

import warnings

import numpy as np
from scipy.optimize import fmin_l_bfgs_b

__all__ = ["maximize_acquisition"]

# Alternations of the continuous and the discrete search per start.
_ROUNDS = 3
# L-BFGS-B iterations per continuous search (all starts together).
_MAXITER = 50


def _continuous_search(acq, X, values, columns):
    """L-BFGS-B over ``X[:, columns]`` of every row at once, the rest fixed.

    Each row keeps the best point any evaluation found for it: the rows are
    independent, but one L-BFGS run over their sum shares one step length, so
    a row whose acquisition is much steeper than the others' can be thrown
    past its peak by a step that improves the sum.
    """
    n_rows = X.shape[0]
    base = X.copy()
    best_X = X.copy()
    best_values = values.copy()

    def negative(flat):
        Z = base.copy()
        Z[:, columns] = np.clip(flat.reshape(n_rows, len(columns)), 0.0, 1.0)
        value, grad = acq.value_and_grad(Z)
        better = value > best_values
        best_values[better] = value[better]
        best_X[better] = Z[better]
        return -float(value.sum()), -grad[:, columns].ravel()

    start = X[:, columns].ravel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fmin_l_bfgs_b(
            negative, start, bounds=[(0.0, 1.0)] * start.size, maxiter=_MAXITER
        )
    return best_X


def _discrete_search(acq, encoding, X, values):
    """Each discrete dimension in turn set to its best value, row by row."""
    changed = False
    n_rows = X.shape[0]
    for block in encoding.blocks:
        if block.kind == "real":
            continue
        cols = block.columns
        if block.enumerated:
            options = [block.options] * n_rows
        else:
            options = [block.nearest(X[i, cols.start]) for i in range(n_rows)]
        counts = [len(o) for o in options]
        trial = np.repeat(X, counts, axis=0)
        trial[:, cols] = np.vstack(options)
        scores = acq(trial)
        offset = 0
        for i, count in enumerate(counts):
            j = offset + int(np.argmax(scores[offset : offset + count]))
            if scores[j] > values[i] + 1e-12 * max(1.0, abs(values[i])):
                X[i] = trial[j]
                values[i] = scores[j]
                changed = True
            offset += count
    return changed


def maximize_acquisition(
    acq, encoding, rng, *, incumbents, n_samples=1000, n_starts=10, local=True
):
    """Candidates that maximise ``acq``, best first.

    Parameters
    ----------
    acq : Acquisition
        Called on rows of encoded points (``acq(X)``, ``acq.value_and_grad(X)``).
    encoding : SpaceEncoding
    rng : numpy.random.RandomState
        Draws the random points.
    incumbents : ndarray of shape (n, n_features)
        Encoded points to start from besides the random ones (the best told).
    n_samples : int, default=1000
        Random points scored to choose the other starts.
    n_starts : int, default=10
        Starts of the local search, incumbents included.
    local : bool, default=True
        Run the local search; False returns the best scored points.

    Returns
    -------
    X : ndarray of shape (n_candidates, n_features)
        Valid encoded points, by decreasing acquisition value.
    values : ndarray of shape (n_candidates,)
    """
    samples = encoding.sample_encoded(n_samples, rng)
    pool = np.vstack([incumbents, samples]) if len(incumbents) else samples
    scores = acq(pool)
    n_inc = len(incumbents)
    n_random = max(n_starts - n_inc, 1) if local else len(pool)
    random_best = n_inc + np.argsort(-scores[n_inc:], kind="stable")[:n_random]
    chosen = (
        np.concatenate([np.arange(n_inc), random_best])
        if local
        else np.argsort(-scores, kind="stable")
    )
    X = pool[chosen].copy()
    values = scores[chosen].copy()
    if local:
        columns = encoding.continuous_columns
        # The incumbents' acquisition is often a narrow peak next to points
        # told, the random starts' a broad slope: searched as separate groups.
        groups = [slice(0, n_inc), slice(n_inc, len(X))]
        for _ in range(_ROUNDS):
            if len(columns):
                for group in groups:
                    if group.stop > group.start:
                        X[group] = _continuous_search(
                            acq, X[group], values[group], columns
                        )
                X = encoding.snap(X)
                values = acq(X)
            if not _discrete_search(acq, encoding, X, values):
                break
        # The local search only moves uphill from its starts; a start from the
        # random pool may still beat it (a continuous search that rounded
        # badly): keep both.
        X = np.vstack([X, pool[random_best]])
        values = np.concatenate([values, scores[random_best]])
    order = np.argsort(-values, kind="stable")
    return X[order], values[order]
