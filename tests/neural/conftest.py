"""Fixtures of the neural tests: digits, a generated text set, a tiny transformer."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import pytest  # noqa: E402

from skhp.testing import make_tiny_bert, make_topic_texts  # noqa: E402

try:
    import torch
except ImportError:  # the import-without-torch test still runs
    torch = None
else:
    # Two shared cores: more than one torch thread is many times slower here.
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


@pytest.fixture(scope="session")
def topic_texts():
    train = make_topic_texts(80, seed=0)
    test = make_topic_texts(40, seed=1)
    return train, test


@pytest.fixture(scope="session")
def tiny_transformer(tmp_path_factory):
    """A 2-layer BERT and a WordPiece tokenizer trained here, saved to disk.

    Saved with ``save_pretrained`` (by :func:`skhp.testing.make_tiny_bert`)
    so the estimators load them through the real
    ``AutoModelForSequenceClassification``/``AutoTokenizer`` code.
    """
    pytest.importorskip("transformers")
    pytest.importorskip("tokenizers")

    texts, _ = make_topic_texts(30, seed=2)
    path = tmp_path_factory.mktemp("tiny_bert")
    # No dropout: makes the gradient-accumulation comparison exact.
    return make_tiny_bert(path, texts, dropout=0.0)
