"""Two writers on one run folder: the second must be refused, nothing duplicated.

Each trial builds a fresh run of a slow experiment (``SleepyClassifier`` on
iris, a grid of 3 and a random search of 8, 2-fold CV) and starts two writers
on the same output folder, alternating the two ways a user can do it:

* ``run+resume``: ``skhp run E --output out`` and, as soon as the folder
  exists, ``skhp resume out``;
* ``resume+resume``: a run killed with ``kill -9`` after a few candidates,
  then two ``skhp resume out`` started at the same moment.

Per trial it checks that exactly one writer exits 0 and the other exits 3
with the holder's process id in its message, and counts duplicated
candidates in the journal (the same parameters twice in one study).

    PYTHONPATH=. python benchmarks/concurrent_writers.py --trials 10
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

EXPERIMENT = """\
cv = 2
random_state = 0

[estimator]
class = "tests.experiment.sleepy:SleepyClassifier"
params = {delay = 0.05}

[data]
dataset = "iris"

[space]
C = {type = "real", low = 0.1, high = 10, prior = "log-uniform"}

[[searchers]]
kind = "grid"
n_iter = 3

[[searchers]]
kind = "random"
n_iter = 8
"""


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")


def _skhp(*args, cwd):
    return subprocess.Popen(
        [sys.executable, "-m", "skhp", *args],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _n_trials(db):
    from skhp.journal import Journal

    if not db.exists():
        return 0
    with Journal(db, create=False) as journal:
        return sum(journal.info(s)["n_trials"] for s in journal.studies())


def _duplicates(db):
    from skhp.journal import Journal

    with Journal(db, create=False) as journal:
        n = 0
        for study in journal.studies():
            keys = [t.key for t in journal.trials(study)]
            n += len(keys) - len(set(keys))
        return n


def _wait(until, timeout=300):
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the run did not get there in time")
        time.sleep(0.05)


def trial(kind, folder):
    folder.mkdir()
    (folder / "e.toml").write_text(EXPERIMENT)
    out = folder / "out"
    if kind == "run+resume":
        first = _skhp("run", "e.toml", "--output", "out", "--trust", cwd=folder)
        _wait(lambda: (out / "skhp-run.json").exists())
        second = _skhp("resume", "out", "--trust", cwd=folder)
        writers = [first, second]
    else:
        killed = _skhp("run", "e.toml", "--output", "out", "--trust", cwd=folder)
        _wait(lambda: _n_trials(out / "journal.db") >= 2)
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        writers = [_skhp("resume", "out", "--trust", cwd=folder) for _ in range(2)]
    results = [(w.pid, *w.communicate(timeout=600), w.returncode) for w in writers]
    codes = sorted(code for *_, code in results)
    refused = [r for r in results if r[3] == 3]
    named = bool(refused) and any(
        re.search(rf"being written by process {pid} on ", refused[0][2])
        for pid, *_ in results
        if pid != refused[0][0]
    )
    return {
        "kind": kind,
        "codes": codes,
        "refused_named": codes == [0, 3] and named,
        "duplicates": _duplicates(out / "journal.db"),
        "candidates": _n_trials(out / "journal.db"),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.trials):
            kind = ("run+resume", "resume+resume")[i % 2]
            row = trial(kind, Path(tmp) / f"t{i}")
            rows.append(row)
            print(
                f"trial {i}: {row['kind']:<13} exit codes {row['codes']}, second "
                f"refused naming the holder: {row['refused_named']}, candidates "
                f"{row['candidates']}, duplicated {row['duplicates']}",
                flush=True,
            )
    ok = sum(r["refused_named"] for r in rows)
    dup = sum(r["duplicates"] for r in rows)
    print(
        f"\n{ok}/{len(rows)} trials: one writer ran, the other was refused naming "
        f"the holder; {dup} duplicated candidates in all."
    )
    return 0 if ok == len(rows) and dup == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
