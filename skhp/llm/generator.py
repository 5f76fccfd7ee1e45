"""LLMGenerator: text in, text out, scored by a metric."""

import numpy as np

from .._compat import (
    fit_context,
)
from .._text_input import check_texts
from .base import _BaseLLM, _check_target
from .parsing import exact_match, token_f1
from .prompts import (
    DEFAULT_GENERATOR_PROMPT,
)

__all__ = ["LLMGenerator"]

_GENERATOR_METRICS = {"exact_match": exact_match, "token_f1": token_f1}


class LLMGenerator(_BaseLLM):
    """Text in, text out, scored by a metric; prompt and decoding are parameters.

    For short-answer QA, extraction and similar tasks. ``fit`` draws
    ``n_examples`` few-shot ``(text, answer)`` pairs from the training fold and
    checks that the model loads; ``predict`` generates one answer per text
    (cut at the first ``stop`` string); ``score`` compares answers with ``y``
    using ``scoring``.

    Parameters
    ----------
    model : str or os.PathLike, default=None
        As in :class:`LLMClassifier`.
    backend : {"transformers", "openai"}, default="transformers"
        As in :class:`LLMClassifier`.
    prompt : str, default=None
        Template with ``{text}`` and optionally ``{examples}``. None:
        ``"{examples}Text: {text}\\nAnswer:"``.
    system_prompt : str, default=None
        As in :class:`LLMClassifier`.
    chat : bool or "auto", default="auto"
        As in :class:`LLMClassifier`.
    temperature : float, default=0.0
        0 is greedy decoding.
    top_p : float, default=1.0
        Nucleus sampling mass, in (0, 1].
    top_k : int, default=None
        Top-k sampling; None or 0: no limit.
    max_new_tokens : int, default=32
        Maximum generated tokens per answer.
    n_examples : int, default=0
        Few-shot examples drawn from the training fold.
    example_template : str, default=None
        Format of one example with ``{text}`` and ``{label}`` (the answer).
    stop : str or list of str, default="\\n"
        The answer ends before the first of these; None: no stop string.
    batch_size : int, default=8
        Prompts per forward pass (or concurrent requests).
    random_state : int, RandomState instance or None, default=None
        Seeds the few-shot draw and sampling.
    scoring : {"exact_match", "token_f1"} or callable, default=None
        Metric for ``score``: normalized exact match, SQuAD token F1, or
        ``metric(y_true, y_pred) -> float``. None: "exact_match".
    cache, base_url, api_key, dtype, device, timeout, max_retries, \
torch_num_threads
        As in :class:`LLMClassifier`.

    Attributes
    ----------
    examples_ : list of (str, str)
        The few-shot examples.
    chat_ : bool
        Whether the chat template is used.

    See Also
    --------
    LLMClassifier : Text in, one of a set of labels out.
    """

    _parameter_constraints = {
        **_BaseLLM._parameter_constraints,
        "stop": [str, list, tuple, None],
    }
    _default_prompt = DEFAULT_GENERATOR_PROMPT
    # A generator has no label set to show.
    _prompt_fields = ("text", "examples")
    decoding = "generate"

    def __init__(
        self,
        model=None,
        *,
        backend="transformers",
        prompt=None,
        system_prompt=None,
        chat="auto",
        temperature=0.0,
        top_p=1.0,
        top_k=None,
        max_new_tokens=32,
        n_examples=0,
        example_template=None,
        stop="\n",
        batch_size=8,
        random_state=None,
        scoring=None,
        cache=True,
        base_url=None,
        api_key=None,
        dtype="auto",
        device="auto",
        timeout=60.0,
        max_retries=3,
        torch_num_threads="auto",
    ):
        self.model = model
        self.backend = backend
        self.prompt = prompt
        self.system_prompt = system_prompt
        self.chat = chat
        self.temperature = temperature
        self.top_p = top_p
        self.top_k = top_k
        self.max_new_tokens = max_new_tokens
        self.n_examples = n_examples
        self.example_template = example_template
        self.stop = stop
        self.batch_size = batch_size
        self.random_state = random_state
        self.scoring = scoring
        self.cache = cache
        self.base_url = base_url
        self.api_key = api_key
        self.dtype = dtype
        self.device = device
        self.timeout = timeout
        self.max_retries = max_retries
        self.torch_num_threads = torch_num_threads

    def _stop(self):
        if self.stop is None:
            return None
        return [self.stop] if isinstance(self.stop, str) else list(self.stop)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Draw few-shot examples and check that the model loads.

        Parameters
        ----------
        X : sequence of str
            Training texts.
        y : sequence of str
            Reference answers.

        Returns
        -------
        self : LLMGenerator
            Fitted estimator.
        """
        _check_target(self, y)
        texts = check_texts(X, type(self).__name__)
        answers = [str(a) for a in np.asarray(y, dtype=object).ravel()]
        stop = self._stop()
        if stop is not None and any(not isinstance(s, str) or s == "" for s in stop):
            raise ValueError(
                f"The 'stop' parameter must hold non-empty strings, got {self.stop!r}."
                " Use e.g. stop='\\n', or None for no stop string."
            )
        if isinstance(self.scoring, str) and self.scoring not in _GENERATOR_METRICS:
            raise ValueError(
                f"The 'scoring' parameter of LLMGenerator must be one of "
                f"{sorted(_GENERATOR_METRICS)} or a callable metric(y_true, y_pred)"
                f"; got {self.scoring!r}."
            )
        self._fit_common(texts, answers)
        return self

    def predict(self, X):
        """Generate one answer per text.

        Parameters
        ----------
        X : sequence of str
            Input texts.

        Returns
        -------
        answers : ndarray of str, shape (n_samples,)
            Generated text, cut at ``stop`` and stripped.
        """
        return np.asarray([a[0][0].strip() for a in self._outputs(X)], dtype=object)

    def score(self, X, y, sample_weight=None):
        """Compare answers with ``y`` using ``scoring`` (default: exact match).

        Parameters
        ----------
        X : sequence of str
            Input texts.
        y : sequence of str
            Reference answers.
        sample_weight : None
            Not supported; present for API compatibility.

        Returns
        -------
        score : float
        """
        if sample_weight is not None:
            raise ValueError("LLMGenerator.score does not support sample_weight.")
        metric = self.scoring
        if metric is None:
            metric = "exact_match"
        if isinstance(metric, str):
            metric = _GENERATOR_METRICS[metric]
        y = [str(a) for a in np.asarray(y, dtype=object).ravel()]
        return float(metric(y, list(self.predict(X))))
