"""skhp lives beside scikit-learn without patching it (skhp._compat)."""

import ast
import re
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn import model_selection
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import _search, _validation

import skhp

X, Y = load_iris(return_X_y=True)
HOOKED = ("_fit_and_score", "_warn_or_raise_about_fit_failures")


def _hooks_installed():
    return [getattr(_search, n) is not getattr(_validation, n) for n in HOOKED]


def _assert_sklearn_originals():
    for name in HOOKED:
        function = getattr(_validation, name)
        assert function.__module__ == "sklearn.model_selection._validation"
        assert getattr(_search, name) is function


class Probe(ClassifierMixin, BaseEstimator):
    """Warns for C > 1, fails for C >= 100, records whether the hooks are in."""

    hooks_seen = []

    def __init__(self, C=1.0, fail_at=100.0):
        self.C = C
        self.fail_at = fail_at

    def fit(self, X, y):
        Probe.hooks_seen.append(_hooks_installed())
        if self.C >= self.fail_at:
            raise ValueError(f"C={self.C} is too large")
        if self.C > 1:
            warnings.warn(
                f"no convergence at C={self.C}", ConvergenceWarning, stacklevel=2
            )
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _searches():
    grid = {"C": [0.5, 2.0, 100.0]}
    return [
        skhp.GridSearchCV(Probe(), grid, cv=3),
        skhp.RandomizedSearchCV(Probe(), grid, n_iter=3, cv=3, random_state=0),
        skhp.BayesSearchCV(
            Probe(), {"C": skhp.Real(0.5, 3.0)}, n_iter=3, cv=3, random_state=0
        ),
    ]


@pytest.mark.parametrize("search", _searches(), ids=lambda s: type(s).__name__)
def test_sklearns_functions_are_its_own_again_after_a_search(search):
    _assert_sklearn_originals()
    Probe.hooks_seen.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, Y)
    # The hooks were in during the search's fits, and are out after it.
    assert [True, True] in Probe.hooks_seen
    _assert_sklearn_originals()


@pytest.mark.parametrize("search", _searches(), ids=lambda s: type(s).__name__)
def test_sklearns_functions_are_restored_when_the_search_raised(search):
    search.set_params(error_score="raise", estimator=Probe(fail_at=0.0))
    with pytest.raises(ValueError, match="is too large"):
        search.fit(X, Y)
    _assert_sklearn_originals()


def _plain_search():
    """A plain sklearn search with per-fit warnings and a failing candidate."""
    search = model_selection.GridSearchCV(Probe(), {"C": [0.5, 2.0, 100.0]}, cv=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, Y)
    shown = sorted((w.category.__name__, str(w.message)) for w in caught)
    return search.cv_results_, shown


def test_a_plain_search_in_another_thread_behaves_as_without_skhp():
    alone_results, alone_warnings = _plain_search()
    assert ("ConvergenceWarning", "no convergence at C=2.0") in alone_warnings
    assert any(kind == "FitFailedWarning" for kind, _ in alone_warnings)

    during = {}

    def run_plain_search_in_a_thread(progress):
        # In the skhp search's thread, with its hooks installed: a plain
        # search in another thread meanwhile.
        during["hooks"] = _hooks_installed()
        thread = threading.Thread(
            target=lambda: during.update(result=_plain_search()), daemon=True
        )
        thread.start()
        thread.join(timeout=120)
        return True  # stop after the first batch

    search = skhp.BayesSearchCV(
        Probe(),
        {"C": skhp.Real(0.5, 0.9)},
        n_iter=2,
        cv=3,
        random_state=0,
        callbacks=run_plain_search_in_a_thread,
    )
    search.fit(X, Y)
    assert during["hooks"] == [True, True]
    results, shown = during["result"]
    assert shown == alone_warnings
    np.testing.assert_array_equal(
        results["mean_test_score"], alone_results["mean_test_score"]
    )
    assert "error" not in results  # skhp's own column stays skhp's
    _assert_sklearn_originals()


class Meeting(ClassifierMixin, BaseEstimator):
    """Its first fit in each search waits until the other search fits too."""

    barrier = None
    met = set()

    def __init__(self, C=1.0, who=0):
        self.C = C
        self.who = who

    def fit(self, X, y):
        if self.who not in Meeting.met:
            Meeting.met.add(self.who)
            Meeting.barrier.wait()
        self.classes_ = np.unique(y)
        self.coef_ = self.C
        return self

    def score(self, X, y):
        return -abs(self.C - 1.0 - self.who)


def test_two_skhp_searches_in_threads_at_once():
    Meeting.barrier = threading.Barrier(2, timeout=60)
    Meeting.met = set()
    grid = {"C": [0.5, 1.0, 2.0]}
    searches = [skhp.GridSearchCV(Meeting(who=w), grid, cv=3) for w in (0, 1)]
    errors = []

    def fit(search):
        try:
            search.fit(X, Y)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=fit, args=(s,)) for s in searches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert [s.best_params_ for s in searches] == [{"C": 1.0}, {"C": 2.0}]
    _assert_sklearn_originals()


def test_a_missing_private_name_fails_only_the_feature_that_needs_it():
    # A scikit-learn release without _fit_and_score: `import skhp` works, a
    # plain sklearn search too, and a skhp search says what is missing.
    code = textwrap.dedent(
        """
        import sklearn.linear_model
        from sklearn.model_selection import _search, _validation
        del _validation._fit_and_score, _search._fit_and_score

        import skhp
        from skhp._compat import PrivateAPIError

        search = skhp.GridSearchCV(
            sklearn.linear_model.LogisticRegression(), {"C": [1.0]}, cv=2
        )
        try:
            search.fit([[0.0], [1.0], [0.0], [1.0]], [0, 1, 0, 1])
        except PrivateAPIError as exc:
            print("ERROR:", exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    message = done.stdout
    assert "ERROR: skhp's searches" in message
    assert "sklearn.model_selection._validation._fit_and_score" in message
    import sklearn

    assert f"scikit-learn {sklearn.__version__} does not have" in message


def test_objectives_name_the_private_hook_scikit_learn_lacks(monkeypatch):
    from sklearn.model_selection._search import BaseSearchCV

    from skhp._compat import PrivateAPIError, SearchResultHooks

    SearchResultHooks.check_result_hooks("objectives=")  # this scikit-learn has both
    monkeypatch.delattr(BaseSearchCV, "_select_best_index")
    match = r"objectives= needs .*_select_best_index"
    with pytest.raises(PrivateAPIError, match=match):
        SearchResultHooks.check_result_hooks("objectives=")


# --- Private names of scikit-learn, scikit-optimize and skorch: only in _compat -

SKHP = Path(skhp.__file__).parent
LIBRARIES = ("sklearn", "skopt", "skorch")


def _skhp_sources():
    """skhp's modules outside the compatibility package, by path from the root."""
    for path in sorted(SKHP.rglob("*.py")):
        relative = path.relative_to(SKHP.parent).as_posix()
        if not relative.startswith("skhp/_compat/"):
            yield relative, path.read_text(encoding="utf-8")


def test_private_import_paths_only_under_compat():
    # `from sklearn.utils._param_validation import ...`, `skopt.space.space._x`,
    # also as a string (importlib, docstrings that tell where a name lives).
    pattern = re.compile(r"\b(?:sklearn|skopt|skorch)\.[a-z_.]*\._[a-z]")
    offenders = [
        f"{relative}:{number}: {line.strip()}"
        for relative, text in _skhp_sources()
        for number, line in enumerate(text.splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == [], "move these behind skhp/_compat/:\n" + "\n".join(offenders)


_REFLECT = {"getattr", "hasattr", "delattr"}


def _private(name):
    return re.match(r"_[A-Za-z]", name) is not None and not name.startswith("__")


def _private_names(tree):
    """The private attribute names ``tree`` reads (with lines), and defines."""
    read, defined = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            if isinstance(node.ctx, ast.Store):
                defined.add(node.attr)
            else:
                read.append((node.attr, node.lineno))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.alias):
            defined.add(node.asname or node.name.rpartition(".")[2])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _REFLECT | {"setattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            if node.func.id == "setattr":
                defined.add(node.args[1].value)
            else:
                read.append((node.args[1].value, node.lineno))
    return read, defined


def _defined_by_libraries(names):
    """Those of ``names`` that scikit-learn, scikit-optimize or skorch define."""
    import importlib

    if not names:
        return set()
    alternatives = "|".join(sorted(map(re.escape, names)))
    definition = re.compile(
        rf"(?:\bdef |\bclass |\bself\.|^\s*)({alternatives})\b\s*[:=(]", re.M
    )
    found = set()
    for library in LIBRARIES:
        root = Path(importlib.import_module(library).__file__).parent
        for path in root.rglob("*.py"):
            if "tests" not in path.relative_to(root).parts:
                text = path.read_text(encoding="utf-8")
                found |= set(definition.findall(text))
    return found


def test_private_attributes_of_the_libraries_only_under_compat():
    # `search._get_scorers()`, `getattr(scorer, "_scorers")`, `net._modules`:
    # a private name skhp reads but does not define itself is another
    # library's; those of scikit-learn, scikit-optimize and skorch belong in
    # skhp/_compat/. (Overriding a hook, e.g. _run_search, defines the name.)
    read, defined = {}, set()
    for relative, text in _skhp_sources():
        names, own = _private_names(ast.parse(text))
        defined |= own
        for name, line in names:
            read.setdefault(name, []).append(f"{relative}:{line}")
    foreign = {name: where for name, where in read.items() if name not in defined}
    libraries = _defined_by_libraries(set(foreign))
    offenders = sorted(
        f"{where}: {name}" for name in libraries for where in foreign[name]
    )
    assert offenders == [], "move these behind skhp/_compat/:\n" + "\n".join(offenders)


def test_scorer_names_of_one_and_of_several_metrics():
    from sklearn.metrics import check_scoring, get_scorer
    from sklearn.svm import SVC

    from skhp._compat import PrivateAPIError, scorer_names

    assert scorer_names(get_scorer("accuracy")) is None
    assert scorer_names(None) is None
    several = check_scoring(SVC(), scoring=["accuracy", "f1_macro"])
    assert type(several).__name__ == "_MultimetricScorer"
    assert scorer_names(several) == ["accuracy", "f1_macro"]

    # A scikit-learn whose multi-metric scorer keeps them elsewhere.
    renamed = type("_MultimetricScorer", (), {})()
    match = r"fit_timeout= .* _MultimetricScorer._scorers, which scikit-learn \d"
    with pytest.raises(PrivateAPIError, match=match):
        scorer_names(renamed)


def test_validates_params_tells_sklearn_style_estimators_apart():
    from sklearn.linear_model import LogisticRegression

    from skhp._compat import validates_params

    assert validates_params(LogisticRegression())
    assert validates_params(Probe()) is False
