"""The ``skhp`` command line, run as a user runs it: in a subprocess."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def skhp(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "skhp", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd or ROOT,
        env=_env(),
    )


def main(capsys, *args, cwd=None):
    """Run ``skhp`` in this process; returns (exit code, stdout, stderr)."""
    from skhp.cli import main as skhp_main

    old = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        try:
            code = skhp_main([str(a) for a in args])
        except SystemExit as exc:  # argparse
            code = exc.code
    finally:
        os.chdir(old)
    out = capsys.readouterr()
    return code, out.out, out.err


def _env():
    # The experiment files name tests.experiment.sleepy by import path.
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    env.setdefault("HF_HUB_OFFLINE", "1")
    return env


IRIS = """\
title = "iris"
cv = 2
scoring = ["accuracy", "f1_macro"]

[estimator]
class = "sklearn.linear_model:LogisticRegression"
params = {max_iter = 200}

[data]
dataset = "iris"

[space]
C = {type = "real", low = 0.01, high = 100, prior = "log-uniform"}
fit_intercept = [true, false]

[[searchers]]
kind = "grid"
n_iter = 4

[[searchers]]
kind = "random"
n_iter = 3

[[searchers]]
kind = "bayes"
name = "bo"
n_iter = 3
n_initial_points = 2
"""


def _rows(path):
    return Path(path).read_text().strip().splitlines()[1:]


@pytest.mark.slow
def test_run_writes_journal_tables_and_report_then_report_rebuilds_them(
    tmp_path, capsys
):
    (tmp_path / "iris.toml").write_text(IRIS)
    out = skhp("run", tmp_path / "iris.toml")
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "iris-results"
    assert {"journal.db", "experiment.toml", "report.md", "skhp-run.json"} <= {
        p.name for p in folder.iterdir()
    }
    assert [len(_rows(folder / f"{n}.csv")) for n in ("grid", "random", "bo")] == [
        4,
        3,
        3,
    ]
    table = out.stdout[out.stdout.index("searcher  best accuracy") :]
    assert [line.split()[0] for line in table.splitlines()[1:4]] == [
        "grid",
        "random",
        "bo",
    ]
    grid_csv = (folder / "grid.csv").read_text()
    for name in ("grid.csv", "random.csv", "bo.csv", "report.md"):
        (folder / name).unlink()
    code, _, err = main(capsys, "report", folder)
    assert code == 0, err
    assert (folder / "report.md").is_file() and (folder / "bo.csv").is_file()
    header = grid_csv.splitlines()[0].split(",")
    rebuilt = (folder / "grid.csv").read_text().splitlines()
    assert (
        rebuilt[0].split(",")[:4]
        == header[:4]
        == [
            "searcher",
            "iteration",
            "C",
            "fit_intercept",
        ]
    )
    assert len(rebuilt) == 5
    # The same report as one HTML page, for a browser.
    code, _, err = main(capsys, "report", folder, "--format", "html")
    assert code == 0, err
    page = (folder / "report.html").read_text()
    assert '<p class="winner">' in page and "data:image/png;base64," in page
    # A second run into the same folder is refused; resume is the way.
    code, _, err = main(capsys, "run", tmp_path / "iris.toml")
    assert code == 2
    assert "already holds a run; continue it with 'skhp resume" in err


SLEEPY = """\
cv = 2
random_state = 0

[estimator]
class = "tests.experiment.sleepy:SleepyClassifier"
params = {{delay = {delay}, log = "fits.txt"}}

[data]
dataset = "iris"

[space]
C = {{type = "real", low = 0.1, high = 10, prior = "log-uniform"}}

[[searchers]]
kind = "grid"
n_iter = 3

[[searchers]]
kind = "random"
n_iter = 8
"""


def _journal_trials(db, study):
    from skhp.journal import Journal

    if not db.exists():  # Journal() would create it
        return []
    journal = Journal(str(db))
    try:
        if study not in journal.studies():
            return []
        return [t.params["C"] for t in journal.trials(study) if t.status == "ok"]
    finally:
        journal.close()


def _cv_fits(log):
    """C of each fit on a CV fold (not the refit on all 150 samples)."""
    lines = [line.split() for line in log.read_text().splitlines()]
    return [float(c) for c, n, _ in lines if int(n) < 150]


@pytest.mark.slow
def test_resume_after_kill_9_loses_nothing_and_fits_nothing_twice(tmp_path):
    (tmp_path / "sleepy.toml").write_text(SLEEPY.format(delay=0.4))
    folder = tmp_path / "out"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skhp",
            "run",
            "sleepy.toml",
            "--output",
            "out",
            "--trust",
        ],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    try:
        while len(_journal_trials(folder / "journal.db", "random")) < 2:
            assert child.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    grid_done = _journal_trials(folder / "journal.db", "grid")
    random_done = _journal_trials(folder / "journal.db", "random")
    assert len(grid_done) == 3 and 2 <= len(random_done) < 8
    (tmp_path / "fits.txt").rename(tmp_path / "fits-before-kill.txt")

    out = skhp("resume", folder, "--trust", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    # Every candidate is in the journal once; none committed before the kill
    # was fitted again, and the finished grid search was only replayed.
    grid_all = _journal_trials(folder / "journal.db", "grid")
    random_all = _journal_trials(folder / "journal.db", "random")
    assert grid_all == grid_done
    assert len(random_all) == len(set(random_all)) == 8
    assert random_all[: len(random_done)] == random_done
    fitted = _cv_fits(tmp_path / "fits.txt")
    assert not set(fitted) & (set(random_done) | set(grid_done))
    assert sorted(fitted) == sorted(2 * list(set(random_all) - set(random_done)))
    assert len(_rows(folder / "random.csv")) == 8

    before = (tmp_path / "fits.txt").read_text()
    out = skhp("report", folder, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "fits.txt").read_text() == before  # the report fits nothing


@pytest.mark.filterwarnings("ignore:One or more of the test scores")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.FitFailedWarning")
def test_a_run_where_every_searcher_fails_exits_1_with_a_summary(tmp_path, capsys):
    (tmp_path / "bad.toml").write_text(SLEEPY.format(delay=-1))
    code, _, err = main(capsys, "run", "bad.toml", "--trust", cwd=tmp_path)
    assert code == 1
    assert "skhp run: error: 2 of 2 searchers failed:\n  grid: ValueError: " in err
    assert "\n  random: ValueError: All the 16 fits failed." in err
    assert "(first error: ValueError: sleep length must be non-negative)" in err


SMALL = """\
cv = 2

[estimator]
class = "sklearn.linear_model:LogisticRegression"

[data]
dataset = "iris"

[space]
C = [0.1, 1.0]

[[searchers]]
kind = "grid"
n_iter = 2
"""

HOLD = """
import sys, time
from skhp.experiment.runner import writing
with writing(sys.argv[1]):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_second_writer_of_a_folder_exits_3_naming_the_holder(tmp_path, capsys):
    (tmp_path / "small.toml").write_text(SMALL)
    code, _, err = main(capsys, "run", "small.toml", "--output", "out", cwd=tmp_path)
    assert code == 0, err
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        for args in (["resume", "out"], ["run", "small.toml", "--output", "out"]):
            code, _, err = main(capsys, *args, cwd=tmp_path)
            assert code == 3, err
            assert f"'out' is being written by process {holder.pid} on " in err
            assert "continue with" not in err  # the run is not interrupted
        # Readers never need the lock.
        code, _, err = main(capsys, "report", "out", cwd=tmp_path)
        assert code == 0, err
    finally:
        holder.kill()
        holder.wait()
    from skhp.journal import Journal

    with Journal(tmp_path / "out" / "journal.db", create=False) as journal:
        assert journal.info("grid")["n_trials"] == 2
    # The holder was killed with SIGKILL: its lock is gone with it.
    code, _, err = main(capsys, "resume", "out", cwd=tmp_path)
    assert code == 0, err


@pytest.mark.filterwarnings("ignore:One or more of the test scores")
def test_a_failing_searcher_does_not_stop_the_others(tmp_path, capsys):
    # The grid of 2 is the two ends of the range, which both fail; the random
    # search draws inside it.
    text = (
        SLEEPY.format(delay=0)
        .replace('log = "fits.txt"', "fail_on = [0.1, 10.0]")
        .replace("n_iter = 3", "n_iter = 2")
    )
    (tmp_path / "e.toml").write_text(text)
    code, out, err = main(
        capsys, "run", "e.toml", "--output", "out", "--trust", cwd=tmp_path
    )
    assert code == 1
    assert "skhp run: error: 1 of 2 searchers failed:\n  grid: ValueError: " in err
    assert "(first error: ValueError: C=10.0 is in fail_on)" in err
    assert "continue with" not in err
    folder = tmp_path / "out"
    assert len(_rows(folder / "random.csv")) == 8  # the next searcher ran
    grid = (folder / "grid.csv").read_text()
    assert "ValueError: C=0.1 is in fail_on" in grid
    report = (folder / "report.md").read_text()
    assert "| grid | ValueError: C=10.0 is in fail_on | 1 | 1 | 2 |" in report
    # No best is named for the searcher that has no score.
    assert "best grid: \n" in out


def test_report_reads_only_and_writes_where_told(tmp_path, capsys):
    (tmp_path / "small.toml").write_text(SMALL)
    code, _, err = main(capsys, "run", "small.toml", "--output", "out", cwd=tmp_path)
    assert code == 0, err
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}
    code, _, err = main(capsys, "report", "out", "--output", "rep", cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "rep" / "report.md").is_file()
    assert (tmp_path / "rep" / "grid.csv").is_file()
    after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}
    # Only read (SQLite may add its -shm/-wal index files next to the journal).
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(after) - set(before) <= {"journal.db-shm", "journal.db-wal"}
    (tmp_path / "out" / "journal.db").write_bytes(b"")
    code, _, err = main(capsys, "report", "out", cwd=tmp_path)
    assert code == 1 and "journal.db' is empty (0 bytes)" in err


EVIL = """\
import pathlib

pathlib.Path("imported.txt").write_text("the module ran")

from sklearn.dummy import DummyClassifier as Est
"""


def _untrusted(tmp_path, *args):
    env = dict(_env(), PYTHONPATH=f"{ROOT}{os.pathsep}{tmp_path}")
    return subprocess.run(
        [sys.executable, "-m", "skhp", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=env,
    )


@pytest.mark.slow
def test_files_import_nothing_outside_the_allow_list_unless_trusted(tmp_path):
    (tmp_path / "evil.py").write_text(EVIL)
    (tmp_path / "e.toml").write_text(
        SMALL.replace("sklearn.linear_model:LogisticRegression", "evil:Est").replace(
            "C = [0.1, 1.0]", 'strategy = ["prior", "uniform"]'
        )
    )
    (tmp_path / "os.toml").write_text(SMALL.replace("sklearn.linear_model:", "os:"))
    marker = tmp_path / "imported.txt"
    for args in (["run", "os.toml", "--dry-run"], ["run", "e.toml", "--dry-run"]):
        out = _untrusted(tmp_path, *args)
        assert out.returncode == 2, out.stderr
        assert "is outside the packages an experiment file may import" in out.stderr
        assert "pass --trust" in out.stderr
    out = _untrusted(tmp_path, "run", "e.toml", "--output", "out")
    assert out.returncode == 2 and "'evil:Est' is outside" in out.stderr
    assert not marker.exists() and not (tmp_path / "out").exists()
    # Trusted, it runs; the folder it leaves imports nothing when sent on.
    out = _untrusted(tmp_path, "run", "e.toml", "--output", "out", "--trust")
    assert out.returncode == 0, out.stderr
    marker.unlink()
    out = _untrusted(tmp_path, "resume", "out")
    assert out.returncode == 2 and "'evil:Est' is outside" in out.stderr
    out = _untrusted(tmp_path, "report", "out")
    assert out.returncode == 0, out.stderr
    assert "reporting from the journal alone" in out.stderr
    assert not marker.exists()
    out = _untrusted(tmp_path, "resume", "out", "--trust")
    assert out.returncode == 0, out.stderr
    assert marker.exists()


def test_trust_remote_code_needs_trust():
    from skhp.experiment import ExperimentError, check_experiment

    raw = {
        "estimator": {
            "class": "sklearn.svm:SVC",
            "params": {"model_kwargs": {"trust_remote_code": True}},
        },
        "data": {"dataset": "iris"},
        "space": {"C": [1.0]},
        "searchers": [{"kind": "grid", "n_iter": 1}],
    }
    with pytest.raises(ExperimentError) as info:
        check_experiment(raw)
    assert (
        "estimator.params.model_kwargs.trust_remote_code: runs code downloaded "
        "with the model"
    ) in str(info.value)
    with pytest.raises(ExperimentError) as info:
        check_experiment(raw, trust=True)
    assert "trust_remote_code" not in str(info.value)  # only SVC's own complaint


@pytest.mark.parametrize(
    "text, message",
    [
        (
            IRIS.replace('kind = "random"', 'kind = "randm"'),
            (
                "searchers[1].kind: 'randm' is not one of 'grid', 'random', 'bayes'; "
                "did you mean 'random'?"
            ),
        ),
        (IRIS + "\nn_jbos = 2\n", "n_jbos: unknown key"),
    ],
)
def test_experiment_mistakes_exit_2_with_the_key_path(tmp_path, capsys, text, message):
    (tmp_path / "e.toml").write_text(text)
    code, _, err = main(capsys, "run", tmp_path / "e.toml")
    assert code == 2 and message in err, err
    assert not (tmp_path / "e-results").exists()


def test_dry_run_shows_the_plan_and_fits_nothing(tmp_path, capsys):
    (tmp_path / "iris.toml").write_text(IRIS)
    code, out, err = main(capsys, "run", tmp_path / "iris.toml", "--dry-run")
    assert code == 0, err
    assert "searcher grid: grid, 4 candidates" in out
    assert not (tmp_path / "iris-results").exists()


@pytest.mark.slow
def test_demo_compares_the_three_searchers_per_part(tmp_path):
    out = skhp(
        "demo",
        "--parts",
        "mlp",
        "--budget",
        "2",
        "--cv",
        "2",
        "--output",
        "d",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    table = out.stdout[out.stdout.index("part/searcher") :].splitlines()
    rows = {line.split()[0]: line.split() for line in table[1:4]}
    assert set(rows) == {"mlp/grid", "mlp/random", "mlp/bayes"}
    for row in rows.values():
        assert 0.3 < float(row[1]) <= 1.0 and int(row[2]) == 2
    assert (tmp_path / "d" / "mlp" / "report.md").is_file()
    assert (tmp_path / "d" / "summary.md").is_file()


def test_demo_budget_below_the_coarsest_grid_is_refused(tmp_path, capsys):
    code, _, err = main(
        capsys, "demo", "--parts", "lr", "--budget", "3", "--output", "d", cwd=tmp_path
    )
    assert code == 2
    # One value per dimension: one candidate per branch of the preset.
    assert "n_iter: 3 is smaller than the coarsest grid of the space (4 " in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["demo", "--budget", "0"], "expected a number >= 1, got 0"),
        (["demo", "--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["demo", "--cv", "1"], "expected a number >= 2"),
        (
            ["demo", "--parts", "lr,svm"],
            "expected a comma-separated list of lr, mlp, llm",
        ),
        (
            ["run", "x.toml", "--dask-workers", "2", "--dask-scheduler", "tcp://a:1"],
            "not allowed with argument",
        ),
        (["run", "x.json"], "the name must end in .toml, .yaml, .yml"),
        (["run", "missing.toml"], "file not found: 'missing.toml'"),
        (["resume", "."], "is not an skhp output folder (no skhp-run.json)"),
        (["report", "."], "has no journal.db; nothing to report"),
        (["run"], "the following arguments are required: EXPERIMENT"),
    ],
)
def test_bad_arguments_exit_2_with_the_reason(tmp_path, capsys, args, message):
    code, _, err = main(capsys, *args, cwd=tmp_path)
    assert code == 2 and message in err, err


@pytest.mark.parametrize("command", ["run", "resume", "report", "demo"])
def test_every_command_has_help(capsys, command):
    code, out, _ = main(capsys, command, "--help")
    assert code == 0 and f"usage: skhp {command}" in out


def test_help_points_at_commands_not_at_repository_files(capsys):
    code, out, _ = main(capsys, "--help")
    assert code == 0 and "skhp demo" in out
    assert "docs/" not in out and ".md" not in out


def test_report_format_is_md_or_html(tmp_path, capsys):
    code, _, err = main(capsys, "report", ".", "--format", "pdf", cwd=tmp_path)
    assert code == 2 and "invalid choice: 'pdf'" in err


def test_no_command_prints_help_and_exits_2(capsys):
    code, out, _ = main(capsys)
    assert code == 2 and "demo" in out and "resume" in out


def test_python_m_skhp_version():
    out = skhp("--version")
    assert out.returncode == 0 and out.stdout.startswith("skhp ")
