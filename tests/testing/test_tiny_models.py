"""skhp.testing: the generated tasks and the tiny BERT shared by tests and docs.

The tiny GPT-2 is exercised by every LLM test through ``tiny_model_dir``.
"""

import json
import sys

import numpy as np
import pytest

from skhp.testing import (
    TOPICS,
    TOY_LABELS,
    make_tiny_bert,
    make_topic_texts,
    make_toy_classification,
    make_toy_extraction,
)


def test_topic_texts_are_seeded_and_labelled():
    texts, labels = make_topic_texts(5, seed=3)
    again, _ = make_topic_texts(5, seed=3)
    other, _ = make_topic_texts(5, seed=4)
    assert len(texts) == 15 and texts == again and texts != other
    assert sorted(set(labels)) == sorted(TOPICS)
    for text, label in zip(texts, labels):
        words = set(text.lower().rstrip(".").split())
        assert words & set(TOPICS[label])


@pytest.mark.parametrize("make", [make_toy_classification, make_toy_extraction])
def test_toy_tasks_are_seeded(make):
    X, y = make(12, random_state=5)
    X2, y2 = make(12, random_state=5)
    assert X == X2 and np.array_equal(y, y2) and len(X) == 12


def test_toy_classification_texts_hold_their_label():
    X, y = make_toy_classification(30, random_state=0)
    assert set(y) <= set(TOY_LABELS)
    X_fruit, fruit = make_toy_extraction(30, random_state=0)
    assert all(f in text.split() for text, f in zip(X_fruit, fruit))


def test_tiny_bert_with_word_vocabulary_is_reproducible(tmp_path):
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    texts, _ = make_topic_texts(10, seed=0)
    paths = [
        make_tiny_bert(tmp_path / str(i), texts, tokenizer="words") for i in (0, 1)
    ]
    files = [
        json.loads((tmp_path / str(i) / "tokenizer.json").read_text()) for i in (0, 1)
    ]
    assert files[0] == files[1]
    models = [
        transformers.AutoModelForSequenceClassification.from_pretrained(p)
        for p in paths
    ]
    for a, b in zip(models[0].parameters(), models[1].parameters()):
        assert a.equal(b)
    tokenizer = transformers.AutoTokenizer.from_pretrained(paths[0])
    ids = tokenizer(texts[0])["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids)[0] == "[CLS]"
    assert tokenizer.unk_token_id not in ids  # every word of the texts is known
    assert tokenizer(["zebra"])["input_ids"][0][1] == tokenizer.unk_token_id


def test_tiny_bert_options_reach_the_config(tmp_path):
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    texts, _ = make_topic_texts(10, seed=0)
    path = make_tiny_bert(tmp_path, texts, hidden_size=16, dropout=0.0)
    config = transformers.AutoConfig.from_pretrained(path)
    assert (config.hidden_size, config.intermediate_size) == (16, 32)
    assert config.hidden_dropout_prob == config.attention_probs_dropout_prob == 0.0
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    # WordPiece splits a word it has not seen into pieces it has.
    pieces = tokenizer.tokenize("stadiumpython")
    assert len(pieces) > 1 and "[UNK]" not in pieces


def test_tiny_bert_rejects_an_unknown_tokenizer(tmp_path):
    with pytest.raises(ValueError, match="tokenizer must be 'wordpiece' or 'words'"):
        make_tiny_bert(tmp_path, ["a b"], tokenizer="bpe")


def test_tiny_models_name_the_missing_extra(tmp_path, monkeypatch):
    from skhp.testing import train_tiny_gpt2

    monkeypatch.setitem(sys.modules, "transformers", None)  # importing it fails
    with pytest.raises(ImportError, match='pip install "skhp\\[hf\\]"'):
        make_tiny_bert(tmp_path, ["a b"])
    with pytest.raises(ImportError, match='pip install "skhp\\[hf\\]"'):
        train_tiny_gpt2(tmp_path)
