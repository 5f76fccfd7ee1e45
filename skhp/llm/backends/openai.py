"""Generation through any OpenAI-compatible HTTP server.

vLLM, Ollama, llama.cpp's server, TGI and OpenAI itself speak this protocol.
Retries with exponential backoff on 429, 5xx, timeouts and connection errors
are done by the ``openai`` client (``max_retries``); what is still failing
afterwards is raised with the server's URL in the message.
"""

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

from ..._optional import import_optional
from ..credentials import redact, resolve_api_key
from .base import Backend

__all__ = ["OpenAIBackend"]


class OpenAIBackend(Backend):
    """Sends prompts to an OpenAI-compatible server.

    Parameters
    ----------
    model : str
        Model name as the server knows it.
    base_url : str
        Server URL, e.g. "http://127.0.0.1:8000/v1".
    api_key : str, default=None
        API key: None uses ``OPENAI_API_KEY`` or, for local servers that do
        not check it, a placeholder; ``"env:NAME"`` reads the variable
        ``NAME``. Never repeated in error messages.
    timeout : float, default=60.0
        Seconds per request.
    max_retries : int, default=3
        Retries (with exponential backoff) on 429, 5xx and timeouts.
    """

    def __init__(self, model, base_url=None, api_key=None, timeout=60.0, max_retries=3):
        if not base_url:
            raise ValueError(
                "backend='openai' needs the 'base_url' parameter, the address of "
                "an OpenAI-compatible server, e.g. base_url='http://127.0.0.1:8000/v1'."
            )
        openai = import_optional("openai", purpose="backend='openai'")
        self._openai = openai
        self.model = model
        self.base_url = base_url
        self.max_retries = max_retries
        # None: OPENAI_API_KEY; "env:NAME": that variable, read now.
        self._secret = resolve_api_key(api_key)
        self.client = openai.OpenAI(
            base_url=base_url,
            api_key=self._secret or "not-needed",
            timeout=timeout,
            max_retries=max_retries,
        )
        self.model_key = f"openai:{base_url}:{model}"

    @classmethod
    def resolve_model(cls, model):
        if model is None:
            raise ValueError(
                "backend='openai' needs the 'model' parameter: the name of the "
                "model on the server (e.g. model='Qwen/Qwen2.5-0.5B-Instruct')."
            )
        return os.fspath(model)

    def has_chat_template(self):
        return True

    def render(self, user, system_prompt, chat):
        if chat:
            messages = [{"role": "user", "content": user}]
            if system_prompt:
                messages.insert(0, {"role": "system", "content": system_prompt})
            return json.dumps({"messages": messages}, sort_keys=True)
        head = f"{system_prompt}\n\n" if system_prompt else ""
        return json.dumps({"prompt": head + user}, sort_keys=True)

    def _call(self, request, kwargs):
        # A body that is not the JSON the protocol promises (a proxy's error
        # page, a truncated answer) is retried like a 5xx, then named.
        malformed = (json.JSONDecodeError, self._openai.APIResponseValidationError)
        for attempt in range(self.max_retries + 1):
            try:
                return self._call_once(request, kwargs)
            except malformed as exc:
                error = exc
                if attempt < self.max_retries:
                    time.sleep(min(0.5 * 2**attempt, 8.0))
        raise RuntimeError(
            f"The OpenAI-compatible server at {self.base_url} answered "
            f"model={self.model!r} with a malformed response (not the JSON of the "
            f"OpenAI API), {self.max_retries + 1} time(s): "
            f"{type(error).__name__}: {redact(error, self._secret)}. Check that "
            "base_url points at the server's OpenAI-compatible API (usually "
            "ending in /v1)."
        ) from None

    def _call_once(self, request, kwargs):
        openai = self._openai
        try:
            if "messages" in request:
                resp = self.client.chat.completions.create(
                    model=self.model, messages=request["messages"], **kwargs
                )
                texts = [c.message.content or "" for c in resp.choices]
            else:
                resp = self.client.completions.create(
                    model=self.model, prompt=request["prompt"], **kwargs
                )
                texts = [c.text or "" for c in resp.choices]
        except openai.APIConnectionError as exc:
            raise ConnectionError(
                f"Could not reach the OpenAI-compatible server at {self.base_url} "
                f"(after {self.max_retries} retries): {redact(exc, self._secret)}. "
                "Check that the server is running and that base_url is right."
            ) from None
        except openai.APIStatusError as exc:
            raise RuntimeError(
                f"The OpenAI-compatible server at {self.base_url} answered HTTP "
                f"{exc.status_code} for model={self.model!r}: "
                f"{redact(exc.message, self._secret)}"
            ) from None
        usage = getattr(resp, "usage", None)
        n_tokens = getattr(usage, "completion_tokens", None)
        if n_tokens is None:
            # No usage reported: words are the best proxy we have.
            return [(text, len(text.split())) for text in texts]
        # Usage is one total for all choices; split it so that the sum is exact.
        share, rest = divmod(int(n_tokens), max(len(texts), 1))
        return [(text, share + (j < rest)) for j, text in enumerate(texts)]

    def generate(
        self,
        rendered,
        *,
        max_new_tokens,
        temperature,
        top_p,
        top_k,
        seeds,
        stop,
        batch_size,
        n_samples=1,
    ):
        def one(i):
            kwargs = {"max_tokens": max_new_tokens, "temperature": temperature}
            if n_samples > 1:
                kwargs["n"] = n_samples
            if temperature > 0:
                kwargs["top_p"] = top_p
                if seeds is not None:
                    kwargs["seed"] = seeds[i] % (2**31)
                if top_k:
                    # Not in OpenAI's API; vLLM, llama.cpp and Ollama read it.
                    kwargs["extra_body"] = {"top_k": top_k}
            if stop:
                kwargs["stop"] = list(stop)
            answers = self._call(json.loads(rendered[i]), kwargs)
            if len(answers) != n_samples:
                raise RuntimeError(
                    f"The OpenAI-compatible server at {self.base_url} returned "
                    f"{len(answers)} choice(s) for n={n_samples}; it may not "
                    "support the 'n' parameter. Use n_samples=1 with this server."
                )
            out = []
            for text, n in answers:
                for s in stop or ():
                    cut = text.find(s)
                    if cut >= 0:
                        text = text[:cut]
                out.append((text, n))
            return out

        with ThreadPoolExecutor(max_workers=batch_size) as pool:
            return [
                a for answers in pool.map(one, range(len(rendered))) for a in answers
            ]

    def label_logliks(self, rendered, labels, *, batch_size):
        raise NotImplementedError(
            "OpenAI-compatible servers do not return the log-likelihood of a "
            "given continuation; use decoding='generate' with backend='openai'."
        )
