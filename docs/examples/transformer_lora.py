"""Fine-tuning a transformer text classifier, with and without LoRA.

``skhp.neural.TransformerClassifier`` fine-tunes any Hugging Face
sequence-classification model as a scikit-learn estimator, so LoRA
(parameter-efficient fine-tuning with peft) is just another hyperparameter:
the grid below compares full fine-tuning with LoRA adapters of two ranks,
and reports how many weights each one trains.

To run offline and in seconds, the script builds a tiny 2-layer BERT and a
word-level tokenizer for the example texts, saved with
``save_pretrained`` exactly like a downloaded model. Pass a hub name or a
folder to use a real pretrained model instead (that downloads it once and
takes minutes on a CPU):

    python docs/examples/transformer_lora.py                      # tiny model
    python docs/examples/transformer_lora.py distilbert-base-uncased
"""

import re
import sys
import tempfile
import time

import numpy as np

import skhp
from skhp import GridSearchCV
from skhp.neural import TransformerClassifier

TOPICS = {
    "sports": "goal match team player coach league score referee stadium season "
    "striker keeper penalty tournament champion",
    "cooking": "recipe garlic sauce oven simmer onion butter flour bake pasta "
    "salt pepper kitchen roast dough",
    "computing": "python compiler kernel server memory thread database cache "
    "network binary debug function variable cloud software",
}
FILLER = (
    "the a an and of to in with for on it was is this that very really "
    "today yesterday we they our new old good great"
).split()


def make_topic_texts(n_per_class, seed):
    """Sentences mixing 3-5 topic words with 4-8 common filler words."""
    rng = np.random.RandomState(seed)
    texts, labels = [], []
    for _ in range(n_per_class):
        for label, words in TOPICS.items():
            tokens = list(rng.choice(words.split(), size=rng.randint(3, 6)))
            tokens += list(rng.choice(FILLER, size=rng.randint(4, 9)))
            rng.shuffle(tokens)
            texts.append(" ".join(tokens).capitalize() + ".")
            labels.append(label)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.array(labels, dtype=object)[order]


def build_tiny_bert(path, texts):
    """Save a randomly initialised 2-layer BERT and its tokenizer to ``path``."""
    import tokenizers
    import torch
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        PreTrainedTokenizerFast,
    )

    # A word-level vocabulary: every word of the texts, in a fixed order, so
    # that the same texts always give the same model.
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = sorted({w for t in texts for w in re.findall(r"\w+|[^\w\s]", t.lower())})
    vocab = {token: i for i, token in enumerate(special + words)}
    tok = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = tokenizers.normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    tok.post_processor = tokenizers.processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[(t, tok.token_to_id(t)) for t in ("[CLS]", "[SEP]")],
    )
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
    )
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(path)
    return path


def trainable(estimator, X, y):
    """A "scorer" that reports how many weights the candidate trained."""
    return estimator.n_trainable_params_


X_train, y_train = make_topic_texts(80, seed=0)
X_test, y_test = make_topic_texts(40, seed=1)

with tempfile.TemporaryDirectory() as tmp:
    if len(sys.argv) > 1:
        model, lr_full, lr_lora = sys.argv[1], [2e-5, 5e-5], [2e-4, 1e-3]
    else:
        model = build_tiny_bert(tmp, X_train)
        # A randomly initialised model needs larger steps than a pretrained one.
        lr_full, lr_lora = [1e-3, 3e-3], [3e-2]

    clf = TransformerClassifier(
        model,
        max_epochs=8,
        batch_size=16,
        max_length=32,
        lr_schedule="linear",
        random_state=0,
        torch_num_threads=1,
        verbose=0,
    )
    param_grid = [
        {"lora": [False], "lr": lr_full},
        {"lora": [True], "lora_r": [2, 8], "lr": lr_lora},
    ]
    skhp.set_config(progress=True)  # a progress bar (or SKHP_PROGRESS=1)
    search = GridSearchCV(
        clf,
        param_grid,
        scoring={"accuracy": "accuracy", "trainable": trainable},
        refit="accuracy",
        cv=2,
    )
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start

    res = search.cv_results_
    print(f"{'lora':<5} {'r':>2} {'lr':>7} {'CV accuracy':>11} {'trained weights':>15}")
    for params, acc, n in zip(
        res["params"], res["mean_test_accuracy"], res["mean_test_trainable"]
    ):
        r = params.get("lora_r", "-")
        print(
            f"{params['lora']!s:<5} {r:>2} {params['lr']:>7.0e} {acc:>11.3f} {n:>15.0f}"
        )
    best = search.best_estimator_
    print(
        f"best: {search.best_params_}, trains {best.n_trainable_params_} of "
        f"{best.n_params_} weights ({seconds:.1f}s for the search)"
    )
    print(f"result: test accuracy {search.score(X_test, y_test):.4f}")
