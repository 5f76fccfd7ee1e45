"""A SQLite journal of evaluated candidates, so that no search result is lost.

Every candidate a journaled search evaluates is committed to the journal as
soon as its batch completes. Fitting the same search again with the same
journal resumes it: recorded candidates are replayed into ``cv_results_``
instead of being fitted again.
"""

from .store import Journal, JournalMismatchError
from .trial import Trial

__all__ = ["Journal", "JournalMismatchError", "Trial"]
