"""Experiment files: every mistake is reported with its key path."""

import numbers
import re

import pytest

from skhp import Categorical, Integer, RandomizedSearchCV, Real
from skhp._compat import Interval
from skhp.experiment import ExperimentError, check_experiment, load_experiment
from skhp.search.optimizer_names import ACQ_FUNCS, OPTIMIZERS

GOOD = {
    "cv": 3,
    "estimator": {"class": "sklearn.svm:SVC", "params": {"kernel": "rbf"}},
    "data": {"dataset": "iris"},
    "space": {
        "C": {"type": "real", "low": 0.01, "high": 100, "prior": "log-uniform"},
        "gamma": ["scale", "auto"],
    },
    "searchers": [{"kind": "grid", "n_iter": 6}, {"kind": "bayes", "n_iter": 5}],
}


def with_(path, value):
    """GOOD with the entry at ``path`` (a tuple of keys) replaced or removed."""
    import copy

    raw = copy.deepcopy(GOOD)
    node = raw
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


def test_a_good_file_becomes_an_experiment(tmp_path):
    exp = check_experiment(GOOD, source=str(tmp_path / "svc.toml"))
    assert exp.space == {
        "C": Real(0.01, 100, prior="log-uniform", name="C"),
        "gamma": Categorical(["scale", "auto"], name="gamma"),
    }
    assert [(s.kind, s.name, s.n_iter) for s in exp.searchers] == [
        ("grid", "grid", 6),
        ("bayes", "bayes", 5),
    ]
    assert exp.scoring == ("accuracy",) and exp.cv == 3 and exp.random_state == 0
    assert exp.output == tmp_path / "svc-results"
    assert exp.estimator.params == {"kernel": "rbf", "random_state": 0}


def test_presets_bring_their_space_and_conditional_spaces_are_lists():
    exp = check_experiment(
        {
            "estimator": {"preset": "logistic_regression"},
            "data": {"dataset": "wine"},
            "searchers": {"kind": "random", "n_iter": 3},
        }
    )
    assert isinstance(exp.space, list) and exp.estimator.scale
    exp = check_experiment(
        with_(("space",), [{"C": [1.0, 2.0]}, {"kernel": ["linear"], "C": [3.0]}])
    )
    assert exp.space[1] == {
        "kernel": Categorical(["linear"], name="kernel"),
        "C": Categorical([3.0], name="C"),
    }
    exp = check_experiment(
        with_(("space", "C"), {"type": "integer", "low": 1, "high": 9})
    )
    assert exp.space["C"] == Integer(1, 9, name="C")


BAD = [
    (
        with_(("searchers", 1, "kind"), "gird"),
        (
            "searchers[1].kind: 'gird' is not one of 'grid', 'random', 'bayes'; did "
            "you mean 'grid'?"
        ),
    ),
    (
        with_(("searchers", 0, "n_iters"), 3),
        (
            "searchers[0].n_iters: unknown key (allowed: kind, name, n_iter, "
            "error_score, pre_dispatch, return_train_score); did you mean 'n_iter'?"
        ),
    ),
    (
        with_(("searchers", 0, "n_iter"), 0),
        "searchers[0].n_iter: expected a whole number >= 1, got 0",
    ),
    (with_(("searchers", 0, "n_iter"), KeyError), "searchers[0].n_iter: missing"),
    (
        with_(("searchers", 1, "name"), "grid"),
        "searchers[1].name: 'grid' is already the name of searchers[0]",
    ),
    (
        with_(("searchers", 1, "acq_func"), "UCB"),
        (
            "searchers[1].acq_func: the 'acq_func' parameter of BayesSearchCV must "
            "be a str among {.*}. Got 'UCB' instead"
        ),
    ),
    (with_(("searchers",), []), "searchers: expected a list of tables"),
    (with_(("searchers",), KeyError), "searchers: missing; add at least one"),
    (with_(("cv",), 1), "cv: expected a whole number >= 2, got 1"),
    (with_(("n_jobs",), 0), "n_jobs: expected a whole number other than 0"),
    (
        with_(("random_state",), "zero"),
        "random_state: expected a whole number >= 0, got 'zero'",
    ),
    (
        with_(("scoring",), "acuracy"),
        (
            "scoring: 'acuracy' is not a scikit-learn metric name .*did you mean "
            "'accuracy'?"
        ),
    ),
    (
        with_(("scoring",), ["accuracy", "f1_macro", "accuracy"]),
        "scoring[2]: 'accuracy' is listed twice",
    ),
    (with_(("scorng",), "accuracy"), "scorng: unknown key .*did you mean 'scoring'?"),
    (
        with_(("estimator", "preset"), "svm"),
        (
            "estimator: give exactly one of 'preset' (one of 'logistic_regression', "
            "'mlp_classifier', 'llm_classifier', 'transformer_classifier') or 'class'"
        ),
    ),
    (
        with_(("estimator",), {"preset": "logistic_regresion"}),
        (
            "estimator.preset: 'logistic_regresion' is not one of .*did you mean "
            "'logistic_regression'?"
        ),
    ),
    (
        with_(("estimator", "class"), "sklearn.svm.SVC"),
        (
            "estimator.class: 'sklearn.svm.SVC' is not an import path; write "
            "'module:Class'"
        ),
    ),
    (
        with_(("estimator", "class"), "sklearn.svm:LinerSVC"),
        (
            "estimator.class: cannot import 'sklearn.svm:LinerSVC'.*did you mean "
            "'LinearSVC'?"
        ),
    ),
    (
        with_(("estimator", "class"), "sklearn.nope:SVC"),
        "estimator.class: cannot import 'sklearn.nope:SVC': ModuleNotFoundError",
    ),
    (
        with_(("estimator", "params", "kernl"), "rbf"),
        "estimator.params.kernl: SVC has no parameter 'kernl'; did you mean 'kernel'?",
    ),
    (
        with_(("estimator", "scale"), "yes"),
        "estimator.scale: expected true or false, got 'yes'",
    ),
    (
        with_(("data",), {"dataset": "irs"}),
        "data.dataset: 'irs' is not one of 'iris', .*did you mean 'iris'?",
    ),
    (
        with_(("data",), {"dataset": "iris", "target": "y"}),
        "data.target: only allowed with 'path'",
    ),
    (
        with_(("data",), {"path": "missing.csv", "target": "y"}),
        "data.path: file not found: '.*missing.csv'",
    ),
    (
        with_(("data",), {"path": "data.xlsx", "target": "y"}),
        "data.path: 'data.xlsx' is neither a .csv nor a .parquet file",
    ),
    (with_(("data",), {}), "data: give exactly one of 'dataset' .* or 'path'"),
    (
        with_(("space", "C", "prior"), "log"),
        (
            "space.C.prior: 'log' is not one of 'uniform', 'log-uniform'; did you "
            "mean 'log-uniform'?"
        ),
    ),
    (
        with_(("space", "C", "type"), "float"),
        "space.C.type: 'float' is not one of 'real', 'integer', 'categorical'",
    ),
    (
        with_(("space", "C", "lo"), 1),
        (
            "space.C.lo: unknown key (allowed: type, low, high, prior); did you mean "
            "'low'?"
        ),
    ),
    (
        with_(("space", "C", "low"), 1000),
        "space.C: Real dimension 'C': `low < high` must hold",
    ),
    (
        with_(("space", "C"), 1.0),
        (
            "space.C: expected a list of choices or a table .* write [1.0] or put it "
            "in estimator.params"
        ),
    ),
    (
        with_(("space", "gama"), ["auto"]),
        "space.gama: the estimator has no such parameter; did you mean 'gamma'?",
    ),
    (
        with_(("space",), [{"C": [1.0]}, {"Cc": [2.0]}]),
        "space[1].Cc: the estimator has no such parameter",
    ),
    (
        with_(("space",), KeyError),
        "space: missing; an estimator given by 'class' needs a space",
    ),
    (
        # Two branches: the coarsest grid is one candidate per branch.
        {
            **with_(("searchers", 0, "n_iter"), 1),
            "space": [{"C": [1.0, 2.0]}, {"C": [3.0]}],
        },
        (
            "searchers[0].n_iter: 1 is smaller than the coarsest grid of the space "
            "(2 candidates"
        ),
    ),
]


@pytest.mark.parametrize("raw, message", BAD, ids=range(len(BAD)))
def test_mistakes_name_the_key_the_value_and_what_is_allowed(raw, message):
    with pytest.raises(
        ExperimentError, match=re.escape(message).replace(r"\.\*", ".*")
    ):
        check_experiment(raw)


def test_all_mistakes_are_reported_at_once():
    raw = with_(("cv",), 0)
    raw["searchers"][0]["kind"] = "grd"
    raw["data"] = {"dataset": "nope"}
    with pytest.raises(ExperimentError, match="3 problems") as info:
        check_experiment(raw)
    assert [e.split(":")[0] for e in info.value.errors] == [
        "data.dataset",
        "searchers[0].kind",
        "cv",
    ]


def test_text_presets_need_text_data():
    raw = {
        "estimator": {"preset": "llm_classifier"},
        "data": {"dataset": "iris"},
        "searchers": [{"kind": "random", "n_iter": 2}],
    }
    with pytest.raises(ExperimentError, match="data.dataset: 'iris' does not suit"):
        check_experiment(raw)


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("a.toml", "cv = [", "a.toml: not valid TOML"),
        ("a.yaml", "cv: [", "a.yaml: not valid YAML"),
        ("a.json", "{}", "the name must end in .toml, .yaml, .yml"),
        ("a.toml", "", "estimator: missing"),
        ("a.yaml", "- 1", "must hold a table of settings, got a list"),
    ],
)
def test_unreadable_files(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ExperimentError, match=re.escape(message)):
        load_experiment(path)


def test_yaml_and_csv_data(tmp_path):
    pytest.importorskip("yaml")
    pd = pytest.importorskip("pandas")
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame.to_csv(tmp_path / "iris.csv", index=False)
    (tmp_path / "e.yml").write_text(
        "estimator: {class: 'sklearn.tree:DecisionTreeClassifier'}\n"
        "data: {path: iris.csv, target: target, columns: [petal length (cm)]}\n"
        "space: {max_depth: {type: integer, low: 1, high: 4}}\n"
        "searchers: [{kind: random, n_iter: 2}]\n"
    )
    from skhp.experiment.runner import load_data

    exp = load_experiment(tmp_path / "e.yml")
    X, y = load_data(exp)
    assert X.shape == (150, 1) and (y == frame["target"]).all()
    assert isinstance(pd.DataFrame(X), pd.DataFrame)


def test_fit_timeout_reaches_every_searcher(tmp_path):
    from skhp.experiment.runner import make_searchers

    exp = check_experiment({**GOOD, "fit_timeout": 2.5})
    assert exp.fit_timeout == 2.5
    assert check_experiment(GOOD).fit_timeout is None
    searchers, _ = make_searchers(exp, tmp_path, verbose=0)
    assert [s.fit_timeout for s in searchers.values()] == [2.5, 2.5]


@pytest.mark.parametrize("value", [0, -1, "10s", True])
def test_fit_timeout_must_be_seconds(value):
    with pytest.raises(ExperimentError, match="fit_timeout: expected seconds per fit"):
        check_experiment({**GOOD, "fit_timeout": value})


def _searcher_error(kind, key, value):
    """The one mistake check_experiment finds in a searcher with ``key = value``."""
    raw = with_(("searchers",), [{"kind": kind, "n_iter": 3, key: value}])
    with pytest.raises(ExperimentError) as info:
        check_experiment(raw)
    assert len(info.value.errors) == 1, info.value.errors
    return info.value.errors[0]


@pytest.mark.parametrize(
    "kind, key, value, allowed",
    [
        ("bayes", "optimizer", "gpp", OPTIMIZERS),
        ("bayes", "optimizer", "GP", OPTIMIZERS),
        ("bayes", "acq_func", "LogEI", ACQ_FUNCS),
        ("bayes", "acq_func", "ucb", ACQ_FUNCS),
        ("bayes", "n_iter", 0, ["int in the range [1, inf)"]),
        ("random", "n_iter", -3, ["int in the range [1, inf)"]),
        ("bayes", "n_initial_points", 0, ["int in the range [1, inf)"]),
        ("bayes", "n_points", 1.5, ["int in the range [1, inf)"]),
        ("bayes", "optimizer_kwargs", "sampling", ["'dict' or None"]),
        ("grid", "return_train_score", "yes", ["'bool'"]),
        ("random", "error_score", "ignore", ["'raise'", "'float'"]),
        ("grid", "pre_dispatch", [2], ["'int'", "'str'"]),
    ],
)
def test_searcher_options_are_checked_by_the_searchers_own_constraints(
    kind, key, value, allowed
):
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC

    from skhp._compat import InvalidParameterError
    from skhp.experiment.schema import SEARCHERS

    error = _searcher_error(kind, key, value)
    assert error.startswith(f"searchers[0].{key}: the {key!r} parameter of ")
    for name in allowed:
        assert str(name) in error
    assert f"Got {value!r} instead" in error
    assert "; did you mean" in error or "; change it" in error
    # The very message the searcher gives when fitted with that value.
    X, y = load_iris(return_X_y=True)
    options = {key: value} if kind == "grid" else {"n_iter": 3, key: value}
    search = SEARCHERS[kind](SVC(), {"C": [1.0]}, cv=2, **options)
    with pytest.raises(InvalidParameterError) as own:
        search.fit(X, y)
    message = str(own.value)
    assert message.startswith("The ")
    assert f"the{message[3:].rstrip('.')}" in error


def test_a_misspelt_string_option_gets_a_did_you_mean():
    error = _searcher_error("bayes", "optimizer", "gpp")
    assert error.endswith("Got 'gpp' instead; did you mean 'gp'?")
    error = _searcher_error("bayes", "n_points", 0)
    assert error.endswith(
        "Got 0 instead; change it, or remove the key for the default (1)"
    )


def test_every_bad_option_is_reported_at_once():
    raw = with_(
        ("searchers",),
        [
            {"kind": "bayes", "n_iter": 0, "optimizer": "svm", "acq_func": "UCB"},
            {"kind": "random", "n_iter": 2, "name": "r", "return_train_score": 1},
        ],
    )
    with pytest.raises(ExperimentError, match="4 problems") as info:
        check_experiment(raw)
    assert sorted(e.split(":")[0] for e in info.value.errors) == [
        "searchers[0].acq_func",
        "searchers[0].n_iter",
        "searchers[0].optimizer",
        "searchers[1].return_train_score",
    ]


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("cv", 3, "searchers[0].cv: set for every searcher by the top-level 'cv'"),
        ("random_state", 1, "by the top-level 'random_state', not per searcher"),
        ("study", "s", "searchers[0].study: set for every searcher by the searcher's"),
        ("pruner", "median", "searchers[0].pruner: not available in an experiment"),
        ("callbacks", [], "use BayesSearchCV from Python for it"),
    ],
)
def test_searcher_parameters_a_file_cannot_set_say_why(key, value, message):
    assert message in _searcher_error("bayes", key, value)


def test_a_parameter_the_searcher_lacks_is_an_unknown_key():
    assert _searcher_error("grid", "pruner", "median").startswith(
        "searchers[0].pruner: unknown key (allowed: kind, name, n_iter, "
    )
    assert "did you mean 'acq_func'?" in _searcher_error("bayes", "acq_fun", "EI")


def test_optimizer_kwargs_are_checked_as_fit_checks_them():
    # random_share is an option of skhp's Gaussian process, not an argument of
    # scikit-optimize's Optimizer (what the schema used to list).
    raw = with_(
        ("searchers",),
        [{"kind": "bayes", "n_iter": 3, "optimizer_kwargs": {"random_share": 0.2}}],
    )
    (spec,) = check_experiment(raw).searchers
    assert spec.options == {"optimizer_kwargs": {"random_share": 0.2}}
    raw["searchers"][0]["optimizer"] = "et"
    with pytest.raises(ExperimentError) as info:
        check_experiment(raw)
    assert "searchers[0].optimizer_kwargs: " in str(info.value)
    assert "unexpected keyword argument 'random_share'" in str(info.value)
    error = _searcher_error("bayes", "optimizer_kwargs", {"acq_optimzer": "sampling"})
    assert error.startswith("searchers[0].optimizer_kwargs: optimizer_kwargs keys")
    assert "'acq_optimizer'" in error and "'random_share'" in error
    error = _searcher_error("bayes", "optimizer_kwargs", {"base_estimator": "SVM"})
    assert "'GP', 'RF', 'ET' or 'GBRT'" in error


class PatientSearch(RandomizedSearchCV):
    """A searcher with a parameter no experiment-file code knows about."""

    _parameter_constraints = {
        **RandomizedSearchCV._parameter_constraints,
        "patience": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, estimator, param_distributions, *, patience=3, **kwargs):
        super().__init__(estimator, param_distributions, **kwargs)
        self.patience = patience

    @classmethod
    def _get_param_names(cls):
        return sorted([*RandomizedSearchCV._get_param_names(), "patience"])


def test_a_new_searcher_option_needs_no_schema_edit(monkeypatch, tmp_path):
    from skhp.experiment import schema
    from skhp.experiment.runner import make_searchers

    monkeypatch.setitem(schema.SEARCHERS, "random", PatientSearch)
    raw = with_(("searchers",), [{"kind": "random", "n_iter": 3, "patience": 5}])
    exp = check_experiment(raw)
    (search,) = make_searchers(exp, tmp_path, verbose=0)[0].values()
    assert isinstance(search, PatientSearch) and search.patience == 5
    assert _searcher_error("random", "patience", 0) == (
        "searchers[0].patience: the 'patience' parameter of PatientSearch must be "
        "an int in the range [1, inf). Got 0 instead; change it, or remove the key "
        "for the default (3)"
    )
