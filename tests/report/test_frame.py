import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skhp import BayesSearchCV, Real
from skhp.journal import Journal
from skhp.report import results_frame


def test_one_search_gives_one_row_per_candidate(searches):
    grid = searches["grid"]
    frame = results_frame(grid)
    cv = grid.cv_results_
    assert len(frame) == len(cv["params"]) == 5
    assert list(frame["iteration"]) == [1, 2, 3, 4, 5]
    assert set(frame["searcher"]) == {"GridSearchCV"}
    np.testing.assert_allclose(frame["C"], [p["C"] for p in cv["params"]])
    np.testing.assert_allclose(frame["mean_test_score"], cv["mean_test_score"])
    np.testing.assert_array_equal(frame["rank_test_score"], cv["rank_test_score"])
    np.testing.assert_allclose(
        frame["best_so_far"], np.maximum.accumulate(cv["mean_test_score"])
    )
    assert list(frame["status"]) == ["ok"] * 5
    assert (frame["mean_fit_time"] > 0).all()
    assert frame.attrs["metric"] == "score"
    assert frame.attrs["params"] == ["C"]


def test_a_cv_results_dict_is_named_by_name(searches):
    cv = searches["grid"].cv_results_
    assert set(results_frame(cv)["searcher"]) == {"search"}
    assert set(results_frame(cv, name="mine")["searcher"]) == {"mine"}


def test_several_searchers_are_concatenated_in_order(searches):
    frame = results_frame(searches)
    assert list(dict.fromkeys(frame["searcher"])) == ["grid", "random", "bayes"]
    sizes = frame.groupby("searcher", sort=False).size()
    assert list(sizes) == [5, 6, 6]
    for _, part in frame.groupby("searcher"):
        assert list(part["iteration"]) == list(range(1, len(part) + 1))
        scores = part["mean_test_score"].to_numpy()
        np.testing.assert_allclose(part["best_so_far"], np.maximum.accumulate(scores))
    # The grid has no class_weight: NaN there; the Python objects elsewhere,
    # None included.
    absent = frame.loc[frame["searcher"] == "grid", "class_weight"]
    assert all(isinstance(v, float) and np.isnan(v) for v in absent)
    weights = frame.loc[frame["searcher"] != "grid", "class_weight"]
    assert set(weights) == {None, "balanced"}
    assert frame["class_weight"].dtype == object
    assert frame["C"].dtype == float


def test_a_list_of_same_class_searches_gets_distinct_names(searches):
    frame = results_frame([searches["grid"], searches["grid"], searches["bayes"]])
    assert list(dict.fromkeys(frame["searcher"])) == [
        "GridSearchCV",
        "GridSearchCV-2",
        "BayesSearchCV",
    ]


@pytest.mark.parametrize(
    "metric, followed", [(None, "f1"), ("f1", "f1"), ("acc", "acc")]
)
def test_multimetric_follows_the_refit_metric_or_the_one_asked(
    multimetric, metric, followed
):
    frame = results_frame(multimetric, metric=metric)
    assert frame.attrs["metric"] == followed
    for name in ("acc", "f1"):
        for stat in ("mean", "std", "rank"):
            assert f"{stat}_test_{name}" in frame
    np.testing.assert_allclose(
        frame["best_so_far"],
        np.maximum.accumulate(multimetric.cv_results_[f"mean_test_{followed}"]),
    )


def test_multimetric_without_refit_metric_asks_for_one(multimetric):
    with pytest.raises(ValueError, match=r"several metrics.*metric="):
        results_frame(multimetric.cv_results_)
    assert results_frame(multimetric.cv_results_, metric="acc").attrs["metric"] == "acc"


@pytest.mark.parametrize("fixture", ["searches", "multimetric"])
def test_unknown_metric_names_the_known_ones(fixture, request):
    results = request.getfixturevalue(fixture)
    with pytest.raises(ValueError, match=r"metric='nope' is not a metric.*use one of"):
        results_frame(results, metric="nope")


def test_conditional_space_leaves_absent_parameters_missing(conditional):
    frame = results_frame(conditional)
    linear = frame["kernel"] == "linear"
    assert frame.loc[linear, "gamma"].isna().all()
    np.testing.assert_allclose(frame.loc[~linear, "gamma"], [0.01, 0.1, 1.0])
    assert frame["kernel"].dtype == object
    assert all(isinstance(k, str) for k in frame["kernel"])


def test_failed_candidates_are_marked_and_skipped_by_best_so_far(failing):
    frame = results_frame(failing)
    assert list(frame["status"]) == ["ok", "failed", "ok"]
    assert np.isnan(frame["mean_test_score"][1])
    best = frame["best_so_far"].to_numpy()
    assert best[1] == best[0] == frame["mean_test_score"][0]
    assert best[2] == frame["mean_test_score"][[0, 2]].max()


def test_a_status_entry_is_taken_as_it_is(searches):
    cv = dict(searches["grid"].cv_results_)
    cv["status"] = np.array(["ok", "ok", "pruned", "ok", "ok"])
    frame = results_frame(cv)
    assert list(frame["status"]) == ["ok", "ok", "pruned", "ok", "ok"]
    scores = cv["mean_test_score"]
    assert frame["best_so_far"][2] == max(scores[0], scores[1])


def test_a_journal_gives_one_searcher_per_study(iris, tmp_path):
    X, y = iris
    path = tmp_path / "journal.db"
    space = {"C": Real(1e-3, 1e2, prior="log-uniform")}
    for study, seed in [("first", 0), ("second", 1)]:
        BayesSearchCV(
            LogisticRegression(max_iter=300),
            space,
            n_iter=3,
            n_initial_points=3,
            cv=2,
            random_state=seed,
            journal=str(path),
            study=study,
        ).fit(X, y)
    journal = Journal(str(path))
    try:
        frame = results_frame(journal)
        assert list(frame["searcher"]) == ["first"] * 3 + ["second"] * 3
        assert list(frame["status"]) == ["ok"] * 6
        assert set(frame.attrs["wall_times"]) == {"first", "second"}
        assert all(t > 0 for t in frame.attrs["wall_times"].values())
        np.testing.assert_allclose(
            frame["C"][:3], [p["C"] for p in journal.cv_results("first")["params"]]
        )
    finally:
        journal.close()


def test_a_parameter_named_like_a_column_is_prefixed(searches):
    cv = dict(searches["grid"].cv_results_)
    cv["params"] = [{"status": "x", **p} for p in cv["params"]]
    frame = results_frame(cv)
    assert list(frame["param_status"]) == ["x"] * 5
    assert list(frame["status"]) == ["ok"] * 5
    assert frame.attrs["params"] == ["param_status", "C"]


@pytest.mark.parametrize(
    "results, error, match",
    [
        ({"params": [], "mean_test_score": []}, ValueError, "no candidate"),
        ([], ValueError, "no searcher"),
        ({}, ValueError, "no searcher"),
        (
            GridSearchCV(LogisticRegression(), {"C": [1.0]}),
            ValueError,
            r"no `cv_results_`: call `fit",
        ),
        (42, TypeError, "must be a fitted search.*got an object of type int"),
    ],
)
def test_bad_results_are_refused(results, error, match):
    with pytest.raises(error, match=match):
        results_frame(results)


def test_name_with_several_searchers_is_refused(searches):
    with pytest.raises(ValueError, match=r"pass a dict"):
        results_frame([searches["grid"]], name="a")


def test_the_frame_is_a_dataframe_with_python_objects(conditional):
    frame = results_frame(conditional)
    assert isinstance(frame, pd.DataFrame)
    assert isinstance(frame["kernel"].iloc[0], str)
