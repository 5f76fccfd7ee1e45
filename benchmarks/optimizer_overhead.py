"""Per-step overhead and sample efficiency of skhp's SurrogateOptimizer.

Compares, in one run and side by side:

* ``skhp``: :class:`skhp.search.optimizer.SurrogateOptimizer` with its defaults
  (Gaussian process, expected improvement);
* ``skhp sampling``: the same without the local acquisition search
  (``optimizer_kwargs={"acq_optimizer": "sampling"}``; not in the default
  ``--methods``);
* ``skhp gp_hedge``: the same with ``acq_func="gp_hedge"`` (not in the default
  ``--methods``);
* ``skopt gp_hedge``: ``skopt.Optimizer(base_estimator="gp")``, skopt's default;
* ``skopt gp+EI``: the same with ``acq_func="EI"``;
* ``optuna TPE``: Optuna's default sampler, for context.

Two measurements:

1. Overhead: milliseconds per ask + tell around ``--n-warm`` observations on
   a 6-D mixed space (``mixed6``: two log-uniform reals, two uniform reals, an
   integer and a 3-way categorical). Each
   repeat tells ``--n-warm`` random observations, then times ``--n-steps``
   sequential ask + tell steps; the median and mean over all timed steps are
   reported (the mean includes the steps on which skhp re-optimises the GP
   hyperparameters). The timed steps of the methods are interleaved one by
   one, in a rotating order, so that load from other processes hits them
   alike.
2. Sample efficiency: best value found after 10, 20 and 30 evaluations, median
   over seeds, on four 4-D mixed test functions (``--problems``), one of them
   the synthetic task of ``benchmarks/searchers.py`` (its loss ``1 - score``,
   so the value is the exact regret).

BLAS is limited to one thread (set before numpy is imported).

Run from the repository root::

    python benchmarks/optimizer_overhead.py            # full run
    python benchmarks/optimizer_overhead.py --quick    # smoke test
"""

import argparse
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import logging  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from joblib import Parallel, delayed  # noqa: E402
from skopt import Optimizer  # noqa: E402
from skopt.space import Categorical, Integer, Real, Space  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from skhp.search.optimizer import SurrogateOptimizer  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from searchers import synthetic_objective  # noqa: E402

METHODS = ("skhp", "skopt gp_hedge", "skopt gp+EI", "optuna TPE")
ALL_METHODS = (
    "skhp",
    "skhp sampling",
    "skhp gp_hedge",
    "skopt gp_hedge",
    "skopt gp+EI",
    "optuna TPE",
)
N_INITIAL = 10


# --- test functions (all minimised, all 4-D mixed) ---------------------------


def hp_surface(x):
    """A hyperparameter-like surface: log learning rate coupled to momentum."""
    lr, momentum, layers, act = x
    u = math.log10(lr)
    return (
        0.5 * (u + 2.5 - momentum) ** 2
        + 3.0 * (momentum - 0.7) ** 2
        + 0.08 * (layers - 4) ** 2
        + {"relu": 0.0, "tanh": 0.3, "sigmoid": 1.0}[act]
        + 0.2 * math.sin(3.0 * u)
    )


HP_SPACE = [
    Real(1e-5, 1.0, prior="log-uniform", name="lr"),
    Real(0.0, 1.0, name="momentum"),
    Integer(1, 10, name="layers"),
    Categorical(["relu", "tanh", "sigmoid"], name="act"),
]


def branin_mixed(x):
    """Branin in (real, integer); the category shifts it, a log dim adds a bowl."""
    x1, x2, scale, cat = x
    x1 = x1 - {"a": 0.0, "b": 1.5, "c": -1.5}[cat]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    branin = (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10
    return (
        branin
        + 2.0 * (math.log10(scale) - 0.5) ** 2
        + {"a": 0.0, "b": 0.5, "c": 0.2}[cat]
    )


BRANIN_SPACE = [
    Real(-5.0, 10.0, name="x1"),
    Integer(0, 15, name="x2"),
    Real(1e-3, 1e2, prior="log-uniform", name="scale"),
    Categorical(["a", "b", "c"], name="cat"),
]

_H3_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H3_A = np.array([[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]])
_H3_P = 1e-4 * np.array(
    [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]]
)


def hartmann3_mixed(x):
    """Hartmann-3 over log-scaled, plain and integer coordinates, plus a category."""
    v, x2, k, cat = x
    z = np.array([(math.log10(v) + 3.0) / 3.0, x2, k / 20.0])
    inner = np.sum(_H3_A * (z - _H3_P) ** 2, axis=1)
    return (
        float(-np.sum(_H3_ALPHA * np.exp(-inner))) + {"x": 0.0, "y": 0.3, "z": 0.6}[cat]
    )


HARTMANN_SPACE = [
    Real(1e-3, 1.0, prior="log-uniform", name="v"),
    Real(0.0, 1.0, name="x2"),
    Integer(0, 20, name="k"),
    Categorical(["x", "y", "z"], name="cat"),
]


def synthetic(x):
    """The synthetic task of ``benchmarks/searchers.py`` as a loss (exact regret)."""
    lr, momentum, layers, act = x
    return 1.0 - synthetic_objective(float(lr), float(momentum), int(layers), act)


SYNTHETIC_SPACE = [
    Real(1e-5, 1.0, prior="log-uniform", name="lr"),
    Real(0.0, 1.0, name="momentum"),
    Integer(1, 10, name="layers"),
    Categorical(["relu", "tanh", "sigmoid"], name="act"),
]


def mixed6(x):
    """A 6-D mixed surface: hp_surface plus a second log scale and a shift."""
    lr, momentum, layers, act, decay, shift = x
    return (
        hp_surface([lr, momentum, layers, act])
        + 0.3 * (math.log10(decay) + 3.0) ** 2
        + (shift - 0.2 * momentum) ** 2
    )


MIXED6_SPACE = HP_SPACE + [
    Real(1e-6, 1e-1, prior="log-uniform", name="decay"),
    Real(-1.0, 1.0, name="shift"),
]

PROBLEMS = {
    "synthetic": (synthetic, SYNTHETIC_SPACE),
    "hp_surface": (hp_surface, HP_SPACE),
    "branin_mixed": (branin_mixed, BRANIN_SPACE),
    "hartmann3_mixed": (hartmann3_mixed, HARTMANN_SPACE),
}
OVERHEAD_PROBLEM = ("mixed6", mixed6, MIXED6_SPACE)


# --- a common ask/tell face for all methods ----------------------------------


class _Skhp:
    def __init__(self, space, seed, acq_func="EI", optimizer_kwargs=None):
        self.opt = SurrogateOptimizer(
            space,
            n_initial_points=N_INITIAL,
            random_state=seed,
            acq_func=acq_func,
            optimizer_kwargs=optimizer_kwargs,
        )

    def ask(self):
        return self.opt.ask()[0]

    def tell(self, xs, ys):
        self.opt.tell(xs, ys)


class _Skopt:
    def __init__(self, space, seed, acq_func):
        self.opt = Optimizer(
            space,
            base_estimator="gp",
            acq_func=acq_func,
            n_initial_points=N_INITIAL,
            random_state=seed,
        )

    def ask(self):
        return self.opt.ask()

    def tell(self, xs, ys):
        self.opt.tell(xs, ys)


class _Optuna:
    def __init__(self, space, seed):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.space = space
        self.dists = {}
        for i, dim in enumerate(space):
            name = f"p{i}"
            if isinstance(dim, Categorical):
                dist = optuna.distributions.CategoricalDistribution(
                    list(dim.categories)
                )
            elif isinstance(dim, Integer):
                dist = optuna.distributions.IntDistribution(int(dim.low), int(dim.high))
            else:
                dist = optuna.distributions.FloatDistribution(
                    dim.low, dim.high, log=dim.prior == "log-uniform"
                )
            self.dists[name] = dist
        sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=N_INITIAL)
        self.study = optuna.create_study(sampler=sampler)
        self._trial = None

    def ask(self):
        self._trial = self.study.ask(self.dists)
        return [self._trial.params[name] for name in self.dists]

    def tell(self, xs, ys):
        if self._trial is not None and len(xs) == 1:
            self.study.tell(self._trial, ys[0])
            self._trial = None
            return
        for x, y in zip(xs, ys):
            params = dict(zip(self.dists, x))
            self.study.add_trial(
                self.optuna.trial.create_trial(
                    params=params, distributions=self.dists, value=y
                )
            )


def make(method, space, seed):
    if method == "skhp":
        return _Skhp(space, seed)
    if method == "skhp sampling":
        return _Skhp(space, seed, optimizer_kwargs={"acq_optimizer": "sampling"})
    if method == "skhp gp_hedge":
        return _Skhp(space, seed, acq_func="gp_hedge")
    if method == "skopt gp_hedge":
        return _Skopt(space, seed, "gp_hedge")
    if method == "skopt gp+EI":
        return _Skopt(space, seed, "EI")
    if method == "optuna TPE":
        return _Optuna(space, seed)
    raise ValueError(method)


# --- measurements ------------------------------------------------------------


def overhead(methods, n_repeats, n_warm, n_steps, warm="random"):
    """Return {method: list of ms per ask+tell} on the mixed6 space.

    ``warm="random"`` tells ``n_warm`` random observations at once before the
    timed steps; ``warm="search"`` lets each method choose its first
    ``n_warm`` points itself (untimed), as in a real search, where the
    observations cluster around good regions.
    """
    _, func, space = OVERHEAD_PROBLEM
    times = {m: [] for m in methods}
    cpu = {m: [] for m in methods}
    for rep in range(n_repeats):
        rng = np.random.RandomState(1000 + rep)
        warm_x = Space(space).rvs(n_samples=n_warm, random_state=rng)
        warm_x = [
            [int(v) if isinstance(d, Integer) else v for v, d in zip(x, space)]
            for x in warm_x
        ]
        warm_x = [
            [str(v) if isinstance(d, Categorical) else v for v, d in zip(x, space)]
            for x in warm_x
        ]
        warm_y = [func(x) for x in warm_x]
        opts = {}
        for method in methods:
            opt = make(method, space, seed=rep)
            if warm == "random":
                opt.tell(warm_x, warm_y)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    for _ in range(n_warm):
                        x = opt.ask()
                        opt.tell([x], [func(x)])
            opts[method] = opt
        # Interleaved step by step, in a rotating order, so that load from
        # other processes hits all methods alike.
        for step in range(n_steps):
            shift = (rep * n_steps + step) % len(methods)
            for method in methods[shift:] + methods[:shift]:
                opt = opts[method]
                t0, c0 = time.perf_counter(), time.process_time()
                x = opt.ask()
                y = func(x)
                opt.tell([x], [y])
                times[method].append(1e3 * (time.perf_counter() - t0))
                cpu[method].append(1e3 * (time.process_time() - c0))
    return times, cpu


def one_run(method, problem, seed, n_evals):
    func, space = PROBLEMS[problem]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt = make(method, space, seed)
        ys = []
        for _ in range(n_evals):
            x = opt.ask()
            y = func(x)
            opt.tell([x], [y])
            ys.append(y)
    return method, problem, seed, np.minimum.accumulate(ys)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-warm", type=int, default=45)
    parser.add_argument("--n-steps", type=int, default=10)
    parser.add_argument(
        "--warm",
        choices=("random", "search"),
        default="random",
        help="observations before the timed steps: random ones told at once, or "
        "the method's own choices in a sequential search",
    )
    parser.add_argument(
        "--n-jobs", type=int, default=2, help="processes for quality runs"
    )
    parser.add_argument(
        "--methods", nargs="+", default=list(METHODS), choices=ALL_METHODS
    )
    parser.add_argument(
        "--problems", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS)
    )
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.repeats, args.n_steps = 2, 1, 3

    if not args.skip_overhead:
        times, cpu = overhead(
            args.methods, args.repeats, args.n_warm, args.n_steps, args.warm
        )
        lo, hi = args.n_warm, args.n_warm + args.n_steps
        print(
            f"\nOverhead: ms per ask+tell from {lo} to {hi} observations, mixed6 "
            f"space, {args.repeats} repeats x {args.n_steps} steps, warm-up "
            f"{args.warm!r}, 1 BLAS thread"
        )
        print(
            f"{'method':<16} {'median':>8} {'mean':>8} {'max':>8} {'CPU median':>11}"
            f" {'vs skhp':>8}"
        )
        ref = np.median(times[args.methods[0]])
        for m in args.methods:
            t = np.asarray(times[m])
            print(
                f"{m:<16} {np.median(t):8.1f} {t.mean():8.1f} {t.max():8.1f}"
                f" {np.median(cpu[m]):11.1f} {np.median(t) / ref:7.1f}x"
            )
        print(
            f"(load average during the run: {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} CPUs; CPU = process time)"
        )
        sys.stdout.flush()

    if not args.skip_quality:
        jobs = [
            (m, p, s)
            for p in args.problems
            for s in range(args.seeds)
            for m in args.methods
        ]
        t0 = time.perf_counter()
        results = Parallel(n_jobs=args.n_jobs)(
            delayed(one_run)(m, p, s, 30) for m, p, s in jobs
        )
        elapsed = time.perf_counter() - t0
        traces = {}
        for m, p, _, trace in results:
            traces.setdefault((m, p), []).append(trace)
        print(
            f"\nSample efficiency: median (over {args.seeds} seeds) best value after "
            f"10 / 20 / 30 evaluations, {N_INITIAL} random initial points; lower is "
            "better"
        )
        header = f"{'method':<16}" + "".join(f" {p:>29}" for p in args.problems)
        print(header)
        for m in args.methods:
            cells = []
            for p in args.problems:
                arr = np.asarray(traces[(m, p)])
                b10, b20, b30 = (np.median(arr[:, k - 1]) for k in (10, 20, 30))
                cells.append(f"{b10:8.4f} / {b20:8.4f} / {b30:7.4f}")
            print(f"{m:<16}" + "".join(f" {c:>29}" for c in cells))
        print(f"(quality runs took {elapsed:.0f} s on {args.n_jobs} processes)")


if __name__ == "__main__":
    logging.getLogger("optuna").setLevel(logging.WARNING)
    main()
