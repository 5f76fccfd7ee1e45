"""What the LLM estimators share: parameters, prompt rendering, cached generation."""

import contextlib
import copy
import hashlib
import json
import os
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._compat import (
    Interval,
    StrOptions,
)
from .._optional import import_optional
from .._text_input import check_texts
from .cache import get_cache, make_key
from .credentials import REDACTED, is_reference
from .fewshot import (
    balanced_examples,
    fit_nearest,
    nearest_examples,
    random_examples,
)
from .prompts import (
    DEFAULT_EXAMPLE_TEMPLATE,
    check_template,
    render_examples,
    render_prompt,
)
from .registry import get_backend

__all__ = ["_BaseLLM"]


def _check_target(estimator, y):
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y "
            "is None. Pass the labels (or reference answers) of the training texts."
        )


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
        "torch_num_threads": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
    }

    _default_prompt = None
    _prompt_fields = ("text", "labels", "examples")
    # Answers sampled per text and how few-shot examples are chosen; the
    # classifier makes them parameters (``n_samples``, ``example_selection``).
    n_samples = 1
    example_selection = "random"

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

    def _threads(self):
        """Torch's threads while the transformers backend computes."""
        if self.backend != "transformers":
            return contextlib.nullcontext()
        from .._torch_threads import torch_threads

        torch = import_optional("torch", purpose="the transformers backend")
        return torch_threads(torch, self.torch_num_threads)

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
        if self.example_selection == "nearest" and self.n_examples:
            # The whole fold is the pool; each text gets its nearest examples.
            order, self.example_vectorizer_ = fit_nearest(texts, rng)
            picks = order
        else:
            self.__dict__.pop("example_vectorizer_", None)
            if self.example_selection == "balanced":
                picks = balanced_examples(answers, self.n_examples, rng)
            else:
                picks = random_examples(len(texts), self.n_examples, rng)
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

    def _shots(self, texts):
        """The rendered few-shot block for each text."""
        template = self._example_template()
        if self.example_selection == "nearest" and self.n_examples:
            chosen = nearest_examples(
                self.example_vectorizer_, self.examples_, texts, self.n_examples
            )
            return [render_examples(c, template) for c in chosen]
        return [render_examples(self.examples_, template)] * len(texts)

    def _render(self, backend, texts):
        labels = getattr(self, "labels_", None)
        return [
            backend.render(
                render_prompt(self._template(), t, labels=labels, examples=shots),
                self.system_prompt,
                self.chat_,
            )
            for t, shots in zip(texts, self._shots(texts))
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

    def _n_draws(self):
        """Answers generated per text: ``n_samples`` when sampling, else one."""
        return int(self.n_samples) if self.temperature > 0 else 1

    def _outputs(self, X):
        """Per text, its answers as a list of ``(text, n_new_tokens)``.

        One answer per text, or ``n_samples`` with ``temperature > 0``; all
        through the caches.
        """
        check_is_fitted(self)
        texts = check_texts(X, type(self).__name__)
        backend = self._get_backend()
        rendered = self._render(backend, texts)
        settings = self._settings()
        k = self._n_draws()
        if k > 1:
            settings["n_samples"] = k
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
                # k answers are stored as one entry: their JSON and token total.
                outputs[i] = [hit] if k == 1 else [tuple(a) for a in json.loads(hit[0])]
            else:
                todo.setdefault(key, []).append(i)
        if todo:
            first = [idx[0] for idx in todo.values()]
            # Backends written before n_samples existed keep working at k=1.
            extra = {"n_samples": k} if k > 1 else {}
            with self._threads():
                generated = backend.generate(
                    [rendered[i] for i in first],
                    max_new_tokens=int(self.max_new_tokens),
                    temperature=float(self.temperature),
                    top_p=float(self.top_p),
                    top_k=int(self.top_k) if self.top_k else None,
                    seeds=None if seeds is None else [seeds[i] for i in first],
                    stop=self._stop(),
                    batch_size=int(self.batch_size),
                    **extra,
                )
            for j, (key, idx) in enumerate(todo.items()):
                answers = [tuple(a) for a in generated[j * k : (j + 1) * k]]
                if cache is not None:
                    cache.put(
                        key,
                        answers[0]
                        if k == 1
                        else (json.dumps(answers), sum(n for _, n in answers)),
                    )
                for i in idx:
                    outputs[i] = answers
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
        texts : ndarray of str, shape (n_texts,) or (n_texts, n_samples)
            One answer per text; with ``n_samples > 1``, one column per
            sample (with greedy decoding the single answer is repeated).
        """
        outputs = self._outputs(X)
        if self.n_samples == 1:
            return np.asarray([answers[0][0] for answers in outputs], dtype=object)
        texts = np.empty((len(outputs), int(self.n_samples)), dtype=object)
        for i, answers in enumerate(outputs):
            texts[i] = [t for t, _ in answers] * (texts.shape[1] // len(answers))
        return texts

    def _generation_stats(self, X):
        """Used by :mod:`skhp.llm.scorers`: (invalid share, mean new tokens).

        New tokens are those generated for a text, summed over its samples.
        """
        outputs = self._outputs(X)
        tokens = [sum(n for _, n in answers) for answers in outputs]
        return self._invalid_share(outputs), float(np.mean(tokens))

    def _invalid_share(self, outputs):
        return 0.0

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_memo", None)
        if state.get("api_key") is not None and not is_reference(state["api_key"]):
            # A key given literally stays out of pickles (and so out of every
            # file a pickle lands in); a worker process reads OPENAI_API_KEY.
            state["api_key"] = None
        return state

    def __repr__(self, N_CHAR_MAX=700):
        if self.api_key is None or is_reference(self.api_key):
            return super().__repr__(N_CHAR_MAX)
        shown = copy.copy(self)
        shown.api_key = REDACTED
        return super(_BaseLLM, shown).__repr__(N_CHAR_MAX)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.target_tags.required = True
        tags.non_deterministic = True
        return tags
