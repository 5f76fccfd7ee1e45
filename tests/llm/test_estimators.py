"""LLMClassifier and LLMGenerator on the tiny GPT-2 fixture: real effects."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skhp.llm import (
    LLMClassifier,
    LLMGenerator,
    get_cache,
    invalid_rate,
    load_counts,
)
from skhp.llm.registry import get_backend
from skhp.testing import TOY_EXTRACT_PROMPT

pytestmark = pytest.mark.slow  # the session fixture trains a model (~20 s)


def _clf(model, **params):
    return LLMClassifier(model, **params)


def test_greedy_is_accurate_and_beats_hot_sampling(tiny_model_dir, toy_classification):
    X, y = toy_classification
    greedy = _clf(tiny_model_dir).fit(X, y)
    hot = _clf(tiny_model_dir, temperature=2.0, random_state=0).fit(X, y)
    assert greedy.score(X, y) >= 0.9
    assert hot.score(X, y) < greedy.score(X, y) - 0.2


def test_bad_template_scores_lower(tiny_model_dir, toy_classification):
    X, y = toy_classification
    good = _clf(tiny_model_dir).fit(X, y).score(X, y)
    bad = _clf(tiny_model_dir, prompt="Words: {text}.", max_new_tokens=3).fit(X, y)
    assert bad.score(X, y) < good - 0.2


def test_loglik_equals_greedy_on_clean_template(tiny_model_dir, toy_classification):
    X, y = toy_classification
    greedy = _clf(tiny_model_dir).fit(X, y)
    loglik = _clf(tiny_model_dir, decoding="loglik").fit(X, y)
    np.testing.assert_array_equal(loglik.predict(X), greedy.predict(X))
    proba = loglik.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_array_equal(loglik.classes_[proba.argmax(1)], loglik.predict(X))
    assert not hasattr(greedy, "predict_proba")


def test_loglik_multitoken_labels_use_the_kv_cache_correctly(tiny_model_dir):
    # Labels of several tokens go through the repeated-KV-cache path; compare
    # with scoring each full sequence in one plain forward pass.
    import torch

    backend = get_backend("transformers", tiny_model_dir, dtype="auto", device="auto")
    prompts = [
        "Choose one label from: animal, color, fruit.\nText: cat dog\nAnswer:",
        "Text: red\nAnswer:",
    ]
    labels = ["animal", "yellow banana", "purple cat dog"]
    got = backend.label_logliks(prompts, labels, batch_size=2)
    tok, model = backend.tokenizer, backend.model
    for i, p in enumerate(prompts):
        p_ids = tok(p, add_special_tokens=False).input_ids
        for j, lab in enumerate(labels):
            c_ids = tok(" " + lab, add_special_tokens=False).input_ids
            with torch.inference_mode():
                logits = model(input_ids=torch.tensor([p_ids + c_ids])).logits[0]
            logp = logits.log_softmax(-1)
            ref = sum(float(logp[len(p_ids) + k - 1, t]) for k, t in enumerate(c_ids))
            assert got[i, j] == pytest.approx(ref, abs=1e-4)


@pytest.mark.parametrize("temperature", [0.0, 1.3])
def test_batched_equals_one_at_a_time(tiny_model_dir, toy_classification, temperature):
    X, y = toy_classification
    params = dict(temperature=temperature, random_state=3, cache=False)
    one = _clf(tiny_model_dir, batch_size=1, **params).fit(X, y).generate(X)
    batched = _clf(tiny_model_dir, batch_size=16, **params).fit(X, y).generate(X)
    np.testing.assert_array_equal(one, batched)


def test_batched_loglik_equals_one_at_a_time(tiny_model_dir, toy_classification):
    X, y = toy_classification
    one = _clf(tiny_model_dir, decoding="loglik", batch_size=1, cache=False).fit(X, y)
    many = _clf(tiny_model_dir, decoding="loglik", batch_size=16, cache=False)
    many.fit(X, y)
    np.testing.assert_allclose(one._loglik(X), many._loglik(X), atol=1e-4)


def test_sampling_is_reproducible(tiny_model_dir, toy_classification):
    X, y = toy_classification
    params = dict(temperature=1.5, cache=False)
    a = _clf(tiny_model_dir, random_state=7, **params).fit(X, y).generate(X)
    b = _clf(tiny_model_dir, random_state=7, **params).fit(X, y).generate(X)
    c = _clf(tiny_model_dir, random_state=8, **params).fit(X, y).generate(X)
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()


def test_top_k_one_is_greedy(tiny_model_dir, toy_classification):
    X, y = toy_classification
    greedy = _clf(tiny_model_dir, cache=False).fit(X, y).generate(X)
    topk1 = _clf(tiny_model_dir, temperature=1.5, top_k=1, random_state=0)
    np.testing.assert_array_equal(topk1.fit(X, y).generate(X), greedy)


def test_greedy_cache_skips_repeated_work(tiny_model_dir, toy_classification):
    X, y = toy_classification
    backend = get_backend("transformers", tiny_model_dir, dtype="auto", device="auto")
    calls = []
    original = backend.generate

    def counting(rendered, **kw):
        calls.append(len(rendered))
        return original(rendered, **kw)

    backend.generate = counting
    try:
        get_cache(True).clear()
        base = _clf(tiny_model_dir, max_new_tokens=5).fit(X, y)
        outputs = []
        for top_p in (0.3, 0.9, 1.0):
            for top_k in (None, 5):
                est = clone(base).set_params(top_p=top_p, top_k=top_k).fit(X, y)
                outputs.append(est.generate(X))
    finally:
        del backend.generate
    # Six greedy candidates, one generation of each distinct prompt.
    assert sum(calls) == len(set(X))
    for out in outputs[1:]:
        np.testing.assert_array_equal(out, outputs[0])
    assert get_cache(True).hits >= 5 * len(X)


def test_on_disk_cache(tiny_model_dir, toy_classification, tmp_path):
    X, y = toy_classification
    est = _clf(tiny_model_dir, cache=str(tmp_path)).fit(X, y)
    first = est.generate(X)
    assert len(get_cache(str(tmp_path))) == len(set(X))
    from skhp.llm.cache import GenerationCache

    fresh = GenerationCache(tmp_path)  # like a new process
    rendered = est._render(est._get_backend(), X[:1])
    from skhp.llm.cache import make_key

    key = make_key(est._get_backend().model_key, rendered[0], est._settings(), None)
    assert fresh.get(key)[0] == first[0]


def test_clone_and_pickle_carry_no_weights(tiny_model_dir, toy_classification):
    X, y = toy_classification
    est = _clf(tiny_model_dir, n_examples=2, random_state=0).fit(X, y)
    before = est.predict(X)
    blob = pickle.dumps(est)
    assert len(blob) < 20_000  # the model itself is ~1 MB
    again = pickle.loads(blob)
    np.testing.assert_array_equal(again.predict(X), before)
    clone(est).fit(X, y)
    keys = [k for k in load_counts() if k[1] == tiny_model_dir]
    assert keys and all(load_counts()[k] == 1 for k in keys)


def test_few_shot_examples_come_from_the_training_fold(tiny_model_dir):
    from skhp.testing import make_toy_classification

    X, y = make_toy_classification(20, random_state=1)
    est = _clf(tiny_model_dir, n_examples=2, random_state=0).fit(X[:10], y[:10])
    assert len(est.examples_) == 2
    assert all(text in X[:10] for text, _ in est.examples_)
    rendered = est._render(est._get_backend(), ["cat"])[0]
    for text, label in est.examples_:
        assert f"Text: {text}\nAnswer: {label}\n" in rendered
    assert est.score(X[10:], y[10:]) >= 0.8
    other = _clf(tiny_model_dir, n_examples=2, random_state=1).fit(X[:10], y[:10])
    assert other.examples_ != est.examples_


def test_unparsable_answers_policy(tiny_model_dir, toy_classification):
    X, y = toy_classification
    # Renamed classes: the model still answers animal/color/fruit, which is
    # none of the labels.
    rename = {"animal": "alpha", "color": "beta", "fruit": "gamma"}
    y = np.array([rename[v] for v in y], dtype=object)
    params = {}
    counted = _clf(tiny_model_dir, **params).fit(X, y)
    assert set(counted.generate(X)) <= {" animal", " color", " fruit"}
    pred = counted.predict(X)
    assert counted.invalid_label_ not in set(counted.classes_)
    assert (pred == counted.invalid_label_).all()
    assert counted.score(X, y) == 0.0
    assert invalid_rate(counted, X, y) == 1.0
    with pytest.raises(ValueError, match="on_invalid='count'"):
        _clf(tiny_model_dir, on_invalid="raise", **params).fit(X, y).predict(X)


def test_integer_classes_get_an_integer_invalid_marker():
    assert LLMClassifier._pick_invalid_label(np.array([0, 1, 2])) == -1
    assert LLMClassifier._pick_invalid_label(np.array(["<invalid>", "a"])) != "a"


def test_scoring_parameter(tiny_model_dir, toy_classification):
    X, y = toy_classification
    est = _clf(tiny_model_dir, scoring="f1_macro").fit(X, y)
    from sklearn.metrics import f1_score

    assert est.score(X, y) == pytest.approx(
        f1_score(y, est.predict(X), average="macro")
    )
    est.set_params(scoring=lambda yt, yp: float(np.mean(yt != yp)))
    assert est.score(X, y) == pytest.approx(1 - (est.predict(X) == y).mean())
    with pytest.raises(ValueError, match="'scoring' parameter is 'accuracyy'"):
        _clf(tiny_model_dir, scoring="accuracyy").fit(X, y)


def test_chat_true_without_template(tiny_model_dir, toy_classification):
    X, y = toy_classification
    with pytest.raises(ValueError, match="chat=True but model="):
        _clf(tiny_model_dir, chat=True).fit(X, y)


def test_system_prompt_changes_the_prompt(tiny_model_dir, toy_classification):
    X, y = toy_classification
    est = _clf(tiny_model_dir, system_prompt="Be brief.").fit(X, y)
    assert est._render(est._get_backend(), ["x"])[0].startswith("Be brief.\n\n")


def test_generator_extracts_and_scores(tiny_model_dir, toy_extraction):
    X, y = toy_extraction
    gen = LLMGenerator(tiny_model_dir, prompt=TOY_EXTRACT_PROMPT).fit(X, y)
    pred = gen.predict(X)
    assert not any("\n" in p for p in pred)
    em = gen.score(X, y)
    assert em >= 0.6
    assert gen.set_params(scoring="token_f1").score(X, y) >= em
    gen.set_params(scoring=lambda yt, yp: sum(a == b for a, b in zip(yt, yp)))
    assert gen.score(X, y) == sum(a == b for a, b in zip(y, pred))
    hot = LLMGenerator(
        tiny_model_dir, prompt=TOY_EXTRACT_PROMPT, temperature=2.5, random_state=0
    ).fit(X, y)
    assert hot.score(X, y) < em


def test_generator_stop_none_keeps_newlines(tiny_model_dir, toy_extraction):
    X, y = toy_extraction
    gen = LLMGenerator(
        tiny_model_dir, prompt="{text}", stop=None, max_new_tokens=6
    ).fit(X, y)
    assert any("\n" in t for t in gen.generate(X))


def test_text_containers(tiny_model_dir, toy_classification):
    pd = pytest.importorskip("pandas")
    X, y = toy_classification
    est = _clf(tiny_model_dir).fit(pd.Series(X), pd.Series(y))
    expected = est.predict(X)
    np.testing.assert_array_equal(est.predict(pd.DataFrame({"text": X})), expected)
    np.testing.assert_array_equal(est.predict(np.array(X)[:, None]), expected)
    with pytest.raises(ValueError, match="Select the text column"):
        est.predict(pd.DataFrame({"a": X, "b": X}))


@pytest.mark.parametrize("decoding", ["generate", "loglik"])
@pytest.mark.parametrize("threads, expected", [(2, 2), (1, 1), (None, 3)])
def test_torch_num_threads_holds_while_computing_and_is_restored(
    tiny_model_dir, toy_classification, monkeypatch, decoding, threads, expected
):
    torch = pytest.importorskip("torch")
    from skhp.llm.backends.transformers import TransformersBackend

    seen = []
    for name in ("generate", "label_logliks"):
        original = getattr(TransformersBackend, name)

        def spy(self, *args, _original=original, **kwargs):
            seen.append(torch.get_num_threads())
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(TransformersBackend, name, spy)
    X, y = toy_classification
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        est = _clf(
            tiny_model_dir, decoding=decoding, cache=False, torch_num_threads=threads
        )
        est.fit(X[:8], y[:8]).predict(X[:8])
        assert seen and set(seen) == {expected}
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)


def test_torch_num_threads_auto_is_one_on_small_machines(monkeypatch):
    from skhp import _torch_threads

    monkeypatch.setattr(_torch_threads, "_usable_cores", lambda: 2)
    assert _torch_threads.resolve_threads("auto", None) == 1
    monkeypatch.setattr(_torch_threads, "_usable_cores", lambda: 32)
    assert _torch_threads.resolve_threads("auto", None) is None
    assert _torch_threads.resolve_threads(3, None) == 3


def test_torch_num_threads_is_validated(toy_classification):
    X, y = toy_classification
    with pytest.raises(ValueError, match="torch_num_threads"):
        LLMClassifier(torch_num_threads=0).fit(X, y)


def test_loading_is_quiet_unless_asked(tiny_model_dir, monkeypatch, capsys):
    import warnings

    transformers = pytest.importorskip("transformers")
    from skhp.llm.backends.transformers import TransformersBackend

    original = transformers.AutoModelForCausalLM.from_pretrained

    def noisy(*args, **kwargs):
        import sys

        print("Converting and de-quantizing GGUF tensors...", file=sys.stderr)
        warnings.warn("`foo` is deprecated", FutureWarning, stacklevel=2)
        return original(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", noisy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TransformersBackend(tiny_model_dir)
    assert capsys.readouterr().err == ""
    assert not [w for w in caught if issubclass(w.category, FutureWarning)]
    assert transformers.utils.logging.is_progress_bar_enabled()

    monkeypatch.setenv("SKHP_VERBOSE_LOADING", "1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TransformersBackend(tiny_model_dir)
    assert "de-quantizing" in capsys.readouterr().err
    assert [w for w in caught if issubclass(w.category, FutureWarning)]
