"""benchmarks/searchers.py runs with a subset of the searchers and keeps its results."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_subset_of_searchers_prints_and_writes_its_results(tmp_path):
    out = tmp_path / "runs.json"
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/searchers.py",
            "--quick",
            "--seeds",
            "1",
            "--tasks",
            "synthetic",
            "--searchers",
            "skhp,RandomizedSearchCV",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
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
