"""The search loop of one :class:`~skhp.search.BayesSearchCV` fit.

:class:`SearchLoop` holds what one ``_run_search`` call accumulates and runs
the loop as a short sequence of named steps::

    while budget left:
        batch = propose()           # initial points, else the optimisers
        take in what is known       # the journal's and warm_start's results
        results = evaluate(batch)   # cross-validate (pruning: first folds first)
        tell(batch, results)        # scores, failures -> the optimisers
        stop?                       # callbacks

Each candidate of a batch is ``(branch, point, params)``: the
:class:`Branch` of the space that holds it, its encoded point for the
branch's optimiser (None for a branch with nothing to choose) and its
parameters. The per-candidate fit and score itself is scikit-learn's,
through ``evaluate_candidates`` (see :func:`skhp._compat.sklearn.evaluate_fold`).
"""

import math
import time
import warnings

import numpy as np
from sklearn.exceptions import FitFailedWarning

from .._compat import fit_first_folds, tolerate_failed_batches
from ..journal.params import candidate_key
from ..journal.warm import score_column, split_scores, standard_errors
from .callbacks import SearchProgress
from .fit_record import fit_record_of
from .objectives import ask_for_front

__all__ = ["Branch", "KnownResults", "SearchLoop", "branch_of", "branch_result"]

_MAX_RESAMPLE = 100


class Branch:
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

    def draw(self, n, ask):
        """Up to ``n`` new (point, params) from ``ask``; fewer if exhausted."""
        encoding = self.encoding
        if self.optimizer is None:
            self.exhausted = True
            return [(None, dict(encoding.fixed))]
        drawn = []
        for point in ask(self, n):
            params = encoding.decode(point)
            key = encoding.key(params)
            if key in self.seen or any(encoding.key(p) == key for _, p in drawn):
                # A finite space can run out; look for an untried candidate at
                # random before declaring the branch exhausted.
                for _ in range(_MAX_RESAMPLE):
                    params = encoding.sample(self.rng)
                    key = encoding.key(params)
                    if key not in self.seen and all(
                        encoding.key(p) != key for _, p in drawn
                    ):
                        break
                else:
                    self.exhausted = True
                    continue
                point = encoding.encode(params)
            drawn.append((point, params))
        return drawn

    def mark_proposed(self, params):
        self.seen.add(self.encoding.key(params))
        self.n_proposed += 1

    def unmark_proposed(self, params):
        self.seen.discard(self.encoding.key(params))
        self.n_proposed -= 1


class KnownResults:
    """Results from ``warm_start``, matched to proposals by candidate key."""

    def __init__(self, known):
        self._by_key = {}
        for params, score, failed, se in known:
            self._by_key.setdefault(candidate_key(params), []).append(
                (params, score, failed, se)
            )

    @property
    def waiting(self):
        return bool(self._by_key)

    def has(self, params):
        return candidate_key(params) in self._by_key

    def take(self, params):
        key = candidate_key(params)
        item = self._by_key[key].pop(0)
        if not self._by_key[key]:
            del self._by_key[key]
        return item

    def take_all(self):
        items = [item for items in self._by_key.values() for item in items]
        self._by_key.clear()
        return items


def branch_result(branch):
    """A branch as skopt's ``OptimizeResult`` (values told: negated scores)."""
    from .optimize_result import branch_result as result

    return result(branch.encoding, branch.optimizer, evaluated=branch.evaluated)


def branch_of(branches, params, what):
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


def adopt(branches, params, what):
    """Mark a known candidate as proposed; return (branch, point, params)."""
    branch, params = branch_of(branches, params, what)
    branch.mark_proposed(params)
    point = branch.encoding.encode(params) if branch.optimizer else None
    return branch, point, params


class SearchLoop:
    """Propose, evaluate and tell, for one ``BayesSearchCV._run_search`` call.

    Parameters
    ----------
    search : BayesSearchCV
        For its parameters (``n_points``, ``refit``, ``pruner``,
        ``error_score``) and ``fit(callback=)``.
    branches : list of Branch
    initial : list of (Branch, dict)
        ``initial_points``, checked.
    warm : KnownResults
        ``warm_start``'s results.
    recorder : CandidateRecorder
        ``evaluate_candidates`` with the journal and the progress bar.
    total : int
        Candidates to evaluate: ``n_iter``, or the branches' budgets' sum.
    callbacks : list of callable
        skhp's ``callbacks``.
    search_ctx : scikit-learn callback context or None
    """

    def __init__(
        self,
        search,
        branches,
        initial,
        warm,
        recorder,
        total,
        callbacks,
        search_ctx,
        front_acquisition="ehvi",
    ):
        self.search = search
        self.front_acquisition = front_acquisition
        self.branches = branches
        self.initial = initial
        self.warm = warm
        self.recorder = recorder
        self.total = total
        self.callbacks = callbacks
        self.search_ctx = search_ctx
        self.start = time.monotonic()
        self.scores = []  # evaluated candidates' scores (NaN when failed)
        self.outcomes = []  # per evaluated candidate: a finite score?
        self.known_scores = []  # evaluated and warm-start scores, for telling
        self.known_ok = []
        self.pending_failures = []  # (branch, point) told once a success sets the scale
        self.first_error = []
        self.warned = False
        self.results = None  # cv_results_ so far, for proposals with objectives

    def run(self):
        """The search loop."""
        while len(self.scores) < self.total:
            batch, from_initial = self.propose(
                min(self.search.n_points, self.total - len(self.scores))
            )
            if not batch:
                break  # every distinct candidate of a finite space was tried
            if self.proposed_unknown_while_known_wait(batch):
                # A resumed or warm-started search proposed something else
                # than what was recorded (another seed, another optimiser):
                # take in everything recorded first, then propose again.
                self.take_back(batch, from_initial)
                self.take_in_recorded()
                self.take_in_warm(self.warm.take_all())
                continue
            batch = self.take_in_warm_of(batch)
            if not batch:
                continue
            results, errors = self.evaluate(batch)
            self.tell(batch, results, errors)
            if self.stop(results, self.callbacks, batch):
                break

    # -- propose ---------------------------------------------------------------

    def propose(self, n):
        """The next ``n`` candidates: initial points first, then the optimisers'.

        Returns
        -------
        batch : list of (branch, point, params)
        from_initial : bool
        """
        if self.initial:
            batch = [
                adopt(self.branches, params, "initial_points")
                for _, params in self.initial[:n]
            ]
            del self.initial[:n]
            return batch, True
        batch = []
        while len(batch) < n:
            branch = self.pick_branch()
            if branch is None:
                break
            want = n - len(batch) if not branch.in_initial_phase else 1
            if branch.budget is not None:
                want = min(want, branch.budget - branch.n_proposed)
            for point, params in branch.draw(want, self.ask):
                branch.mark_proposed(params)
                batch.append((branch, point, params))
        return batch, False

    def ask(self, branch, n):
        """``n`` points from ``branch``'s optimiser (with objectives: for the front)."""
        search = self.search
        if search.objectives and self.results and not branch.in_initial_phase:
            return ask_for_front(
                search, branch, n, self.results, self.front_acquisition
            )
        return branch.optimizer.ask(n)

    def pick_branch(self):
        """The branch to draw the next candidate from, or None when all are done."""
        open_ = [b for b in self.branches if b.open]
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

    def take_back(self, batch, from_initial):
        """Undo the proposal of ``batch`` (initial points go back in front)."""
        for branch, _, params in reversed(batch):
            branch.unmark_proposed(params)
            if from_initial:
                self.initial.insert(0, (branch, params))

    # -- what is known: the journal's and warm_start's results --------------------

    def proposed_unknown_while_known_wait(self, batch):
        """Whether ``batch`` has new candidates while known results still wait."""
        new = [
            params
            for _, _, params in batch
            if not self.warm.has(params) and not self.recorder.has(params)
        ]
        return bool(new) and (self.recorder.waiting or self.warm.waiting)

    def take_in_recorded(self):
        """Replay every candidate the journal holds and tell the optimisers."""
        trials = self.recorder.take_waiting()
        if not trials:
            return
        batch = [
            adopt(self.branches, t.params, f"the journal's trial {t.number}")
            for t in trials
        ]
        for trial, (_, _, params) in zip(trials, batch):
            trial.params = params  # the space's own objects, not their repr
        results, errors = self.evaluate(batch, replay=trials)
        self.tell(batch, results, errors)
        self.stop(results, [])

    def take_in_warm_of(self, batch):
        """Tell the warm-start results of ``batch``; return the rest of it."""
        is_warm = [self.warm.has(params) for _, _, params in batch]
        adopted = [c for c, w in zip(batch, is_warm) if w]
        if adopted:
            known = [self.warm.take(params) for _, _, params in adopted]
            self.take_in_warm(known, adopted=adopted)
        return [c for c, w in zip(batch, is_warm) if not w]

    def take_in_warm(self, known, adopted=None):
        """Tell the optimisers known results without evaluating them."""
        if not known:
            return
        if adopted is None:
            adopted = [
                adopt(self.branches, params, "warm_start") for params, _, _, _ in known
            ]
        scores = [score for _, score, _, _ in known]
        failed = [bad for _, _, bad, _ in known]
        self.known_scores.extend(scores)
        self.known_ok.extend(not bad for bad in failed)
        self.tell_optimisers(adopted, scores, failed, [se for *_, se in known])

    # -- evaluate ---------------------------------------------------------------

    def evaluate(self, batch, replay=None):
        """Cross-validate (or replay) a batch.

        Returns
        -------
        results : dict
            The search's ``cv_results`` so far.
        errors : list
            Per fit of the batch (candidate-major), its error or None.
        """
        search, recorder = self.search, self.recorder
        errors = []
        batch_ctx, ctx_kwargs = None, {}
        if self.search_ctx is not None:  # scikit-learn >= 1.9
            batch_ctx = self.search_ctx.subcontext(
                task_name="bayes-batch",
                max_subtasks=len(batch) * recorder.n_splits,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=search)
            ctx_kwargs = {"callback_ctx": batch_ctx}
        with tolerate_failed_batches(
            lambda out: errors.extend(r.get("fit_error") for r in out)
        ):
            candidates = [params for _, _, params in batch]
            if replay is not None:
                results = recorder.replay(replay, **ctx_kwargs)
            elif search.pruner is not None and not any(map(recorder.has, candidates)):
                with warnings.catch_warnings():
                    # A pruned candidate's NaN mean is expected, not a failure.
                    warnings.filterwarnings(
                        "ignore",
                        message="One or more of the test scores are non-finite",
                    )
                    results = self.evaluate_pruning(candidates, ctx_kwargs)
            else:
                results = recorder(candidates, **ctx_kwargs)
        if batch_ctx is not None:
            batch_ctx.call_on_fit_task_end(estimator=search)
        self.results = results
        return results, errors

    def evaluate_pruning(self, candidates, ctx_kwargs):
        """Fit the first folds, prune the clearly bad, finish and record the rest."""
        from .pruners import PrunedCV

        search, recorder, pruner = self.search, self.recorder, self.search.pruner
        after = pruner.after_folds
        results = recorder.results
        completed = []
        if results is not None and len(results["params"]):
            n_done = len(results["params"])
            first = self.split_scores(results, n_done)[:, :after]
            done = ~np.asarray(results["pruned"], dtype=bool)
            rows = first[done & np.isfinite(first).all(axis=1)]
            completed = rows.mean(axis=1).tolist()
        if len(completed) < pruner.n_startup:
            return recorder(candidates, **ctx_kwargs)
        first_folds, splits = fit_first_folds(
            search,
            fit_record_of(search),
            candidates,
            after,
            collect_warnings=recorder.collect_warnings,
            fit_timeout=recorder.fit_timeout,
        )
        flags = []
        for folds in first_folds:
            if any(f.get("fit_error") for f in folds):
                flags.append(False)  # let it fail (or not) on every fold
                continue
            scores = [
                f["test_scores"][recorder.metric]
                if isinstance(f["test_scores"], dict)
                else f["test_scores"]
                for f in folds
            ]
            flags.append(pruner.prune(float(np.mean(scores)), completed))
        return recorder(
            candidates,
            cv=PrunedCV(first_folds, splits, flags),
            pruned=(flags, after),
            **ctx_kwargs,
        )

    def split_scores(self, results, n):
        """The last ``n`` candidates' per-split test scores, shape (n, n_splits)."""
        key = score_column(results, self.search.refit, "BayesSearchCV")
        return split_scores(results, key)[-n:]

    # -- tell -------------------------------------------------------------------

    def tell(self, batch, results, errors):
        """Learn from an evaluated batch: its scores and failures, to the optimisers."""
        key = score_column(results, self.search.refit, "BayesSearchCV")
        scores = [float(s) for s in np.asarray(results[key], dtype=float)]
        batch_scores = scores[-len(batch) :]
        self.scores.extend(batch_scores)
        told_scores = list(batch_scores)
        splits = self.split_scores(results, len(batch))
        if "pruned" in results:
            pruned = [bool(p) for p in results["pruned"][-len(batch) :]]
            for i, is_pruned in enumerate(pruned):
                if is_pruned:
                    # What the first folds said is real information.
                    told_scores[i] = float(np.nanmean(splits[i]))
        failed = self.failures(batch, told_scores, errors)
        self.outcomes.extend(not f for f in failed)
        self.known_scores.extend(told_scores)
        self.known_ok.extend(not f for f in failed)
        self.tell_optimisers(
            batch, told_scores, failed, standard_errors(splits).tolist()
        )

    def failures(self, batch, told_scores, errors):
        """Which candidates failed; warns about the first that failed on every fold."""
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
            if not self.first_error:
                self.first_error.append(first)
            if all_failed and not self.warned:
                # sklearn itself warns about partial failures.
                self.warned = True
                warnings.warn(
                    f"Candidate {params} failed on all {n_fits} folds; it is "
                    f"recorded with error_score={self.search.error_score!r} and "
                    "the search goes on (later failures are not reported one by "
                    f"one; see cv_results_). The error was:\n{first}",
                    FitFailedWarning,
                    stacklevel=5,
                )
        return failed

    def tell_optimisers(self, batch, batch_scores, failed, noise):
        """Tell each branch's optimiser its results, as values to minimise.

        A failed candidate is told the optimiser's
        :meth:`~skhp.search.optimizer.SurrogateOptimizer.failure_value` (the
        user's ``error_score`` may be NaN, or look like a good score), so the
        surrogate learns to avoid its region. Until a first success sets the
        scale, failures wait in ``pending_failures``. ``noise`` holds each
        score's standard error over the folds (NaN where unknown).
        """
        from .optimizer import SurrogateOptimizer

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
                self.pending_failures.append((branch, point))
            else:
                add(branch, point, -score, False, se)
        value = SurrogateOptimizer.failure_value(
            [-s for s, ok in zip(self.known_scores, self.known_ok) if ok]
        )
        if value is not None:
            for branch, point in self.pending_failures:
                add(branch, point, value, True)
            self.pending_failures.clear()
        for branch, points, values, flags, ses in told.values():
            branch.optimizer.tell(points, values, failed=flags, noise=ses)

    # -- stop -------------------------------------------------------------------

    def stop(self, results, callbacks, batch=()):
        """Call the callbacks with the search's progress; whether any says stop."""
        progress = SearchProgress(
            n_evaluated=len(self.scores),
            n_iter=self.total,
            scores=list(self.scores),
            elapsed=time.monotonic() - self.start,
            cv_results=results,
        )
        stop = any(cb(progress) is True for cb in callbacks)
        fit_callbacks = getattr(self.search, "_fit_callbacks", None)
        if fit_callbacks and batch:
            # skopt's fit(callback=): the batch's branch as an OptimizeResult;
            # every callback is called, and any True stops.
            result = branch_result(batch[-1][0])
            for cb in fit_callbacks:
                stop = bool(cb(result)) or stop
        return stop
