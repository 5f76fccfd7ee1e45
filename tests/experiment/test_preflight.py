"""Bad inputs are refused before the first fit, naming the key and the value."""

import http.server
import json
import threading

import pytest
from sklearn.datasets import load_iris
from sklearn.svm import SVC

from skhp import GridSearchCV
from skhp.experiment import ExperimentError, check_experiment, run

BASE = {
    "estimator": {"class": "sklearn.svm:SVC"},
    "data": {"dataset": "iris"},
    "space": {"C": [0.1, 1.0]},
    "searchers": [{"kind": "grid", "n_iter": 2}],
    "cv": 2,
}


def _with(**changes):
    raw = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    for key, value in changes.items():
        raw[key] = value
    return raw


class NeedsArgs:
    """An estimator whose constructor needs an argument."""

    def __init__(self, base):
        self.base = base

    def get_params(self, deep=True):
        return {"base": self.base}

    def fit(self, X, y):
        return self


class _Fits:
    """Counts fits, so that a test can say none happened."""

    n = 0


class CountingSVC(SVC):
    def fit(self, X, y, sample_weight=None):
        _Fits.n += 1
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "raw, message",
    [
        (
            _with(estimator={"class": "tests.experiment.test_preflight:NeedsArgs"}),
            "estimator.params: NeedsArgs cannot be made with no parameters: TypeError: "
            "NeedsArgs.__init__() missing 1 required positional argument: 'base'",
        ),
        (
            _with(
                searchers=[
                    {
                        "kind": "bayes",
                        "n_iter": 2,
                        "optimizer_kwargs": {"acq_optimzer": "sampling"},
                    }
                ]
            ),
            "searchers[0].optimizer_kwargs: optimizer_kwargs keys ['acq_optimzer'] "
            "have no meaning with the Gaussian process (optimizer='gp'); the keys "
            "it takes are ['acq_func_kwargs', 'acq_optimizer', 'acq_optimizer_kwargs'",
        ),
        (
            _with(estimator={"class": "sklearn.svm:SVC", "params": {"C": 1.0}}),
            "estimator.params.C: 1.0 fixes a parameter that space also searches; "
            "remove it from one of the two",
        ),
        (
            _with(
                estimator={"preset": "logistic_regression", "params": {"max_iter": 50}},
                space=None,
            ),
            "estimator.params.max_iter: 50 fixes a parameter that the preset's "
            "default space also searches",
        ),
    ],
)
def test_file_mistakes_name_the_key(raw, message):
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(ExperimentError) as info:
        check_experiment(raw, trust=True)
    assert message in str(info.value)


def test_output_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "taken").write_text("not a folder")
    with pytest.raises(ExperimentError, match="output: '.*taken' is a file, not a"):
        check_experiment(_with(output="taken"), base_dir=tmp_path)
    (tmp_path / "e.toml").write_text(
        'cv = 2\n[estimator]\nclass = "sklearn.svm:SVC"\n[data]\ndataset = "iris"\n'
        '[space]\nC = [0.1, 1.0]\n[[searchers]]\nkind = "grid"\nn_iter = 2\n'
    )
    with pytest.raises(ExperimentError, match="is a file, not a folder"):
        run(tmp_path / "e.toml", tmp_path / "taken")


def _toml(value):
    """Inline TOML for the simple values of these tests."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


def _run_raw(tmp_path, raw):
    text = "\n".join(f"{k} = {_toml(v)}" for k, v in raw.items()) + "\n"
    (tmp_path / "e.toml").write_text(text)
    _Fits.n = 0
    with pytest.raises(ExperimentError) as info:
        run(tmp_path / "e.toml", tmp_path / "out", trust=True)
    assert _Fits.n == 0  # nothing was fitted,
    assert not (tmp_path / "out" / "journal.db").exists()  # no search started
    return str(info.value)


COUNTING = "tests.experiment.test_preflight:CountingSVC"


def test_cv_larger_than_a_class_names_cv(tmp_path):
    raw = _with(cv=60, estimator={"class": COUNTING})
    message = _run_raw(tmp_path, raw)
    assert "cv: 60 stratified folds, but class 0 has only 50 samples" in message


def test_space_values_are_checked_against_the_estimator(tmp_path):
    raw = _with(
        estimator={"class": COUNTING}, space={"C": [1.0, -1.0], "kernel": ["rbf"]}
    )
    message = _run_raw(tmp_path, raw)
    assert "space.C: -1.0 is not a value CountingSVC accepts: The 'C' parameter" in (
        message
    )


@pytest.mark.parametrize(
    "cell, message",
    [
        ("abc", "data.columns: 1 feature column(s) of d.csv are not numbers: 'b'"),
        ("", "data.path: missing values (empty or NaN) in d.csv: 'b' (1 rows)"),
    ],
)
def test_csv_with_text_or_missing_values_is_refused(tmp_path, cell, message):
    X, y = load_iris(return_X_y=True)
    lines = ["a,b,target"] + [f"{r[0]},{r[1]},{t}" for r, t in zip(X, y)]
    lines[5] = f"1.0,{cell},0"
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    raw = _with(
        estimator={"class": COUNTING},
        data={"path": str(tmp_path / "d.csv"), "target": "target"},
    )
    assert message in _run_raw(tmp_path, raw)


def test_text_given_to_a_tabular_model_fails_in_a_quick_fit(tmp_path):
    raw = _with(data={"dataset": "sentiment"})
    message = _run_raw(tmp_path, raw)
    assert (
        "estimator: a quick fit of sklearn.svm:SVC with the fixed parameters on 16 "
        "rows of the data failed, so every fit of the search would: ValueError: "
    ) in message


def test_journal_that_is_a_folder_is_refused(tmp_path):
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(SVC(), {"C": [1]}, journal=str(tmp_path))
    with pytest.raises(ValueError, match="`journal` must be a file, but '.*' is a"):
        search.fit(X, y)


class _Malformed(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.server.hits += 1
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"choices": [{"text": "truncated')

    def log_message(self, *args):
        pass


def test_malformed_json_from_a_server_is_retried_then_named():
    pytest.importorskip("openai")
    from skhp.llm.backends.openai import OpenAIBackend

    server = http.server.HTTPServer(("127.0.0.1", 0), _Malformed)
    server.hits = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/v1"
    try:
        backend = OpenAIBackend("m", base_url=url, max_retries=1, timeout=10)
        with pytest.raises(RuntimeError) as info:
            backend._call({"prompt": "hi"}, {"max_tokens": 1})
    finally:
        server.shutdown()
    assert f"The OpenAI-compatible server at {url} answered model='m' with a " in (
        str(info.value)
    )
    assert "malformed response" in str(info.value)
    assert server.hits == 2  # retried once
