"""Torch threads for LLM searches: 1 vs 2 threads, with 1 and 2 workers.

A GridSearchCV over ``temperature`` (2 candidates, cv=2) with
``LLMClassifier(torch_num_threads=t)`` on 16 toy sentences, with
``n_jobs=w`` (joblib processes). Each (t, w) runs in a fresh Python process:
one search to load the model in every worker, then ``--repeat`` timed
searches (the cache is off, so every prompt is generated); the best and the
median are printed.

Usage::

    PYTHONPATH=. python benchmarks/llm_threads.py                # SmolLM2
    PYTHONPATH=. python benchmarks/llm_threads.py --repeat 3
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def one(threads, workers, repeat, model):
    from sklearn.model_selection import GridSearchCV

    from skhp.llm import LLMClassifier
    from skhp.testing import make_toy_classification

    X, y = make_toy_classification(16, random_state=0)
    est = LLMClassifier(
        model, max_new_tokens=6, batch_size=16, cache=False, torch_num_threads=threads
    )
    grid = {"temperature": [0.0, 0.7]}

    def search():
        GridSearchCV(est, grid, cv=2, n_jobs=workers, refit=False).fit(X, y)

    search()  # loads the model in every worker
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        search()
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--model", default=None, help="default: SmolLM2-135M")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one(*args.child, args.repeat, args.model)))
        return
    print("threads  workers  best (s)  median (s)")
    for workers in (1, 2):
        for threads in (1, 2):
            cmd = [sys.executable, __file__, "--child", str(threads), str(workers)]
            cmd += ["--repeat", str(args.repeat)]
            if args.model:
                cmd += ["--model", args.model]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            times = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{threads:>7}  {workers:>7}  {min(times):>8.1f}  "
                f"{statistics.median(times):>10.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
