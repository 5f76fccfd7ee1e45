"""Fixtures of the neural tests: digits, a generated text set, a tiny transformer."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import pytest  # noqa: E402

try:
    import torch
except ImportError:  # the import-without-torch test still runs
    torch = None
else:
    # Two shared cores: more than one torch thread is many times slower here.
    torch.set_num_threads(1)

TOPICS = {
    "sports": (
        "goal match team player coach league score referee stadium season "
        "striker keeper penalty tournament champion"
    ).split(),
    "cooking": (
        "recipe garlic sauce oven simmer onion butter flour bake pasta "
        "salt pepper kitchen roast dough"
    ).split(),
    "computing": (
        "python compiler kernel server memory thread database cache network "
        "binary debug function variable cloud software"
    ).split(),
}
FILLER = (
    "the a an and of to in with for on it was is this that very really "
    "today yesterday we they our new old good great"
).split()


def make_topic_texts(n_per_class, seed):
    """Sentences mixing topic words and common filler words.

    Generated rather than shipped: no license or provenance to track, and the
    difficulty (3-5 topic words among 4-8 fillers) keeps tiny models honest.
    """
    rng = np.random.RandomState(seed)
    texts, labels = [], []
    for _ in range(n_per_class):
        for label, words in TOPICS.items():
            topic = rng.choice(words, size=rng.randint(3, 6)).tolist()
            filler = rng.choice(FILLER, size=rng.randint(4, 9)).tolist()
            tokens = topic + filler
            rng.shuffle(tokens)
            texts.append(" ".join(tokens).capitalize() + ".")
            labels.append(label)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.array(labels, dtype=object)[order]


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

    Saved with ``save_pretrained`` so the estimators load them through the
    real ``AutoModelForSequenceClassification``/``AutoTokenizer`` code.
    """
    pytest.importorskip("transformers")
    tokenizers = pytest.importorskip("tokenizers")
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        PreTrainedTokenizerFast,
    )

    texts, _ = make_topic_texts(30, seed=2)
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = tokenizers.Tokenizer(tokenizers.models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = tokenizers.normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(
        texts,
        tokenizers.trainers.WordPieceTrainer(vocab_size=300, special_tokens=special),
    )
    tok.post_processor = tokenizers.processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[(t, tok.token_to_id(t)) for t in ("[CLS]", "[SEP]")],
    )
    path = tmp_path_factory.mktemp("tiny_bert")
    PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    ).save_pretrained(path)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        # No dropout: makes the gradient-accumulation comparison exact.
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(path)
    return str(path)
