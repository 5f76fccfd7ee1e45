import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skhp.report import results_frame, write_report
from skhp.report.document import markdown_table

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
    assert rows[2].startswith("| random |") and rows[2].endswith("| 6 | 0 | 0 |  |")
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
    assert text.count("data:image/png;base64,") == 4
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
