"""The ``skhp`` command line, run as a user runs it: in a subprocess."""

import subprocess
import sys

import pytest


def skhp(*args):
    return subprocess.run(
        [sys.executable, "-m", "skhp", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_demo_compares_the_three_searchers():
    out = skhp("demo", "--dataset", "iris", "--budget", "30", "--cv", "2")
    assert out.returncode == 0, out.stderr
    rows = {
        line.split()[0]: line.split()
        for line in out.stdout.splitlines()
        if line.split() and line.split()[0] in ("grid", "random", "bayes")
    }
    assert set(rows) == {"grid", "random", "bayes"}
    for name, row in rows.items():
        score, evaluations = float(row[1]), int(row[2])
        assert 0.8 < score <= 1.0
        assert evaluations == 30 if name != "grid" else 1 <= evaluations <= 30
    assert "best bayes:" in out.stdout


def test_demo_budget_below_the_coarsest_grid_is_refused():
    out = skhp("demo", "--budget", "5")
    assert out.returncode == 2
    assert (
        "--budget 5 is smaller than the coarsest grid of the space (28 " in out.stderr
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["demo", "--budget", "0"], "expected a number >= 1, got 0"),
        (["demo", "--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["demo", "--cv", "1"], "expected a number >= 2"),
    ],
)
def test_bad_arguments_exit_2_with_the_reason(args, message):
    out = skhp(*args)
    assert out.returncode == 2 and message in out.stderr


def test_no_command_prints_help_and_exits_2():
    out = skhp()
    assert out.returncode == 2 and "demo" in out.stdout


def test_version():
    out = skhp("--version")
    assert out.returncode == 0 and out.stdout.startswith("skhp ")
