"""One writer at a time: an operating-system lock on a small file.

A second process that tries to write the same run folder (or the same study
of a journal) is refused at once with the holder's host, process id and start
time, instead of both evaluating the same candidates. The lock is the
kernel's (``flock`` on POSIX, ``msvcrt.locking`` on Windows): it is released
when the holder's process ends, however it ends (``kill -9``, out of memory,
a crash), so a dead holder never leaves a folder stuck, and nobody waits for
it. Readers (``skhp report``, :meth:`skhp.journal.Journal.cv_results`) never
take it.
"""

import datetime
import json
import os
import socket
import sys
import time

__all__ = ["WriterLock", "WriterLockError", "study_lock"]

if sys.platform == "win32":  # pragma: no cover
    import msvcrt

    # Lock a byte past the holder's note, so that others can still read it.
    _BYTE = 1 << 20

    def _try_lock(fd):
        os.lseek(fd, _BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd):
        os.lseek(fd, _BYTE, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd):
        fcntl.flock(fd, fcntl.LOCK_UN)


class WriterLockError(RuntimeError):
    """Another process is writing; ``holder`` says which (a dict, may be empty).

    Parameters
    ----------
    message : str
    holder : dict
        ``host``, ``pid``, ``started`` (ISO time) and ``command`` of the
        process that holds the lock, as far as it wrote them.
    path : str
        The lock file.
    """

    def __init__(self, message, holder, path):
        super().__init__(message)
        self.holder = holder
        self.path = path


def _command():
    """The holder's command line, short: ``skhp resume out``."""
    argv = list(sys.argv)
    if argv and os.path.basename(os.path.dirname(argv[0])) == "skhp":
        argv[0] = "skhp"
    elif argv:
        argv[0] = os.path.basename(argv[0])
    text = " ".join(argv)
    return text if len(text) <= 120 else text[:117] + "..."


def describe_holder(holder):
    """``process 1234 on host, started 2026-...: skhp run ...`` (or "unknown")."""
    if not holder:
        return "a process that did not say who it is"
    text = f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
    if holder.get("started"):
        text += f", started {holder['started']}"
    if holder.get("command"):
        text += f" ({holder['command']})"
    return text


class WriterLock:
    """An exclusive, non-blocking lock on ``path``, held while writing.

    Parameters
    ----------
    path : str or path-like
        The lock file; created when taken, removed when released.
    what : str
        What is protected, for the error message ("the run folder 'out'").
    hint : str, default=""
        Appended to the refusal (what to do instead).

    Examples
    --------
    >>> import os, tempfile
    >>> from skhp.journal.lock import WriterLock
    >>> path = os.path.join(tempfile.mkdtemp(), "run.lock")
    >>> with WriterLock(path, "the folder"):
    ...     os.path.exists(path)
    True
    """

    def __init__(self, path, what, hint=""):
        self.path = os.fspath(path)
        self.what = what
        self.hint = hint
        self._fd = None

    @property
    def held(self):
        return self._fd is not None

    def acquire(self):
        """Take the lock, or raise :class:`WriterLockError` at once."""
        if self._fd is not None:
            return self
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                os.close(fd)
                raise self._refusal()
            # The holder before us may have removed the file between our open
            # and our lock: then we hold a lock on a file nobody else sees.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            _unlock(fd)
            os.close(fd)
        holder = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": datetime.datetime.now().astimezone().isoformat("T", "seconds"),
            "command": _command(),
        }
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, (json.dumps(holder) + "\n").encode())
        self._fd = fd
        return self

    def release(self):
        """Remove the lock file and let go (idempotent)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.unlink(self.path)
        except OSError:
            pass
        _unlock(fd)
        os.close(fd)

    def _refusal(self):
        holder = {}
        # The holder writes its name just after locking; give it a moment.
        for _ in range(20):
            try:
                with open(self.path, encoding="utf-8") as f:
                    holder = json.loads(f.read() or "{}")
            except (OSError, ValueError):
                holder = {}
            if holder:
                break
            time.sleep(0.05)
        return WriterLockError(
            f"{self.what} is being written by {describe_holder(holder)}; only one "
            f"process may write it at a time (lock file {self.path!r}). "
            + (self.hint or "Wait for it to finish, or stop it first.")
            + " The lock goes away by itself when that process ends.",
            holder,
            self.path,
        )

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()

    # A lock belongs to the process that took it.
    def __getstate__(self):
        return {"path": self.path, "what": self.what, "hint": self.hint}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._fd = None


def study_lock(journal_path, study):
    """The lock a search holds on its study while it writes it.

    The file is ``<journal>.<study>.lock`` next to the journal, so that
    searches of other studies in the same journal are not held up.
    """
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in study)
    return WriterLock(
        f"{journal_path}.{safe}.lock",
        f"The study {study!r} of the journal {os.fspath(journal_path)!r}",
        hint="Wait for that search to finish, or give this one another `study` "
        "name or journal file.",
    )
