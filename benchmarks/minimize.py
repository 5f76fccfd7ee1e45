"""skhp.minimize against skopt.gp_minimize on black-box test functions.

Both run with their defaults (skhp: Gaussian process with expected
improvement; skopt: Gaussian process with ``acq_func="gp_hedge"``), 10
initial random points, the same budget and the same seeds, on

* Branin (2-D, on [-5, 10] x [0, 15], minimum 0.397887), 40 calls;
* Hartmann6 (6-D, on [0, 1]^6, minimum -3.32237), 60 calls.

Reported per function and method: the median over seeds of the best value
found, the median wall time of one run, and on how many seeds skhp found a
better (lower) best value than skopt. The runs of the two methods alternate
seed by seed, so load from other processes hits them alike. BLAS is limited
to one thread (set before numpy is imported).

Run from the repository root::

    python benchmarks/minimize.py              # 10 seeds (about 10 minutes)
    python benchmarks/minimize.py --quick      # smoke test
    python benchmarks/minimize.py --methods skhp.minimize   # skhp alone
    python benchmarks/minimize.py --functions hartmann6 --seeds 30

The last column counts the seeds whose best value is within 0.01 of the true
minimum: on a function with a second basin (Hartmann6 has one near -3.20),
the median of a few seeds mostly says how many seeds found the right basin.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

PROBLEMS = {
    "branin (2-D)": ("branin", [(-5.0, 10.0), (0.0, 15.0)], 40, 0.397887),
    "hartmann6 (6-D)": ("hart6", [(0.0, 1.0)] * 6, 60, -3.32237),
}

METHODS = ("skhp.minimize", "skopt.gp_minimize")


def _run(method, func, dims, n_calls, seed):
    import skopt

    import skhp

    start = time.perf_counter()
    if method == "skhp.minimize":
        res = skhp.minimize(func, dims, n_calls=n_calls, random_state=seed)
    else:
        res = skopt.gp_minimize(func, dims, n_calls=n_calls, random_state=seed)
    return float(res.fun), time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="2 seeds, 15 calls")
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help="comma-separated, among " + ", ".join(METHODS),
    )
    parser.add_argument(
        "--functions",
        default="",
        help="comma-separated name fragments (e.g. hartmann6); default: all",
    )
    args = parser.parse_args(argv)
    from skopt import benchmarks

    n_seeds = 2 if args.quick else args.seeds
    methods = tuple(args.methods.split(","))
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        parser.error(f"--methods: unknown {unknown}; known: {list(METHODS)}")
    rows = []
    wanted = [w for w in args.functions.split(",") if w]
    for label, (fname, dims, n_calls, minimum) in PROBLEMS.items():
        if wanted and not any(w in label for w in wanted):
            continue
        func = getattr(benchmarks, fname)
        n_calls = 15 if args.quick else n_calls
        best = {m: [] for m in methods}
        times = {m: [] for m in methods}
        for seed in range(n_seeds):
            order = methods if seed % 2 == 0 else methods[::-1]
            for method in order:
                value, seconds = _run(method, func, dims, n_calls, seed)
                best[method].append(value)
                times[method].append(seconds)
            print(
                f"{label} seed {seed}: "
                + ", ".join(
                    f"{m} {best[m][-1]:.5f} ({times[m][-1]:.1f} s)" for m in methods
                ),
                flush=True,
            )
        wins = (
            int(np.sum(np.array(best[METHODS[0]]) < np.array(best[METHODS[1]])))
            if set(methods) == set(METHODS)
            else None
        )
        for method in methods:
            near = int(np.sum(np.array(best[method]) - minimum < 0.01))
            rows.append(
                (
                    label,
                    n_calls,
                    method,
                    float(np.median(best[method])),
                    minimum,
                    float(np.median(times[method])),
                    f"{wins}/{n_seeds}"
                    if wins is not None and method == METHODS[0]
                    else "",
                    f"{near}/{n_seeds}",
                )
            )
    print()
    print(
        "| function | calls | method | median best | true minimum "
        "| median time (s) | skhp better on | within 0.01 of the minimum |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, n_calls, method, value, minimum, seconds, wins, near in rows:
        print(
            f"| {label} | {n_calls} | {method} | {value:.5f} | {minimum} "
            f"| {seconds:.2f} | {wins} | {near} |"
        )


if __name__ == "__main__":
    main()
