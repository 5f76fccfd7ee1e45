"""One evaluated candidate, as the journal records it."""

import dataclasses
import math

import numpy as np

from .._compat import FIT_WARNINGS_KEY
from .params import candidate_key

__all__ = ["Trial", "STATUSES", "error_summary", "keep_scoring_error"]

# Fold results a journal does not keep: the fitted estimator, the parameters
# (the trial has them) and the per-fit warnings (summarised by the search).
_NOT_RECORDED = ("estimator", "parameters", FIT_WARNINGS_KEY)

STATUSES = ("ok", "failed", "pruned")


def _mean_score(folds, metric):
    values = []
    for fold in folds:
        scores = fold.get("test_scores")
        value = scores.get(metric) if isinstance(scores, dict) else scores
        values.append(float(value) if value is not None else math.nan)
    return float(np.mean(values)) if values else math.nan


def error_summary(text):
    r"""The first line of the exception a traceback text ends with.

    ``"Traceback (most recent call last):\n  ...\nValueError: C must be > 0\n
    more"`` gives ``"ValueError: C must be > 0"``; text that is not a
    traceback gives its first non-empty line; None gives None.

    Examples
    --------
    >>> from skhp.journal.trial import error_summary
    >>> error_summary('Traceback (most recent call last):\n  File "x.py"\n'
    ...               '    fit()\nValueError: bad C\nmore text')
    'ValueError: bad C'
    """
    if text is None:
        return None
    lines = [line.rstrip() for line in str(text).splitlines()]
    start = 0
    for i, line in enumerate(lines):
        # The exception starts after the traceback's last indented line
        # (of its last chained traceback).
        if line.startswith(("  ", "\t")):
            start = i + 1
    tail = [line for line in lines[start:] if line.strip()]
    if not tail or not any(line.startswith("Traceback") for line in lines):
        tail = [line for line in lines if line.strip()]
    return tail[0].strip() if tail else ""


#: How scikit-learn's warning starts when a scorer raised (the fit itself worked).
SCORING_FAILED = "Scoring failed."


def keep_scoring_error(result):
    """Make a scorer's exception the fit's error, so that it is not lost.

    When scoring raises (an LLM server answering 500 or unreachable while
    predicting, a scorer that cannot handle the predictions), scikit-learn
    records the score as ``error_score`` and gives the traceback only in a
    ``UserWarning``. A skhp search collects each fit's warnings
    (``FIT_WARNINGS_KEY``); this copies such a warning's text into the
    fit's ``fit_error``, so that it reaches the journal, ``cv_results_["error"]``,
    the CSV, the report and scikit-learn's ``FitFailedWarning``.

    Parameters
    ----------
    result : dict
        One ``_fit_and_score`` result; changed in place.
    """
    if result.get("fit_error") is not None:
        return
    caught = result.get(FIT_WARNINGS_KEY) or []
    for i, (category, text) in enumerate(caught):
        if issubclass(category, UserWarning) and str(text).startswith(SCORING_FAILED):
            result["fit_error"] = str(text)
            # Reported as a failure now, not again in the warnings' summary.
            result[FIT_WARNINGS_KEY] = caught[:i] + caught[i + 1 :]
            return


def candidate_errors(out, n_splits):
    """Per candidate, the summary of its first failed fold's error, or None.

    Parameters
    ----------
    out : list of dict
        ``_fit_and_score`` results, candidate-major (``n_splits`` per candidate).
    n_splits : int
    """
    errors = []
    for i in range(0, len(out), max(n_splits, 1)):
        folds = out[i : i + n_splits]
        first = next((f["fit_error"] for f in folds if f.get("fit_error")), None)
        errors.append(error_summary(first))
    return errors


@dataclasses.dataclass
class Trial:
    """A candidate and what its cross-validation gave.

    Parameters
    ----------
    params : dict
        The candidate's parameters.
    folds : list of dict
        Per fold, scikit-learn's fit result: ``fit_error`` (traceback text or
        None), ``test_scores`` (a float, or a dict metric -> float),
        ``n_test_samples``, ``fit_time``, ``score_time`` and, when the search
        records them, ``train_scores``; ``pruned: True`` on folds skipped by
        pruning.
    status : {"ok", "failed", "pruned"}
        "failed" when no fold gave a finite score.
    number : int, default=None
        Position in its study, from 0.
    batch : int, default=None
        The batch (one ``evaluate_candidates`` call) it was evaluated in.
    created : float, default=None
        When it was committed (seconds since the epoch).
    """

    params: dict
    folds: list
    status: str = "ok"
    number: int = None
    batch: int = None
    created: float = None

    @classmethod
    def from_folds(cls, params, folds, metric=None):
        """A trial whose status follows from its fold results."""
        folds = [
            {k: v for k, v in fold.items() if k not in _NOT_RECORDED} for fold in folds
        ]
        if any(fold.get("pruned") for fold in folds):
            status = "pruned"
        else:
            ok = math.isfinite(_mean_score(folds, metric or _first_metric(folds)))
            status = "ok" if ok else "failed"
        return cls(params=dict(params), folds=folds, status=status)

    @property
    def key(self):
        """Identity of the candidate (see :func:`skhp.journal.params.candidate_key`)."""
        return candidate_key(self.params)

    @property
    def error(self):
        """The first fold's error text, or None."""
        return next((f["fit_error"] for f in self.folds if f.get("fit_error")), None)

    def score(self, metric=None):
        """Mean test score over the folds (NaN if any fold has none)."""
        return _mean_score(self.folds, metric or _first_metric(self.folds))


def _first_metric(folds):
    for fold in folds:
        scores = fold.get("test_scores")
        if isinstance(scores, dict) and scores:
            return next(iter(scores))
    return "score"
