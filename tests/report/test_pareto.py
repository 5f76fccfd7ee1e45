import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.model_selection import KFold

from skhp import GridSearchCV
from skhp.report import ParetoFrontDisplay, pareto_front_table, write_report


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class Tradeoff(BaseEstimator):
    """Quality x, cost x**2 + (z - 0.5)**2; folds differ by 0.16."""

    def __init__(self, x=0.0, z=0.5):
        self.x = x
        self.z = z

    def fit(self, X, y=None):
        return self

    def score(self, X, y=None):
        return self.x + 0.04 * float(X[0, 0])


def quality(est, X, y=None):
    return est.score(X, y)


def cost(est, X, y=None):
    return est.x**2 + (est.z - 0.5) ** 2


@pytest.fixture(scope="module")
def search():
    X = np.arange(12, dtype=float).reshape(-1, 1)
    return GridSearchCV(
        Tradeoff(),
        {"x": [0.2, 0.5, 0.9, 0.95, 1.0], "z": [0.5, 0.9]},
        cv=KFold(3),
        scoring={"quality": quality, "cost": cost},
        refit="quality",
        objectives={"quality": "max", "cost": "min"},
    ).fit(X)


def test_front_table_lists_the_non_dominated_best_first(search):
    table = pareto_front_table(search)
    results = search.cv_results_
    assert list(table.index) == [
        i
        for i in np.argsort(-results["mean_test_quality"], kind="stable")
        if results["pareto_rank"][i] == 1
    ]
    # z = 0.9 only adds cost: the front is z = 0.5, every x.
    assert list(table["z"]) == [0.5] * 5
    assert list(table["x"]) == [1.0, 0.95, 0.9, 0.5, 0.2]
    assert list(table.columns) == ["quality", "cost", "x", "z", "refit"]
    assert table["refit"].sum() == 1
    assert table.index[table["refit"]][0] == search.best_index_


def test_front_table_of_a_cv_results_dict_needs_the_objectives(search):
    with pytest.raises(ValueError, match="needs at least two objectives"):
        pareto_front_table(search.cv_results_)
    table = pareto_front_table(
        search.cv_results_, objectives={"quality": "max", "cost": "min"}
    )
    assert len(table) == 5 and not table["refit"].any()


def test_display_highlights_the_front_and_marks_the_refit_choice(search):
    display = ParetoFrontDisplay.from_search(search)
    results = search.cv_results_
    assert len(display.front_.get_offsets()) == (results["pareto_rank"] == 1).sum()
    assert len(display.dominated_.get_offsets()) == 5
    assert display.dominated_.get_alpha() < 0.5  # faded
    assert display.front_.get_alpha() in (None, 1.0)
    x, y = display.chosen_.get_data()
    assert x[0] == results["mean_test_cost"][search.best_index_]
    assert y[0] == results["mean_test_quality"][search.best_index_]
    assert display.ax_.get_xlabel() == "cost (lower is better)"
    assert display.ax_.get_ylabel() == "quality (higher is better)"


def test_display_draws_the_reference_point_a_search_was_given(search):
    from skhp import BayesSearchCV, Real

    X = np.arange(12, dtype=float).reshape(-1, 1)
    bayes = BayesSearchCV(
        Tradeoff(),
        {"x": Real(0.0, 1.0), "z": Real(0.0, 1.0)},
        n_iter=6,
        n_initial_points=4,
        cv=KFold(3),
        scoring={"quality": quality, "cost": cost},
        refit="quality",
        objectives={"quality": "max", "cost": "min"},
        reference_point={"quality": 0.5},
        random_state=0,
    ).fit(X)
    display = ParetoFrontDisplay.from_search(bayes)
    (line,) = display.reference_
    assert list(line.get_ydata()) == [0.5, 0.5]  # horizontal: the quality axis
    assert line.get_label() == "reference point"
    # Swapping the axes moves it; a search without one draws none.
    (line,) = ParetoFrontDisplay.from_search(bayes, x="quality", y="cost").reference_
    assert list(line.get_xdata()) == [0.5, 0.5]
    assert ParetoFrontDisplay.from_search(search).reference_ == []


def test_display_refuses_an_unknown_axis(search):
    with pytest.raises(ValueError, match=r"x='latency' is not one of the objectives"):
        ParetoFrontDisplay.from_search(search, x="latency")


@pytest.mark.parametrize("format", ["markdown", "html"])
def test_report_has_a_pareto_section(search, tmp_path, format):
    path = write_report(tmp_path, {"grid": search}, format=format)
    text = path.read_text()
    assert "Pareto front: quality against cost (grid)" in text
    assert (tmp_path / "pareto.png").read_bytes()[:4] == b"\x89PNG"
    assert "refit choice" in text
    if format == "markdown":
        assert "![Pareto front: quality against cost (grid)](pareto.png)" in text
        assert "| candidate | quality | cost | x | z | refit |" in text


def test_report_draws_and_names_the_baseline_reference(tmp_path):
    from sklearn.linear_model import LogisticRegression

    from skhp import BayesSearchCV, Real

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0.5).astype(int)  # 41 of 60 in class 0
    bayes = BayesSearchCV(
        LogisticRegression(),
        {"C": Real(1e-3, 10.0, prior="log-uniform")},
        n_iter=5,
        n_initial_points=3,
        cv=KFold(3),
        scoring={
            "accuracy": "accuracy",
            "norm": lambda e, X, y: float(abs(e.coef_).sum()),
        },
        refit="accuracy",
        objectives={"accuracy": "max", "norm": "min"},
        random_state=0,
    ).fit(X, y)
    share = np.mean(y == 0)
    assert bayes.reference_point_ == {"accuracy": pytest.approx(share)}
    (line,) = ParetoFrontDisplay.from_search(bayes).reference_
    assert list(line.get_ydata()) == pytest.approx([share, share])
    text = write_report(tmp_path, {"bayes": bayes}).read_text()
    assert "a baseline that ignores the features" in text
