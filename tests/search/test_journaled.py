"""Searches with a journal: nothing lost, nothing evaluated twice."""

import io
import os

import numpy as np
import pytest
from sklearn import model_selection
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhp import BayesSearchCV, Categorical, GridSearchCV, RandomizedSearchCV, Real
from skhp.journal import Journal, JournalMismatchError
from skhp.search.progress import ProgressBar

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
GRID = {"C": [0.01, 0.1, 1, 10], "kernel": ["rbf", "linear"]}


class CountingClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression that appends a line to a file on every fit."""

    def __init__(self, C=1.0, log=None, fail_above=None):
        self.C = C
        self.log = log
        self.fail_above = fail_above

    def fit(self, X, y):
        with open(self.log, "a") as f:
            f.write(f"{self.C}\n")
        if self.fail_above is not None and self.C > self.fail_above:
            raise ValueError(f"C={self.C} is too large")
        self.model_ = LogisticRegression(C=self.C, max_iter=500).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def _fits(log):
    return open(log).read().split() if os.path.exists(log) else []


def _same_results(a, b):
    for key in a:
        if "time" in key:
            np.testing.assert_allclose(a[key], b[key])
        elif key == "params":
            assert a[key] == b[key]
        else:
            np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]))


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_grid_journal_replays_instead_of_refitting(tmp_path, n_jobs):
    path = tmp_path / "run.db"
    ref = model_selection.GridSearchCV(SVC(), GRID, return_train_score=True)
    ref.fit(X_IRIS, Y_IRIS)
    first = GridSearchCV(
        SVC(), GRID, journal=path, return_train_score=True, n_jobs=n_jobs
    ).fit(X_IRIS, Y_IRIS)
    again = GridSearchCV(
        SVC(), GRID, journal=path, return_train_score=True, n_jobs=n_jobs
    ).fit(X_IRIS, Y_IRIS)
    for key in ref.cv_results_:
        if "time" not in key:
            assert str(first.cv_results_[key]) == str(ref.cv_results_[key]), key
    _same_results(first.cv_results_, again.cv_results_)
    assert again.best_params_ == ref.best_params_
    info = Journal(path).info("gridsearchcv")
    assert info["n_trials"] == 8 and info["finished"]


def test_resume_fits_only_what_is_missing(tmp_path):
    log = str(tmp_path / "fits.log")
    path = tmp_path / "run.db"
    est = CountingClassifier(log=log)
    grid = {"C": [0.01, 0.1, 1.0, 10.0, 100.0]}
    GridSearchCV(est, grid, cv=3, journal=path).fit(X_IRIS, Y_IRIS)
    assert len(_fits(log)) == 5 * 3 + 1
    # Interrupted after two candidates: drop the later ones from the journal.
    journal = Journal(path)
    journal.conn.execute("DELETE FROM trials WHERE number >= 2")
    journal.close()
    search = GridSearchCV(est, grid, cv=3, journal=path).fit(X_IRIS, Y_IRIS)
    new_fits = _fits(log)[16:]
    assert sorted(new_fits[:-1]) == sorted(["1.0", "10.0", "100.0"] * 3)
    assert [p["C"] for p in search.cv_results_["params"]] == grid["C"]
    assert [t.params["C"] for t in Journal(path).trials("gridsearchcv")] == grid["C"]


def test_mismatched_search_is_refused(tmp_path):
    path = tmp_path / "run.db"
    GridSearchCV(SVC(), GRID, journal=path).fit(X_IRIS, Y_IRIS)
    with pytest.raises(JournalMismatchError, match="estimator: recorded"):
        GridSearchCV(LogisticRegression(), {"C": [1]}, journal=path).fit(X_IRIS, Y_IRIS)
    with pytest.raises(JournalMismatchError, match="cv: recorded 'None', now '3'"):
        GridSearchCV(SVC(), GRID, journal=path, cv=3).fit(X_IRIS, Y_IRIS)


def test_random_search_without_seed_keeps_recorded_candidates(tmp_path):
    path = tmp_path / "run.db"
    space = {"C": Real(1e-3, 1e3, prior="log-uniform")}
    first = RandomizedSearchCV(SVC(), space, n_iter=3, cv=3, journal=path)
    first.fit(X_IRIS, Y_IRIS)
    second = RandomizedSearchCV(SVC(), space, n_iter=5, cv=3, journal=path)
    second.fit(X_IRIS, Y_IRIS)
    recorded = [p["C"] for p in first.cv_results_["params"]]
    assert [p["C"] for p in second.cv_results_["params"]][:3] == recorded
    assert len({p["C"] for p in second.cv_results_["params"]}) == 5
    assert Journal(path).info("randomizedsearchcv")["n_trials"] == 5


def test_random_search_with_seed_resumes_the_same_candidates(tmp_path):
    path = tmp_path / "run.db"
    space = {"C": Real(1e-3, 1e3, prior="log-uniform")}
    kw = dict(cv=3, random_state=0)
    one_go = RandomizedSearchCV(SVC(), space, n_iter=6, **kw).fit(X_IRIS, Y_IRIS)
    RandomizedSearchCV(SVC(), space, n_iter=6, journal=path, **kw).fit(X_IRIS, Y_IRIS)
    resumed = RandomizedSearchCV(SVC(), space, n_iter=6, journal=path, **kw)
    resumed.fit(X_IRIS, Y_IRIS)
    _same_results(
        {k: v for k, v in one_go.cv_results_.items() if "time" not in k},
        {k: v for k, v in resumed.cv_results_.items() if "time" not in k},
    )


def test_every_fit_failing_still_raises_like_sklearn(tmp_path):
    est = CountingClassifier(log=str(tmp_path / "f.log"), fail_above=0)
    with pytest.raises(ValueError, match="All the 6 fits failed"):
        GridSearchCV(est, {"C": [1.0, 2.0]}, cv=3, journal=tmp_path / "r.db").fit(
            X_IRIS, Y_IRIS
        )
    # ... and the failures are recorded.
    trials = Journal(tmp_path / "r.db").trials("gridsearchcv")
    assert [t.status for t in trials] == ["failed", "failed"]
    assert "C=1.0 is too large" in trials[0].error


def test_bad_journal_arguments_are_clear():
    with pytest.raises(ValueError, match="'journal' parameter of GridSearchCV"):
        GridSearchCV(SVC(), GRID, journal=3).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="`study` must be a non-empty string"):
        GridSearchCV(SVC(), GRID, journal="x.db", study=" ").fit(X_IRIS, Y_IRIS)


# -- BayesSearchCV ---------------------------------------------------------------

X_BC, Y_BC = load_breast_cancer(return_X_y=True)
PIPE = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
SPACE = {
    "logisticregression__C": Real(1e-3, 1e2, prior="log-uniform"),
    "logisticregression__fit_intercept": Categorical([True, False]),
}
BAYES = dict(cv=3, n_initial_points=4, random_state=0)


@pytest.fixture(scope="module")
def one_go():
    return BayesSearchCV(PIPE, SPACE, n_iter=9, **BAYES).fit(X_BC, Y_BC)


def _params(search):
    return search.cv_results_["params"]


@pytest.mark.slow
def test_bayes_resume_continues_exactly_where_it_stopped(tmp_path, one_go):
    path = tmp_path / "run.db"
    BayesSearchCV(PIPE, SPACE, n_iter=6, journal=path, **BAYES).fit(X_BC, Y_BC)
    resumed = BayesSearchCV(PIPE, SPACE, n_iter=9, journal=path, **BAYES)
    resumed.fit(X_BC, Y_BC)
    assert _params(resumed) == _params(one_go)
    np.testing.assert_array_equal(
        resumed.cv_results_["mean_test_score"], one_go.cv_results_["mean_test_score"]
    )
    assert Journal(path).info("bayessearchcv")["n_trials"] == 9


@pytest.mark.slow
def test_bayes_resume_with_another_seed_loses_nothing(tmp_path, one_go):
    path = tmp_path / "run.db"
    BayesSearchCV(PIPE, SPACE, n_iter=6, journal=path, **BAYES).fit(X_BC, Y_BC)
    other = dict(BAYES, random_state=7)
    resumed = BayesSearchCV(PIPE, SPACE, n_iter=9, journal=path, **other)
    resumed.fit(X_BC, Y_BC)
    assert _params(resumed)[:6] == _params(one_go)[:6]
    assert len(_params(resumed)) == 9
    keys = {tuple(sorted(p.items())) for p in _params(resumed)}
    assert len(keys) == 9


@pytest.mark.slow
def test_warm_start_gives_the_next_candidates_of_a_longer_search(tmp_path, one_go):
    first = BayesSearchCV(PIPE, SPACE, n_iter=6, **BAYES).fit(X_BC, Y_BC)
    path = tmp_path / "run.db"
    BayesSearchCV(PIPE, SPACE, n_iter=6, journal=path, **BAYES).fit(X_BC, Y_BC)
    for source in (first, first.cv_results_, path):
        more = BayesSearchCV(PIPE, SPACE, n_iter=3, warm_start=source, **BAYES)
        more.fit(X_BC, Y_BC)
        assert _params(more) == _params(one_go)[6:]


def test_warm_start_from_other_seed_is_told_and_not_repeated():
    first = BayesSearchCV(PIPE, SPACE, n_iter=5, **BAYES).fit(X_BC, Y_BC)
    more = BayesSearchCV(
        PIPE, SPACE, n_iter=3, warm_start=first, **dict(BAYES, random_state=3)
    ).fit(X_BC, Y_BC)
    assert len(_params(more)) == 3
    assert not any(p in _params(first) for p in _params(more))


def test_initial_points_are_evaluated_first_and_once():
    start = [
        {"logisticregression__C": 1.0, "logisticregression__fit_intercept": True},
        {"logisticregression__C": 0.01, "logisticregression__fit_intercept": False},
    ]
    search = BayesSearchCV(PIPE, SPACE, n_iter=6, initial_points=start, **BAYES)
    search.fit(X_BC, Y_BC)
    assert _params(search)[:2] == start
    assert sum(p == start[0] for p in _params(search)) == 1


@pytest.mark.parametrize(
    "points, match",
    [
        (
            [{"logisticregression__C": 1e9, "logisticregression__fit_intercept": True}],
            r"initial_points\[0\].*logisticregression__C=1000000000.0 is outside "
            r"Real\(low=0.001",
        ),
        (
            [{"logisticregression__C": 1.0}],
            r"missing \['logisticregression__fit_intercept'\]",
        ),
        (
            [{"C": 1.0, "logisticregression__fit_intercept": True}],
            r"unexpected \['C'\]",
        ),
        (
            [
                {
                    "logisticregression__C": 1.0,
                    "logisticregression__fit_intercept": True,
                },
                {
                    "logisticregression__C": 1.0,
                    "logisticregression__fit_intercept": True,
                },
            ],
            r"initial_points\[1\] repeats initial_points\[0\]",
        ),
        ([1.0], "must be a list of dicts"),
    ],
)
def test_bad_initial_points_are_named(points, match):
    with pytest.raises(ValueError, match=match):
        BayesSearchCV(PIPE, SPACE, n_iter=3, initial_points=points, **BAYES).fit(
            X_BC, Y_BC
        )


def test_warm_start_errors_are_clear(tmp_path):
    with pytest.raises(ValueError, match="no journal file at"):
        BayesSearchCV(PIPE, SPACE, n_iter=2, warm_start=str(tmp_path / "x.db")).fit(
            X_BC, Y_BC
        )
    with pytest.raises(ValueError, match="has no cv_results_"):
        BayesSearchCV(PIPE, SPACE, n_iter=2, warm_start=SVC()).fit(X_BC, Y_BC)


def test_progress_bar_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    quiet = ProgressBar(5, verbose=1, score_key="mean_test_score", file=io.StringIO())
    assert not quiet.enabled
    assert not ProgressBar(5, verbose=0, score_key="s", file=Terminal()).enabled
    out = Terminal()
    bar = ProgressBar(5, verbose=1, score_key="mean_test_score", file=out)
    bar.update({"params": [{}, {}], "mean_test_score": np.array([0.5, np.nan])})
    bar.close()
    text = out.getvalue()
    assert "2/5" in text and "best=0.5" in text


class Terminal(io.StringIO):
    def isatty(self):
        return True


class TerminalStream(io.TextIOBase):
    """stdout or stderr of one terminal: two streams, one screen."""

    def __init__(self, screen):
        self.screen = screen

    def isatty(self):
        return True

    def writable(self):
        return True

    def write(self, text):
        self.screen.append(text)
        return len(text)


class PrintingSVC(SVC):
    """An SVC that prints a line on every fit."""

    def fit(self, X, y):
        print(f"fitted C={self.C}")
        return super().fit(X, y)


def _fitting_lines(text):
    return [line for line in text.splitlines() if line.startswith("Fitting ")]


@pytest.mark.parametrize(
    "make, n",
    [
        (lambda v: GridSearchCV(PrintingSVC(), GRID, cv=3, verbose=v), 8),
        (
            lambda v: BayesSearchCV(
                PrintingSVC(),
                {"C": Real(0.01, 10, prior="log-uniform")},
                n_iter=4,
                n_initial_points=2,
                cv=3,
                random_state=0,
                verbose=v,
            ),
            4,
        ),
    ],
    ids=["grid", "bayes"],
)
def test_bar_gets_one_fitting_line_and_whole_printed_lines(monkeypatch, make, n):
    # Without a bar, scikit-learn's own output: a Bayes search prints its
    # "Fitting" line once per batch.
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    make(1).fit(X_IRIS, Y_IRIS)
    plain = _fitting_lines(out.getvalue())
    assert len(plain) == (1 if n == 8 else n)

    # With a bar on a terminal (stdout and stderr on the same screen): one
    # line for the whole search, and every printed line starts on a line of
    # its own, not after the bar's text.
    written = []
    monkeypatch.setattr("sys.stderr", TerminalStream(written))
    monkeypatch.setattr("sys.stdout", TerminalStream(written))
    make(1).fit(X_IRIS, Y_IRIS)
    screen = "".join(written)
    # What a terminal shows of each line: the text after its last "\r".
    shown = [line.rsplit("\r", 1)[-1] for line in screen.split("\n")]
    assert _fitting_lines("\n".join(shown)) == [
        f"Fitting 3 folds for each of {n} candidates, totalling {3 * n} fits"
    ]
    fitted = [line for line in shown if line.startswith("fitted C=")]
    assert len(fitted) == 3 * n + 1  # the folds and the refit
    assert sum("fitted C=" in line for line in screen.split("\n")) == len(fitted)
    assert f"{n}/{n}" in screen


def test_journaled_search_without_bar_prints_one_fitting_line(tmp_path, capsys):
    # A journal splits a grid into chunks (each committed as it completes);
    # scikit-learn would print its line per chunk.
    GridSearchCV(SVC(), GRID, cv=3, verbose=1, journal=tmp_path / "j.db").fit(
        X_IRIS, Y_IRIS
    )
    assert _fitting_lines(capsys.readouterr().out) == [
        "Fitting 3 folds for each of 8 candidates, totalling 24 fits"
    ]


def test_other_data_is_refused(tmp_path):
    path = tmp_path / "run.db"
    GridSearchCV(SVC(), GRID, journal=path, cv=3).fit(X_IRIS, Y_IRIS)
    with pytest.raises(JournalMismatchError, match=r"data: recorded 'X of shape"):
        GridSearchCV(SVC(), GRID, journal=path, cv=3).fit(X_IRIS[:120], Y_IRIS[:120])


_KILLER = """
import os, sys
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from skhp import GridSearchCV


class Killer(ClassifierMixin, BaseEstimator):
    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        if self.C == 5.0:
            os._exit(3)  # the whole process dies, as on a segfault or OOM kill
        with open(sys.argv[2], "a") as f:
            f.write(f"{self.C}\\n")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


X, y = load_iris(return_X_y=True)
search = GridSearchCV(
    Killer(), {"C": [0.1, 1.0, 5.0, 10.0]}, cv=2, journal=sys.argv[1], refit=False
)
search.fit(X, y)
print(list(search.cv_results_["error"]))
"""


def test_a_candidate_that_kills_the_process_is_failed_after_two_deaths(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "killer.py"
    script.write_text(_KILLER)
    db, log = tmp_path / "run.db", tmp_path / "fits.txt"

    def run():
        return subprocess.run(
            [sys.executable, str(script), str(db), str(log)],
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
        )

    assert run().returncode == 3  # died on C=5 with C=10 in its chunk
    assert run().returncode == 3  # C=5 alone: died again
    last = run()  # C=5 recorded as failed without a fit; C=10 fitted alone
    assert last.returncode == 0, last.stderr
    assert "the process died while fitting it (2 times" in last.stdout
    with Journal(db, create=False) as journal:
        trials = {t.params["C"]: t for t in journal.trials("gridsearchcv")}
    assert [t.status for t in trials.values()] == ["ok", "ok", "failed", "ok"]
    assert "the process died while fitting it" in trials[5.0].error
    assert trials[10.0].error is None
    assert sorted(_fits(log)) == ["0.1", "0.1", "1.0", "1.0", "10.0", "10.0"]
