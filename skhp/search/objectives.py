"""Several objectives in one search: Pareto ranks, the refit policy, ParEGO.

A search given ``objectives={name: "max" | "min", ...}`` (next to ``scoring``)
gets a ``pareto_rank`` column in ``cv_results_`` (1 = non-dominated), picks
``best_index_`` by :func:`cheapest_within_one_se` unless ``refit`` is a
callable, and, for :class:`~skhp.BayesSearchCV`, proposes candidates for the
whole Pareto front: with two objectives by expected hypervolume improvement
(:func:`skhp.search.pareto_acquisition.ehvi_ask`), with more by ParEGO's
random augmented Chebyshev scalarisations (:func:`parego_ask`).

The names in ``objectives`` are scorer names (the keys of a multi-metric
``scoring``; with one metric, ``"score"`` or the ``scoring`` string itself) or
the costs scikit-learn records for every candidate without a scorer,
``"mean_fit_time"`` and ``"mean_score_time"``.
"""

import math
import numbers

import numpy as np

from .._compat import SearchResultHooks

__all__ = [
    "ObjectivesMixin",
    "TIME_COSTS",
    "cheapest_within_one_se",
    "chebyshev_values",
    "check_objectives",
    "check_reference_point",
    "fitted_reference_point",
    "hypervolume_2d",
    "minimised_reference",
    "objective_matrix",
    "pareto_ranks",
    "parego_ask",
]

TIME_COSTS = ("mean_fit_time", "mean_score_time")
_DIRECTIONS = ("max", "min")
# ParEGO's augmentation (Knowles 2006): a small weighted sum added to the
# Chebyshev term, so that weakly dominated points do not tie.
_RHO = 0.05
# A failed candidate is told this far above the worst scalarised value (the
# values are in [0, 1 + rho], so the margin is on that scale).
_FAILURE_MARGIN = 0.5


def _scorer_names(search):
    """The metric names of ``search.scoring``, or None when only known after fit."""
    scoring = search.scoring
    if isinstance(scoring, dict):
        return list(scoring)
    if isinstance(scoring, (list, tuple, set)):
        return list(scoring)
    return None  # one metric (None, a string or a callable)


def primary_metric(search):
    """The metric the refit policy starts from.

    With several scorers: the one ``refit`` names, or (with a callable or
    False ``refit``) the first scorer among the objectives, or None. With one:
    ``"score"``.
    """
    scorers = _scorer_names(search)
    if scorers is None:
        return "score"
    if isinstance(search.refit, str):
        return search.refit
    return next((k for k in search.objectives or {} if k in scorers), None)


def check_objectives(search):
    """Check ``objectives`` against ``scoring``; return ``{column: direction}``.

    Returns None when ``objectives`` is None. The columns are those of
    ``cv_results_``: ``mean_test_<metric>`` for a scorer, the name itself for
    a time cost.

    Raises
    ------
    ValueError
        Naming the bad key or direction and what is allowed.
    """
    objectives = search.objectives
    if objectives is None:
        return None
    name = type(search).__name__
    if len(objectives) < 2:
        raise ValueError(
            f"{name}: `objectives` needs at least two entries (a metric and a cost), "
            f"but got objectives={objectives!r}. With one objective, use `scoring` "
            "alone and leave objectives=None."
        )
    scorers = _scorer_names(search)
    if scorers is None:
        scorers = ["score"]
        if isinstance(search.scoring, str):
            scorers.append(search.scoring)
    allowed = [*scorers, *TIME_COSTS]
    columns = {}
    for key, direction in objectives.items():
        if not isinstance(key, str) or key not in allowed:
            raise ValueError(
                f"{name}: the objective {key!r} is neither a scorer of `scoring` "
                f"nor a recorded time cost; allowed keys are {allowed}. Add a "
                f"scorer named {key!r} to `scoring` (a dict) to use it."
            )
        if direction not in _DIRECTIONS:
            raise ValueError(
                f"{name}: objectives[{key!r}] must be 'max' or 'min', but got "
                f"{direction!r}."
            )
        column = key if key in TIME_COSTS else f"mean_test_{_metric(search, key)}"
        if column in columns:
            raise ValueError(
                f"{name}: objectives {key!r} and {columns[column][0]!r} name the "
                "same metric; give each metric once."
            )
        columns[column] = (key, direction)
    primary = primary_metric(search)
    if primary is not None and f"mean_test_{primary}" not in columns:
        keys = [k for k in objectives if k not in TIME_COSTS]
        hint = (
            f"set refit to one of {keys}"
            if keys
            else f"add {primary_metric(search)!r} with 'max' to objectives"
        )
        raise ValueError(
            f"{name}: the primary metric ({primary_metric(search)!r}, the one "
            f"`refit` names) must be one of the objectives {list(objectives)}; "
            f"{hint}."
        )
    return {column: direction for column, (_, direction) in columns.items()}


def _uses_reference(search, front_acquisition):
    """Whether the proposals measure a hypervolume (two objectives, EHVI)."""
    objectives = search.objectives
    return (
        objectives is not None and len(objectives) == 2 and front_acquisition == "ehvi"
    )


def check_reference_point(search, front_acquisition="ehvi"):
    """Check ``reference_point`` against ``objectives``; return the values given.

    ``reference_point`` (a :class:`~skhp.BayesSearchCV` parameter) gives,
    for some or all objectives, the least useful value, in the objective's
    own units and direction (an accuracy of 0.5 for a balanced binary task: a
    candidate no more accurate adds nothing to the front); ``"baseline"``
    (the default) takes the primary metric's from a feature-blind baseline
    (:func:`fitted_reference_point`).

    Returns
    -------
    reference : dict, "baseline" or None
        ``{objective: float}`` as given, ``"baseline"``, or None when there
        is nothing to use: ``reference_point`` is None, or it is
        ``"baseline"`` and the search has no objectives or ParEGO proposals
        (the default then does nothing).

    Raises
    ------
    ValueError
        For a dict, when ``objectives`` is not set, a key is not an
        objective, a value is not a finite number, or the proposals do not
        use a reference point (more than two objectives, or ParEGO).
    """
    reference = getattr(search, "reference_point", None)
    if reference is None:
        return None
    name = type(search).__name__
    objectives = search.objectives
    uses_reference = _uses_reference(search, front_acquisition)
    if isinstance(reference, str):
        return reference if uses_reference else None
    if objectives is None:
        raise ValueError(
            f"{name}: reference_point={reference!r} is given but objectives is "
            "None; the reference point bounds the objectives' front. Set "
            "`objectives` or leave reference_point=None."
        )
    if not uses_reference:
        why = (
            f"{len(objectives)} objectives"
            if len(objectives) != 2
            else f"optimizer_kwargs['front_acquisition']={front_acquisition!r}"
        )
        raise ValueError(
            f"{name}: reference_point is used only by expected hypervolume "
            "improvement, the proposals for two objectives, but this search has "
            f"{why}, whose ParEGO proposals use none; leave reference_point=None."
        )
    unknown = [key for key in reference if key not in objectives]
    if unknown:
        raise ValueError(
            f"{name}: reference_point names {unknown}, which are not objectives; "
            f"its keys must be among {list(objectives)}."
        )
    for key, value in reference.items():
        if value is not None and not (
            isinstance(value, numbers.Real)
            and not isinstance(value, bool)
            and math.isfinite(value)
        ):
            raise ValueError(
                f"{name}: reference_point[{key!r}] must be a finite number (the "
                f"least useful value of that objective), but got {value!r}."
            )
    return {key: float(v) for key, v in reference.items() if v is not None}


def _primary_scorer(search, primary):
    """What ``scoring`` computes the primary metric with (a name, callable or None)."""
    scoring = search.scoring
    if isinstance(scoring, dict):
        return scoring[primary]
    if isinstance(scoring, (list, tuple, set)):
        return primary
    return scoring


def fitted_reference_point(search, front_acquisition, X, y):
    """The reference point a search's proposals use, in objectives' own units.

    ``reference_point`` checked by :func:`check_reference_point`; with
    ``"baseline"``, the primary metric (``refit``'s, when it is an
    objective) gets :func:`~skhp.search.baseline.baseline_score` of the
    search's estimator on ``(X, y)`` when there is one.

    Returns
    -------
    reference : dict or None
        ``{objective: value}`` (objectives left out get the proposals' own
        rule, 10% past the worst value seen), or None when the proposals use
        no reference point (no objectives, or ParEGO).
    """
    reference = check_reference_point(search, front_acquisition)
    if not _uses_reference(search, front_acquisition):
        return None
    objectives = search.objectives
    if reference != "baseline":
        return reference or {}
    from .baseline import baseline_score

    primary = primary_metric(search)
    key = primary if primary in objectives else None
    if key is None and _scorer_names(search) is None:
        # One metric: the objective is "score" or the scoring string.
        key = next((k for k in objectives if k not in TIME_COSTS), None)
    if key is None:
        return {}
    value = baseline_score(search.estimator, _primary_scorer(search, key), X, y)
    return {} if value is None else {key: value}


def minimised_reference(search, reference):
    """A reference point ``{objective: value}`` as the proposals minimise it.

    Returns an array in the order of ``search.objectives``, maximised
    objectives negated, NaN where ``reference`` gives no value; None for None.
    """
    if reference is None:
        return None
    return np.array(
        [
            np.nan
            if key not in reference
            else (-reference[key] if direction == "max" else reference[key])
            for key, direction in search.objectives.items()
        ],
        dtype=float,
    )


def _metric(search, key):
    """A scorer key as its cv_results_ suffix (one metric: ``"score"``)."""
    return key if _scorer_names(search) is not None else "score"


def objective_matrix(results, columns):
    """Objective values to minimise, shape (n_candidates, n_objectives).

    ``columns`` maps ``cv_results_`` columns to ``"max"``/``"min"``; maximised
    objectives are negated. Missing or masked values are NaN.
    """
    rows = []
    for column, direction in columns.items():
        if column not in results:
            raise ValueError(
                f"The objective column {column!r} is not in cv_results_ (columns: "
                f"{sorted(k for k in results if k.startswith('mean_'))})."
            )
        values = np.ma.filled(np.ma.asarray(results[column], dtype=float), np.nan)
        rows.append(-values if direction == "max" else values)
    return np.column_stack(rows) if rows else np.empty((0, 0))


def pareto_ranks(F):
    """Non-dominated sorting ranks of the rows of ``F`` (all minimised).

    Parameters
    ----------
    F : array-like of shape (n_points, n_objectives)
        Objective values, lower is better. Rows with a NaN are ranked after
        every finite row.

    Returns
    -------
    ranks : ndarray of int32, shape (n_points,)
        1 for the non-dominated rows, 2 for those dominated only by rank 1,
        and so on (Deb et al.'s non-dominated sorting).
    """
    F = np.asarray(F, dtype=float)
    n = len(F)
    ranks = np.zeros(n, dtype=np.int32)
    finite = np.isfinite(F).all(axis=1) if n else np.zeros(0, bool)
    idx = np.flatnonzero(finite)
    G = F[idx]
    # dominated[i, j]: row j dominates row i.
    le = (G[None, :, :] <= G[:, None, :]).all(axis=2)
    lt = (G[None, :, :] < G[:, None, :]).any(axis=2)
    dominated = le & lt
    remaining = np.ones(len(idx), dtype=bool)
    rank = 0
    while remaining.any():
        rank += 1
        front = remaining & ~(dominated[:, remaining].any(axis=1))
        ranks[idx[front]] = rank
        remaining &= ~front
    ranks[~finite] = rank + 1
    return ranks


def _n_splits(results, metric):
    n = 0
    while f"split{n}_test_{metric}" in results:
        n += 1
    return n


def cheapest_within_one_se(results, columns, primary):
    """Index of the cheapest candidate within one standard error of the best.

    The default refit policy of a search with ``objectives``. The best
    candidate on the primary metric sets a threshold one standard error
    (``std_test_<primary> / sqrt(n_splits)``) below its mean (above it for
    ``"min"``); among the candidates past that threshold, the chosen one is
    the best on the other objectives, compared in the order of
    ``objectives`` (the first decides, the next breaks ties, ...), then on
    the primary metric.

    Parameters
    ----------
    results : dict
        ``cv_results_``.
    columns : dict
        ``{cv_results_ column: "max" | "min"}``, as :func:`check_objectives`
        returns.
    primary : str
        The primary metric's name (its column is ``mean_test_<primary>``).

    Returns
    -------
    index : int
    """
    column = f"mean_test_{primary}"
    F = objective_matrix(results, columns)
    order = list(columns)
    p = order.index(column)
    primary_values = F[:, p]
    finite = np.isfinite(primary_values)
    if not finite.any():
        raise ValueError(
            f"No candidate has a finite {column}, so the refit policy cannot "
            "choose one."
        )
    best = int(np.nanargmin(primary_values))
    n_splits = _n_splits(results, primary)
    se = 0.0
    if n_splits and f"std_test_{primary}" in results:
        std = float(
            np.ma.filled(np.ma.asarray(results[f"std_test_{primary}"]), 0.0)[best]
        )
        se = std / math.sqrt(n_splits) if math.isfinite(std) else 0.0
    near = np.flatnonzero(finite & (primary_values <= primary_values[best] + se))
    keys = [F[near, j] for j in range(F.shape[1]) if j != p] + [primary_values[near]]
    # np.lexsort sorts by the last key first; NaN sorts last.
    order_near = np.lexsort(
        [near, *reversed([np.nan_to_num(k, nan=np.inf) for k in keys])]
    )
    return int(near[order_near[0]])


def hypervolume_2d(F, reference):
    """Area the rows of ``F`` (2 objectives, minimised) dominate up to ``reference``.

    Rows that do not dominate ``reference`` (or have a NaN) add nothing.
    """
    F = np.asarray(F, dtype=float).reshape(-1, 2)
    ref = np.asarray(reference, dtype=float)
    F = F[np.isfinite(F).all(axis=1) & (F < ref).all(axis=1)]
    if not len(F):
        return 0.0
    F = F[np.argsort(F[:, 0], kind="stable")]
    area, best_y = 0.0, ref[1]
    for x, y in F:
        if y < best_y:
            area += (ref[0] - x) * (best_y - y)
            best_y = y
    return float(area)


# -- ParEGO -------------------------------------------------------------------


def chebyshev_values(F, weights, rho=_RHO):
    """ParEGO's augmented Chebyshev scalarisation of normalised objectives.

    Each objective (a column of ``F``, minimised) is scaled to [0, 1] over
    the finite rows; the value is ``max_i(w_i f_i) + rho * sum_i(w_i f_i)``.
    Rows with a NaN give NaN.
    """
    F = np.asarray(F, dtype=float)
    finite = np.isfinite(F).all(axis=1)
    low = np.nanmin(np.where(finite[:, None], F, np.nan), axis=0)
    high = np.nanmax(np.where(finite[:, None], F, np.nan), axis=0)
    span = np.where(high > low, high - low, 1.0)
    Z = (F - low) / span * np.asarray(weights, dtype=float)
    return Z.max(axis=1) + rho * Z.sum(axis=1)


def parego_ask(optimizer, points, F, n, rng):
    """Propose ``n`` points for the Pareto front with one random scalarisation.

    ParEGO (Knowles 2006): draw weights uniformly from the simplex, scalarise
    every evaluated candidate's normalised objectives with
    :func:`chebyshev_values`, tell a fresh
    :class:`~skhp.search.optimizer.SurrogateOptimizer` (same space, surrogate,
    acquisition and settings as ``optimizer``) the whole history, and ask it.
    The weights change at every step, so the model cannot be updated in
    place: the cost is one surrogate fit on the whole history per step.

    Parameters
    ----------
    optimizer : SurrogateOptimizer
        The branch's optimiser of the primary metric, for its settings.
    points : list of list
        The evaluated candidates of the branch, as points of its space.
    F : ndarray of shape (len(points), n_objectives)
        Their objective values to minimise (NaN where failed).
    n : int
        Number of points to propose.
    rng : numpy.random.RandomState
        For the weights and the fresh optimiser's seed.

    Returns
    -------
    points : list of list
    """
    F = np.asarray(F, dtype=float)
    weights = rng.dirichlet(np.ones(F.shape[1]))
    fresh = optimizer.fresh(rng.randint(np.iinfo(np.int32).max))
    values = chebyshev_values(F, weights)
    failed = ~np.isfinite(values)
    if failed.all():
        return optimizer.ask(n)
    worst = float(np.max(values[~failed]))
    values = np.where(failed, worst + _FAILURE_MARGIN, values)
    fresh.tell(points, values.tolist(), failed=failed.tolist())
    return fresh.ask(n)


# -- the searches' side ---------------------------------------------------------


class ObjectivesMixin(SearchResultHooks):
    """What a search with ``objectives`` adds to scikit-learn's BaseSearchCV.

    Put first among the bases. It adds the ``pareto_rank`` column to every
    ``cv_results_`` the search formats, and replaces the choice of
    ``best_index_`` by :func:`cheapest_within_one_se` when ``refit`` is not
    a callable (a callable ``refit`` is scikit-learn's own hook and wins).
    Without ``objectives`` it changes nothing. The private scikit-learn
    methods it extends live in :class:`skhp._compat.SearchResultHooks`.
    """

    def _objective_columns(self):
        objectives = getattr(self, "objectives", None)
        if objectives is None:
            return None
        self.check_result_hooks("objectives=")
        return check_objectives(self)

    def _extend_results(self, results):
        columns = self._objective_columns()
        if columns is not None and len(results["params"]):
            results["pareto_rank"] = pareto_ranks(objective_matrix(results, columns))
        return results

    def _choose_best_index(self, refit, refit_metric, results):
        columns = self._objective_columns()
        if columns is None or callable(refit):
            return None
        return cheapest_within_one_se(results, columns, primary_metric(self))


def ask_for_front(search, branch, n, results, front_acquisition="ehvi"):
    """BayesSearchCV's proposal for the Pareto front from one branch.

    The branch's evaluated candidates are read from ``results`` (the
    ``cv_results_`` so far, replayed journal rows included; warm-start
    results carry no costs and are left out), and
    :func:`~skhp.search.pareto_acquisition.ehvi_ask` (two objectives, unless
    ``front_acquisition="parego"``, the search's
    ``optimizer_kwargs["front_acquisition"]``) or :func:`parego_ask` (more)
    proposes ``n`` points of the branch's space.
    """
    columns = check_objectives(search)
    F = objective_matrix(results, columns)
    encoding = branch.encoding
    points, rows = [], []
    for i, params in enumerate(results["params"]):
        full = {**encoding.fixed, **params}
        if encoding.why_not(full) is None:
            points.append(encoding.encode(full))
            rows.append(F[i])
    if len(points) < 2:
        return branch.optimizer.ask(n)
    rows = np.asarray(rows)
    if rows.shape[1] == 2 and front_acquisition == "ehvi":
        from .pareto_acquisition import ehvi_ask

        reference = minimised_reference(
            search, getattr(search, "reference_point_", None)
        )
        return ehvi_ask(
            branch.optimizer, points, rows, n, branch.rng, reference=reference
        )
    return parego_ask(branch.optimizer, points, rows, n, branch.rng)
