"""benchmarks/suite: runs, stores, merges and scores, end to end on tiny budgets."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from benchmarks.suite import catalogue, run, scoring, storage
from benchmarks.suite.problems_bbob import FunctionEstimator, regret

ROOT = Path(__file__).resolve().parents[2]
PROBLEMS = "bbob_f001_i01_d02,sk_DT_iris_acc"


def run_suite(results, *args):
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.suite.run", "--results", str(results)]
        + ["--problems", PROBLEMS, "--seeds", "2", "--budgets", "4,7", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    result = run_suite(folder, "--searchers", "skhp,random")
    assert result.returncode == 0, result.stdout + result.stderr
    return folder, result.stdout


@pytest.fixture
def results(first_run):
    return first_run[0]


def test_runs_are_stored_per_searcher_and_round_trip(results):
    assert sorted(p.name for p in results.iterdir()) == ["random.json", "skhp.json"]
    loaded = storage.load_all(results)
    assert sorted(loaded) == ["random", "skhp"]
    for label in loaded:
        assert sorted(loaded[label]) == sorted(PROBLEMS.split(","))
        for by_seed in loaded[label].values():
            assert sorted(by_seed) == [0, 1]
            for one in by_seed.values():
                assert one["budget"] == 7
                assert len(one["scores"]) == 7
                assert one["wall"] >= one["fit_score"] >= 0
    # The function estimator records the gap between evaluations.
    assert len(loaded["skhp"]["bbob_f001_i01_d02"][0]["gaps_ms"]) == 6
    assert loaded["skhp"]["sk_DT_iris_acc"][0]["gaps_ms"] == []
    # BBOB scores are minus regrets: never above 0.
    assert max(loaded["random"]["bbob_f001_i01_d02"][0]["scores"]) <= 0


def test_the_tables_print_with_random_search_at_zero(first_run):
    _, stdout = first_run
    assert "**all, all problems** (2 problems)" in stdout
    assert "**bbob, all problems** (1 problems)" in stdout
    rows = [line for line in stdout.splitlines() if line.startswith("| random")]
    assert len(rows) >= 3
    assert all(row.startswith("| random | 0.000 | 0.000 |") for row in rows)
    assert sum(line.startswith("| skhp |") for line in stdout.splitlines()) == len(rows)


def run_main(results, capsys, *args):
    run.main(
        ["--results", str(results), "--problems", PROBLEMS, "--seeds", "2"]
        + ["--budgets", "4,7", *args]
    )
    return capsys.readouterr().out


def test_a_labelled_run_goes_to_its_own_file_and_stored_runs_are_skipped(
    results, capsys
):
    out = run_main(
        results,
        capsys,
        "--searchers",
        "skhp",
        "--label",
        "skhp-variant",
        "--skhp-kwargs",
        '{"n_initial_points": 3}',
        "--part",
        "a",
        "--problems",
        "bbob_f001_i01_d02",
        "--compare",
        "skhp-variant,skhp",
    )
    data = json.loads((results / "skhp-variant--a.json").read_text())
    assert data["label"] == "skhp-variant"
    assert data["kwargs"] == {"n_initial_points": 3}
    assert sorted(data["runs"]) == ["bbob_f001_i01_d02"]
    assert "| skhp-variant |" in out
    assert "**bbob, all problems** (1 problems)" in out
    out = run_main(results, capsys, "--searchers", "random", "--no-tables")
    assert "# random: 0 runs to do" in out
    assert "**" not in out


def test_scores_are_zero_for_random_and_one_for_the_best(results):
    loaded = storage.load_all(results)
    summary = scoring.summarise(
        loaded, PROBLEMS.split(","), ["skhp", "random"], lambda p: (4, 7)
    )
    assert summary["problems"] == sorted(PROBLEMS.split(","))
    assert summary["rows"]["random"]["score"] == pytest.approx((0.0, 0.0), abs=1e-12)
    ranks = [summary["rows"][k]["rank"][1] for k in ("skhp", "random")]
    assert sum(ranks) == pytest.approx(3.0)


def test_problem_scores_by_hand():
    def run(*scores):
        return {"scores": list(scores)}

    runs = {
        "random": {0: run(-4.0, -3.0), 1: run(-2.0, -5.0)},
        "other": {0: run(-1.0, None), 1: run(None, None)},
    }
    scores = scoring.problem_scores(runs, budget=2)
    # random's values -3 and -2 (mean -2.5), best -1; the failed run of
    # "other" counts as the clip, the median of random's evaluations (-3.5).
    assert scores["random"] == pytest.approx((0.0, -2.5))
    assert scores["other"][0] == pytest.approx((1.0 + (-3.5 + 2.5) / 1.5) / 2)


def test_function_estimator_scores_minus_the_regret():
    est = FunctionEstimator(problem="bbob_f001_i01_d05", x0=1.0, x3=-2.0)
    assert sorted(est.get_params()) == ["problem", "x0", "x1", "x2", "x3", "x4"]
    copy = clone(est).set_params(x1=0.5)
    X = np.zeros((2, 1))
    expected = -regret("bbob_f001_i01_d05", [1.0, 0.5, 0.0, -2.0, 0.0])
    assert copy.fit(X).score(X) == pytest.approx(expected)
    assert expected < 0


def test_the_split_covers_every_problem_once_per_family_half():
    split = catalogue.load_split()
    problems = catalogue.all_problems()
    assert split["dev"] | split["test"] == set(problems)
    assert not split["dev"] & split["test"]
    stored = json.loads(catalogue.SPLIT.read_text())
    assert catalogue.make_split(problems, stored["seed"]) == stored
    for family in ("bbob", "sklearn"):
        names = {n for n, p in problems.items() if p.family == family}
        assert abs(len(names & split["dev"]) - len(names & split["test"])) <= 1


def test_the_pool_runs_seed_zero_of_every_problem_first_and_skips_stored():
    from benchmarks.suite.run_pool import todo_list

    names = ["a", "b", "c", "d"]
    stored = {"botorch": {"b": {0: {}}}}
    todo = todo_list(names, ["skopt", "botorch"], range(2), stored)
    assert len(todo) == 2 * 4 * 2 - 1
    assert ("botorch", "b", 0) not in todo
    # Every seed-0 run comes before any seed-1 run, the searchers side by side.
    seeds = [seed for _, _, seed in todo]
    assert seeds == sorted(seeds)
    first = [name for searcher, name, seed in todo if seed == 0 and searcher == "skopt"]
    assert sorted(first) == names
    assert todo_list(names, ["skopt"], range(1), {}) == [
        ("skopt", name, 0) for name in first
    ]


def test_random_search_at_the_best_value_scores_zero_not_a_huge_number():
    # Random search found the best value (up to rounding in the last digits):
    # no searcher can beat it, and a worse one must not get -1e7.
    runs = {
        "random": {0: {"scores": [0.95833333]}, 1: {"scores": [0.9583333333333334]}},
        "skhp": {0: {"scores": [0.9]}},
    }
    out = scoring.problem_scores(runs, 1)
    assert out["skhp"][0] == 0.0 and out["random"][0] == 0.0


def test_paired_counts_wins_and_brackets_the_mean_difference():
    def run(*scores):
        return {"scores": list(scores)}

    # On p0 and p1 "a" finds the best value and "b" random search's; on p2
    # the reverse: a mean score difference of (1 + 1 - 1) / 3.
    results = {"random": {}, "a": {}, "b": {}}
    for p, (va, vb) in {
        "p0": (-1.0, -3.0),
        "p1": (-1.0, -3.0),
        "p2": (-3.0, -1.0),
    }.items():
        results["random"][p] = {0: run(-4.0, -3.0), 1: run(-4.0, -3.0)}
        results["a"][p] = {0: run(va)}
        results["b"][p] = {0: run(vb)}
    out = scoring.paired(
        results, ["p0", "p1", "p2", "missing"], "a", "b", lambda p: (2, 2)
    )
    assert out["problems"] == ["p0", "p1", "p2"]
    small = out["budgets"][0]
    assert small["diff"] == pytest.approx(1.0 / 3.0)
    assert (small["wins"], small["losses"], small["ties"]) == (2, 1, 0)
    assert small["low"] <= small["diff"] <= small["high"]
    assert small["low"] >= -1.0 and small["high"] <= 1.0
    text = scoring.paired_markdown(out, "a", "b", "toy")
    assert "a better on 2, worse on 1, level on 0" in text


def test_asktell_traces_are_best_so_far_and_share_the_initial_points():
    from benchmarks.suite.asktell import run_one

    name = "bbob_f001_i01_d02"
    skhp_trace = run_one(name, "skhp", 0, 12, {})
    random_trace = run_one(name, "random", 0, 12, {})
    assert len(skhp_trace) == len(random_trace) == 12
    assert all(b <= a for a, b in zip(skhp_trace, skhp_trace[1:]))
    # The same seed draws the same 10 random initial points; then the model.
    assert skhp_trace[:10] == random_trace[:10]
    assert skhp_trace[-1] >= 0.0
