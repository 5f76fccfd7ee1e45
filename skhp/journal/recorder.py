"""Between a searcher and ``evaluate_candidates``: replay, record, report.

A searcher's ``_run_search`` receives scikit-learn's ``evaluate_candidates``.
:class:`CandidateRecorder` wraps it with the same signature, so the searcher's
own logic is unchanged, and adds three things:

- candidates already in the journal are replayed into ``cv_results_`` from
  their recorded fold results instead of being fitted again;
- new candidates are evaluated in chunks and each chunk is committed to the
  journal as soon as it completes;
- a progress bar is updated after each chunk.
"""

import collections
import math

import numpy as np

from .._compat import ReplayedSplit, tolerate_failed_batches
from .params import candidate_key
from .trial import Trial, candidate_errors, keep_scoring_error

__all__ = ["CandidateRecorder", "MarkedCV", "ReplayCV"]

_REPLAY_CHUNK = 64
#: A candidate whose fits were started this many times by processes that died
#: before recording it is recorded as failed instead of being fitted again.
MAX_DEATHS = 2


def _keeping_scoring_errors(extend):
    """A failure sink that first keeps scorers' errors (see keep_scoring_error)."""

    def sink(results):
        for result in results:
            keep_scoring_error(result)
        extend(results)

    return sink


class ReplayCV:
    """A splitter whose splits replay recorded fold results.

    Parameters
    ----------
    trials : list of Trial
        The candidates of one ``evaluate_candidates`` call, in order.
    """

    def __init__(self, trials):
        self.trials = trials

    def get_n_splits(self, X=None, y=None, groups=None, **params):
        return len(self.trials[0].folds)

    def split(self, X=None, y=None, groups=None, **params):
        for k in range(self.get_n_splits()):
            split = ReplayedSplit([trial.folds[k] for trial in self.trials])
            yield split, split


class MarkedCV:
    """Marks each split of ``cv`` as a skhp search's, for ``_fit_and_score``.

    Every ``evaluate_candidates`` call of a skhp search gets this splitter:
    its "train indices" are :class:`~skhp._compat.ReplayedSplit` markers,
    which travel with each task to wherever it runs, so skhp's hook acts on
    this search's fits only (see :func:`skhp._compat.evaluate_fold`).

    Parameters
    ----------
    cv : splitter
        The search's checked splitter, a :class:`ReplayCV` or a pruning
        searcher's own.
    collect_warnings : bool
        Record each fit's warnings instead of showing them.
    fit_timeout : skhp.search.timeout.FitTimeout or None, default=None
        The search's ``fit_timeout``, for each fit.
    """

    def __init__(self, cv, collect_warnings, fit_timeout=None):
        self.cv = cv
        self.collect_warnings = collect_warnings
        self.fit_timeout = fit_timeout

    def get_n_splits(self, X=None, y=None, groups=None, **params):
        return self.cv.get_n_splits(X, y, groups, **params)

    def split(self, X=None, y=None, groups=None, **params):
        for train, test in self.cv.split(X, y, groups, **params):
            if isinstance(train, ReplayedSplit):
                split = train.marked(self.collect_warnings, self.fit_timeout)
            else:
                split = ReplayedSplit(
                    None, train, test, self.collect_warnings, self.fit_timeout
                )
            yield split, split


class CandidateRecorder:
    """Wrap ``evaluate_candidates`` with a journal and a progress bar.

    Parameters
    ----------
    evaluate_candidates : callable
        scikit-learn's, as given to ``_run_search``.
    n_splits : int
        The search's number of CV splits.
    cv : splitter
        The search's checked splitter (see :class:`MarkedCV`).
    collect_warnings : bool, default=False
        Record per-fit warnings in the fits' results instead of showing them.
    fit_timeout : skhp.search.timeout.FitTimeout or None, default=None
        The search's ``fit_timeout`` (see :mod:`skhp.search.timeout`).
    journal : Journal or None
        Where to record; None records nothing (progress only).
    study : str
        The study to record into (already opened).
    metric : str
        The metric a trial's status is judged on (``"score"`` for one metric).
    chunk_size : int or None
        Candidates per ``evaluate_candidates`` call for new candidates; None
        keeps the searcher's own batches.
    progress : ProgressBar or None
    owner : estimator, default=None
        The search, for scikit-learn's callback contexts.
    adopt_unmatched : bool
        When a call holds candidates the journal does not have while recorded
        ones are still waiting (a random search resumed without a fixed
        seed), the recorded ones take their places, so none is lost.
    """

    def __init__(
        self,
        evaluate_candidates,
        n_splits,
        *,
        cv,
        collect_warnings=False,
        fit_timeout=None,
        journal=None,
        study=None,
        metric="score",
        chunk_size=None,
        progress=None,
        adopt_unmatched=False,
        owner=None,
    ):
        self.owner = owner
        self.evaluate_candidates = evaluate_candidates
        self.n_splits = n_splits
        self.cv = cv
        self.collect_warnings = collect_warnings
        self.fit_timeout = fit_timeout
        self.journal = journal
        self.study = study
        self.metric = metric
        self.chunk_size = chunk_size
        self.progress = progress
        self.adopt_unmatched = adopt_unmatched
        self.pruned_column = False
        self.n_replayed = 0
        self.n_evaluated = 0
        self.all_out = []
        self.results = None
        self._waiting = collections.OrderedDict()  # number -> Trial
        self._by_key = collections.defaultdict(collections.deque)
        if journal is not None:
            for trial in journal.trials(study):
                if len(trial.folds) != n_splits:
                    raise ValueError(
                        f"The study {study!r} in {journal.path!r} recorded "
                        f"{len(trial.folds)} folds per candidate, but the search "
                        f"now has {n_splits} CV splits. Resume with the same `cv`."
                    )
                self._waiting[trial.number] = trial
                self._by_key[trial.key].append(trial)

    # -- the journal's waiting trials -----------------------------------------

    @property
    def waiting(self):
        """Recorded trials not replayed yet, in their recorded order."""
        return list(self._waiting.values())

    def _take(self, params):
        queue = self._by_key.get(candidate_key(params))
        if not queue:
            return None
        trial = queue.popleft()
        del self._waiting[trial.number]
        return trial

    def has(self, params):
        """Whether the journal has this candidate waiting to be replayed."""
        return bool(self._by_key.get(candidate_key(params)))

    def replay(self, trials, **kwargs):
        """Replay recorded trials (taken with :meth:`take_waiting`); return results."""
        self._replay([t.params for t in trials], trials, kwargs)
        if self.progress is not None:
            self.progress.update(self.results)
        return self.results

    def take_waiting(self):
        """Remove and return every waiting trial (the caller replays them)."""
        trials = self.waiting
        self._waiting.clear()
        self._by_key.clear()
        return trials

    # -- evaluate_candidates -----------------------------------------------------

    def __call__(
        self, candidate_params, cv=None, more_results=None, pruned=None, **kwargs
    ):
        if more_results is not None:
            raise TypeError(
                "skhp's journal does not support evaluate_candidates(more_results=...)"
                "; call it with candidates only."
            )
        candidate_params = list(candidate_params)
        if cv is not None:
            # A pruning searcher's own splitter: new candidates, one call.
            self._evaluate(candidate_params, kwargs, cv=cv, pruned=pruned)
            if self.progress is not None:
                self.progress.update(self.results)
            return self.results

        plan = [(params, self._take(params)) for params in candidate_params]
        if self.adopt_unmatched and self._waiting:
            for i, (_, trial) in enumerate(plan):
                if trial is None and self._waiting:
                    adopted = self._waiting.popitem(last=False)[1]
                    self._by_key[adopted.key].remove(adopted)
                    plan[i] = (adopted.params, adopted)

        segments = []  # (replay?, [(params, trial)])
        for item in plan:
            replay = item[1] is not None
            limit = _REPLAY_CHUNK if replay else (self.chunk_size or len(plan))
            if segments and segments[-1][0] == replay and len(segments[-1][1]) < limit:
                segments[-1][1].append(item)
            else:
                segments.append((replay, [item]))

        parent_ctx = kwargs.pop("callback_ctx", None)
        for i, (replay, items) in enumerate(segments):
            call_kwargs = dict(kwargs)
            ctx = None
            if parent_ctx is not None and len(segments) == 1:
                call_kwargs["callback_ctx"] = parent_ctx
            elif parent_ctx is not None:
                ctx = parent_ctx.subcontext(
                    task_name="journal-chunk",
                    task_id=None if parent_ctx.sequential_subtasks else i,
                    max_subtasks=len(items) * self.n_splits,
                    sequential_subtasks=False,
                ).call_on_fit_task_begin(estimator=self.owner)
                call_kwargs["callback_ctx"] = ctx
            params = [p for p, _ in items]
            if replay:
                self._replay(params, [t for _, t in items], call_kwargs)
            else:
                self._evaluate(params, call_kwargs)
            if ctx is not None:
                ctx.call_on_fit_task_end(estimator=self.owner)
            if self.progress is not None:
                self.progress.update(self.results)
        return self.results

    def _add_errors(self):
        """Put each candidate's first error line in ``cv_results_["error"]``."""
        if self.results is None:
            return
        errors = candidate_errors(self.all_out, self.n_splits)
        if len(errors) == len(self.results["params"]):
            column = np.empty(len(errors), dtype=object)
            column[:] = errors
            self.results["error"] = column

    def _more_results(self, flags):
        # Every call must add the column, or cv_results_ arrays would differ
        # in length.
        return {"more_results": {"pruned": flags}} if self.pruned_column else {}

    def _evaluate_candidates(self, params, cv, kwargs, pruned_flags):
        """scikit-learn's ``evaluate_candidates``, on this search's marked splits."""
        marked = MarkedCV(
            self.cv if cv is None else cv, self.collect_warnings, self.fit_timeout
        )
        return self.evaluate_candidates(
            params, cv=marked, **kwargs, **self._more_results(pruned_flags)
        )

    def _replay(self, params, trials, kwargs):
        flags = [t.status == "pruned" for t in trials]
        with tolerate_failed_batches(_keeping_scoring_errors(self.all_out.extend)):
            self.results = self._evaluate_candidates(
                params, ReplayCV(trials), kwargs, flags
            )
        self.n_replayed += len(params)
        self._add_errors()

    def _evaluate(self, params, kwargs, cv=None, pruned=None):
        if self.journal is None or cv is not None:
            return self._evaluate_group(params, kwargs, cv=cv, pruned=pruned)
        # Candidates whose fits a dead process left unfinished: once, they are
        # fitted alone (their chunk-mates may have died with them, innocent);
        # twice, they are recorded as failed without fitting, so that a
        # candidate that kills the process is not retried forever.
        keys = [candidate_key(p) for p in params]
        starts = self.journal.unfinished_starts(self.study, keys)
        if not any(starts):
            return self._evaluate_group(params, kwargs, list(zip(params, keys)))
        calls, group = [], []  # (kind, [(params, key)])
        for p, key, n in zip(params, keys, starts):
            if n == 0:
                group.append((p, key))
                continue
            if group:
                calls.append(("fit", group))
                group = []
            calls.append(("dead" if n >= MAX_DEATHS else "fit", [(p, key, n)]))
        if group:
            calls.append(("fit", group))
        parent = kwargs.get("callback_ctx")
        for i, (kind, items) in enumerate(calls):
            call_kwargs, ctx = dict(kwargs), None
            if parent is not None:
                # One child context per evaluate_candidates call.
                ctx = parent.subcontext(
                    task_name="journal-resumed-chunk",
                    task_id=i,
                    max_subtasks=len(items) * self.n_splits,
                    sequential_subtasks=False,
                ).call_on_fit_task_begin(estimator=self.owner)
                call_kwargs["callback_ctx"] = ctx
            if kind == "dead":
                self._record_death(items[0][0], items[0][2], call_kwargs)
            else:
                group = [(p, key) for p, key, *_ in items]
                self._evaluate_group([p for p, _ in group], call_kwargs, group)
            if ctx is not None:
                ctx.call_on_fit_task_end(estimator=self.owner)

    def _record_death(self, params, n, kwargs):
        error_score = getattr(self.owner, "error_score", math.nan)
        message = (
            f"RuntimeError: the process died while fitting it ({n} times: killed, "
            "out of memory or crashed), so it is recorded as failed instead of "
            "being fitted again"
        )
        if error_score == "raise":
            raise RuntimeError(
                f"Candidate {params}: {message[len('RuntimeError: ') :]}"
            )
        score = float(error_score)
        scores = self._metric_names()
        fold = {
            "fit_error": message,
            "test_scores": {m: score for m in scores} if scores else score,
            "n_test_samples": 1,
            "fit_time": 0.0,
            "score_time": 0.0,
        }
        trial = Trial(params=dict(params), folds=[dict(fold)] * self.n_splits)
        trial.status = "failed"
        self._replay([params], [trial], dict(kwargs))
        self.journal.append(self.study, [trial])

    def _metric_names(self):
        """The metric names of a multi-metric search, else None."""
        for fold in self.all_out:
            scores = fold.get("test_scores")
            return list(scores) if isinstance(scores, dict) else None
        scoring = getattr(self.owner, "scoring", None)
        if isinstance(scoring, dict):
            return list(scoring)
        if isinstance(scoring, (list, tuple, set)):
            return list(scoring)
        return None

    def _evaluate_group(self, params, kwargs, marked=None, cv=None, pruned=None):
        if marked:
            self.journal.mark_running(self.study, [key for _, key in marked])
        out = []
        flags, after = pruned if pruned is not None else ([False] * len(params), 0)
        with tolerate_failed_batches(_keeping_scoring_errors(out.extend)):
            self.results = self._evaluate_candidates(params, cv, kwargs, list(flags))
        self.all_out.extend(out)
        self.n_evaluated += len(params)
        self._add_errors()
        if self.journal is not None:
            n = self.n_splits
            trials = []
            for i, p in enumerate(params):
                folds = [dict(f) for f in out[i * n : (i + 1) * n]]
                if flags[i]:
                    for fold in folds[after:]:
                        fold["pruned"] = True
                trials.append(Trial.from_folds(p, folds, self.metric))
            self.journal.append(self.study, trials)

    @property
    def all_failed(self):
        """Whether every fit so far failed."""
        return bool(self.all_out) and all(
            r.get("fit_error") is not None for r in self.all_out
        )
