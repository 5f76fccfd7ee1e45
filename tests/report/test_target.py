import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skhp.report import evaluations_to_target, results_frame, write_report


def _cv(scores, fit_times=None, pruned=None):
    n = len(scores)
    cv = {
        "params": [{"C": float(i + 1)} for i in range(n)],
        "mean_test_score": np.asarray(scores, dtype=float),
        "mean_fit_time": np.asarray(fit_times or [1.0] * n, dtype=float),
        "mean_score_time": np.zeros(n),
    }
    if pruned is not None:
        cv["pruned"] = np.asarray(pruned, dtype=bool)
    return cv


def test_default_target_is_995_per_mille_of_the_best():
    table = evaluations_to_target(
        {
            "a": _cv([0.5, 0.9, 0.95, 1.0], fit_times=[1.0, 2.0, 3.0, 4.0]),
            "b": _cv([0.99, np.nan, 0.996]),
            "c": _cv([0.2, 0.3]),
        }
    )
    assert table.attrs["target"] == pytest.approx(0.995)
    assert "99.5% of the best score any searcher found (1)" in table.attrs["rule"]
    assert list(table["searcher"]) == ["a", "b", "c"]
    # a: 0.5, 0.9, 0.95 miss, 1.0 is the 4th; b: 0.99 misses, NaN failed, 0.996.
    np.testing.assert_array_equal(table["evaluations"], [4.0, 3.0, np.nan])
    assert list(table["reached"]) == [True, True, False]
    # Fit time of one fold per candidate (no split columns): 1 + 2 + 3 + 4.
    assert table["time_to_target"][0] == pytest.approx(10.0)
    assert math.isnan(table["time_to_target"][2])
    np.testing.assert_allclose(table["best_score"], [1.0, 0.996, 0.3])
    assert list(table["n_evaluations"]) == [4, 3, 2]


def test_negative_scores_get_a_target_below_the_best():
    # Negated errors: the best is -0.2; 99.5% of it (-0.199) is out of reach.
    table = evaluations_to_target(
        {"a": _cv([-0.5, -0.2, -0.3]), "b": _cv([-0.3, -0.2009])}
    )
    assert table.attrs["target"] == pytest.approx(-0.201)
    assert "0.5% of |best| below" in table.attrs["rule"]
    np.testing.assert_array_equal(table["evaluations"], [2.0, 2.0])


def test_a_best_score_of_zero_uses_the_range():
    table = evaluations_to_target({"a": _cv([-1.0, -0.004, 0.0])})
    assert table.attrs["target"] == pytest.approx(-0.005)
    assert table["evaluations"][0] == 2.0


def test_pruned_candidates_count_as_evaluations_but_never_reach():
    cv = _cv([np.nan, 0.8, 1.0], pruned=[True, False, False])
    frame = results_frame(cv)
    assert list(frame["status"]) == ["pruned", "ok", "ok"]
    table = evaluations_to_target(cv, target=0.7)
    assert table["evaluations"][0] == 2.0
    assert table.attrs["rule"] == "0.7, as given"


def test_real_searches_match_a_hand_count(searches):
    table = evaluations_to_target(searches)
    best = max(np.nanmax(s.cv_results_["mean_test_score"]) for s in searches.values())
    target = best - 0.005 * abs(best)
    assert table.attrs["target"] == pytest.approx(target)
    for row, (name, search) in zip(table.itertuples(), searches.items()):
        scores = search.cv_results_["mean_test_score"]
        hits = [i + 1 for i, s in enumerate(scores) if s >= target]
        assert row.searcher == name
        assert row.reached == bool(hits)
        if hits:
            assert row.evaluations == hits[0]
            cv = search.cv_results_
            per_candidate = (cv["mean_fit_time"] + cv["mean_score_time"]) * 3
            assert row.time_to_target == pytest.approx(per_candidate[: hits[0]].sum())
    # The searcher that found the best score reaches the default target.
    assert table["reached"].any()


@pytest.mark.parametrize("target", ["high", math.nan, True])
def test_a_target_that_is_not_a_finite_number_is_refused(searches, target):
    with pytest.raises(ValueError, match=r"target must be a"):
        evaluations_to_target(searches, target)


def test_the_comparison_report_has_the_target_table(searches, tmp_path):
    path = write_report(tmp_path, searches)
    plt.close("all")
    text = path.read_text()
    section = text.split("## Evaluations to target\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert rows[0] == (
        "| searcher | evaluations to target | fit and score time to target (s) "
        "| best score | evaluations |"
    )
    table = evaluations_to_target(searches)
    for line, row in zip(rows[1:], table.itertuples()):
        cells = [c.strip() for c in line.strip("|").split("|")]
        expected = str(int(row.evaluations)) if row.reached else "never"
        assert cells[0] == row.searcher and cells[1] == expected
        assert cells[4] == str(row.n_evaluations)
    assert "Target " in section and "99.5% of the best score" in section


def test_an_unreachable_target_reads_never(searches):
    table = evaluations_to_target(searches, target=1.5)
    assert not table["reached"].any()
    assert table["evaluations"].isna().all()


# Pruned candidates have a NaN mean score, which scikit-learn warns about.
@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_a_real_pruned_search_is_reported_as_pruned(iris, searches, tmp_path):
    from sklearn.linear_model import LogisticRegression

    from skhp import BayesSearchCV, Real
    from skhp.search import MedianPruner

    X, y = iris
    search = BayesSearchCV(
        LogisticRegression(max_iter=300),
        {"C": Real(1e-5, 1e2, prior="log-uniform")},
        n_iter=12,
        n_initial_points=8,
        cv=3,
        random_state=0,
        pruner=MedianPruner(after_folds=1, n_startup=3),
    ).fit(X, y)
    pruned = np.asarray(search.cv_results_["pruned"], dtype=bool)
    assert pruned.any()
    frame = results_frame(search)
    np.testing.assert_array_equal(frame["status"] == "pruned", pruned)
    table = evaluations_to_target({"pruned": search, "grid": searches["grid"]})
    scores = search.cv_results_["mean_test_score"]
    target = table.attrs["target"]
    hits = [i + 1 for i, s in enumerate(scores) if np.isfinite(s) and s >= target]
    assert table["evaluations"][0] == (hits[0] if hits else np.nan)
    text = write_report(tmp_path, {"pruned": search}).read_text()
    assert f"| 12 | 0 | {int(pruned.sum())} |" in text
