"""One writer at a time: the lock of a run folder or a journal's study."""

import os
import signal
import socket
import subprocess
import sys

import pytest
from sklearn.datasets import load_iris
from sklearn.svm import SVC

from skhp import GridSearchCV
from skhp.journal import Journal
from skhp.journal.lock import WriterLock, WriterLockError, study_lock

X, Y = load_iris(return_X_y=True)

HOLD = """
import sys, time
from skhp.journal.lock import WriterLock
lock = WriterLock(sys.argv[1], "the folder").acquire()
print("held", flush=True)
time.sleep(600)
"""


def _holder(path):
    """A process that takes the lock on ``path`` and sleeps."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
    )
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_second_writer_is_refused_at_once_naming_the_holder(tmp_path):
    path = tmp_path / "run.lock"
    child = _holder(path)
    try:
        with pytest.raises(WriterLockError) as info:
            WriterLock(path, "The run folder 'out'").acquire()
        message = str(info.value)
        assert f"process {child.pid} on {socket.gethostname()}, started " in message
        assert message.startswith("The run folder 'out' is being written by")
        assert info.value.holder["pid"] == child.pid
    finally:
        child.kill()
        child.wait()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    path = tmp_path / "run.lock"
    child = _holder(path)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert path.exists()  # what kill -9 leaves behind ...
    with WriterLock(path, "the folder") as lock:  # ... does not stop anyone
        assert lock.held
    assert not path.exists()


def test_the_lock_is_released_and_can_be_taken_again(tmp_path):
    path = tmp_path / "sub" / "run.lock"
    for _ in range(3):
        with WriterLock(path, "the folder"):
            with pytest.raises(WriterLockError, match=f"process {os.getpid()} on"):
                WriterLock(path, "the folder").acquire()
    assert not path.exists()


def test_a_journaled_search_refuses_a_second_writer_of_its_study(tmp_path):
    db = tmp_path / "run.db"
    with study_lock(str(db), "grid"):
        search = GridSearchCV(SVC(), {"C": [1, 10]}, journal=str(db), study="grid")
        with pytest.raises(WriterLockError, match="The study 'grid' of the journal"):
            search.fit(X, Y)
        # Another study of the same journal is not held up.
        GridSearchCV(SVC(), {"C": [1, 10]}, journal=str(db), study="other").fit(X, Y)
    search.fit(X, Y)
    with Journal(db, create=False) as journal:
        assert [t.params["C"] for t in journal.trials("grid")] == [1, 10]
    assert not list(tmp_path.glob("*.lock"))


def test_the_lock_is_released_when_the_search_fails(tmp_path):
    db = str(tmp_path / "run.db")
    search = GridSearchCV(SVC(), {"C": [-1.0]}, journal=db, error_score="raise")
    with pytest.raises(ValueError):
        search.fit(X, Y)
    with study_lock(db, "gridsearchcv"):
        pass
