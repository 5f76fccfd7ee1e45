"""Fit skhp's MLPClassifier and TransformerClassifier on a GPU and check them.

Meant for a machine with CUDA; needs no network (the transformer is a tiny
BERT built from a config with a tokenizer trained here). Exits non-zero when a
check fails. ``--device cpu`` runs the same checks on the CPU (used by the
test suite so the script cannot rot), ``--quick`` shrinks the work.

Usage::

    python benchmarks/gpu_neural.py                 # on cuda (the default)
    python benchmarks/gpu_neural.py --device cpu --quick
"""

import argparse
import os
import pickle
import sys
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from skhp.testing import make_tiny_bert, make_topic_texts  # noqa: E402


def check(condition, message):
    status = "ok  " if condition else "FAIL"
    print(f"  [{status}] {message}")
    return bool(condition)


def run_mlp(device, quick):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV

    from skhp.neural import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    epochs = 3 if quick else 20
    start = time.perf_counter()
    clf = MLPClassifier(
        hidden_layer_sizes=(256, 256),
        max_epochs=epochs,
        device=device,
        random_state=0,
        verbose=0,
    ).fit(X[:1400], y[:1400])
    fit_s = time.perf_counter() - start
    param_device = next(clf.net_.module_.parameters()).device.type
    restored = pickle.loads(pickle.dumps(clf))
    search = GridSearchCV(
        MLPClassifier(hidden_layer_sizes=(64,), max_epochs=2, device=device, verbose=0),
        {"lr": [1e-3, 1e-2]},
        cv=2,
    ).fit(X, y)
    score = clf.score(X[1400:], y[1400:])
    print(
        f"MLPClassifier: fit {fit_s:.2f}s on {clf.device_}, test accuracy {score:.3f}"
    )
    return all(
        [
            check(
                param_device == device.split(":")[0], f"module parameters on {device}"
            ),
            check(score > (0.5 if quick else 0.9), "learns digits"),
            check(
                np.array_equal(restored.predict(X[:50]), clf.predict(X[:50])),
                "predictions identical after pickling",
            ),
            check(
                search.best_estimator_.device_ == device, "GridSearchCV refit on device"
            ),
        ]
    )


def run_transformer(device, quick):
    from skhp.neural import TransformerClassifier

    texts, labels = make_topic_texts(40 if quick else 200, seed=0)
    test_texts, test_labels = make_topic_texts(20, seed=1)
    ok = []
    with tempfile.TemporaryDirectory() as path:
        make_tiny_bert(path, texts, hidden_size=64)
        counts = {}
        for lora in (False, True):
            start = time.perf_counter()
            clf = TransformerClassifier(
                path,
                lora=lora,
                max_epochs=2 if quick else 6,
                batch_size=16,
                lr=1e-2 if lora else 2e-3,
                max_length=32,
                device=device,
                random_state=0,
                verbose=0,
            ).fit(texts, labels)
            fit_s = time.perf_counter() - start
            counts[lora] = clf.n_trainable_params_
            score = clf.score(test_texts, test_labels)
            param_device = next(clf.net_.module_.parameters()).device.type
            print(
                f"TransformerClassifier(lora={lora}): fit {fit_s:.2f}s, "
                f"{clf.n_trainable_params_} trainable of {clf.n_params_}, "
                f"accuracy {score:.3f}"
            )
            ok.append(
                check(
                    param_device == device.split(":")[0],
                    f"lora={lora}: model on {device}",
                )
            )
            if not quick:
                ok.append(check(score > 0.6, f"lora={lora}: better than chance"))
        restored = pickle.loads(pickle.dumps(clf))
        ok.append(
            check(
                np.allclose(
                    restored.predict_proba(test_texts), clf.predict_proba(test_texts)
                ),
                "LoRA model predicts the same after pickling",
            )
        )
        ok.append(check(counts[True] < counts[False], "LoRA trains fewer parameters"))
    return all(ok)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="'cuda' (default) or 'cpu'")
    parser.add_argument("--quick", action="store_true", help="fewer epochs and data")
    args = parser.parse_args(argv)

    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("CUDA is not available; run with --device cpu to check on the CPU.")
        return 2
    if args.device == "cpu":
        torch.set_num_threads(1)
    else:
        print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    results = [
        run_mlp(args.device, args.quick),
        run_transformer(args.device, args.quick),
    ]
    print("all checks passed" if all(results) else "SOME CHECKS FAILED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
