"""Scorers that put generation statistics into a search's ``cv_results_``.

Each takes ``(estimator, X, y)`` like any scikit-learn scorer, so searchers
accept them in a multi-metric ``scoring`` dict. They reuse the predictions the
estimator just made for its main score (memoized on the estimator, and in the
generation cache), so they cost no extra generation.

Examples
--------
>>> from sklearn.model_selection import GridSearchCV
>>> from skhp.llm import LLMClassifier
>>> from skhp.llm.scorers import llm_scoring
>>> search = GridSearchCV(
...     LLMClassifier(random_state=0), {"temperature": [0.0, 1.0]},
...     scoring=llm_scoring(), refit="score",
... )
"""

__all__ = ["estimator_score", "invalid_rate", "llm_scoring", "mean_new_tokens"]


def estimator_score(estimator, X, y):
    """The estimator's own ``score`` (its ``scoring`` parameter)."""
    return estimator.score(X, y)


def invalid_rate(estimator, X, y=None):
    """Share of texts whose answers contain no label (0 for loglik and generators).

    Lower is better; reported, not meant for ``refit``.
    """
    return estimator._generation_stats(X)[0]


def mean_new_tokens(estimator, X, y=None):
    """Mean number of generated tokens per text (0 for loglik).

    With ``n_samples > 1`` (and sampling), the tokens of all of a text's
    sampled answers count: the cost grows with the number of samples.
    """
    return estimator._generation_stats(X)[1]


def llm_scoring():
    """A multi-metric ``scoring`` dict for searches over LLM estimators.

    Returns
    -------
    scoring : dict
        ``{"score": estimator_score, "invalid_rate": invalid_rate,
        "mean_new_tokens": mean_new_tokens}``; use it with ``refit="score"``.
        ``cv_results_`` then has ``mean_test_score``,
        ``mean_test_invalid_rate`` and ``mean_test_mean_new_tokens``.
    """
    return {
        "score": estimator_score,
        "invalid_rate": invalid_rate,
        "mean_new_tokens": mean_new_tokens,
    }
