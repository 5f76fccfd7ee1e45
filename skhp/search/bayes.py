"""Bayesian optimisation of hyperparameters with cross-validation."""

import math
import numbers
import os

import numpy as np
from sklearn.utils import check_random_state

from .._compat import (
    BaseSearchCV,
    HasMethods,
    Interval,
    StrOptions,
    parameter_constraints,
)
from ..journal import Journal
from ..space.skopt_forms import read_search_spaces
from .bayes_loop import Branch, KnownResults, SearchLoop, branch_of, branch_result
from .encoding import BranchEncoding
from .fit_record import fit_record_of, searching
from .objectives import ObjectivesMixin, check_objectives, fitted_reference_point
from .optimize_result import check_result_callbacks
from .optimizer_names import ACQ_FUNCS, OPTIMIZERS
from .pruners import Pruner
from .skopt_kwargs import split_optimizer_kwargs
from .timeout import FIT_TIMEOUT_CONSTRAINT

__all__ = ["BayesSearchCV"]

# The defaults of the settings skopt's optimizer_kwargs may also set.
_DEFAULTS = {"optimizer": "gp", "acq_func": "EI", "n_initial_points": 10}


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
        to a non-default value). ``front_acquisition`` (``"ehvi"``, the
        default, or ``"parego"``) chooses how a search with two
        ``objectives`` proposes for the front.
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
        initial design, each proposal is for the Pareto front: with two
        objectives the candidate of largest expected hypervolume improvement
        (one fresh surrogate of the branch's kind per objective; ParEGO with
        ``optimizer_kwargs={"front_acquisition": "parego"}``), with more
        ParEGO's random augmented Chebyshev scalarisation of the normalised
        objectives, modelled by a fresh surrogate of the branch's kind.
        ``cv_results_`` gets a ``pareto_rank`` column (1 = on the front), and
        unless ``refit`` is a callable, ``best_index_`` is the cheapest
        candidate within one standard error of the best on the primary
        metric (``refit``'s metric). ``surrogates_`` and
        ``optimizer_results_`` stay those of the primary metric.
    reference_point : dict, "baseline" or None, default="baseline"
        With two objectives, the least useful value of some or all of them:
        expected hypervolume improvement measures the front up to this
        point, so the proposals spend no steps on candidates past it.
        ``"baseline"`` (the default) takes the primary metric's from the
        score of a baseline that ignores the features
        (:func:`~skhp.search.baseline.baseline_score`: scikit-learn's
        ``DummyClassifier(strategy="prior")`` or ``DummyRegressor`` fitted
        and scored on the training data; 0.5 accuracy on a balanced binary
        task); a dict gives values, ``{name: value}`` in each objective's own
        units and direction (for example ``{"accuracy": 0.6}``). An objective
        left without one (a cost, or any objective with
        ``reference_point=None``) gets 10% of the range of the values seen
        past the worst of them, which counts every part of the front, the
        cheap and useless end included. ``reference_point_`` holds the values
        used. BoTorch calls this ``ref_point``, Ax objective thresholds.

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
    reference_point_ : dict or None
        With two objectives and expected hypervolume improvement, the
        reference point the proposals used, ``{objective: value}`` in the
        objectives' own units (``reference_point`` as given, or the
        baseline's score; empty when no value applied); None otherwise.
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
        **parameter_constraints(BaseSearchCV),
        "search_spaces": [dict, list],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "n_initial_points": [Interval(numbers.Integral, 1, None, closed="left")],
        "acq_func": [StrOptions(set(ACQ_FUNCS))],
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
        "reference_point": [dict, StrOptions({"baseline"}), None],
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
        reference_point="baseline",
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
        self.reference_point = reference_point
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
                Branch(encoding, optimizer, per_branch, np.random.RandomState(seed))
            )
        return branches

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
            branch, params = branch_of(branches, params, f"initial_points[{i}]")
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

    # -- the search loop -------------------------------------------------------

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Propose, evaluate and learn from candidates until the budget is spent.

        The loop itself is :class:`~skhp.search.bayes_loop.SearchLoop`.
        """
        from .journaling import recording
        from .surrogate import BranchSurrogate

        self._check_metric()
        check_objectives(self)
        callbacks = self._check_callbacks()
        settings = split_optimizer_kwargs(self, _DEFAULTS)
        record = fit_record_of(self)
        self.reference_point_ = fitted_reference_point(
            self, settings["front_acquisition"], record.X, record.y
        )
        subspaces, budgets = read_search_spaces(self.search_spaces, self.n_iter)
        rng = check_random_state(self.random_state)
        branches = self._make_branches(subspaces, rng, settings)
        for branch, budget in zip(branches, budgets or []):
            branch.budget = budget
        total = sum(budgets) if budgets else self.n_iter
        initial = self._check_initial_points(branches)
        warm = KnownResults(self._warm_start_trials())

        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=None
            ).call_on_fit_task_begin(estimator=self)
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
            loop = SearchLoop(
                self,
                branches,
                initial,
                warm,
                recorder,
                total,
                callbacks,
                search_ctx,
                front_acquisition=settings["front_acquisition"],
            )
            loop.run()
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)

        self.surrogates_ = [BranchSurrogate(b.encoding, b.optimizer) for b in branches]
        self.optimizer_results_ = [branch_result(b) for b in branches]
        if loop.scores and not any(loop.outcomes):
            detail = (
                f" The first error was:\n{loop.first_error[0]}"
                if loop.first_error
                else " No fit failed: scoring returned non-finite values."
            )
            raise ValueError(
                f"All {len(loop.scores)} candidates failed (no finite mean test "
                "score), so there is no best candidate. The estimator is probably "
                "misconfigured for this data or space; set error_score='raise' to "
                "debug." + detail
            )

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
