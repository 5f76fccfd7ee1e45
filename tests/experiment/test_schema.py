"""Experiment files: every mistake is reported with its key path."""

import re

import pytest

from skhp import Categorical, Integer, Real
from skhp.experiment import ExperimentError, check_experiment, load_experiment

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
            "error_score, return_train_score, pre_dispatch); did you mean 'n_iter'?"
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
        "searchers[1].acq_func: expected 'EI', 'PI', 'LCB' or 'gp_hedge', got 'UCB'",
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
