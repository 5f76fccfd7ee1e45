"""The generation loop gives what transformers' own ``generate`` gives.

The loop computes the LM head on the last prompt position only and stops
without a forward pass after the last token (docs/benchmarks.md); these tests
check that the answers did not change.
"""

import numpy as np
import pytest

from skhp.llm import LLMClassifier
from skhp.llm.registry import get_backend

pytestmark = pytest.mark.slow  # the session fixture trains a model (~20 s)


@pytest.mark.parametrize("max_new_tokens", [1, 3, 8])
def test_greedy_answers_equal_model_generate(
    tiny_model_dir, toy_classification, max_new_tokens
):
    import torch

    X, y = toy_classification
    est = LLMClassifier(
        tiny_model_dir, max_new_tokens=max_new_tokens, batch_size=16, cache=False
    ).fit(X, y)
    ours = est.generate(X)
    backend = get_backend("transformers", tiny_model_dir, dtype="auto", device="auto")
    tok, lm = backend.tokenizer, backend.model
    rendered = est._render(backend, X)
    expected = []
    for start in range(0, len(X), 16):
        enc = tok(
            rendered[start : start + 16],
            add_special_tokens=False,
            padding=True,
            return_tensors="pt",
        )
        with torch.inference_mode():
            out = lm.generate(
                **enc,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tok.pad_token_id,
                eos_token_id=backend.eos_ids,
            )
        for row in out[:, enc["input_ids"].shape[1] :].tolist():
            cut = row
            for i, t in enumerate(row):
                if t in backend.eos_ids:
                    cut = row[:i]
                    break
            expected.append(tok.decode(cut, skip_special_tokens=True))
    np.testing.assert_array_equal(ours, np.asarray(expected, dtype=object))
    assert len(set(ours)) > 1


def test_loglik_reads_the_last_position_only(tiny_model_dir, toy_classification):
    # Loglik's prompt pass keeps only the last position's logits too; scores
    # equal a plain full forward pass over each prompt.
    import torch

    X, y = toy_classification
    est = LLMClassifier(tiny_model_dir, decoding="loglik", cache=False).fit(X, y)
    backend = est._get_backend()
    rendered = est._render(backend, X[:6])
    got = backend.label_logliks(rendered, ["animal"], batch_size=6)[:, 0]
    tok, lm = backend.tokenizer, backend.model
    label = tok(" animal", add_special_tokens=False).input_ids
    assert len(label) == 1
    for i, prompt in enumerate(rendered):
        ids = torch.tensor([tok(prompt, add_special_tokens=False).input_ids])
        with torch.inference_mode():
            logp = lm(input_ids=ids).logits[0, -1].float().log_softmax(-1)
        assert got[i] == pytest.approx(float(logp[label[0]]), abs=1e-4)
