import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skhp.report import results_frame, write_report
from skhp.report.document import markdown_table, winner_text

IMAGES = [
    "convergence.png",
    "parallel_coordinates.png",
    "parameter_scores.png",
    "parameter_importance.png",
]


@pytest.fixture(scope="module")
def markdown_report(searches, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "out"  # created by write_report
    path = write_report(
        folder, searches, title="Iris", wall_times={"grid": 1.25, "bayes": 3.5}
    )
    plt.close("all")
    return path


def _section(text, heading):
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_markdown_report_has_tables_and_image_links(markdown_report, searches):
    assert markdown_report.name == "report.md"
    text = markdown_report.read_text()
    assert text.startswith("# Iris\n")
    searchers = _section(text, "Searchers")
    rows = [line for line in searchers.splitlines() if line.startswith("| ")]
    assert rows[0] == (
        "| searcher | best score | best parameters | evaluations | failed | "
        "pruned | wall time (s) |"
    )
    grid = searches["grid"]
    best_c = grid.best_params_["C"]
    assert rows[1] == (
        f"| grid | {grid.best_score_:.4g} | C={best_c:.4g} | 5 | 0 | 0 | 1.25 |"
    )
    # The winner's row is in bold, and a line names it above the table.
    assert rows[2].startswith("| **random** |")
    assert rows[2].endswith("| 6 | 0 | 0 |  |")
    # random and bayes found the same best score here.
    assert "**Tie: random and bayes found the same best score, 0.9800 (± " in text
    assert rows[3].endswith("| 6 | 0 | 0 | 3.5 |")
    top = _section(text, "Top 10 candidates")
    top_rows = [line for line in top.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(top_rows) == 10
    scores = [float(row.split(" | ")[-2]) for row in top_rows]
    assert scores == sorted(scores, reverse=True)
    for image in IMAGES:
        assert f"]({image})" in text
        assert (markdown_report.parent / image).read_bytes()[:4] == b"\x89PNG"


def test_html_report_is_one_self_contained_page(searches, tmp_path):
    # A frame from results_frame is accepted as well as the search.
    frame = results_frame(searches["random"], name="rnd")
    path = write_report(tmp_path, frame, format="html", top=3)
    plt.close("all")
    assert path == tmp_path / "report.html"
    text = path.read_text()
    assert text.count("data:image/png;base64,") == 5  # the five plots
    assert text.count("<table") == 2
    assert "<td>rnd</td>" in text
    assert "Top 3 candidates" in text
    assert "wall time" not in text


def test_a_plot_the_results_cannot_support_is_explained(failing, tmp_path):
    path = write_report(tmp_path, failing)
    plt.close("all")
    text = path.read_text()
    assert "Not drawn: Parameter importance needs at least 5" in text
    assert "parameter_importance.png" not in text
    assert "| GridSearchCV | " in text and " | 3 | 1 | 0 |" in text


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"format": "pdf"},
            r"format must be 'markdown' or 'html', but got format='pdf'",
        ),
        ({"metric": "nope"}, r"metric='nope' is not a metric"),
        ({"wall_times": {"grdi": 1.0}}, r"names searchers.*\['grdi'\].*'GridSearchCV'"),
    ],
)
def test_bad_arguments_are_refused(searches, tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        write_report(tmp_path, searches["grid"], **kwargs)
    assert not (tmp_path / "report.md").exists()


def test_markdown_table_escapes_what_would_break_it():
    table = markdown_table(["a", "b"], [["x|y", "line\nbreak"], [0.123456, None]])
    assert table.splitlines() == [
        "| a | b |",
        "|---|---|",
        "| x\\|y | line break |",
        "| 0.1235 | None |",
    ]


def test_a_search_where_everything_failed_is_still_reported(failing, tmp_path):
    cv = dict(failing.cv_results_)
    cv["mean_test_score"] = np.full(3, np.nan)
    path = write_report(tmp_path, cv)
    plt.close("all")
    text = path.read_text()
    assert "| search |  | (every candidate failed) | 3 | 3 | 0 |" in text
    assert "No candidate succeeded." in text
    assert text.count("Not drawn: No candidate succeeded") == 3
    assert "Not drawn: Parameter importance needs at least 5" in text
    assert not list(tmp_path.glob("*.png"))


def _cv(params, means, stds, *, metric="score", extra=None, n_splits=3):
    """A hand-made cv_results_ with known means and standard deviations."""
    means, stds = np.asarray(means, float), np.asarray(stds, float)
    cv = {
        "params": params,
        f"mean_test_{metric}": means,
        f"std_test_{metric}": stds,
        "mean_fit_time": np.full(len(params), 0.01),
        "mean_score_time": np.full(len(params), 0.01),
    }
    for k in range(n_splits):
        cv[f"split{k}_test_{metric}"] = means
    for name, values in (extra or {}).items():
        cv[f"mean_test_{name}"] = np.asarray(values, float)
    return cv


@pytest.mark.parametrize(
    "second, expected",
    [
        (0.89, "within one standard error: on these folds the two are tied"),
        (0.80, "The margin is more than one standard error."),
        (0.90, "Tie: a and b found the same best score, 0.9000"),
    ],
)
def test_winner_margin_is_judged_against_the_standard_error(second, expected):
    # std 0.03 over 3 folds: standard error 0.0173.
    results = {
        "a": _cv([{"C": 1.0}, {"C": 2.0}], [0.85, 0.90], [0.01, 0.03]),
        "b": _cv([{"C": 3.0}], [second], [0.02]),
    }
    text, name = winner_text(results_frame(results))
    assert name == "a"
    assert expected in text
    if second != 0.90:
        assert text.startswith("Winner: a, best score 0.9000 (± 0.0173, the ")
        assert f"{0.90 - second:.4f} ahead of b ({second:.4f})" in text


def test_every_metric_and_short_names_with_their_legend(tmp_path):
    cv = _cv(
        [{"svc__C": 1.0, "svc__kernel": "rbf"}, {"svc__C": 10.0, "svc__kernel": "a"}],
        [0.8, 0.9],
        [0.01, 0.02],
        metric="accuracy",
        extra={"f1_macro": [0.7, 0.85]},
    )
    text = write_report(tmp_path, {"bayes": cv}, metric="accuracy").read_text()
    plt.close("all")
    searchers = _section(text, "Searchers")
    assert "| searcher | best accuracy | f1_macro (same candidate) |" in searchers
    assert "| **bayes** | 0.9 | 0.85 | C=10, kernel=a |" in searchers
    assert "C = svc__C; kernel = svc__kernel" in searchers
    top = _section(text, "Top 2 candidates")
    assert (
        "| # | searcher | iteration | C | kernel | mean accuracy | std accuracy "
        "| mean f1_macro |" in top
    )


def test_html_report_highlights_the_winner_and_wraps(searches, tmp_path):
    path = write_report(tmp_path, searches, format="html")
    plt.close("all")
    text = path.read_text()
    assert '<tr class="winner">\n      <td>random</td>' in text
    assert '<p class="winner">Tie: random and bayes found the same' in text
    assert "overflow-wrap: anywhere" in text
