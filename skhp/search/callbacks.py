"""Stopping rules for :class:`~skhp.BayesSearchCV`.

A callback is any callable that takes a :class:`SearchProgress` and returns
``True`` to stop the search (anything else goes on). It is called after every
evaluated batch of candidates. The classes below cover the usual rules; they
keep no state between searches, so a search object that holds them still
clones and pickles.
"""

import math
import numbers
from dataclasses import dataclass, field

__all__ = [
    "NoImprovement",
    "SearchProgress",
    "TargetScore",
    "TimeBudget",
]


@dataclass(frozen=True)
class SearchProgress:
    """What a callback knows about a running search.

    Attributes
    ----------
    n_evaluated : int
        Candidates evaluated so far.
    n_iter : int
        The search's budget of candidates.
    scores : list of float
        Mean cross-validated score of each candidate, in evaluation order, for
        the metric being optimised (NaN for a candidate whose fits failed).
    elapsed : float
        Seconds since the search started.
    cv_results : dict
        The search's ``cv_results_`` so far.
    """

    n_evaluated: int
    n_iter: int
    scores: list
    elapsed: float
    cv_results: dict = field(repr=False)

    @property
    def best_score(self):
        """Best finite score so far (NaN when none)."""
        finite = [s for s in self.scores if math.isfinite(s)]
        return max(finite) if finite else float("nan")

    @property
    def best_index(self):
        """Index of the best candidate so far (None when none succeeded)."""
        finite = [i for i, s in enumerate(self.scores) if math.isfinite(s)]
        return max(finite, key=self.scores.__getitem__) if finite else None

    @property
    def best_params(self):
        """Parameters of the best candidate so far (None when none succeeded)."""
        i = self.best_index
        return None if i is None else self.cv_results["params"][i]


def _check_number(owner, name, value, *, low, strict):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value > low if strict else value >= low)
    if not ok:
        sign = ">" if strict else ">="
        raise ValueError(
            f"{owner}: `{name} {sign} {low}` must hold, but got {name}={value!r}."
        )


class NoImprovement:
    """Stop after ``n_trials`` candidates in a row without a better score.

    Parameters
    ----------
    n_trials : int
        How many candidates in a row may fail to improve on the best score.
    min_delta : float, default=0.0
        An improvement smaller than this does not count.
    """

    def __init__(self, n_trials, min_delta=0.0):
        _check_number("NoImprovement", "n_trials", n_trials, low=1, strict=False)
        _check_number("NoImprovement", "min_delta", min_delta, low=0, strict=False)
        self.n_trials = int(n_trials)
        self.min_delta = float(min_delta)

    def __call__(self, progress):
        best, last_improvement = -math.inf, -1
        for i, score in enumerate(progress.scores):
            if math.isfinite(score) and (
                last_improvement < 0 or score > best + self.min_delta
            ):
                best, last_improvement = score, i
        return len(progress.scores) - 1 - last_improvement >= self.n_trials

    def __repr__(self):
        return f"NoImprovement(n_trials={self.n_trials}, min_delta={self.min_delta})"


class TimeBudget:
    """Stop once the search has run for ``seconds``.

    The batch under way is finished first, so a search can overrun the budget
    by the time of one batch.

    Parameters
    ----------
    seconds : float
        Wall-clock budget for the search, refit excluded.
    """

    def __init__(self, seconds):
        _check_number("TimeBudget", "seconds", seconds, low=0, strict=True)
        self.seconds = float(seconds)

    def __call__(self, progress):
        return progress.elapsed >= self.seconds

    def __repr__(self):
        return f"TimeBudget(seconds={self.seconds})"


class TargetScore:
    """Stop as soon as a candidate reaches ``score`` (higher is better).

    Parameters
    ----------
    score : float
        Mean cross-validated score that is good enough.
    """

    def __init__(self, score):
        _check_number("TargetScore", "score", score, low=-math.inf, strict=True)
        self.score = float(score)

    def __call__(self, progress):
        return math.isfinite(progress.best_score) and progress.best_score >= self.score

    def __repr__(self):
        return f"TargetScore(score={self.score})"
