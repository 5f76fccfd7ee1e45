"""Bayesian optimisation of hyperparameters with cross-validation."""

import math
import numbers
import time
import warnings

import numpy as np
from sklearn.exceptions import FitFailedWarning
from sklearn.utils import check_random_state

from .._compat import BaseSearchCV, Interval, StrOptions, tolerate_failed_batches
from ..space import check_space
from .callbacks import SearchProgress
from .encoding import BranchEncoding

__all__ = ["BayesSearchCV"]

# How much worse than the worst success a failed candidate is told to be, as a
# share of the observed score range: bad enough to steer the surrogate away,
# near enough not to flatten the rest of its model.
_FAILURE_MARGIN = 0.5
_MAX_RESAMPLE = 100


class _Branch:
    """One branch of a conditional space with its own surrogate optimiser."""

    def __init__(self, encoding, optimizer, n_initial, rng):
        self.encoding = encoding
        self.optimizer = optimizer
        # A branch with nothing to choose has one candidate, evaluated once.
        self.n_initial = n_initial if optimizer is not None else 1
        self.rng = rng  # for redrawing repeats of a finite space
        self.n_proposed = 0
        self.seen = set()
        self.exhausted = False

    @property
    def in_initial_phase(self):
        if self.optimizer is None:
            return True
        return self.n_proposed < self.n_initial or not self.optimizer.model_ready


class BayesSearchCV(BaseSearchCV):
    """Bayesian optimisation over hyperparameters, with cross-validation.

    A surrogate model of the cross-validated score (a Gaussian process by
    default, from scikit-optimize) is fitted to every candidate evaluated so
    far, and the next candidates are those that maximise an acquisition
    function of it. Everything else (cross-validation, scoring, refit and the
    layout of ``cv_results_``) is scikit-learn's ``BaseSearchCV``, so the
    search behaves like ``GridSearchCV`` and ``RandomizedSearchCV``.

    Parameters
    ----------
    estimator : estimator object
        A scikit-learn estimator (or Pipeline) to tune.
    search_spaces : dict or list of dict
        ``{parameter name: dimension}``, where a dimension is a
        :class:`~skhp.Real`, :class:`~skhp.Integer` or
        :class:`~skhp.Categorical`, a list of choices, or a ``scipy.stats``
        ``uniform``, ``loguniform`` or ``randint`` distribution. A list of
        dicts is a conditional space: each dict is a branch with its own
        surrogate, and the search spends its budget where the surrogates
        expect the best score.
    n_iter : int, default=50
        Number of candidates to evaluate. The search stops earlier when a
        callback says so, or when every distinct candidate of a finite space
        has been evaluated.
    optimizer : {"gp", "rf", "et", "gbrt"}, default="gp"
        The surrogate: Gaussian process, random forest, extra trees or
        gradient-boosted quantile trees (scikit-optimize's).
    n_initial_points : int, default=10
        Candidates drawn at random before the surrogate is used, shared
        between the branches of a conditional space.
    acq_func : {"EI", "PI", "LCB", "gp_hedge"}, default="EI"
        Acquisition function: expected improvement, probability of
        improvement, lower confidence bound, or a hedge over the three.
    n_points : int, default=1
        Candidates proposed per batch. With ``n_points > 1`` a batch is
        chosen with a constant liar, so ``n_jobs`` workers (or a Dask
        cluster) can fit several candidates at once, at some cost in sample
        efficiency.
    callbacks : callable or list of callables, default=None
        Called after each batch with a :class:`~skhp.search.SearchProgress`;
        returning ``True`` stops the search. See
        :class:`~skhp.search.NoImprovement`, :class:`~skhp.search.TimeBudget`
        and :class:`~skhp.search.TargetScore`.
    optimizer_kwargs : dict, default=None
        Extra arguments for scikit-optimize's ``Optimizer`` (for example
        ``{"acq_optimizer_kwargs": {"n_points": 5000}}``).
    scoring : str, callable, list, tuple or dict, default=None
        As in ``GridSearchCV``. With several metrics, the one named by
        ``refit`` is optimised.
    n_jobs : int, default=None
        Fits run in parallel (joblib).
    refit : bool, str or callable, default=True
        As in ``GridSearchCV``.
    cv : int, cross-validation generator or iterable, default=None
        As in ``GridSearchCV``. Use a splitter with a fixed ``random_state``
        (or none) so that every candidate sees the same folds.
    verbose : int, default=0
        As in ``GridSearchCV``.
    pre_dispatch : int or str, default="2*n_jobs"
        As in ``GridSearchCV``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial design and the optimiser. The same seed gives the
        same candidates, and so the same ``cv_results_`` for a deterministic
        estimator.
    error_score : "raise" or float, default=np.nan
        Score recorded for a failed fit. A candidate whose every fit failed
        does not stop the search: it is recorded with this score, the
        surrogate is told it was worse than anything seen, and a warning
        with the first failure's message is given once. Only when every
        candidate failed is an error raised.
    return_train_score : bool, default=False
        As in ``GridSearchCV``.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        Exactly as in ``GridSearchCV``, one entry per evaluated candidate in
        evaluation order.
    best_estimator_, best_score_, best_params_, best_index_, scorer_,
    n_splits_, refit_time_, multimetric_, classes_, n_features_in_,
    feature_names_in_
        As in ``GridSearchCV``.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : Every candidate of a grid.
    sklearn.model_selection.RandomizedSearchCV : Random candidates.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhp import BayesSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")},
    ...     n_iter=12, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])
    12
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "optimizer": [StrOptions({"gp", "rf", "et", "gbrt"})],
        "n_initial_points": [Interval(numbers.Integral, 1, None, closed="left")],
        "acq_func": [StrOptions({"EI", "PI", "LCB", "gp_hedge"})],
        "n_points": [Interval(numbers.Integral, 1, None, closed="left")],
        "callbacks": [callable, list, None],
        "optimizer_kwargs": [dict, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_iter=50,
        optimizer="gp",
        n_initial_points=10,
        acq_func="EI",
        n_points=1,
        callbacks=None,
        optimizer_kwargs=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.search_spaces = search_spaces
        self.n_iter = n_iter
        self.optimizer = optimizer
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.n_points = n_points
        self.callbacks = callbacks
        self.optimizer_kwargs = optimizer_kwargs
        self.random_state = random_state

    # -- setup ---------------------------------------------------------------

    def _check_callbacks(self):
        if self.callbacks is None:
            return []
        callbacks = (
            self.callbacks if isinstance(self.callbacks, list) else [self.callbacks]
        )
        for cb in callbacks:
            if not callable(cb):
                raise ValueError(
                    "Each entry of `callbacks` must be callable (progress -> bool), "
                    f"but got {cb!r} of type {type(cb).__name__}."
                )
        return callbacks

    def _check_metric(self):
        multi = isinstance(self.scoring, (list, tuple, dict))
        if multi and not isinstance(self.refit, str):
            names = list(self.scoring)
            raise ValueError(
                "BayesSearchCV optimises one metric: with several metrics in "
                f"`scoring`, set `refit` to the one to optimise (one of {names}), "
                f"but got refit={self.refit!r}."
            )

    def _make_branches(self, subspaces, rng):
        # scikit-optimize (and the pandas it pulls in) loads on first use, so
        # that ``import skhp`` stays fast.
        from .optimizer import SurrogateOptimizer

        n_branches = len(subspaces)
        per_branch = max(1, math.ceil(self.n_initial_points / n_branches))
        branches = []
        for sub in subspaces:
            encoding = BranchEncoding(sub)
            seed = rng.randint(np.iinfo(np.int32).max)
            optimizer = None
            if encoding.n_free:
                optimizer = SurrogateOptimizer(
                    encoding.skopt_dimensions(),
                    base_estimator=self.optimizer,
                    n_initial_points=per_branch,
                    acq_func=self.acq_func,
                    random_state=seed,
                    optimizer_kwargs=self.optimizer_kwargs,
                )
            branches.append(
                _Branch(encoding, optimizer, per_branch, np.random.RandomState(seed))
            )
        return branches

    # -- proposing candidates --------------------------------------------------

    def _pick_branch(self, branches):
        """The branch to draw the next candidate from, or None when all are done."""
        open_ = [b for b in branches if not b.exhausted]
        if not open_:
            return None
        warming = [b for b in open_ if b.in_initial_phase]
        if warming:
            # Round robin over the initial design, fewest proposals first.
            return min(warming, key=lambda b: b.n_proposed / b.n_initial)

        # Every surrogate is fitted: take the branch whose proposal has the
        # lowest lower confidence bound (scores are told negated, so lower is
        # better, and all branches model the same score).
        def lcb(branch):
            point = branch.optimizer.ask(1)[0]
            mean, std = branch.optimizer.predict([point])
            return float(mean[0] - 1.96 * std[0])

        return min(open_, key=lcb)

    def _draw(self, branch, n):
        """Up to ``n`` new candidates from ``branch`` (fewer if it is exhausted)."""
        encoding = branch.encoding
        if branch.optimizer is None:
            branch.exhausted = True
            return [(None, dict(encoding.fixed))]
        points = branch.optimizer.ask(n)
        drawn = []
        for point in points:
            params = encoding.decode(point)
            key = encoding.key(params)
            if key in branch.seen or any(encoding.key(p) == key for _, p in drawn):
                # A finite space can run out; look for an untried candidate at
                # random before declaring the branch exhausted.
                for _ in range(_MAX_RESAMPLE):
                    params = encoding.sample(branch.rng)
                    key = encoding.key(params)
                    if key not in branch.seen and all(
                        encoding.key(p) != key for _, p in drawn
                    ):
                        break
                else:
                    branch.exhausted = True
                    continue
                point = encoding.encode(params)
            drawn.append((point, params))
        return drawn

    def _propose(self, branches, n):
        proposals = []
        while len(proposals) < n:
            branch = self._pick_branch(branches)
            if branch is None:
                break
            want = n - len(proposals) if not branch.in_initial_phase else 1
            for point, params in self._draw(branch, want):
                branch.seen.add(branch.encoding.key(params))
                branch.n_proposed += 1
                proposals.append((branch, point, params))
        return proposals

    # -- the search loop -------------------------------------------------------

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Propose, evaluate and learn from candidates until the budget is spent."""
        self._check_metric()
        callbacks = self._check_callbacks()
        subspaces = check_space(self.search_spaces)
        rng = check_random_state(self.random_state)
        branches = self._make_branches(subspaces, rng)

        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=None
            ).call_on_fit_task_begin(estimator=self)

        start = time.monotonic()
        scores = []
        pending_failures = []  # (branch, point) told once a success sets the scale
        first_error = []
        warned = False
        outcomes = []  # per candidate: did any fit succeed with a finite score

        while len(scores) < self.n_iter:
            batch = self._propose(
                branches, min(self.n_points, self.n_iter - len(scores))
            )
            if not batch:
                break  # every distinct candidate of a finite space was tried
            errors = []
            batch_ctx, ctx_kwargs = None, {}
            if search_ctx is not None:  # scikit-learn >= 1.9
                batch_ctx = search_ctx.subcontext(
                    task_name="bayes-batch",
                    max_subtasks=len(batch) * self.n_splits_,
                    sequential_subtasks=False,
                ).call_on_fit_task_begin(estimator=self)
                ctx_kwargs = {"callback_ctx": batch_ctx}
            with tolerate_failed_batches(errors.extend):
                results = evaluate_candidates(
                    [params for _, _, params in batch], **ctx_kwargs
                )
            if batch_ctx is not None:
                batch_ctx.call_on_fit_task_end(estimator=self)

            batch_scores = self._batch_scores(results, len(batch))
            scores.extend(batch_scores)
            # sklearn reports one entry per fit, candidate-major.
            n_fits = len(errors) // len(batch)
            failed = []
            for i, (_, _, params) in enumerate(batch):
                fold_errors = errors[i * n_fits : (i + 1) * n_fits]
                all_failed = bool(fold_errors) and None not in fold_errors
                failed.append(all_failed or not math.isfinite(batch_scores[i]))
                first = next((e for e in fold_errors if e is not None), None)
                if not failed[-1] or first is None:
                    continue
                if not first_error:
                    first_error.append(first)
                if all_failed and not warned:
                    # sklearn itself warns about partial failures.
                    warned = True
                    warnings.warn(
                        f"Candidate {params} failed on all {n_fits} folds; it is "
                        f"recorded with error_score={self.error_score!r} and the "
                        "search goes on (later failures are not reported one by "
                        f"one; see cv_results_). The error was:\n{first}",
                        FitFailedWarning,
                        stacklevel=2,
                    )
            outcomes.extend(not f for f in failed)
            self._tell(batch, batch_scores, failed, scores, outcomes, pending_failures)

            progress = SearchProgress(
                n_evaluated=len(scores),
                n_iter=self.n_iter,
                scores=list(scores),
                elapsed=time.monotonic() - start,
                cv_results=results,
            )
            if any(cb(progress) is True for cb in callbacks):
                break

        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)

        if scores and not any(outcomes):
            detail = (
                f" The first error was:\n{first_error[0]}"
                if first_error
                else " No fit failed: scoring returned non-finite values."
            )
            raise ValueError(
                f"All {len(scores)} candidates failed (no finite mean test score), so "
                "there is no best candidate. The estimator is probably misconfigured "
                "for this data or space; set error_score='raise' to debug." + detail
            )

    def _batch_scores(self, results, n):
        if "mean_test_score" in results:
            key = "mean_test_score"
        elif isinstance(self.refit, str) and f"mean_test_{self.refit}" in results:
            key = f"mean_test_{self.refit}"
        else:
            metrics = sorted(
                k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
            )
            raise ValueError(
                "BayesSearchCV optimises one metric: the scoring returned several "
                f"({metrics}); set `refit` to the one to optimise, but got "
                f"refit={self.refit!r}."
            )
        return [float(s) for s in np.asarray(results[key], dtype=float)[-n:]]

    @staticmethod
    def _tell(batch, batch_scores, failed, scores, outcomes, pending_failures):
        """Tell each branch's optimiser its results, as values to minimise.

        A failed candidate is told a finite value worse than every success so
        far (the user's ``error_score`` may be NaN, or look like a good score),
        so the surrogate learns to avoid its region. Until a first success sets
        the scale, failures wait in ``pending_failures``.
        """
        successes = [s for s, ok in zip(scores, outcomes) if ok]
        told = {}
        for (branch, point, _), score, bad in zip(batch, batch_scores, failed):
            if branch.optimizer is None:
                continue
            if bad:
                pending_failures.append((branch, point))
            else:
                told.setdefault(id(branch), (branch, [], []))
                told[id(branch)][1].append(point)
                told[id(branch)][2].append(-score)
        if successes and pending_failures:
            worst, best = -min(successes), -max(successes)
            margin = max(_FAILURE_MARGIN * (worst - best), 1e-6 * (1 + abs(worst)))
            for branch, point in pending_failures:
                told.setdefault(id(branch), (branch, [], []))
                told[id(branch)][1].append(point)
                told[id(branch)][2].append(worst + margin)
            pending_failures.clear()
        for branch, points, values in told.values():
            branch.optimizer.tell(points, values)
