"""Bayesian optimisation of hyperparameters with cross-validation."""

import math
import numbers
import os
import time
import warnings

import numpy as np
from sklearn.exceptions import FitFailedWarning
from sklearn.utils import check_random_state

from .._compat import (
    BaseSearchCV,
    HasMethods,
    Interval,
    StrOptions,
    tolerate_failed_batches,
)
from ..journal import Journal
from ..journal.warm import score_column, split_scores, standard_errors
from ..space.skopt_forms import read_search_spaces
from .callbacks import SearchProgress
from .encoding import BranchEncoding
from .fit_record import fit_record_of, searching
from .objectives import ObjectivesMixin, ask_for_front, check_objectives
from .optimize_result import check_result_callbacks
from .pruners import Pruner
from .skopt_kwargs import split_optimizer_kwargs
from .timeout import FIT_TIMEOUT_CONSTRAINT

__all__ = ["BayesSearchCV"]

_MAX_RESAMPLE = 100
# The defaults of the settings skopt's optimizer_kwargs may also set.
_DEFAULTS = {"optimizer": "gp", "acq_func": "EI", "n_initial_points": 10}


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
        self.budget = None  # this branch's own n_iter, skopt's (dict, n_iter)
        self.evaluated = []  # (params, value told) when there is no optimiser

    @property
    def open(self):
        """Whether the branch may propose more candidates."""
        return not self.exhausted and (
            self.budget is None or self.n_proposed < self.budget
        )

    @property
    def in_initial_phase(self):
        if self.optimizer is None:
            return True
        return self.n_proposed < self.n_initial or not self.optimizer.model_ready


class _LoopState:
    """What one ``_run_search`` call accumulates."""

    def __init__(self, start, total):
        self.start = start
        self.total = total  # candidates to evaluate: n_iter, or the budgets' sum
        self.scores = []  # evaluated candidates' scores (NaN when failed)
        self.outcomes = []  # per evaluated candidate: a finite score?
        self.known_scores = []  # evaluated and warm-start scores, for telling
        self.known_ok = []
        self.pending_failures = []  # (branch, point) told once a success sets the scale
        self.first_error = []
        self.warned = False
        self.results = None  # cv_results_ so far, for proposals with objectives


class _KnownResults:
    """Results from ``warm_start``, matched to proposals by candidate key."""

    def __init__(self, known):
        from ..journal.params import candidate_key

        self._key = candidate_key
        self._by_key = {}
        for params, score, failed, se in known:
            self._by_key.setdefault(candidate_key(params), []).append(
                (params, score, failed, se)
            )

    @property
    def waiting(self):
        return bool(self._by_key)

    def has(self, params):
        return self._key(params) in self._by_key

    def take(self, params):
        key = self._key(params)
        item = self._by_key[key].pop(0)
        if not self._by_key[key]:
            del self._by_key[key]
        return item

    def take_all(self):
        items = [item for items in self._by_key.values() for item in items]
        self._by_key.clear()
        return items


def _branch_result(branch):
    """A branch as skopt's ``OptimizeResult`` (values told: negated scores)."""
    from .optimize_result import branch_result

    return branch_result(branch.encoding, branch.optimizer, evaluated=branch.evaluated)


def _branch_of(branches, params, what):
    """The branch that holds a candidate, and the candidate in the space's own values.

    Raises ValueError naming ``what`` when no branch holds it.
    """
    reasons = []
    for i, branch in enumerate(branches):
        # Parameters with one value on the branch may be left out.
        full = {**branch.encoding.fixed, **params}
        reason = branch.encoding.why_not(full)
        if reason is not None:
            reasons.append(f"branch {i}: {reason}")
            continue
        restored = branch.encoding.decode(branch.encoding.encode(full))
        return branch, restored if branch.optimizer is not None else full
    raise ValueError(
        f"{what}: the candidate {params} is not in the search space ("
        + "; ".join(reasons)
        + "). Give values inside the space's ranges and choices."
    )


class BayesSearchCV(ObjectivesMixin, BaseSearchCV):
    """Bayesian optimisation over hyperparameters, with cross-validation.

    A surrogate model of the cross-validated score (a Gaussian process by
    default, :mod:`skhp.search.bo`) is fitted to every candidate evaluated so
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
        expect the best score. scikit-optimize's forms are read too
        (docs/from-skopt.md): ``(low, high)`` and ``(low, high, prior)``
        tuples (integer bounds give an Integer, floats a Real), skopt and
        Optuna dimensions, and ``(dict, n_iter)`` entries in the list, which
        give that branch its own budget (a plain dict then gets ``n_iter``).
    n_iter : int, default=50
        Number of candidates to evaluate (see ``total_iterations`` for
        per-branch budgets). The search stops earlier when a callback says
        so, or when every distinct candidate of a finite space has been
        evaluated.
    optimizer : {"gp", "rf", "et", "gbrt"}, default="gp"
        The surrogate: skhp's Gaussian process (:mod:`skhp.search.bo`: a
        Matérn 5/2 model with priors on its hyperparameters, fitted to
        Yeo-Johnson-warped scores, and log expected improvement maximised
        by a local search from the best candidates), or scikit-optimize's
        random forest, extra trees or gradient-boosted quantile trees.
        docs/benchmarks.md has the measurements.
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
        Settings of the surrogate's optimiser. With ``optimizer="gp"``:
        ``acq_func_kwargs`` (``xi``, the improvement EI and PI ask for,
        default 0; ``kappa``, the LCB width, default 1.96), ``acq_optimizer``
        (``"auto"``/``"lbfgs"``, or ``"sampling"`` for no local search) and
        ``acq_optimizer_kwargs`` (``n_points``, random candidates scored,
        default 1000; ``n_restarts_optimizer``, starts of the local search,
        default 10); see :class:`~skhp.search.optimizer.SurrogateOptimizer`.
        The scores are warped and standardised before each fit
        (:class:`~skhp.search.warping.YeoJohnsonWarping`), so ``xi`` is in
        standard deviations of the warped scores, not in score units as in
        skopt. Where the folds disagree, the search raises ``xi`` to half
        the median standard error of the scores (``std_test_score /
        sqrt(n_splits)``, in the same units) when that is larger. With the
        trees: extra arguments for scikit-optimize's ``Optimizer``. As in
        skopt's BayesSearchCV, the keys ``base_estimator`` (``"GP"``,
        ``"RF"``, ``"ET"``, ``"GBRT"``, any case), ``acq_func`` and
        ``n_initial_points`` set ``optimizer``, ``acq_func`` and
        ``n_initial_points`` (an error if they disagree with a parameter set
        to a non-default value).
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
    initial_points : list of dict, default=None
        Candidates to evaluate first, in order, before the random initial
        design (they count towards ``n_initial_points`` and ``n_iter``):
        known good settings such as scikit-learn's defaults (see the presets'
        ``*_initial_points()``). Each must lie in the space; a value outside
        it raises a ValueError naming the candidate and the dimension.
    warm_start : bool, dict, fitted search, str, path-like or Journal, \
default=None
        Earlier results to learn from: a ``cv_results_`` dict, a fitted
        search, or a journal file holding one study; ``True`` means this
        search's own previous fit (scikit-learn's meaning of warm_start).
        They are told to the optimiser and never evaluated again, but are
        not part of this search's ``cv_results_`` or ``n_iter``.
        Warm-starting from a search with the same space and
        ``random_state`` continues it exactly: the next candidates are those
        the longer search would have tried.
    journal : str, path-like, :class:`~skhp.journal.Journal` or None, default=None
        A SQLite journal. Every evaluated candidate is committed to it as
        soon as its batch completes. Fitting again with the same journal and
        study resumes: recorded candidates are replayed into ``cv_results_``
        (and into the optimiser) without being fitted again, then the search
        goes on until ``n_iter``. Resuming with a different estimator,
        space, cv or scoring raises :class:`~skhp.journal.JournalMismatchError`.
    study : str, default=None
        The study's name in the journal (default ``"bayessearchcv"``).
    pruner : :class:`~skhp.search.Pruner` or None, default=None
        Stops clearly bad candidates early: after the pruner's first
        ``after_folds`` folds, a candidate it prunes skips its remaining
        folds, is recorded with ``pruned=True`` in ``cv_results_`` (a column
        added when a pruner is set) and a NaN mean test score, and the
        surrogate is told its partial score. See
        :class:`~skhp.search.PercentilePruner` and
        :class:`~skhp.search.MedianPruner`. Off by default.
    objectives : dict or None, default=None
        Several objectives, ``{name: "max" or "min"}``: scorer names from
        ``scoring`` and the recorded costs ``"mean_fit_time"`` and
        ``"mean_score_time"`` (see :mod:`skhp.search.objectives`). After the
        initial design, each proposal is for the Pareto front: ParEGO's
        random augmented Chebyshev scalarisation of the normalised
        objectives, modelled by a fresh surrogate of the branch's kind.
        ``cv_results_`` gets a ``pareto_rank`` column (1 = on the front), and
        unless ``refit`` is a callable, ``best_index_`` is the cheapest
        candidate within one standard error of the best on the primary
        metric (``refit``'s metric). ``surrogates_`` and
        ``optimizer_results_`` stay those of the primary metric.
    fit_timeout : float or None, default=None
        Seconds each fit-and-score of a candidate on one CV split may take;
        one over time is killed in its child process and recorded as failed
        ("timed out after N s"), and the search goes on. As in
        :class:`~skhp.GridSearchCV` (docs/searchers.md).

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        Exactly as in ``GridSearchCV``, one entry per evaluated candidate in
        evaluation order.
    surrogates_ : list of :class:`~skhp.search.surrogate.BranchSurrogate`
        One per branch of the space: the fitted surrogate model, to query
        predicted score and uncertainty (see :meth:`predict_score`).
    optimizer_results_ : list of scipy.optimize.OptimizeResult
        One per branch, as in scikit-optimize: ``x_iters`` and ``func_vals``
        (the candidates told to the branch's optimiser, parameters in sorted
        name order, and their negated scores), ``x`` and ``fun`` (the best),
        ``space`` and ``models``; ``skopt.plots.plot_objective``,
        ``plot_convergence`` and ``plot_evaluations`` draw them.
    total_iterations : int
        The number of candidates ``fit`` evaluates unless stopped early (a
        property, available before ``fit``).
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
        "initial_points": [list, None],
        "warm_start": [
            "boolean",
            dict,
            str,
            os.PathLike,
            Journal,
            HasMethods([]),
            None,
        ],
        "journal": [str, os.PathLike, Journal, None],
        "study": [str, None],
        "pruner": [Pruner, None],
        "objectives": [dict, None],
        "fit_timeout": FIT_TIMEOUT_CONSTRAINT,
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
        initial_points=None,
        warm_start=None,
        journal=None,
        study=None,
        pruner=None,
        objectives=None,
        fit_timeout=None,
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
        self.initial_points = initial_points
        self.warm_start = warm_start
        self.journal = journal
        self.study = study
        self.pruner = pruner
        self.objectives = objectives
        self.fit_timeout = fit_timeout

    # -- skopt's surface: fit(callback=), total_iterations ----------------------

    def fit(self, X, y=None, *, callback=None, **params):
        """Run the search: cross-validate candidates, then refit the best.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            Targets; None for unsupervised learning.
        callback : callable or list of callables, default=None
            As scikit-optimize's ``BayesSearchCV.fit(callback=)``: called
            after each batch with the ``scipy.optimize.OptimizeResult`` of
            the batch's branch (see ``optimizer_results_``); returning
            ``True`` stops the search. skopt's callbacks
            (``DeadlineStopper``, ``DeltaYStopper``, ...) work. The
            ``callbacks`` parameter is skhp's own form, with a
            :class:`~skhp.search.SearchProgress`.
        **params : dict
            Passed to the estimator's ``fit`` (and, with metadata routing,
            to the scorer and the splitter), as in ``GridSearchCV``.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._fit_callbacks = check_result_callbacks(
            callback,
            "fit(callback=...)",
            " (The `callbacks` parameter takes skhp's own callbacks.)",
        )
        try:
            with searching(self, X, y, params):
                super().fit(X, y, **params)
        finally:
            del self._fit_callbacks
        if self.return_train_score:
            _rank_train_scores(self.cv_results_)
        return self

    @property
    def total_iterations(self):
        """The number of candidates ``fit`` evaluates, unless stopped early.

        ``n_iter``; with scikit-optimize's per-branch budgets
        (``search_spaces=[(dict, n), ...]``), the sum of the branches'
        budgets, ``n_iter`` counting for each plain dict.
        """
        spaces = self.search_spaces
        if isinstance(spaces, (list, tuple)) and any(
            isinstance(b, tuple) for b in spaces
        ):
            return sum(
                b[1] if isinstance(b, tuple) and len(b) == 2 else self.n_iter
                for b in spaces
            )
        return self.n_iter

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

    def _make_branches(self, subspaces, rng, settings):
        # scikit-optimize (and the pandas it pulls in) loads on first use, so
        # that ``import skhp`` stays fast.
        from .optimizer import SurrogateOptimizer

        n_branches = len(subspaces)
        per_branch = max(1, math.ceil(settings["n_initial_points"] / n_branches))
        branches = []
        for sub in subspaces:
            encoding = BranchEncoding(sub)
            seed = rng.randint(np.iinfo(np.int32).max)
            optimizer = None
            if encoding.n_free:
                optimizer = SurrogateOptimizer(
                    encoding.skopt_dimensions(),
                    base_estimator=settings["optimizer"],
                    n_initial_points=per_branch,
                    acq_func=settings["acq_func"],
                    random_state=seed,
                    optimizer_kwargs=settings["optimizer_kwargs"],
                )
            branches.append(
                _Branch(encoding, optimizer, per_branch, np.random.RandomState(seed))
            )
        return branches

    # -- proposing candidates --------------------------------------------------

    def _pick_branch(self, branches):
        """The branch to draw the next candidate from, or None when all are done."""
        open_ = [b for b in branches if b.open]
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
        if self.objectives and self._loop.results and not branch.in_initial_phase:
            points = ask_for_front(self, branch, n, self._loop.results)
        else:
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
            if branch.budget is not None:
                want = min(want, branch.budget - branch.n_proposed)
            for point, params in self._draw(branch, want):
                branch.seen.add(branch.encoding.key(params))
                branch.n_proposed += 1
                proposals.append((branch, point, params))
        return proposals

    # -- known candidates: initial points, warm start ---------------------------

    def _check_initial_points(self, branches):
        """``initial_points`` as (branch, params) pairs, checked against the space."""
        if self.initial_points is None:
            return []
        if not isinstance(self.initial_points, (list, tuple)) or not all(
            isinstance(p, dict) for p in self.initial_points
        ):
            raise ValueError(
                "`initial_points` must be a list of dicts {parameter name: value}, "
                f"but got {self.initial_points!r}."
            )
        pairs, seen = [], {}
        for i, params in enumerate(self.initial_points):
            branch, params = _branch_of(branches, params, f"initial_points[{i}]")
            key = (id(branch), branch.encoding.key(params))
            if key in seen:
                raise ValueError(
                    f"initial_points[{i}] repeats initial_points[{seen[key]}] "
                    f"({params}); each candidate is evaluated once. Remove the "
                    "repeat."
                )
            seen[key] = i
            pairs.append((branch, params))
        return pairs

    def _warm_start_trials(self):
        """``warm_start`` as a list of (params, score, failed)."""
        from ..journal.warm import known_results

        if self.warm_start is None or self.warm_start is False:
            return []
        if self.warm_start is True:
            # scikit-learn's meaning: go on from this estimator's previous fit.
            previous = getattr(self, "cv_results_", None)
            return known_results(previous, self.refit) if previous else []
        return known_results(self.warm_start, self.refit)

    @staticmethod
    def _adopt(branches, params, what):
        """Mark a known candidate as proposed; return (branch, point, params)."""
        branch, params = _branch_of(branches, params, what)
        branch.seen.add(branch.encoding.key(params))
        branch.n_proposed += 1
        point = branch.encoding.encode(params) if branch.optimizer else None
        return branch, point, params

    # -- the search loop -------------------------------------------------------

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Propose, evaluate and learn from candidates until the budget is spent."""
        from .journaling import recording

        self._check_metric()
        check_objectives(self)
        callbacks = self._check_callbacks()
        settings = split_optimizer_kwargs(self, _DEFAULTS)
        subspaces, budgets = read_search_spaces(self.search_spaces, self.n_iter)
        rng = check_random_state(self.random_state)
        branches = self._make_branches(subspaces, rng, settings)
        for branch, budget in zip(branches, budgets or []):
            branch.budget = budget
        total = sum(budgets) if budgets else self.n_iter
        initial = self._check_initial_points(branches)
        warm = _KnownResults(self._warm_start_trials())

        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=None
            ).call_on_fit_task_begin(estimator=self)

        self._loop = state = _LoopState(time.monotonic(), total)
        try:
            with recording(
                self,
                evaluate_candidates,
                space=self.search_spaces,
                total=total,
                chunked=False,
                adopt_unmatched=False,
            ) as recorder:
                if self.pruner is not None:
                    self.pruner.check(recorder.n_splits)
                    recorder.pruned_column = True
                self._search(branches, initial, warm, recorder, search_ctx, callbacks)
        finally:
            del self._loop

        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        self.surrogates_ = self._surrogates(branches)
        self.optimizer_results_ = [_branch_result(b) for b in branches]

        if state.scores and not any(state.outcomes):
            detail = (
                f" The first error was:\n{state.first_error[0]}"
                if state.first_error
                else " No fit failed: scoring returned non-finite values."
            )
            raise ValueError(
                f"All {len(state.scores)} candidates failed (no finite mean test "
                "score), so there is no best candidate. The estimator is probably "
                "misconfigured for this data or space; set error_score='raise' to "
                "debug." + detail
            )

    def _search(self, branches, initial, warm, recorder, search_ctx, callbacks):
        state = self._loop
        while len(state.scores) < state.total:
            n = min(self.n_points, state.total - len(state.scores))
            from_initial = bool(initial)
            if from_initial:
                batch = [
                    self._adopt(branches, params, "initial_points")
                    for _, params in initial[:n]
                ]
                del initial[:n]
            else:
                batch = self._propose(branches, n)
            if not batch:
                break  # every distinct candidate of a finite space was tried

            is_warm = [warm.has(params) for _, _, params in batch]
            new = [
                c for c, w in zip(batch, is_warm) if not w and not recorder.has(c[2])
            ]
            if new and (recorder.waiting or warm.waiting):
                # A resumed or warm-started search proposed something else
                # than what was recorded (another seed, another optimiser):
                # take in everything recorded first, then propose again.
                for branch, _, params in reversed(batch):
                    branch.seen.discard(branch.encoding.key(params))
                    branch.n_proposed -= 1
                    if from_initial:
                        initial.insert(0, (branch, params))
                self._take_in_recorded(branches, recorder, search_ctx)
                self._take_in_warm(branches, warm.take_all())
                continue

            warm_items = [c for c, w in zip(batch, is_warm) if w]
            if warm_items:
                self._take_in_warm(
                    branches,
                    [warm.take(params) for _, _, params in warm_items],
                    adopted=warm_items,
                )
            batch = [c for c, w in zip(batch, is_warm) if not w]
            if not batch:
                continue
            results = self._evaluate(batch, recorder, search_ctx)
            if self._stop(results, callbacks, batch):
                break

    def _take_in_recorded(self, branches, recorder, search_ctx):
        trials = recorder.take_waiting()
        if not trials:
            return
        batch = [
            self._adopt(branches, t.params, f"the journal's trial {t.number}")
            for t in trials
        ]
        for trial, (_, _, params) in zip(trials, batch):
            trial.params = params  # the space's own objects, not their repr
        results = self._evaluate(batch, recorder, search_ctx, replay=trials)
        self._stop(results, [])

    def _take_in_warm(self, branches, known, adopted=None):
        """Tell the optimisers known results without evaluating them."""
        if not known:
            return
        state = self._loop
        if adopted is None:
            adopted = [
                self._adopt(branches, params, "warm_start") for params, _, _, _ in known
            ]
        scores = [score for _, score, _, _ in known]
        failed = [bad for _, _, bad, _ in known]
        state.known_scores.extend(scores)
        state.known_ok.extend(not bad for bad in failed)
        self._tell(
            adopted,
            scores,
            failed,
            state.known_scores,
            state.known_ok,
            state.pending_failures,
            noise=[se for _, _, _, se in known],
        )

    def _evaluate(self, batch, recorder, search_ctx, replay=None):
        """Evaluate (or replay) a batch, learn from it; return cv_results so far."""
        state = self._loop
        errors = []
        batch_ctx, ctx_kwargs = None, {}
        if search_ctx is not None:  # scikit-learn >= 1.9
            batch_ctx = search_ctx.subcontext(
                task_name="bayes-batch",
                max_subtasks=len(batch) * self.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self)
            ctx_kwargs = {"callback_ctx": batch_ctx}
        with tolerate_failed_batches(
            lambda out: errors.extend(r.get("fit_error") for r in out)
        ):
            candidates = [params for _, _, params in batch]
            if replay is not None:
                results = recorder.replay(replay, **ctx_kwargs)
            elif self.pruner is not None and not any(map(recorder.has, candidates)):
                with warnings.catch_warnings():
                    # A pruned candidate's NaN mean is expected, not a failure.
                    warnings.filterwarnings(
                        "ignore",
                        message="One or more of the test scores are non-finite",
                    )
                    results = self._evaluate_pruning(candidates, recorder, ctx_kwargs)
            else:
                results = recorder(candidates, **ctx_kwargs)
        if batch_ctx is not None:
            batch_ctx.call_on_fit_task_end(estimator=self)
        state.results = results

        batch_scores = self._batch_scores(results, len(batch))
        state.scores.extend(batch_scores)
        told_scores = list(batch_scores)
        splits = self._split_scores(results, len(batch))
        pruned = [False] * len(batch)
        if "pruned" in results:
            pruned = [bool(p) for p in results["pruned"][-len(batch) :]]
            for i, is_pruned in enumerate(pruned):
                if is_pruned:
                    # What the first folds said is real information.
                    told_scores[i] = float(np.nanmean(splits[i]))
        # sklearn reports one entry per fit, candidate-major.
        n_fits = len(errors) // len(batch)
        failed = []
        for i, (_, _, params) in enumerate(batch):
            fold_errors = errors[i * n_fits : (i + 1) * n_fits]
            all_failed = bool(fold_errors) and None not in fold_errors
            failed.append(all_failed or not math.isfinite(told_scores[i]))
            first = next((e for e in fold_errors if e is not None), None)
            if not failed[-1] or first is None:
                continue
            if not state.first_error:
                state.first_error.append(first)
            if all_failed and not state.warned:
                # sklearn itself warns about partial failures.
                state.warned = True
                warnings.warn(
                    f"Candidate {params} failed on all {n_fits} folds; it is "
                    f"recorded with error_score={self.error_score!r} and the "
                    "search goes on (later failures are not reported one by "
                    f"one; see cv_results_). The error was:\n{first}",
                    FitFailedWarning,
                    stacklevel=4,
                )
        state.outcomes.extend(not f for f in failed)
        state.known_scores.extend(told_scores)
        state.known_ok.extend(not f for f in failed)
        self._tell(
            batch,
            told_scores,
            failed,
            state.known_scores,
            state.known_ok,
            state.pending_failures,
            noise=standard_errors(splits).tolist(),
        )
        return results

    def _split_scores(self, results, n):
        """The last ``n`` candidates' per-split test scores, shape (n, n_splits)."""
        key = score_column(results, self.refit, "BayesSearchCV")
        return split_scores(results, key)[-n:]

    def _evaluate_pruning(self, candidates, recorder, ctx_kwargs):
        """Fit the first folds, prune the clearly bad, finish and record the rest."""
        from .._compat import fit_first_folds
        from .pruners import PrunedCV

        after = self.pruner.after_folds
        results = recorder.results
        completed = []
        if results is not None and len(results["params"]):
            n_done = len(results["params"])
            first = self._split_scores(results, n_done)[:, :after]
            done = ~np.asarray(results["pruned"], dtype=bool)
            rows = first[done & np.isfinite(first).all(axis=1)]
            completed = rows.mean(axis=1).tolist()
        if len(completed) < self.pruner.n_startup:
            return recorder(candidates, **ctx_kwargs)
        first_folds, splits = fit_first_folds(
            self,
            fit_record_of(self),
            candidates,
            after,
            collect_warnings=recorder.collect_warnings,
            fit_timeout=recorder.fit_timeout,
        )
        metric = recorder.metric
        flags = []
        for folds in first_folds:
            if any(f.get("fit_error") for f in folds):
                flags.append(False)  # let it fail (or not) on every fold
                continue
            scores = [
                f["test_scores"][metric]
                if isinstance(f["test_scores"], dict)
                else f["test_scores"]
                for f in folds
            ]
            flags.append(self.pruner.prune(float(np.mean(scores)), completed))
        return recorder(
            candidates,
            cv=PrunedCV(first_folds, splits, flags),
            pruned=(flags, after),
            **ctx_kwargs,
        )

    def _stop(self, results, callbacks, batch=()):
        state = self._loop
        progress = SearchProgress(
            n_evaluated=len(state.scores),
            n_iter=state.total,
            scores=list(state.scores),
            elapsed=time.monotonic() - state.start,
            cv_results=results,
        )
        stop = any(cb(progress) is True for cb in callbacks)
        fit_callbacks = getattr(self, "_fit_callbacks", None)
        if fit_callbacks and batch:
            # skopt's fit(callback=): the batch's branch as an OptimizeResult;
            # every callback is called, and any True stops.
            result = _branch_result(batch[-1][0])
            for cb in fit_callbacks:
                stop = bool(cb(result)) or stop
        return stop

    @staticmethod
    def _surrogates(branches):
        try:
            from .surrogate import BranchSurrogate
        except ImportError:  # pragma: no cover - until the module lands
            return None
        return [BranchSurrogate(b.encoding, b.optimizer) for b in branches]

    def predict_score(self, params):
        """The surrogate's belief about candidates' scores: mean and uncertainty.

        Parameters
        ----------
        params : dict or list of dict
            Candidates in the search space (any branch of a conditional
            space).

        Returns
        -------
        mean, std : ndarray of shape (n_candidates,)
            Predicted mean cross-validated score (higher is better) and its
            standard deviation, from the fitted surrogate of the candidate's
            branch.
        """
        from .surrogate import predict_score

        return predict_score(self, params)

    def _batch_scores(self, results, n):
        key = score_column(results, self.refit, "BayesSearchCV")
        return [float(s) for s in np.asarray(results[key], dtype=float)[-n:]]

    @staticmethod
    def _tell(
        batch, batch_scores, failed, scores, outcomes, pending_failures, *, noise
    ):
        """Tell each branch's optimiser its results, as values to minimise.

        A failed candidate is told a finite value worse than every success so
        far (the user's ``error_score`` may be NaN, or look like a good score),
        so the surrogate learns to avoid its region. Until a first success sets
        the scale, failures wait in ``pending_failures``. ``noise`` holds each
        score's standard error over the folds (NaN where unknown).
        """
        from .bo.policy import FAILURE_MARGIN

        successes = [s for s, ok in zip(scores, outcomes) if ok]
        told = {}

        def add(branch, point, value, is_failure, se=math.nan):
            entry = told.setdefault(id(branch), (branch, [], [], [], []))
            entry[1].append(point)
            entry[2].append(value)
            entry[3].append(is_failure)
            entry[4].append(se)

        for (branch, point, params), score, bad, se in zip(
            batch, batch_scores, failed, noise
        ):
            if branch.optimizer is None:
                if not bad:
                    branch.evaluated.append((params, -score))
                continue
            if bad:
                pending_failures.append((branch, point))
            else:
                add(branch, point, -score, False, se)
        if successes and pending_failures:
            worst, best = -min(successes), -max(successes)
            margin = max(FAILURE_MARGIN * (worst - best), 1e-6 * (1 + abs(worst)))
            for branch, point in pending_failures:
                add(branch, point, worst + margin, True)
            pending_failures.clear()
        for branch, points, values, flags, ses in told.values():
            branch.optimizer.tell(points, values, failed=flags, noise=ses)


def _rank_train_scores(results):
    """Add ``rank_train_<metric>``, as scikit-optimize's BayesSearchCV does.

    Ranked as scikit-learn ranks test scores: 1 is the best mean, ties share
    the lowest rank, candidates without a finite score come last.
    """
    from scipy.stats import rankdata

    for key in [k for k in results if k.startswith("mean_train_")]:
        means = np.asarray(results[key], dtype=float)
        if np.isnan(means).all():
            ranks = np.ones(means.shape, dtype=np.int32)
        else:
            means = np.nan_to_num(means, nan=np.nanmin(means) - 1)
            ranks = rankdata(-means, method="min").astype(np.int32)
        results["rank_train_" + key[len("mean_train_") :]] = ranks
