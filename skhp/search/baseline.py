"""The chance level of a metric: the score of a baseline that ignores the features.

:class:`~skhp.BayesSearchCV` with two objectives measures the front it
proposes for up to a reference point, the least useful value of each
objective. Its default, ``reference_point="baseline"``, sets the primary
metric's to :func:`baseline_score`: what scikit-learn's
:class:`~sklearn.dummy.DummyClassifier` (``strategy="prior"``: the majority
class, the class shares as probabilities) or
:class:`~sklearn.dummy.DummyRegressor` (the mean) scores on the training
data. A candidate no better than that learned nothing from the features: an
accuracy of 0.5 on a balanced binary task, 0.95 on a 95 : 5 one, a ROC AUC of
0.5, an R² of 0.
"""

import math

from sklearn.base import is_classifier, is_regressor

__all__ = ["baseline_score"]


def _final_step(estimator):
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def _own_score_metric(estimator):
    """What ``estimator.score`` measures, to score a dummy with; None if unknown.

    An estimator with a string ``scoring`` parameter (skhp's LLM estimators)
    scores with that metric; without one (or with None) it follows
    scikit-learn's convention, ``score`` = accuracy or R², which the dummy's
    own ``score`` gives (returned as ``"score"``). A callable ``scoring``
    cannot be carried over (None).
    """
    final = _final_step(estimator)
    params = final.get_params(deep=False) if hasattr(final, "get_params") else {}
    own = params.get("scoring")
    if own is None:
        return "score"
    return own if isinstance(own, str) else None


def baseline_score(estimator, scorer, X, y):
    """The score of a feature-blind baseline of ``estimator``'s kind on ``(X, y)``.

    Parameters
    ----------
    estimator : estimator
        The searched estimator: a classifier or a regressor
        (:func:`~sklearn.base.is_classifier`, :func:`~sklearn.base.is_regressor`;
        a pipeline counts as its last step).
    scorer : str, callable or None
        The metric: a scorer name, a scorer ``scorer(estimator, X, y)``, or
        None (or :func:`skhp.llm.estimator_score`) for the estimator's own
        ``score``.
    X : array-like or sequence of str
        The training inputs (only their number is used).
    y : array-like
        The training targets.

    Returns
    -------
    score : float or None
        ``scorer`` of a :class:`~sklearn.dummy.DummyClassifier`
        (``strategy="prior"``) or :class:`~sklearn.dummy.DummyRegressor`
        fitted and scored on ``(X, y)``; None when there is no such baseline:
        the estimator is neither a classifier nor a regressor, ``y`` is None,
        its own ``score`` uses a callable metric, or the scorer fails on the
        dummy or gives a non-finite value (a scorer of costs such as
        generated tokens reads attributes a dummy does not have).
    """
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.metrics import check_scoring

    from ..llm.scorers import estimator_score

    if y is None:
        return None
    if is_classifier(estimator):
        dummy = DummyClassifier(strategy="prior")
    elif is_regressor(estimator):
        dummy = DummyRegressor()
    else:
        return None
    if scorer is None or scorer is estimator_score:
        scorer = _own_score_metric(estimator)
        if scorer is None:
            return None
    try:
        dummy.fit(X, y)
        if scorer == "score":
            value = dummy.score(X, y)
        else:
            value = check_scoring(dummy, scoring=scorer)(dummy, X, y)
        value = float(value)
    except Exception:  # noqa: BLE001 - any failure means: no baseline
        return None
    return value if math.isfinite(value) else None
