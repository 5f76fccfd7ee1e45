"""A progress bar for searches: candidates done, best score, time left."""

import shutil
import sys

import numpy as np

__all__ = ["ProgressBar", "score_key"]


class ProgressBar:
    """tqdm bar over a search's candidates, shown only where someone watches.

    Parameters
    ----------
    total : int
        Candidates the search will evaluate (its budget).
    verbose : int
        The search's ``verbose``: 0 shows nothing.
    score_key : str
        The ``cv_results_`` key of the optimised score.
    desc : str, default=None
    file : file object, default=None
        Where to draw (default ``sys.stderr``); nothing is drawn unless it is
        a terminal.
    """

    def __init__(self, total, verbose, score_key, desc=None, file=None):
        self.total = total
        self.score_key = score_key
        file = sys.stderr if file is None else file
        self.enabled = bool(verbose) and getattr(file, "isatty", lambda: False)()
        self._bar = None
        if self.enabled:
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


def score_key(search):
    """The cv_results_ key of the score a search optimises."""
    if isinstance(search.refit, str):
        return f"mean_test_{search.refit}"
    return "mean_test_score"
