"""fit_timeout: a hanging candidate injected on purpose, and what timing costs.

Two modes:

``hang``
    A grid of 10 candidates (``tag`` 0..9, 2-fold CV, n_jobs=1 by default),
    one of which (``--hang-tag``) sleeps for an hour in ``fit``, with
    ``fit_timeout=2``. Prints one JSON line: wall time and each candidate's
    error. With ``--journal`` the search is journaled (run it again to
    resume); ``--log`` appends ``pid tag`` per fit started, so that a caller
    can see which fits ran and kill the search mid-hang (tests/search/
    test_timeout.py does: kill -9, then resume).

``cost``
    The cost of ``fit_timeout`` per fit: the same search (a DummyClassifier,
    whose fit does nothing, and LogisticRegression, on digits, 3-fold CV)
    with ``fit_timeout=None`` and with a generous ``fit_timeout``, at
    n_jobs=1; a child's start-up (the first timed fit, and each fit after a
    kill); and the cost of sending larger data to the child once.

Usage::

    PYTHONPATH=. python benchmarks/fit_timeout.py hang
    PYTHONPATH=. python benchmarks/fit_timeout.py cost --repeats 3
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class HangingClassifier(ClassifierMixin, BaseEstimator):
    """Majority class; ``fit`` sleeps an hour when ``tag == hang_tag``.

    With ``SKHP_FIT_LOG`` set, ``fit`` first appends ``"pid tag"`` to that file.
    """

    def __init__(self, tag=0, hang_tag=4):
        self.tag = tag
        self.hang_tag = hang_tag

    def fit(self, X, y):
        log = os.environ.get("SKHP_FIT_LOG")
        if log:
            with open(log, "a") as f:
                f.write(f"{os.getpid()} {self.tag}\n")
        if self.tag == self.hang_tag:
            time.sleep(3600)
        values, counts = np.unique(y, return_counts=True)
        self.classes_ = values
        self.majority_ = values[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def hang(args):
    from sklearn.datasets import load_iris

    from skhp import GridSearchCV

    if args.log:
        os.environ["SKHP_FIT_LOG"] = args.log
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        HangingClassifier(hang_tag=args.hang_tag),
        {"tag": list(range(10))},
        cv=2,
        n_jobs=args.n_jobs,
        fit_timeout=args.fit_timeout,
        journal=args.journal,
    )
    start = time.perf_counter()
    import warnings

    from sklearn.exceptions import FitFailedWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        search.fit(X, y)
    results = search.cv_results_
    print(
        json.dumps(
            {
                "seconds": round(time.perf_counter() - start, 2),
                "tags": [p["tag"] for p in results["params"]],
                "errors": list(results["error"]),
                "best_tag": search.best_params_["tag"],
            }
        )
    )


def _timed(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start


def cost(args):
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression

    from skhp import GridSearchCV
    from skhp.search import timeout

    # The child's start-up (also after each kill): a fresh process imports
    # scikit-learn and skhp.
    starts = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        timeout._Child().close()
        starts.append(time.perf_counter() - t)
    print(f"child start-up: median {statistics.median(starts):.2f} s")

    X, y = load_digits(return_X_y=True)
    cases = [
        # A fit that does nothing: the overhead alone.
        ("DummyClassifier", DummyClassifier(strategy="stratified"), "random_state"),
        ("LogisticRegression", LogisticRegression(max_iter=200), "C"),
    ]
    for name, estimator, param in cases:
        values = (
            list(range(args.candidates))
            if param == "random_state"
            else list(np.logspace(-3, 2, args.candidates))
        )
        n_fits = len(values) * 3
        grid = {param: values}

        def search(fit_timeout, estimator=estimator, grid=grid):
            return GridSearchCV(estimator, grid, cv=3, fit_timeout=fit_timeout)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _timed(search(600.0), X, y)  # starts the child; not timed below
            plain, timed = [], []
            for _ in range(args.repeats):
                plain.append(_timed(search(None), X, y))
                timed.append(_timed(search(600.0), X, y))
        p, t = statistics.median(plain), statistics.median(timed)
        print(
            f"{name} on digits {X.shape}, {len(values)} candidates x 3 folds = "
            f"{n_fits} fits, n_jobs=1: fit_timeout=None {p:.2f} s, "
            f"fit_timeout=600 {t:.2f} s, {(t - p) / n_fits * 1000:+.1f} ms per fit"
        )

    # Larger data: sent to the child once per search (then only the indices).
    for n_rows in (10_000, 100_000):
        Xb = np.random.default_rng(0).normal(size=(n_rows, 100))
        yb = (Xb[:, 0] > 0).astype(int)
        child = timeout._child()
        t = time.perf_counter()
        child.load(Xb, yb)
        sent = time.perf_counter() - t
        t = time.perf_counter()
        child.load(Xb, yb)  # the same objects: nothing is sent
        again = time.perf_counter() - t
        print(
            f"X of {Xb.nbytes / 1e6:.0f} MB: first load {sent * 1000:.0f} ms, "
            f"same data again {again * 1e6:.0f} us"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    h = sub.add_parser("hang")
    h.add_argument("--fit-timeout", type=float, default=2.0)
    h.add_argument("--hang-tag", type=int, default=4)
    h.add_argument("--n-jobs", type=int, default=None)
    h.add_argument("--journal", default=None)
    h.add_argument("--log", default=None)
    c = sub.add_parser("cost")
    c.add_argument("--candidates", type=int, default=10)
    c.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    hang(args) if args.mode == "hang" else cost(args)


if __name__ == "__main__":
    main()
