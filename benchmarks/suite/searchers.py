"""The searchers, each run the same way on a problem: same folds, seed, budget.

Every runner returns the scores in evaluation order (NaN for a failed
candidate), the time spent fitting and scoring, the wall time of the search,
and, on problems whose estimator records timestamps, the gap between the end
of one evaluation and the start of the next (the searcher's own step cost).
"""

import time

import numpy as np
from sklearn.model_selection import RandomizedSearchCV

from . import problems_bbob

SKHP = "skhp"
PEERS = ("random", "skopt", "optuna-tpe", "optuna-gp", "botorch")


def to_skopt(space):
    """skhp dimensions -> scikit-optimize dimensions, same ranges and priors."""
    from skopt.space import Categorical, Integer, Real

    out = {}
    for name, dim in space.items():
        kind = type(dim).__name__
        if kind == "Categorical":
            out[name] = Categorical(list(dim), name=name)
        else:
            cls = Integer if kind == "Integer" else Real
            out[name] = cls(dim.low, dim.high, prior=dim.prior, name=name)
    return out


def to_optuna(space):
    """skhp dimensions -> Optuna distributions, same ranges and priors."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    out = {}
    for name, dim in space.items():
        kind = type(dim).__name__
        if kind == "Categorical":
            out[name] = CategoricalDistribution(list(dim))
        elif kind == "Integer":
            out[name] = IntDistribution(
                int(dim.low), int(dim.high), log=dim.prior == "log-uniform"
            )
        else:
            out[name] = FloatDistribution(
                float(dim.low), float(dim.high), log=dim.prior == "log-uniform"
            )
    return out


def _from_cv_results(search, n_splits):
    res = search.cv_results_
    scores = np.asarray(res["mean_test_score"], dtype=float)
    fit_score = float(
        np.sum(np.asarray(res["mean_fit_time"]) + np.asarray(res["mean_score_time"]))
        * n_splits
    )
    return scores, fit_score


def _search_cv(search, X, y, cv):
    search.fit(X, y)
    return _from_cv_results(search, len(cv))


def _skhp(est, space, X, y, cv, scoring, budget, seed, kwargs):
    from skhp import BayesSearchCV

    search = BayesSearchCV(
        est,
        space,
        n_iter=budget,
        cv=cv,
        scoring=scoring,
        n_jobs=1,
        refit=False,
        random_state=seed,
        **kwargs,
    )
    return _search_cv(search, X, y, cv)


def _random(est, space, X, y, cv, scoring, budget, seed, kwargs):
    search = RandomizedSearchCV(
        est,
        space,
        n_iter=budget,
        cv=cv,
        scoring=scoring,
        n_jobs=1,
        refit=False,
        random_state=seed,
        **kwargs,
    )
    return _search_cv(search, X, y, cv)


def _skopt(est, space, X, y, cv, scoring, budget, seed, kwargs):
    from skopt import BayesSearchCV

    search = BayesSearchCV(
        est,
        to_skopt(space),
        n_iter=budget,
        cv=cv,
        scoring=scoring,
        n_jobs=1,
        refit=False,
        random_state=seed,
        **kwargs,
    )
    return _search_cv(search, X, y, cv)


def _sampler(kind, seed, kwargs):
    if kind == "optuna-tpe":
        from optuna.samplers import TPESampler

        return TPESampler(seed=seed, **kwargs)
    if kind == "optuna-gp":
        from optuna.samplers import GPSampler

        return GPSampler(seed=seed, **kwargs)
    from optuna_integration import BoTorchSampler

    return BoTorchSampler(seed=seed, **kwargs)


def _optuna(kind):
    def run(est, space, X, y, cv, scoring, budget, seed, kwargs):
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        search = OptunaSearchCV(
            est,
            to_optuna(space),
            n_trials=budget,
            cv=cv,
            scoring=scoring,
            n_jobs=1,
            refit=False,
            study=optuna.create_study(
                direction="maximize", sampler=_sampler(kind, seed, kwargs)
            ),
            verbose=0,
            error_score=np.nan,
        )
        search.fit(X, y)
        trials = sorted(search.study_.trials, key=lambda t: t.number)
        scores = np.array(
            [t.user_attrs.get("mean_test_score", np.nan) for t in trials], dtype=float
        )
        fit_score = len(cv) * sum(
            t.user_attrs.get("mean_fit_time", 0.0)
            + t.user_attrs.get("mean_score_time", 0.0)
            for t in trials
        )
        return scores, float(fit_score)

    return run


RUNNERS = {
    SKHP: _skhp,
    "random": _random,
    "skopt": _skopt,
    "optuna-tpe": _optuna("optuna-tpe"),
    "optuna-gp": _optuna("optuna-gp"),
    "botorch": _optuna("botorch"),
}


def run_one(problem, searcher, seed, budget, kwargs=None):
    """One search of one problem.

    Parameters
    ----------
    problem : Problem
    searcher : str
        A key of :data:`RUNNERS`.
    seed : int
    budget : int
        Number of evaluations.
    kwargs : dict, optional
        Extra keyword arguments for the searcher (BayesSearchCV, or the
        Optuna sampler).

    Returns
    -------
    dict
        ``scores`` (list, None for a failed candidate), ``wall`` and
        ``fit_score`` (seconds) and ``gaps_ms`` (milliseconds between one
        evaluation's end and the next one's start; empty when the problem's
        estimator records no timestamps).
    """
    import warnings

    from threadpoolctl import threadpool_limits

    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover - torch is optional
        pass
    est, space, X, y, cv, scoring = problem.make()
    del problems_bbob.EVENTS[:]
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            t0 = time.perf_counter()
            scores, fit_score = RUNNERS[searcher](
                est, space, X, y, cv, scoring, budget, seed, dict(kwargs or {})
            )
            wall = time.perf_counter() - t0
    events = list(problems_bbob.EVENTS)
    gaps = (
        [1000.0 * (events[i][0] - events[i - 1][1]) for i in range(1, len(events))]
        if problem.timed
        else []
    )
    return {
        # 8 significant digits: more than any score's own precision, and
        # regrets near 0 keep theirs (they are small numbers, not differences).
        "scores": [float(f"{s:.8g}") if np.isfinite(s) else None for s in scores],
        "wall": wall,
        "fit_score": fit_score,
        "gaps_ms": [round(g, 2) for g in gaps],
    }
