"""The SQLite file that holds a journal's studies and trials."""

import json
import math
import os
import sqlite3
import time
import urllib.parse

import numpy as np

from .params import dumps_params, loads_params
from .trial import Trial, error_summary

__all__ = ["Journal", "JournalMismatchError"]

_SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS studies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    searcher TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created REAL NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    wall_time REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS trials (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    number INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL,
    error TEXT,
    folds TEXT NOT NULL,
    created REAL NOT NULL,
    UNIQUE (study_id, number)
);
CREATE TABLE IF NOT EXISTS running (
    study_id INTEGER NOT NULL REFERENCES studies(id),
    key TEXT NOT NULL,
    starts INTEGER NOT NULL,
    started REAL NOT NULL,
    PRIMARY KEY (study_id, key)
);
"""


class JournalMismatchError(ValueError):
    """A study is resumed with a different search than the one it recorded."""


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} in the journal")


def _finite_or_none(value):
    return value if value is not None and math.isfinite(value) else None


class Journal:
    """A journal of evaluated candidates in one SQLite file.

    A journal holds studies (one per search, by name), each an ordered list
    of :class:`~skhp.journal.Trial`. Writes are transactions: after a crash,
    even in the middle of a write, the file holds every trial committed
    before it and nothing of the interrupted one. Several processes may read
    while one writes (SQLite's write-ahead log).

    Parameters
    ----------
    path : str or path-like
        The file; created (with its folder) on first use if missing.
    create : bool, default=True
        With False, the journal is opened read-only, for readers: a missing
        file raises FileNotFoundError instead of being created, nothing is
        written (so it reads a journal in a read-only folder), and a file
        that is not an skhp journal is refused with its path.

    Examples
    --------
    >>> import tempfile, os
    >>> from skhp.journal import Journal
    >>> path = os.path.join(tempfile.mkdtemp(), "run.db")
    >>> journal = Journal(path)
    >>> journal.studies()
    []
    >>> journal.close()
    """

    def __init__(self, path, create=True):
        self.path = os.fspath(path)
        self.create = create
        self._conn = None

    # A Journal inside a search's parameters is cloned and pickled with it:
    # what travels is the path; each copy opens its own connection.
    def __getstate__(self):
        return {"path": self.path, "create": self.create}

    def __setstate__(self, state):
        self.path = state["path"]
        self.create = state.get("create", True)
        self._conn = None

    def __deepcopy__(self, memo):
        return Journal(self.path, create=self.create)

    def __repr__(self):
        return f"Journal({self.path!r})"

    def __eq__(self, other):
        return isinstance(other, Journal) and other.path == self.path

    def __hash__(self):
        return hash(self.path)

    @property
    def conn(self):
        if self._conn is None:
            if not self.create and not os.path.exists(self.path):
                raise FileNotFoundError(
                    f"No journal at {self.path!r}. Give the path of a journal "
                    "written by skhp (a run's output folder holds journal.db)."
                )
            if os.path.isdir(self.path):
                raise ValueError(
                    f"{self.path!r} is a folder, not a journal file. Give a file "
                    "path (a run's output folder holds journal.db)."
                )
            if os.path.isfile(self.path) and os.path.getsize(self.path) == 0:
                raise ValueError(
                    f"The journal {self.path!r} is empty (0 bytes): it holds no "
                    "study, not even an empty one, so it was not written by skhp "
                    "(or only created before a crash). Refusing to use it, since "
                    "resuming from it would silently start afresh; delete it to "
                    "start a new journal there, or restore the journal it replaced."
                )
            if not self.create:
                self._conn = self._open_read_only()
                return self._conn
            folder = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(folder, exist_ok=True)
            existed = os.path.exists(self.path)
            if not existed:
                _create_atomically(self.path)
            try:
                conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
                if existed:
                    _check_tables(conn, self.path)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                _create_schema(conn)
                version = conn.execute(
                    "SELECT value FROM meta WHERE key='schema_version'"
                ).fetchone()[0]
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise OSError(
                        f"Cannot open the journal {self.path!r} for writing: {exc}. "
                        "Check that its folder exists and is writable (to read a "
                        "journal in a read-only folder, open it with "
                        "Journal(path, create=False), as skhp report does)."
                    ) from exc
                raise RuntimeError(
                    f"The journal {self.path!r} stayed locked by another process "
                    "for 60 s. Is another search writing to it? Wait for it, or use "
                    "another journal file."
                ) from exc
            except sqlite3.DatabaseError as exc:
                raise ValueError(
                    f"{self.path!r} is not a readable skhp journal ({exc}). Give "
                    "the path of a journal written by skhp, or a new file name."
                ) from exc
            if version != _SCHEMA_VERSION:
                conn.close()
                raise ValueError(
                    f"The journal {self.path!r} has schema version {version}; this "
                    f"skhp reads version {_SCHEMA_VERSION}. Use the skhp version "
                    "that wrote it, or start a new journal."
                )
            self._conn = conn
        return self._conn

    def _open_read_only(self):
        """A connection that cannot write: readers work on read-only folders."""
        uri = "file:" + urllib.parse.quote(os.path.abspath(self.path)) + "?mode=ro"
        conn = None
        try:
            try:
                conn = sqlite3.connect(uri, uri=True, timeout=60, isolation_level=None)
                version = _check_tables(conn, self.path, reader=True)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "no such table" in str(exc):
                    raise
                # A write-ahead-log journal in a folder we cannot write (no
                # -shm file to share): read the file as it is.
                if conn is not None:
                    conn.close()
                conn = sqlite3.connect(
                    uri + "&immutable=1", uri=True, isolation_level=None
                )
                version = _check_tables(conn, self.path, reader=True)
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            raise ValueError(
                f"{self.path!r} is not a readable skhp journal ({exc}). Give the "
                "path of a journal written by skhp."
            ) from exc
        if version != _SCHEMA_VERSION:
            conn.close()
            raise ValueError(
                f"The journal {self.path!r} has schema version {version}; this "
                f"skhp reads version {_SCHEMA_VERSION}. Use the skhp version that "
                "wrote it."
            )
        return conn

    def close(self):
        """Close the connection (the journal reopens on next use)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- studies -------------------------------------------------------------

    def studies(self):
        """Names of the studies, in the order they were created."""
        rows = self.conn.execute("SELECT name FROM studies ORDER BY id").fetchall()
        return [name for (name,) in rows]

    def _study_id(self, study):
        row = self.conn.execute(
            "SELECT id FROM studies WHERE name=?", (study,)
        ).fetchone()
        if row is None:
            raise KeyError(
                f"The journal {self.path!r} has no study {study!r}; it has "
                f"{self.studies()}."
            )
        return row[0]

    def open_study(self, study, searcher, fingerprint):
        """Create the study, or check that it recorded the same search.

        Parameters
        ----------
        study : str
            The study's name.
        searcher : str
            The searcher's class name.
        fingerprint : dict of str -> str
            What defines the search (estimator, space, cv, scoring, ...).

        Raises
        ------
        JournalMismatchError
            If the study exists with another searcher or fingerprint; the
            message names each entry that differs.
        """
        conn = self.conn
        with _transaction(conn):
            row = conn.execute(
                "SELECT searcher, fingerprint FROM studies WHERE name=?", (study,)
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO studies (name, searcher, fingerprint, created) "
                    "VALUES (?, ?, ?, ?)",
                    (study, searcher, json.dumps(fingerprint), time.time()),
                )
                return
        old_searcher, old = row[0], json.loads(row[1])
        differences = []
        if old_searcher != searcher:
            differences.append(f"searcher: recorded {old_searcher}, now {searcher}")
        for key in sorted(set(old) | set(fingerprint)):
            if old.get(key) != fingerprint.get(key):
                differences.append(
                    f"{key}: recorded {_short(old.get(key))}, "
                    f"now {_short(fingerprint.get(key))}"
                )
        if differences:
            raise JournalMismatchError(
                f"The study {study!r} in {self.path!r} was recorded by a different "
                "search, so it cannot be resumed with this one:\n  "
                + "\n  ".join(differences)
                + "\nResume with the search it recorded, or give another `study` "
                "name (or another journal file) to start afresh."
            )

    def info(self, study):
        """Searcher, fingerprint, creation time, state and size of a study."""
        row = self.conn.execute(
            "SELECT id, searcher, fingerprint, created, finished, wall_time "
            "FROM studies WHERE name=?",
            (study,),
        ).fetchone()
        if row is None:
            self._study_id(study)  # raises with the list of studies
        n_trials = self.conn.execute(
            "SELECT COUNT(*) FROM trials WHERE study_id=?", (row[0],)
        ).fetchone()[0]
        return {
            "searcher": row[1],
            "fingerprint": json.loads(row[2]),
            "created": row[3],
            "finished": bool(row[4]),
            "wall_time": row[5],
            "n_trials": n_trials,
        }

    def mark_finished(self, study, wall_time, finished=True):
        """Record that the study's search completed, and its wall time."""
        with _transaction(self.conn):
            self.conn.execute(
                "UPDATE studies SET finished=?, wall_time=? WHERE name=?",
                (int(finished), float(wall_time), study),
            )

    # -- trials --------------------------------------------------------------

    def append(self, study, trials, batch=None):
        """Commit trials to a study, all or none (one transaction).

        Returns the trials with ``number``, ``batch`` and ``created`` set.
        """
        study_id = self._study_id(study)
        conn = self.conn
        now = time.time()
        with _transaction(conn):
            number, last_batch = conn.execute(
                "SELECT COUNT(*), COALESCE(MAX(batch), -1) FROM trials "
                "WHERE study_id=?",
                (study_id,),
            ).fetchone()
            batch = last_batch + 1 if batch is None else batch
            stored = []
            for trial in trials:
                trial = Trial(
                    params=trial.params,
                    folds=trial.folds,
                    status=trial.status,
                    number=number,
                    batch=batch,
                    created=now,
                )
                conn.execute(
                    "INSERT INTO trials (study_id, number, batch, params, status, "
                    "score, error, folds, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        study_id,
                        number,
                        batch,
                        dumps_params(trial.params),
                        trial.status,
                        _finite_or_none(trial.score()),
                        trial.error,
                        json.dumps(trial.folds, default=_json_default),
                        now,
                    ),
                )
                conn.execute(
                    "DELETE FROM running WHERE study_id=? AND key=?",
                    (study_id, trial.key),
                )
                stored.append(trial)
                number += 1
        return stored

    def unfinished_starts(self, study, keys):
        """How often each candidate (by key) was started and never recorded.

        A candidate is marked with :meth:`mark_running` before its fits start
        and unmarked when its trial is appended; a mark left over means the
        process died while fitting it (killed, out of memory, a crash).
        """
        study_id = self._study_id(study)
        rows = self.conn.execute(
            "SELECT key, starts FROM running WHERE study_id=?", (study_id,)
        ).fetchall()
        known = dict(rows)
        return [known.get(key, 0) for key in keys]

    def mark_running(self, study, keys):
        """Record that these candidates' fits start now.

        See :meth:`unfinished_starts`.
        """
        study_id = self._study_id(study)
        now = time.time()
        with _transaction(self.conn):
            for key in keys:
                self.conn.execute(
                    "INSERT INTO running (study_id, key, starts, started) "
                    "VALUES (?, ?, 1, ?) ON CONFLICT (study_id, key) DO UPDATE "
                    "SET starts = starts + 1, started = excluded.started",
                    (study_id, key, now),
                )

    def trials(self, study):
        """The study's trials, in evaluation order."""
        rows = self.conn.execute(
            "SELECT number, batch, params, status, folds, created FROM trials "
            "WHERE study_id=? ORDER BY number",
            (self._study_id(study),),
        ).fetchall()
        return [
            Trial(
                params=loads_params(params),
                folds=json.loads(folds),
                status=status,
                number=number,
                batch=batch,
                created=created,
            )
            for number, batch, params, status, folds, created in rows
        ]

    def cv_results(self, study):
        """The study's trials as a ``cv_results_`` dict, in evaluation order.

        The layout is scikit-learn's (``params``, ``param_<name>``,
        ``split<k>_test_<metric>``, ``mean_/std_/rank_test_<metric>``, fit and
        score times), plus ``status``: "ok", "failed" or "pruned" per
        candidate, and ``error``: the first line of a failed fit's error
        (see :func:`~skhp.journal.trial.error_summary`) or None. Parameter
        values the journal holds only by ``repr``
        (estimators, callables) come back as
        :class:`~skhp.journal.params.RecordedValue`.
        """
        from .._compat import format_cv_results

        trials = self.trials(study)
        if not trials:
            empty = np.array([], dtype=object)
            return {"params": [], "status": empty, "error": empty.copy()}
        n_splits = len(trials[0].folds)
        out = [fold for trial in trials for fold in trial.folds]
        with_train = all("train_scores" in fold for fold in out)
        results = format_cv_results(
            [t.params for t in trials], n_splits, out, return_train_score=with_train
        )
        results["status"] = np.array([t.status for t in trials], dtype=object)
        results["error"] = _object_array([error_summary(t.error) for t in trials])
        return results


def _create_schema(conn):
    """Create the tables that are missing and record the schema version."""
    with _transaction(conn):
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
            (_SCHEMA_VERSION,),
        )


def _create_atomically(path):
    """Create an empty journal at ``path`` whole, or leave an existing one alone.

    SQLite creates a file empty and writes it on first use; a reader (or a
    crash) in between would see a 0-byte file. Built aside and linked into
    place, the journal appears with its tables or not at all, so a 0-byte
    ``journal.db`` is never skhp's own and can be refused.
    """
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            _create_schema(conn)
        finally:
            conn.close()
        try:
            os.link(tmp, path)  # fails if another process created it first
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: the usual way
            pass
    except sqlite3.Error:
        pass  # the connection below reports what is wrong
    finally:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(tmp + suffix)
            except OSError:
                pass


def _check_tables(conn, path, reader=False):
    """The schema version of an existing journal; ValueError for a foreign file."""
    tables = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        ).fetchall()
    }
    if not tables and not reader:
        return _SCHEMA_VERSION  # an empty database: a journal being created
    missing = {"meta", "studies", "trials"} - tables
    if missing:
        conn.close()
        raise ValueError(
            f"{path!r} is an SQLite database, but not an skhp journal (it has the "
            f"tables {sorted(tables)}, not skhp's {sorted(missing)}). Refusing to "
            "write into it: give the path of a journal written by skhp, or a new "
            "file name."
        )
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return row[0] if row else None


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error (autocommit connection)."""

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


def _object_array(values):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _short(value, limit=200):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
