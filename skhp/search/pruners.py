"""Pruners: stop a clearly bad candidate after its first CV folds.

A pruner looks at a candidate's mean score on the first ``after_folds``
folds and compares it with the same folds' scores of the candidates that
completed before it. A pruned candidate skips its remaining folds: it is
recorded with ``pruned=True`` in ``cv_results_`` and a NaN mean test score,
and the surrogate is told its partial score. Pruning is off by default
(``BayesSearchCV(pruner=None)``).
"""

import abc
import numbers

import numpy as np

__all__ = ["Pruner", "PercentilePruner", "MedianPruner"]


class Pruner(abc.ABC):
    """Decides, after a candidate's first folds, whether to skip the rest.

    Parameters
    ----------
    after_folds : int, default=1
        Folds evaluated before deciding; fewer than the CV's splits.
    n_startup : int, default=5
        Candidates that must have completed every fold before any is pruned.
    """

    def __init__(self, after_folds=1, n_startup=5):
        self.after_folds = after_folds
        self.n_startup = n_startup

    def check(self, n_splits):
        """Validate the settings against the search's number of CV splits."""
        for name, low in (("after_folds", 1), ("n_startup", 1)):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Integral)
                or value < low
            ):
                raise ValueError(
                    f"{type(self).__name__}'s `{name}` must be an int >= {low}, "
                    f"but got {value!r}."
                )
        if self.after_folds >= n_splits:
            raise ValueError(
                f"{type(self).__name__}'s `after_folds` must be smaller than the "
                f"number of CV splits, but got after_folds={self.after_folds} with "
                f"{n_splits} splits. Lower after_folds or use more folds."
            )

    @abc.abstractmethod
    def prune(self, partial_score, completed_scores):
        """Whether to prune a candidate.

        Parameters
        ----------
        partial_score : float
            The candidate's mean score on the first ``after_folds`` folds.
        completed_scores : array of float
            The same folds' mean score of every candidate that completed all
            its folds so far (at least ``n_startup`` of them).
        """

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


class PercentilePruner(Pruner):
    """Prune candidates whose first folds score below a percentile of the others.

    The rule: after ``after_folds`` folds, prune when the candidate's mean
    score on them is strictly below the ``percentile``-th percentile of the
    same folds' scores of the completed candidates (as Optuna's
    ``PercentilePruner`` does with intermediate values).

    Parameters
    ----------
    percentile : float, default=25.0
        In [0, 100]; lower prunes less.
    after_folds : int, default=1
    n_startup : int, default=5

    Examples
    --------
    >>> from skhp.search import PercentilePruner
    >>> pruner = PercentilePruner(25.0)
    >>> pruner.prune(0.70, [0.90, 0.91, 0.93, 0.95, 0.80])
    True
    >>> pruner.prune(0.92, [0.90, 0.91, 0.93, 0.95, 0.80])
    False
    """

    def __init__(self, percentile=25.0, after_folds=1, n_startup=5):
        super().__init__(after_folds=after_folds, n_startup=n_startup)
        self.percentile = percentile

    def check(self, n_splits):
        super().check(n_splits)
        if (
            isinstance(self.percentile, bool)
            or not isinstance(self.percentile, numbers.Real)
            or not 0 <= self.percentile <= 100
        ):
            raise ValueError(
                "PercentilePruner's `percentile` must be a number in [0, 100], "
                f"but got {self.percentile!r}."
            )

    def prune(self, partial_score, completed_scores):
        completed = np.asarray(completed_scores, dtype=float)
        completed = completed[np.isfinite(completed)]
        if completed.size < self.n_startup or not np.isfinite(partial_score):
            return False
        return bool(partial_score < np.percentile(completed, self.percentile))


class MedianPruner(PercentilePruner):
    """Prune candidates whose first folds score below the median of the others.

    Parameters
    ----------
    after_folds : int, default=1
    n_startup : int, default=5
    """

    def __init__(self, after_folds=1, n_startup=5):
        super().__init__(percentile=50.0, after_folds=after_folds, n_startup=n_startup)


def _nan_like(scores):
    if isinstance(scores, dict):
        return {name: float("nan") for name in scores}
    return float("nan")


class PrunedCV:
    """The splitter that records a batch of candidates after a pruning decision.

    The first ``after_folds`` splits replay the folds already fitted for the
    decision; the later ones fit the candidates that were kept and record a
    placeholder (NaN scores, zero times) for the pruned ones.

    Parameters
    ----------
    first_folds : list of list of dict
        Per candidate, the fit results of its first folds.
    splits : list of (train, test)
        Every split of the search's CV.
    pruned : list of bool
        Per candidate.
    """

    def __init__(self, first_folds, splits, pruned):
        self.first_folds = first_folds
        self.splits = splits
        self.pruned = pruned

    def get_n_splits(self, X=None, y=None, groups=None, **params):
        return len(self.splits)

    def split(self, X=None, y=None, groups=None, **params):
        from .._compat import ReplayedSplit

        after = len(self.first_folds[0])
        for k, (train, test) in enumerate(self.splits):
            if k < after:
                split = ReplayedSplit([folds[k] for folds in self.first_folds])
            else:
                results = [
                    self._placeholder(folds[0], len(test)) if pruned else None
                    for folds, pruned in zip(self.first_folds, self.pruned)
                ]
                split = ReplayedSplit(results, train=train, test=test)
            yield split, split

    @staticmethod
    def _placeholder(fold, n_test):
        result = {
            "fit_error": None,
            "test_scores": _nan_like(fold["test_scores"]),
            "n_test_samples": n_test,
            "fit_time": 0.0,
            "score_time": 0.0,
        }
        if "train_scores" in fold:
            result["train_scores"] = _nan_like(fold["train_scores"])
        return result
