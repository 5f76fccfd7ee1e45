"""The generation cache: never generate the same thing twice in a process.

Entries are keyed by the model, the fully rendered prompt, the *effective*
decoding settings (with temperature 0, top_p and top_k do not matter and are
left out of the key) and the seed (None for greedy decoding). A grid over
temperature x top_p x top_k therefore generates once for all its greedy
candidates, and a cross-validated search reuses outputs between candidates that
differ only in parameters that do not reach the model.
"""

import hashlib
import json
import os
import sqlite3
import threading

__all__ = ["GenerationCache", "get_cache", "make_key"]


def make_key(model_key, rendered, settings, seed):
    """Stable hash of one generation request.

    Parameters
    ----------
    model_key : str
        Identifies the model and backend.
    rendered : str
        The exact prompt sent to the model (after templates and chat template).
    settings : dict
        Effective decoding settings.
    seed : int or None
        Sampling seed, None for greedy decoding.

    Returns
    -------
    key : str
        A hex digest, the same in every process.
    """
    payload = json.dumps(
        [model_key, rendered, settings, seed], sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class GenerationCache:
    """Maps request keys to ``(text, n_new_tokens)``, in memory or on disk.

    Parameters
    ----------
    path : str or os.PathLike, default=None
        Folder for an SQLite file that persists entries across processes and
        sessions. None keeps entries in memory only.

    Attributes
    ----------
    hits : int
        Lookups answered from the cache.
    misses : int
        Lookups that had to generate.
    """

    def __init__(self, path=None):
        self.path = None if path is None else os.fspath(path)
        self.hits = 0
        self.misses = 0
        self._memory = {}
        self._lock = threading.Lock()
        self._conn = None
        self._pid = None

    def _db(self):
        # A connection cannot cross fork or threads safely; reopen per process
        # and let sqlite serialise writers.
        if self._conn is None or self._pid != os.getpid():
            os.makedirs(self.path, exist_ok=True)
            self._conn = sqlite3.connect(
                os.path.join(self.path, "generations.sqlite"),
                check_same_thread=False,
                timeout=30,
            )
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS gen (key TEXT PRIMARY KEY, value TEXT)"
            )
            self._conn.commit()
            self._pid = os.getpid()
        return self._conn

    def get(self, key):
        """Return the stored ``(text, n_new_tokens)`` or None."""
        with self._lock:
            value = self._memory.get(key)
            if value is None and self.path is not None:
                row = (
                    self._db()
                    .execute("SELECT value FROM gen WHERE key = ?", (key,))
                    .fetchone()
                )
                if row is not None:
                    value = tuple(json.loads(row[0]))
                    self._memory[key] = value
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
            return value

    def put(self, key, value):
        """Store ``value = (text, n_new_tokens)`` under ``key``."""
        value = (str(value[0]), int(value[1]))
        with self._lock:
            self._memory[key] = value
            if self.path is not None:
                db = self._db()
                db.execute(
                    "INSERT OR REPLACE INTO gen VALUES (?, ?)", (key, json.dumps(value))
                )
                db.commit()

    def clear(self):
        """Drop all entries (also on disk) and reset the counters."""
        with self._lock:
            self._memory.clear()
            self.hits = self.misses = 0
            if self.path is not None:
                db = self._db()
                db.execute("DELETE FROM gen")
                db.commit()

    def __len__(self):
        with self._lock:
            if self.path is not None:
                return self._db().execute("SELECT COUNT(*) FROM gen").fetchone()[0]
            return len(self._memory)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.update(_conn=None, _pid=None, _lock=None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()


_DEFAULT = GenerationCache()
_ON_DISK = {}
_ON_DISK_LOCK = threading.Lock()


def get_cache(spec):
    """The process-wide cache an estimator's ``cache`` parameter refers to.

    Parameters
    ----------
    spec : bool, str or os.PathLike
        True: the shared in-memory cache. False: no cache (returns None). A
        path: the shared on-disk cache in that folder.

    Returns
    -------
    cache : GenerationCache or None
    """
    if spec is True:
        return _DEFAULT
    if spec is False or spec is None:
        return None
    path = os.path.abspath(os.fspath(spec))
    with _ON_DISK_LOCK:
        if path not in _ON_DISK:
            _ON_DISK[path] = GenerationCache(path)
        return _ON_DISK[path]
