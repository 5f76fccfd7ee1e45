"""CPU time of one ask + tell of skhp's SurrogateOptimizer as observations grow.

On the 6-D mixed space of ``benchmarks/optimizer_overhead.py`` (``mixed6``: two
log-uniform reals, two uniform reals, an integer and a 3-way categorical):

* ``--within-search N``: a search of N - 5 steps, then the CPU time of the next
  10 steps (median and mean over ``--repeats`` searches); with N <= 100 every
  step refits the kernel hyperparameters, above that only every 10% growth;
* ``--told N``: N random observations told at once (the time of that first
  fit is printed), then 5 steps without a hyperparameter refit.

CPU time (``time.process_time``), not wall time, so that other processes on a
shared machine disturb it less; compare two versions by running the script
alternately in each (for example with ``PYTHONPATH`` set to a git worktree).
BLAS is limited to one thread. ``--optimizer-kwargs`` (JSON) is passed to
the optimiser, to time an option. Run from the repository root::

    python benchmarks/gp_step_cost.py --within-search 50 300 --told 1000
    python benchmarks/gp_step_cost.py --optimizer-kwargs '{"random_share": 0.0}'
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from optimizer_overhead import MIXED6_SPACE, mixed6  # noqa: E402

from skhp.search.optimizer import SurrogateOptimizer  # noqa: E402


def _step(opt):
    start = time.process_time()
    (x,) = opt.ask()
    opt.tell([x], [mixed6(x)])
    return 1000 * (time.process_time() - start)


def within_search(n, repeats, kwargs=None):
    """CPU ms of the 10 steps after n - 5 steps of a search, over ``repeats``."""
    times = []
    for rep in range(repeats):
        opt = SurrogateOptimizer(
            MIXED6_SPACE, random_state=rep, optimizer_kwargs=kwargs
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(n - 5):
                _step(opt)
            times += [_step(opt) for _ in range(10)]
    return np.median(times), np.mean(times)


def told_at_once(n, kwargs=None):
    """CPU ms of the first fit on n random observations, and of 5 later steps."""
    opt = SurrogateOptimizer(MIXED6_SPACE, random_state=0, optimizer_kwargs=kwargs)
    xs = [opt._to_python(x) for x in opt.space.rvs(n, random_state=0)]
    start = time.process_time()
    opt.tell(xs, [mixed6(x) for x in xs])
    first = 1000 * (time.process_time() - start)
    return first, np.median([_step(opt) for _ in range(5)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--within-search", type=int, nargs="*", default=[50])
    parser.add_argument("--told", type=int, nargs="*", default=[])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--optimizer-kwargs", default="{}", help="JSON")
    args = parser.parse_args(argv)
    kwargs = json.loads(args.optimizer_kwargs)
    for n in args.within_search:
        median, mean = within_search(n, args.repeats, kwargs)
        print(
            f"within a search, {n} observations: median {median:.1f} ms, "
            f"mean {mean:.1f} ms (CPU)",
            flush=True,
        )
    for n in args.told:
        first, median = told_at_once(n, kwargs)
        print(
            f"{n} observations told at once: first fit {first:.0f} ms, then "
            f"median {median:.0f} ms a step without refit (CPU)",
            flush=True,
        )


if __name__ == "__main__":
    main()
