"""Expected hypervolume improvement: BayesSearchCV's proposals for a 2-D front.

With two objectives, :class:`~skhp.BayesSearchCV` proposes the candidate with
the largest expected hypervolume improvement (EHVI) over the front found so
far (:func:`ehvi_ask`): one surrogate per objective (of the kind and settings
of the search's own), their posteriors sampled at a few thousand candidate
points (random points of the space and neighbours of the front's points), the
hypervolume improvement of each sample computed exactly
(:func:`hypervolume_improvement_2d`) and averaged (a Monte-Carlo EHVI).
Sampling, rather than the closed form, lets each objective be modelled
through its surrogate's output warping (a cost over decades, a skewed
accuracy) and mapped back before the hypervolume is taken.
"""

import numpy as np

from .bo.space import to_python

__all__ = [
    "ehvi_ask",
    "expected_hypervolume_improvement",
    "hypervolume_improvement_2d",
    "log_wide_costs",
]

# The reference point of the proposals' hypervolume, in objectives scaled to
# [0, 1] over the successes seen: 10% of the range past the worst value, so
# that the extremes of the front still count.
_REFERENCE = 1.1
_N_SAMPLES = 128
_N_RANDOM = 1000
_N_NEIGHBOURS = 30
_NEIGHBOUR_SCALE = 0.05
# An objective whose values span this factor or more is modelled in log.
_LOG_SPAN = 10.0


def _front_staircase(front, reference):
    """The non-dominated rows of ``front`` below ``reference``, sorted on f1."""
    from .objectives import pareto_ranks

    front = np.asarray(front, dtype=float).reshape(-1, 2)
    front = front[np.isfinite(front).all(axis=1) & (front < reference).all(axis=1)]
    if len(front):
        front = front[pareto_ranks(front) == 1]
        front = front[np.argsort(front[:, 0], kind="stable")]
    return front


def hypervolume_improvement_2d(front, Y, reference):
    """Hypervolume each row of ``Y`` adds to ``front`` (2 objectives, minimised).

    Parameters
    ----------
    front : array-like of shape (n_front, 2)
        Points already found (any; dominated ones and those not below
        ``reference`` add nothing).
    Y : array-like of shape (..., 2)
        New points, each on its own.
    reference : array-like of shape (2,)
        The hypervolume's reference point.

    Returns
    -------
    hvi : ndarray of shape Y.shape[:-1]
        ``hypervolume_2d(front + [y], reference) - hypervolume_2d(front,
        reference)`` for each ``y``, computed for all at once: the front is a
        staircase of heights over f1, and ``y`` adds, over each step of f1
        from ``y[0]`` to the reference, the height between ``y[1]`` and the
        step.
    """
    ref = np.asarray(reference, dtype=float)
    Y = np.asarray(Y, dtype=float)
    stairs = _front_staircase(front, ref)
    lo = np.concatenate([[-np.inf], stairs[:, 0]])
    hi = np.concatenate([stairs[:, 0], [ref[0]]])
    height = np.concatenate([[ref[1]], stairs[:, 1]])
    y1 = np.minimum(Y[..., 0:1], ref[0])
    width = np.clip(hi - np.maximum(lo, y1), 0.0, None)
    gain = np.clip(height - Y[..., 1:2], 0.0, None)
    hvi = (width * gain).sum(axis=-1)
    return np.where(np.isfinite(Y).all(axis=-1), hvi, 0.0)


def expected_hypervolume_improvement(front, samples, reference):
    """Monte-Carlo EHVI: the mean of :func:`hypervolume_improvement_2d` over samples.

    Parameters
    ----------
    front : array-like of shape (n_front, 2)
    samples : array-like of shape (n_samples, n_candidates, 2)
        Draws of each candidate's objectives from the surrogates' posterior.
    reference : array-like of shape (2,)

    Returns
    -------
    ehvi : ndarray of shape (n_candidates,)
    """
    return hypervolume_improvement_2d(front, samples, reference).mean(axis=0)


def log_wide_costs(F):
    """The columns of ``F`` whose values span a decade or more, as logarithms.

    A column whose values are all positive with ``max / min >= 10`` (a model
    size, a token count from 1 to 100) is compared on a log scale, where
    halving the cost counts the same at every size; other columns (scores,
    costs within a factor of 10) are kept. ``F`` must be finite.
    """
    F = np.array(F, dtype=float)
    wide = _wide_columns(F)
    F[:, wide] = np.log(F[:, wide])
    return F


def _wide_columns(F):
    """Which columns of ``F`` :func:`log_wide_costs` takes the logarithm of."""
    low, high = F.min(axis=0), F.max(axis=0)
    return (low > 0) & (high >= _LOG_SPAN * np.where(low > 0, low, 1.0))


def _scaled_reference(reference, wide, low, span):
    """A given reference point on the proposals' scale; 1.1 where not given.

    ``reference`` is minimised (NaN where not given); on a column taken in
    log, a reference at or below 0 becomes -inf (nothing is below it).
    """
    if reference is None:
        return np.full(2, _REFERENCE)
    ref = np.array(reference, dtype=float)
    given = ~np.isnan(ref)
    logged = given & wide
    with np.errstate(divide="ignore"):
        ref[logged] = np.log(np.maximum(ref[logged], 0.0))
    return np.where(given, (ref - low) / span, _REFERENCE)


def _candidates(space, front_points, rng):
    """Random points of ``space`` and Gaussian neighbours of ``front_points``."""
    points = space.rvs(_N_RANDOM, random_state=rng)
    if len(front_points):
        X = space.transform(front_points)
        X = np.repeat(X, _N_NEIGHBOURS, axis=0)
        X = np.clip(X + _NEIGHBOUR_SCALE * rng.standard_normal(X.shape), 0.0, 1.0)
        points += space.inverse_transform(X)
    return points


def ehvi_ask(optimizer, points, F, n, rng, reference=None):
    """Propose ``n`` points by expected hypervolume improvement (2 objectives).

    One fresh :class:`~skhp.search.optimizer.SurrogateOptimizer` per
    objective (same space, surrogate and settings as ``optimizer``) is told
    the whole history; the objectives (those spanning a decade or more first
    on a log scale, :func:`log_wide_costs`) are scaled to [0, 1] over the
    successes and the reference point is 1.1 in each. Candidates are 1000 random points
    of the space and 30 Gaussian neighbours (standard deviation 0.05 of the
    normalised space) of each point of the current front; each surrogate's
    posterior at the candidates is sampled 128 times (a common draw for all
    candidates, so their comparison has little Monte-Carlo noise), mapped
    back through its output warping, and the candidate with the largest mean
    hypervolume improvement is proposed. A batch (``n > 1``) adds each chosen
    candidate's posterior median to the front before choosing the next
    (kriging believer).

    A given ``reference`` (the search's ``reference_point_``: values the user
    gave, or a feature-blind baseline's score) replaces the 1.1 of the
    objectives it gives: values past it add nothing, so the
    proposals leave that part of the front alone. When no sample of any
    candidate improves the front (with a given reference: typically every
    candidate is expected past it), the candidate with the smallest expected
    distance past the reference (the sum over objectives of how far a sample
    lies beyond it, averaged over samples; the first candidate on ties, as
    before this rule) is proposed instead.

    Parameters
    ----------
    optimizer : SurrogateOptimizer
        The branch's optimiser of the primary metric, for its settings.
    points : list of list
        The evaluated candidates of the branch, as points of its space.
    F : ndarray of shape (len(points), 2)
        Their objective values to minimise (NaN where failed).
    n : int
        Number of points to propose.
    rng : numpy.random.RandomState
        For the surrogates' seeds, the candidates and the samples.
    reference : array-like of shape (2,) or None, default=None
        The least useful value of each objective, minimised like ``F``; NaN
        where not given (:func:`~skhp.search.objectives.minimised_reference`).

    Returns
    -------
    points : list of list
        ``n`` points, or the primary optimiser's proposal when fewer than two
        candidates succeeded or a surrogate is not fitted yet.
    """
    from .optimizer import SurrogateOptimizer

    F = np.asarray(F, dtype=float)
    ok = np.isfinite(F).all(axis=1)
    if F.shape[1] != 2:
        raise ValueError(
            f"ehvi_ask handles two objectives, got {F.shape[1]}; use parego_ask."
        )
    if ok.sum() < 2:
        return optimizer.ask(n)
    F = F.copy()
    wide = _wide_columns(F[ok])
    F[ok] = log_wide_costs(F[ok])
    low, high = F[ok].min(axis=0), F[ok].max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    reference = _scaled_reference(reference, wide, low, span)
    models = []
    for j in range(2):
        surrogate = optimizer.fresh(rng.randint(np.iinfo(np.int32).max))
        values = F[:, j]
        stand_in = SurrogateOptimizer.failure_value(values[ok])
        surrogate.tell(
            points, np.where(ok, values, stand_in).tolist(), failed=(~ok).tolist()
        )
        if not surrogate.model_ready:
            return optimizer.ask(n)
        models.append(surrogate)
    space = models[0].space
    scaled = (F[ok] - low) / span
    on_front = np.flatnonzero(ok)[_front_mask(scaled)]
    candidates = [
        to_python(optimizer.dimensions, c)
        for c in _candidates(space, [points[i] for i in on_front], rng)
    ]
    X = space.transform(candidates)
    z = rng.standard_normal((_N_SAMPLES, 2))
    samples, medians = [], []
    for j, surrogate in enumerate(models):
        mean, std = surrogate.model.predict(X, return_std=True)
        mean = np.asarray(mean, dtype=float).ravel()
        std = np.asarray(std, dtype=float).ravel()
        draws = mean[None, :] + z[:, j : j + 1] * std[None, :]
        draws = surrogate.unwarp(draws.ravel()).reshape(draws.shape)
        samples.append((draws - low[j]) / span[j])
        medians.append((surrogate.unwarp(mean) - low[j]) / span[j])
    samples = np.stack(samples, axis=-1)
    medians = np.stack(medians, axis=-1)
    told = {_key(p) for p in points}
    # A candidate already evaluated (or chosen) is never proposed again.
    excluded = np.array([_key(p) in told for p in candidates])
    front = scaled
    chosen = []
    # How far past the reference each candidate is expected (0 for those
    # certainly inside it): the proposal when nothing improves the front.
    beyond = np.clip(samples - reference, 0.0, None).sum(axis=-1).mean(axis=0)
    for _ in range(n):
        ehvi = expected_hypervolume_improvement(front, samples, reference)
        if not (ehvi[~excluded] > 0).any():
            ehvi = -beyond
        ehvi[excluded] = -np.inf
        best = int(np.argmax(ehvi))
        chosen.append(best)
        excluded[best] = True
        front = np.vstack([front, medians[best]])
    return [candidates[i] for i in chosen]


def _front_mask(F):
    from .objectives import pareto_ranks

    return pareto_ranks(F) == 1


def _key(point):
    return tuple(repr(v) for v in point)
