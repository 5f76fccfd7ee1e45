"""A progress bar for searches: candidates done, best score, time left."""

import contextlib
import io
import re
import shutil
import sys

import numpy as np

from .._config import get_config

__all__ = ["ProgressBar", "in_notebook", "score_key", "shows_progress"]

# What scikit-learn's ``evaluate_candidates`` prints at ``verbose >= 1``, once
# per call; a chunked search calls it once per chunk.
_FITTING_LINE = re.compile(
    r"Fitting \d+ folds for each of \d+ candidates, totalling \d+ fits"
)


def in_notebook():
    """Whether this process is a Jupyter kernel (where tqdm draws a widget)."""
    return "ipykernel.zmqshell" in sys.modules


def shows_progress(verbose, file=None):
    """Whether a search with this ``verbose`` draws a bar on ``file``.

    ``skhp.get_config()["progress"]`` decides: True draws always, False
    never, None (the default) where ``verbose >= 1`` and someone watches:
    ``file`` (default ``sys.stderr``) is a terminal, or this is a notebook.
    """
    progress = get_config()["progress"]
    if progress is not None:
        return progress
    file = sys.stderr if file is None else file
    watched = getattr(file, "isatty", lambda: False)() or in_notebook()
    return bool(verbose) and watched


class ProgressBar:
    """tqdm bar over a search's candidates, shown only where someone watches.

    Whether it shows follows :func:`shows_progress`: the search's ``verbose``
    and ``skhp.set_config(progress=...)``.

    Parameters
    ----------
    total : int
        Candidates the search will evaluate (its budget).
    verbose : int
        The search's ``verbose``: 0 shows nothing unless the global setting
        ``progress=True``.
    score_key : str
        The ``cv_results_`` key of the optimised score.
    desc : str, default=None
    file : file object, default=None
        Where to draw (default ``sys.stderr``).
    """

    def __init__(self, total, verbose, score_key, desc=None, file=None):
        self.total = total
        self.score_key = score_key
        file = sys.stderr if file is None else file
        self.enabled = shows_progress(verbose, file)
        self._bar = None
        if self.enabled:
            # tqdm.auto: a widget in Jupyter (with ipywidgets), text elsewhere.
            from tqdm.auto import tqdm

            # Pseudo-terminals without a window size (``script``, some
            # ``docker exec -t``) report 0 x 0, and tqdm then draws nothing.
            size = shutil.get_terminal_size()
            self._bar = tqdm(
                total=total,
                desc=desc,
                unit="cand",
                file=file,
                ncols=size.columns if size.columns >= 40 else 100,
                nrows=size.lines if size.lines >= 2 else 24,
            )

    def update(self, results):
        """Show the state after a chunk: ``results`` is the cumulative cv_results_."""
        if self._bar is None or results is None:
            return
        done = len(results["params"])
        scores = np.asarray(results.get(self.score_key, []), dtype=float)
        finite = scores[np.isfinite(scores)]
        if finite.size:
            self._bar.set_postfix(best=f"{finite.max():.4g}", refresh=False)
        self._bar.update(max(0, done - self._bar.n))

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    @contextlib.contextmanager
    def fitting_lines(self, n_splits, announce=True):
        """Print scikit-learn's "Fitting ..." line once, for the whole search.

        Inside the block, standard output is written line by line above the
        bar (cleared, line written, redrawn, as ``tqdm.write`` does), so
        that no line is cut by the bar. scikit-learn's per-call "Fitting k
        folds for each of n candidates" lines are left out: the line for
        the whole search, printed on entry, replaces them. Other output
        passes unchanged. Without a bar, lines go straight to stdout.

        Parameters
        ----------
        n_splits : int
            Folds per candidate.
        announce : bool, default=True
            Whether to print the line for the whole search (False: a bar
            drawn at ``verbose=0``, where scikit-learn prints nothing).
        """
        target = sys.stdout
        lines = _Lines(target, self._bar)
        if announce:
            lines.emit(
                f"Fitting {n_splits} folds for each of {self.total} candidates, "
                f"totalling {n_splits * self.total} fits"
            )
        try:
            with contextlib.redirect_stdout(lines):
                yield
        finally:
            lines.close_partial()


class _Lines(io.TextIOBase):
    """Standard output while a search runs: whole lines, above the bar."""

    def __init__(self, target, bar):
        self._target = target
        self._bar = bar
        self._partial = ""

    def writable(self):
        return True

    def write(self, text):
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            if not _FITTING_LINE.fullmatch(line):
                self.emit(line)
        return len(text)

    def emit(self, line):
        if self._bar is None:
            self._target.write(line + "\n")
            return
        # What tqdm.write does, except that tqdm clears the bar only when the
        # target is sys.stdout or sys.stderr, and sys.stdout is this object.
        with self._bar.get_lock():
            self._bar.clear(nolock=True)
            self._target.write(line + "\n")
            self._target.flush()
            self._bar.refresh(nolock=True)

    def flush(self):
        self._target.flush()

    def close_partial(self):
        """Write out a last line that had no newline."""
        if self._partial:
            self.emit(self._partial)
            self._partial = ""
        self.flush()


def score_key(search):
    """The cv_results_ key of the score a search optimises."""
    if isinstance(search.refit, str):
        return f"mean_test_{search.refit}"
    return "mean_test_score"
