"""benchmarks/searchers.py runs with a subset of the searchers and keeps its results."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_script(*args):
    return subprocess.run(
        [sys.executable, "benchmarks/searchers.py", "--quick", "--seeds", "1"]
        + ["--tasks", "synthetic", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def table_rows(stdout):
    return [line for line in stdout.splitlines() if line.startswith("| ")]


def test_a_subset_of_searchers_prints_and_writes_its_results(tmp_path):
    out = tmp_path / "runs.json"
    result = run_script("--searchers", "skhp,RandomizedSearchCV", "--json", str(out))
    # Without GridSearchCV in the run, the table used to fail after every
    # search had run, before the JSON was written.
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| skhp BayesSearchCV | 12 |" in result.stdout
    assert "GridSearchCV has" not in result.stdout
    runs = json.loads(out.read_text())
    assert sorted(runs["synthetic"]) == ["RandomizedSearchCV", "skhp BayesSearchCV"]
    (record,) = runs["synthetic"]["skhp BayesSearchCV"]
    assert record["seed"] == 0
    assert len(record["scores"]) == 12

    # The same tables and goals again from the stored results, running nothing.
    again = run_script("--searchers", "none", "--reuse-json", str(out))
    assert again.returncode == 0, again.stdout + again.stderr
    assert table_rows(again.stdout) == table_rows(result.stdout)
    assert "- skhp overhead <= 50 ms/eval" in again.stdout


def test_running_no_searcher_needs_stored_results():
    result = run_script("--searchers", "none")
    assert result.returncode == 2
    assert "give --reuse-json" in result.stderr
