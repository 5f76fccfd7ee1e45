"""An API key never reaches the journal, fingerprints, messages, logs or pickles."""

import http.server
import json
import pickle
import threading
import warnings

import pytest

from skhp import GridSearchCV
from skhp.experiment import ExperimentError, check_experiment
from skhp.journal import Journal
from skhp.llm import LLMClassifier
from skhp.llm.credentials import resolve_api_key

openai = pytest.importorskip("openai")

KEY = "sk-known-test-key-4711-abcdef"
TEXTS = ["good film", "bad film", "great day", "awful day"] * 2
LABELS = ["positive", "negative", "positive", "negative"] * 2


class _Server(http.server.BaseHTTPRequestHandler):
    """Answers every completion with "positive"; 401 for a wrong key."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.keys.append(self.headers.get("authorization", ""))
        if self.server.reject:
            body = {"error": {"message": f"bad key {self.headers['authorization']}"}}
            self.send_response(401)
        else:
            body = {
                "id": "x",
                "object": "text_completion",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, "text": "positive", "finish_reason": "stop"}],
            }
            self.send_response(200)
        data = json.dumps(body).encode()
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    srv.keys, srv.reject = [], False
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.base_url = f"http://127.0.0.1:{srv.server_port}/v1"
    yield srv
    srv.shutdown()


def _search(server, api_key, journal):
    estimator = LLMClassifier(
        "m",
        backend="openai",
        base_url=server.base_url,
        api_key=api_key,
        chat=False,
        cache=False,
        max_retries=0,
    )
    return GridSearchCV(
        estimator, {"temperature": [0.0, 0.5]}, cv=2, journal=journal, study="llm"
    )


def _files_text(folder):
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_a_literal_key_is_sent_but_never_written(tmp_path, server, recwarn):
    journal = str(tmp_path / "run.db")
    search = _search(server, KEY, journal).fit(TEXTS, LABELS)
    assert server.keys and all(k == f"Bearer {KEY}" for k in server.keys)
    assert KEY.encode() not in _files_text(tmp_path)
    assert KEY.encode() not in pickle.dumps(search)
    assert KEY not in repr(search) and KEY not in repr(search.best_estimator_)
    assert all(KEY not in str(w.message) for w in recwarn)
    with Journal(journal, create=False) as j:
        assert KEY not in json.dumps(j.info("llm"))
    # A rotated key resumes: everything is replayed, nothing refused.
    again = _search(server, KEY[::-1], journal)
    n_before = len(server.keys)
    again.fit(TEXTS, LABELS)
    assert len(again.cv_results_["params"]) == 2
    assert len(server.keys) - n_before <= len(TEXTS)  # only the refit


def test_an_env_reference_travels_as_the_name(tmp_path, server, monkeypatch):
    monkeypatch.setenv("MY_LLM_KEY", KEY)
    search = _search(server, "env:MY_LLM_KEY", str(tmp_path / "run.db"))
    search.fit(TEXTS, LABELS)
    assert server.keys[-1] == f"Bearer {KEY}"
    assert b"env:MY_LLM_KEY" in pickle.dumps(search)
    assert KEY.encode() not in pickle.dumps(search) + _files_text(tmp_path)


def test_a_rejected_key_is_not_repeated_in_the_error(server):
    server.reject = True
    estimator = _search(server, KEY, None).estimator
    with pytest.raises(RuntimeError) as info:
        estimator.fit(TEXTS, LABELS).predict(TEXTS[:1])
    assert "answered HTTP 401" in str(info.value)
    assert KEY not in str(info.value) and "<redacted>" in str(info.value)


def test_a_missing_variable_is_named_without_a_value(monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    with pytest.raises(ValueError, match="'NO_SUCH_KEY_VAR' is not set"):
        resolve_api_key("env:NO_SUCH_KEY_VAR")


def test_experiment_files_refuse_a_literal_key():
    raw = {
        "estimator": {
            "class": "skhp.llm:LLMClassifier",
            "params": {"backend": "openai", "api_key": KEY},
        },
        "data": {"dataset": "sentiment"},
        "space": {"temperature": [0.0, 0.5]},
        "searchers": [{"kind": "grid", "n_iter": 2}],
    }
    with pytest.raises(ExperimentError) as info:
        check_experiment(raw)
    assert "estimator.params.api_key: write 'env:NAME'" in str(info.value)
    assert KEY not in str(info.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw["estimator"]["params"]["api_key"] = "env:MY_LLM_KEY"
        check_experiment(raw)
