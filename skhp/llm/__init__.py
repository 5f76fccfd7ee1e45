"""LLM generation as scikit-learn estimators.

Tune prompts and decoding settings (temperature, top_p, top_k,
max_new_tokens, few-shot examples, loglik vs. generate) with GridSearchCV,
RandomizedSearchCV or :class:`skhp.BayesSearchCV`, like any other model.
Nothing heavy is imported here: torch, transformers and openai are loaded when
a model is first used.
"""

from .cache import GenerationCache, get_cache
from .classifier import LLMClassifier
from .generator import LLMGenerator
from .parsing import exact_match, parse_label, token_f1
from .registry import clear_registry, load_counts
from .scorers import estimator_score, invalid_rate, llm_scoring, mean_new_tokens

__all__ = [
    "GenerationCache",
    "LLMClassifier",
    "LLMGenerator",
    "clear_registry",
    "estimator_score",
    "exact_match",
    "get_cache",
    "invalid_rate",
    "llm_scoring",
    "load_counts",
    "mean_new_tokens",
    "parse_label",
    "token_f1",
]
