"""The ask/tell loop of Gaussian-process Bayesian optimisation.

:class:`GPOptimizer` holds what was told, and at each step:

1. **model**: maps the values through the output warping
   (:class:`~skhp.search.warping.YeoJohnsonWarping`, fitted to the successes;
   failures placed above them), then fits :class:`~.gp.GaussianProcess` to
   the encoded points by maximum a posteriori under :class:`~.prior.HyperPrior`;
2. **propose**: maximises the acquisition (:mod:`.acquisition`) with
   :func:`~.acq_optimizer.maximize_acquisition`, skipping points already told;
   a batch of several points is chosen with a constant liar (each proposal
   told the worst value so far, hyperparameters kept);
3. until ``n_initial_points`` values are told, it proposes random points.

A proposal is a function of the random seed and of what was told (its
random draws are seeded by the seed and the number of values told), so a
search that is resumed, or warm-started with the same history, proposes the
same next points as the search that was never interrupted.
"""

import numpy as np

from ..warping import YeoJohnsonWarping
from .acq_optimizer import maximize_acquisition
from .acquisition import Acquisition
from .gp import GaussianProcess
from .prior import HyperPrior
from .space import SpaceEncoding

__all__ = ["GPOptimizer", "FAILURE_MARGIN", "NOISE_XI_FRACTION", "RANDOM_SHARE"]

# How far above the worst success a failed point is modelled, as a share of
# the successes' range: bad enough to steer the model away, near enough not to
# flatten the rest of it.
FAILURE_MARGIN = 0.5
# With noisy values (cross-validation folds that disagree), EI and PI ask for
# an improvement of at least this share of the median standard error: smaller
# improvements are mostly luck, and chasing them circles a lucky incumbent.
NOISE_XI_FRACTION = 0.5
# The chance that a proposal is a random point instead of the acquisition's
# optimum (epsilon-greedy, as De Ath et al. 2021 found competitive): a model
# fitted to a few points of a multimodal function is confidently wrong about
# the basins it has not seen. Chosen on the dev half (docs/benchmarks.md).
RANDOM_SHARE = 0.1
# The best points told that the acquisition search starts from.
_N_INCUMBENTS = 2
# Up to this many values the hyperparameters are refitted at every tell; past
# it, when the data grew by ``_REFIT_GROWTH`` since the last refit (in between,
# the model is only conditioned on the new values), which keeps a step near
# constant cost at hundreds of observations (docs/benchmarks.md).
_REFIT_EVERY_TELL_UNTIL = 100
_REFIT_GROWTH = 0.1
# The value a batch's pending points are told: "max" (the worst value told,
# skopt's "cl_max"), "min" (the incumbent's) or "mean" (the model's prediction,
# kriging believer). The worst value keeps a batch's points apart; measured
# on the dev half in docs/benchmarks.md.
_LIE = "max"
# Random points drawn when a proposal repeats a point told.
_MAX_REDRAWS = 100
_HEDGE_FUNCS = ("EI", "LCB", "PI")


def _seed(*keys):
    """A 31-bit seed from integers (numpy's SeedSequence mixing)."""
    return int(np.random.SeedSequence(list(keys)).generate_state(1)[0] >> 1)


def _key(point):
    return tuple(repr(v) for v in point)


class GPOptimizer:
    """Ask/tell Bayesian optimisation with a Gaussian process, over one space.

    Parameters
    ----------
    dimensions : list of skopt.space.Dimension
    n_initial_points : int, default=10
        Random points asked before the model is used.
    acq_func : {"EI", "PI", "LCB", "gp_hedge"}, default="EI"
        "EI" is maximised as log expected improvement; "gp_hedge" chooses
        among EI, LCB and PI by their past success (GP-Hedge).
    random_state : int, RandomState instance or None, default=None
    xi : float, default=0.0
        Improvement EI and PI ask for, in the modelled (warped, standardised)
        units; raised to ``NOISE_XI_FRACTION`` of the median standard error
        of noisy values.
    kappa : float, default=1.96
        Width of LCB.
    n_samples : int, default=1000
        Random points scored to start the acquisition search from.
    n_restarts : int, default=10
        Starts of the local acquisition search (the best points told among
        them).
    local_search : bool, default=True
        False: take the best of the random points (``acq_optimizer="sampling"``).
    random_share : float, default=RANDOM_SHARE (0.1)
        Chance that a proposal after the initial points is a random point
        instead of the acquisition's optimum (an epsilon-greedy hedge against
        a model that has not yet seen the basin holding the optimum).
    """

    def __init__(
        self,
        dimensions,
        *,
        n_initial_points=10,
        acq_func="EI",
        random_state=None,
        xi=0.0,
        kappa=1.96,
        n_samples=1000,
        n_restarts=10,
        local_search=True,
        random_share=RANDOM_SHARE,
    ):
        self.encoding = SpaceEncoding(dimensions)
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.xi = xi
        self.kappa = kappa
        self.n_samples = n_samples
        self.n_restarts = n_restarts
        self.local_search = local_search
        self.random_share = random_share
        rng = (
            random_state
            if isinstance(random_state, np.random.RandomState)
            else np.random.RandomState(random_state)
        )
        self._initial_rng = np.random.RandomState(rng.randint(2**31 - 1))
        self._seed = int(rng.randint(2**31 - 1))
        self.prior = HyperPrior(self.encoding.n_features)
        self.warping = YeoJohnsonWarping()
        self.xs, self.ys, self.failed, self.noise = [], [], [], []
        self._told_keys = set()
        self.X_ = np.empty((0, self.encoding.n_features))
        self.y_modelled = np.empty(0)
        self.model = None
        self.acq_kwargs = {"xi": xi, "kappa": kappa}
        self._cache = {}
        self._n_at_refit = 0
        self._gains = np.zeros(len(_HEDGE_FUNCS))
        self._hedge_points = None

    # -- tell ----------------------------------------------------------------------

    def tell(self, xs, ys, failed, noise):
        """Record points, values (to minimise), failure flags and standard errors."""
        xs = [list(x) for x in xs]
        self.xs += xs
        self._told_keys.update(_key(x) for x in xs)
        self.ys += list(ys)
        self.failed += list(failed)
        self.noise += list(noise)
        self.X_ = np.vstack([self.X_, self.encoding.transform(xs)])
        self._cache = {}
        self.y_modelled = self._warp()
        self.acq_kwargs = self._acq_kwargs()
        n = len(self.xs)
        if n >= max(self.n_initial_points, 1) and not all(self.failed):
            previous = self.model
            refit = (
                previous is None
                or n <= _REFIT_EVERY_TELL_UNTIL
                or n >= self._n_at_refit * (1.0 + _REFIT_GROWTH)
            )
            # Below the refit threshold the fit does not start from the
            # previous one, so a model (and a proposal) is a function of the
            # values told, whatever the order of the tells.
            warm = previous is not None and (not refit or n > _REFIT_EVERY_TELL_UNTIL)
            self.model = GaussianProcess(
                self.prior, theta_start=previous.theta_ if warm else None
            ).fit(self.X_, self.y_modelled, optimize=refit)
            if refit:
                self._n_at_refit = n
            if self.acq_func == "gp_hedge" and self._hedge_points is not None:
                # GP-Hedge: each function gains the (negated) value the new
                # model predicts at the point it proposed last.
                self._gains -= self.model.predict(self._hedge_points)

    def _warp(self):
        values = np.asarray(self.ys, dtype=float)
        failed = np.asarray(self.failed, dtype=bool)
        ok = ~failed
        if not ok.any():
            return values
        self.warping.fit(values[ok])
        warped = self.warping.transform(values)
        if failed.any():
            good = warped[ok]
            spread = np.ptp(good) if good.size > 1 else 1.0
            warped[failed] = good.max() + FAILURE_MARGIN * max(spread, 1e-6)
        return warped

    def _acq_kwargs(self):
        kwargs = {"xi": self.xi, "kappa": self.kappa}
        noise = np.asarray(self.noise, dtype=float)
        told = np.asarray(self.ys, dtype=float)
        failed = np.asarray(self.failed, dtype=bool)
        known = ~failed & np.isfinite(noise)
        if not known.any():
            return kwargs
        se = float(np.median(noise[known]))
        if se <= 0:
            return kwargs
        best = float(told[~failed].min())
        band = self.warping.transform(np.array([best - se, best + se]))
        floor = NOISE_XI_FRACTION * float(band[1] - band[0]) / 2
        kwargs["xi"] = max(float(self.xi), floor)
        return kwargs

    # -- ask -----------------------------------------------------------------------

    @property
    def model_ready(self):
        return self.model is not None

    def ask(self, n_points=1):
        """``n_points`` points to evaluate next, as lists."""
        if self.model is None or len(self.xs) < self.n_initial_points:
            return self.encoding.sample(n_points, self._initial_rng)
        key = (len(self.xs), n_points)
        if key not in self._cache:
            self._cache[key] = self._propose(n_points)
        return [list(p) for p in self._cache[key]]

    def _propose(self, n_points):
        n_told = len(self.xs)
        rng = np.random.RandomState(_seed(self._seed, n_told))
        # Its own stream, so the acquisition's draws do not depend on it.
        hedge_rng = np.random.RandomState(_seed(self._seed, n_told, 1))
        at_random = hedge_rng.uniform(size=n_points) < self.random_share
        acq_func = self.acq_func
        if acq_func == "gp_hedge":
            logits = self._gains - self._gains.max()
            probs = np.exp(logits) / np.exp(logits).sum()
            # Every function proposes; the hedge picks one by past success.
            proposals = [
                self._propose_one(self.model, name, rng, set()) for name in _HEDGE_FUNCS
            ]
            self._hedge_points = self.encoding.transform(proposals)
            first = proposals[int(np.argmax(rng.multinomial(1, probs)))]
            acq_func = "EI"
        elif at_random[0]:
            first = self._random_point(hedge_rng, set())
        else:
            first = self._propose_one(self.model, acq_func, rng, set())
        points = [first]
        taken = {_key(first)}
        if n_points > 1:
            # Constant liar: each proposal is told a value with the
            # hyperparameters kept, so the next one looks elsewhere.
            X, y = self.X_, self.y_modelled
            model = lied = self.model
            n_lied = 0
            for k in range(1, n_points):
                if at_random[k]:
                    point = self._random_point(hedge_rng, taken)
                    taken.add(_key(point))
                    points.append(point)
                    continue
                x_new = self.encoding.transform(points[n_lied:])
                n_lied = len(points)
                X = np.vstack([X, x_new])
                y = np.append(y, [self._lie(lied, row[np.newaxis]) for row in x_new])
                lied = GaussianProcess(self.prior)
                lied.y_mean_, lied.y_std_ = model.y_mean_, model.y_std_
                lied.condition(X, y, theta=model.theta_)
                point = self._propose_one(lied, acq_func, rng, taken)
                taken.add(_key(point))
                points.append(point)
        return points

    def _lie(self, model, x_new):
        """The value a batch's pending point is provisionally told."""
        if _LIE == "min":
            return float(self.y_modelled.min())
        if _LIE == "max":
            return float(self.y_modelled.max())
        return float(model.predict(x_new)[0])

    def _propose_one(self, model, acq_func, rng, taken):
        """The best candidate of one acquisition not yet told nor in ``taken``."""
        acq = Acquisition(
            model,
            acq_func,
            float(self.y_modelled.min()),
            xi=self.acq_kwargs["xi"],
            kappa=self.acq_kwargs["kappa"],
        )
        order = np.argsort(self.y_modelled, kind="stable")[:_N_INCUMBENTS]
        X, _ = maximize_acquisition(
            acq,
            self.encoding,
            rng,
            incumbents=self.X_[order],
            n_samples=self.n_samples,
            n_starts=self.n_restarts,
            local=self.local_search,
        )
        told = self._told_keys | taken
        for row in X:
            # Decoded one at a time: the first is nearly always new.
            point = self.encoding.inverse_transform(row[np.newaxis, :])[0]
            if _key(point) not in told:
                return point
        return self._random_point(rng, taken)

    def _random_point(self, rng, taken):
        """A random point not yet told nor in ``taken`` (when one is found)."""
        told = self._told_keys | taken
        for _ in range(_MAX_REDRAWS):
            point = self.encoding.sample(1, rng)[0]
            if _key(point) not in told:
                return point
        return point

    def predict(self, X):
        """Mean and standard deviation of the model at encoded rows (modelled units)."""
        return self.model.predict(X, return_std=True)

    def __repr__(self):
        return (
            f"GPOptimizer(n_told={len(self.xs)}, acq_func={self.acq_func!r}, "
            f"model_ready={self.model_ready})"
        )
