"""Bad input fails early with errors that name the parameter."""

import numpy as np
import pytest

from skhp.llm import LLMClassifier, LLMGenerator

X = ["cat dog", "red blue", "apple plum"]
Y = ["animal", "color", "fruit"]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"top_p": 0.0}, "'top_p' parameter"),
        ({"top_p": 1.5}, "'top_p' parameter"),
        ({"temperature": -0.1}, "'temperature' parameter"),
        ({"max_new_tokens": 0}, "'max_new_tokens' parameter"),
        ({"top_k": -1}, "'top_k' parameter"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"n_examples": -1}, "'n_examples' parameter"),
        ({"backend": "vllm"}, "'backend' parameter"),
        ({"decoding": "beam"}, "'decoding' parameter"),
        ({"on_invalid": "random"}, "'on_invalid' parameter"),
        ({"chat": "yes"}, "'chat' parameter"),
    ],
)
def test_invalid_parameters_name_the_parameter(params, match):
    with pytest.raises(ValueError, match=match):
        LLMClassifier(**params).fit(X, Y)


@pytest.mark.parametrize(
    "prompt, match",
    [
        ("Classify it.", r"'prompt' parameter must contain the placeholder \{text\}"),
        ("{text} -> {answer}", r"'prompt' parameter has unknown placeholder"),
    ],
)
@pytest.mark.parametrize("cls", [LLMClassifier, LLMGenerator])
def test_bad_templates(cls, prompt, match):
    with pytest.raises(ValueError, match=match):
        cls(prompt=prompt).fit(X, Y)


def test_examples_placeholder_required_for_few_shot():
    with pytest.raises(ValueError, match=r"n_examples=2 .*\{examples\}"):
        LLMClassifier(prompt="{text}", n_examples=2).fit(X, Y)


@pytest.mark.parametrize(
    "y, match",
    [
        (["animal", "!!", "fruit"], "empty once case"),
        (["Animal", "animal ", "fruit"], "the same once case"),
    ],
)
def test_bad_labels(y, match):
    with pytest.raises(ValueError, match=match):
        LLMClassifier().fit(X, y)


@pytest.mark.parametrize(
    "model", ["/nonexistent/model-dir", "./missing", "weights/tiny.gguf"]
)
def test_missing_model_path_fails_at_once(model):
    with pytest.raises(ValueError, match="'model' parameter points to"):
        LLMClassifier(model=model).fit(X, Y)


@pytest.mark.parametrize(
    "X_bad, match",
    [
        (np.arange(3.0), "X\\[0\\] is 0.0 of type float"),
        (np.zeros((3, 2)), "one text per sample"),
        ("just one string", "sequence of texts"),
        ([], "0 samples"),
    ],
)
def test_non_text_input(X_bad, match):
    with pytest.raises(ValueError, match=match):
        LLMClassifier().fit(X_bad, Y[: len(X_bad)] if len(X_bad) else [])


def test_y_none_and_length_mismatch():
    with pytest.raises(ValueError, match="requires y"):
        LLMClassifier().fit(X, None)
    with pytest.raises(ValueError, match="same length"):
        LLMGenerator(model="/nonexistent").fit(X, Y[:2])


def test_generator_scoring_and_stop_checked():
    with pytest.raises(ValueError, match="'scoring' parameter of LLMGenerator"):
        LLMGenerator(scoring="bleu").fit(X, Y)
    with pytest.raises(ValueError, match="'stop' parameter"):
        LLMGenerator(stop=[""]).fit(X, Y)


def test_openai_backend_requires_url_and_model():
    pytest.importorskip("openai")
    with pytest.raises(ValueError, match="'base_url' parameter"):
        LLMClassifier(model="m", backend="openai").fit(X, Y)
    with pytest.raises(ValueError, match="'model' parameter"):
        LLMClassifier(backend="openai", base_url="http://127.0.0.1:9/v1").fit(X, Y)


def test_generator_prompt_has_no_labels_placeholder():
    with pytest.raises(ValueError, match=r"unknown placeholder\(s\) \{labels\}"):
        LLMGenerator(prompt="{labels}: {text}").fit(X, Y)
