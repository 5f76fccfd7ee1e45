"""Give a searcher's ``_run_search`` a journal and a progress bar."""

import contextlib
import os
import time

from joblib import effective_n_jobs

from ..journal import Journal
from ..journal.fingerprint import search_fingerprint
from ..journal.lock import study_lock
from ..journal.recorder import CandidateRecorder
from .fit_record import fit_record_of
from .fit_warnings import collecting, warn_summary
from .progress import ProgressBar, score_key
from .timeout import use_fit_timeout

__all__ = ["recording", "check_journal"]


def check_journal(journal, study):
    """Validate ``journal`` and ``study``; return (Journal or None, str or None)."""
    if journal is not None and not isinstance(journal, (str, os.PathLike, Journal)):
        raise TypeError(
            "`journal` must be a path (str or os.PathLike), a skhp.journal.Journal "
            f"or None, but got {journal!r} of type {type(journal).__name__}."
        )
    if study is not None and (not isinstance(study, str) or not study.strip()):
        raise ValueError(
            f"`study` must be a non-empty string or None, but got {study!r}."
        )
    if journal is None:
        return None, None
    if not isinstance(journal, Journal):
        journal = Journal(journal)
    if os.path.isdir(journal.path):
        raise ValueError(
            f"`journal` must be a file, but {journal.path!r} is a folder. Give a "
            f"file path, e.g. journal={os.path.join(journal.path, 'journal.db')!r}."
        )
    return journal, study


@contextlib.contextmanager
def recording(search, evaluate_candidates, *, space, total, chunked, adopt_unmatched):
    """Yield a :class:`CandidateRecorder` for one ``_run_search`` call.

    Parameters
    ----------
    search : BaseSearchCV
        With ``journal``, ``study`` and ``verbose`` parameters.
    evaluate_candidates : callable
    space : object
        What the search samples from (for the journal's fingerprint).
    total : int
        Candidates the search intends to evaluate (for the progress bar).
    chunked : bool
        Whether to evaluate new candidates in chunks of about twice the
        number of parallel workers (so each is journaled soon after it
        completes), rather than in the searcher's own batches.
    adopt_unmatched : bool
        See :class:`~skhp.journal.recorder.CandidateRecorder`.
    """
    record = fit_record_of(search)
    journal, study = check_journal(search.journal, search.study)
    fit_timeout = use_fit_timeout(search)
    study = study or type(search).__name__.lower()
    lock = None
    if journal is not None:
        # One writer per study: a second search on it is refused at once.
        lock = study_lock(journal.path, study).acquire()
        try:
            journal.open_study(
                study,
                type(search).__name__,
                search_fingerprint(search, space, (record.X, record.y)),
            )
        except BaseException:
            lock.release()
            journal.close()
            raise
    key = score_key(search)
    progress = ProgressBar(total, search.verbose, key, desc=study)
    chunk_size = None
    if chunked and (journal is not None or progress.enabled):
        chunk_size = 2 * max(1, effective_n_jobs(search.n_jobs))
    n_splits = record.n_splits(search)
    try:
        recorder = CandidateRecorder(
            evaluate_candidates,
            n_splits,
            cv=record.checked_cv(search),
            collect_warnings=collecting(),
            fit_timeout=fit_timeout,
            journal=journal,
            study=study,
            metric=key[len("mean_test_") :],
            chunk_size=chunk_size,
            progress=progress,
            adopt_unmatched=adopt_unmatched,
            owner=search,
        )
    except BaseException:
        progress.close()
        if journal is not None:
            lock.release()
            journal.close()
        raise
    # scikit-learn prints "Fitting k folds for each of n candidates" per
    # evaluate_candidates call; where skhp splits the search into calls
    # (chunks) or draws a bar, one line for the whole search replaces those.
    lines = contextlib.nullcontext()
    if search.verbose and (chunk_size is not None or progress.enabled):
        lines = progress.fitting_lines(n_splits)
    elif progress.enabled:  # progress=True at verbose=0: printed lines only
        lines = progress.fitting_lines(n_splits, announce=False)
    start = time.monotonic()
    try:
        with lines:
            yield recorder
        if journal is not None:
            previous = journal.info(study)["wall_time"]
            journal.mark_finished(study, previous + time.monotonic() - start)
    finally:
        progress.close()
        if journal is not None:
            journal.close()
            lock.release()
    # After the bar's last line: one warning per kind of per-fit warning.
    warn_summary(recorder.all_out, n_splits, stacklevel=4)
