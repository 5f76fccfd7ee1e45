import math
import multiprocessing
import signal
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from skhp.journal import Journal, JournalMismatchError, Trial
from skhp.journal.params import RecordedValue, candidate_key, dumps_params, loads_params


def _trial(c, score=0.5, error=None):
    folds = [
        {
            "fit_error": error,
            "test_scores": score if error is None else math.nan,
            "n_test_samples": 10,
            "fit_time": 0.01,
            "score_time": 0.001,
        }
        for _ in range(3)
    ]
    return Trial.from_folds({"C": c, "kernel": "rbf"}, folds)


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "sub" / "run.db")
    j.open_study("s", "GridSearchCV", {"estimator": "SVC()", "space": "{}"})
    yield j
    j.close()


def test_append_and_read_back_in_order(journal):
    stored = journal.append("s", [_trial(0.1), _trial(1.0, score=0.9)])
    assert [t.number for t in stored] == [0, 1]
    journal.append("s", [_trial(10.0, error="Traceback: boom")])
    trials = journal.trials("s")
    assert [t.params["C"] for t in trials] == [0.1, 1.0, 10.0]
    assert [t.batch for t in trials] == [0, 0, 1]
    assert [t.status for t in trials] == ["ok", "ok", "failed"]
    assert trials[2].error == "Traceback: boom"
    assert journal.info("s")["n_trials"] == 3


def test_cv_results_has_sklearn_layout_and_status(journal):
    journal.append("s", [_trial(0.1, score=0.2), _trial(1.0, score=0.9)])
    journal.append("s", [_trial(10.0, error="boom")])
    results = journal.cv_results("s")
    assert list(results["param_C"]) == [0.1, 1.0, 10.0]
    np.testing.assert_allclose(results["mean_test_score"][:2], [0.2, 0.9])
    assert math.isnan(results["mean_test_score"][2])
    assert list(results["rank_test_score"]) == [2, 1, 3]
    assert {"split0_test_score", "split2_test_score", "mean_fit_time"} <= set(results)
    assert list(results["status"]) == ["ok", "ok", "failed"]


def test_reopened_study_with_other_search_is_refused(journal):
    journal.open_study("s", "GridSearchCV", {"estimator": "SVC()", "space": "{}"})
    with pytest.raises(JournalMismatchError, match=r"estimator: recorded 'SVC\(\)'"):
        journal.open_study("s", "GridSearchCV", {"estimator": "LR()", "space": "{}"})
    with pytest.raises(JournalMismatchError, match="searcher: recorded GridSearchCV"):
        journal.open_study("s", "BayesSearchCV", {"estimator": "SVC()", "space": "{}"})


def test_unknown_study_names_the_studies(journal):
    with pytest.raises(KeyError, match=r"no study 'x'; it has \['s'\]"):
        journal.trials("x")


def test_not_a_journal_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(ValueError, match="not a readable skhp journal"):
        Journal(path).studies()


_HALF_WRITE = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute(
    "INSERT INTO trials (study_id, number, batch, params, status, folds, created)"
    " VALUES (1, 1, 1, '{}', 'ok', '[]', 0)"
)
print("inserted", flush=True)
time.sleep(60)
"""


def test_write_killed_before_commit_leaves_committed_trials(tmp_path):
    """A process killed (SIGKILL) in the middle of a write leaves no partial trial."""
    path = tmp_path / "run.db"
    j = Journal(path)
    j.open_study("s", "X", {})
    j.append("s", [_trial(0.1)])
    j.close()
    proc = subprocess.Popen(
        [sys.executable, "-c", _HALF_WRITE, str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "inserted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    again = Journal(path)
    assert [t.params["C"] for t in again.trials("s")] == [0.1]
    again.append("s", [_trial(1.0)])
    assert [t.number for t in again.trials("s")] == [0, 1]
    again.close()


def _writer(path, n):
    j = Journal(path)
    for i in range(n):
        j.append("s", [_trial(float(i))])
    j.close()


def test_readers_see_consistent_state_while_another_process_writes(tmp_path):
    path = tmp_path / "run.db"
    j = Journal(path)
    j.open_study("s", "X", {})
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_writer, args=(str(path), 40))
    proc.start()
    reader = Journal(path)
    counts = []
    while proc.is_alive() or not counts:
        trials = reader.trials("s")
        # Never a gap or a half-written trial.
        assert [t.number for t in trials] == list(range(len(trials)))
        assert all(len(t.folds) == 3 for t in trials)
        counts.append(len(trials))
    proc.join()
    assert proc.exitcode == 0
    assert len(reader.trials("s")) == 40
    assert counts == sorted(counts)


def test_journal_pickles_and_copies_by_path(tmp_path):
    import copy
    import pickle

    j = Journal(tmp_path / "run.db")
    j.studies()
    assert pickle.loads(pickle.dumps(j)) == j
    assert copy.deepcopy(j).path == j.path


@pytest.mark.parametrize(
    "params",
    [
        {"C": 1.0, "n": 3, "flag": True, "none": None, "s": "l2"},
        {"inf": math.inf, "t": (1, "a"), "l": [1, 2]},
        {"x": np.float64(0.25), "k": np.int64(4)},
    ],
)
def test_params_round_trip(params):
    back = loads_params(dumps_params(params))
    assert back == {
        k: (v.item() if isinstance(v, np.generic) else v) for k, v in params.items()
    }
    assert candidate_key(back) == candidate_key(params)


def test_objects_are_kept_by_repr():
    from sklearn.svm import SVC

    back = loads_params(dumps_params({"clf": SVC(C=2)}))
    assert isinstance(back["clf"], RecordedValue)
    assert back["clf"] == SVC(C=2)
    assert candidate_key(back) == candidate_key({"clf": SVC(C=2)})


def test_reader_does_not_create_a_missing_journal(tmp_path):
    path = tmp_path / "missing.db"
    with pytest.raises(FileNotFoundError, match="No journal at"):
        Journal(path, create=False).studies()
    assert not path.exists()


_WRITE_THEN_DIE = """
import os, sys
from skhp.journal import Journal, Trial
j = Journal(sys.argv[1])
j.open_study("s", "X", {})
for i in range(5):
    fold = {"fit_error": None, "test_scores": 0.5, "n_test_samples": 10,
            "fit_time": 0.01, "score_time": 0.001}
    j.append("s", [Trial.from_folds({"C": float(i)}, [fold] * 3)])
os.kill(os.getpid(), 9)  # no close, no checkpoint: the commits sit in the WAL
"""


@pytest.mark.parametrize("cut", [1, 100, 3000])
def test_torn_last_write_keeps_the_earlier_trials(tmp_path, cut):
    """A crash that tears the end of the write-ahead log loses only the last write."""
    path = tmp_path / "run.db"
    proc = subprocess.run([sys.executable, "-c", _WRITE_THEN_DIE, str(path)])
    assert proc.returncode == -signal.SIGKILL
    wal = tmp_path / "run.db-wal"
    size = wal.stat().st_size
    assert size > cut
    with open(wal, "r+b") as f:
        f.truncate(size - cut)
    trials = Journal(path).trials("s")
    numbers = [t.number for t in trials]
    assert numbers == list(range(len(numbers)))  # a prefix, no hole
    assert len(trials) >= 4  # only the torn last commit may be gone
    assert all(len(t.folds) == 3 for t in trials)


def _journal_with_a_trial(path):
    j = Journal(path)
    j.open_study("s", "X", {})
    j.append("s", [_trial(0.1)])
    j.close()


def test_readers_open_the_journal_read_only(tmp_path):
    path = tmp_path / "run.db"
    _journal_with_a_trial(path)
    reader = Journal(path, create=False)
    assert list(reader.cv_results("s")["status"]) == ["ok"]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.conn.execute("DELETE FROM trials")
    reader.close()


@pytest.mark.parametrize("create", [True, False])
def test_an_empty_file_is_refused_with_its_path(tmp_path, create):
    path = tmp_path / "journal.db"
    path.write_bytes(b"")
    with pytest.raises(
        ValueError, match=f"The journal '{path}' is empty \\(0 bytes\\)"
    ):
        Journal(path, create=create).studies()
    assert path.read_bytes() == b""  # left as it was


@pytest.mark.parametrize("create", [True, False])
def test_a_foreign_database_is_refused_and_left_alone(tmp_path, create):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(ValueError, match=f"'{path}' is an SQLite database, but not an"):
        Journal(path, create=create).studies()
    conn = sqlite3.connect(path)
    tables = conn.execute("SELECT name FROM sqlite_master").fetchall()
    conn.close()
    assert tables == [("customers",)]


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="is a folder, not a journal file"):
        Journal(tmp_path).studies()
