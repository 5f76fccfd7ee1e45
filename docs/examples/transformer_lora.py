"""Fine-tuning a transformer text classifier, with and without LoRA.

``skhp.neural.TransformerClassifier`` fine-tunes any Hugging Face
sequence-classification model as a scikit-learn estimator, so LoRA
(parameter-efficient fine-tuning with peft) is just another hyperparameter:
the grid below compares full fine-tuning with LoRA adapters of two ranks,
and reports how many weights each one trains.

To run offline and in seconds, the script builds a tiny 2-layer BERT and a
word-level tokenizer for the example texts (``skhp.testing.make_tiny_bert``),
saved with ``save_pretrained`` exactly like a downloaded model. Pass a hub name or a
folder to use a real pretrained model instead (that downloads it once and
takes minutes on a CPU):

    python docs/examples/transformer_lora.py                      # tiny model
    python docs/examples/transformer_lora.py distilbert-base-uncased
"""

import sys
import tempfile
import time

import skhp
from skhp import GridSearchCV
from skhp.neural import TransformerClassifier
from skhp.testing import make_tiny_bert, make_topic_texts


def trainable(estimator, X, y):
    """A "scorer" that reports how many weights the candidate trained."""
    return estimator.n_trainable_params_


X_train, y_train = make_topic_texts(80, seed=0)
X_test, y_test = make_topic_texts(40, seed=1)

with tempfile.TemporaryDirectory() as tmp:
    if len(sys.argv) > 1:
        model, lr_full, lr_lora = sys.argv[1], [2e-5, 5e-5], [2e-4, 1e-3]
    else:
        # A word-level vocabulary: every word of the texts, in a fixed order,
        # so that the same texts always give the same model.
        model = make_tiny_bert(tmp, X_train, tokenizer="words")
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
