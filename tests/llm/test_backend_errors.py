"""An LLM server's errors reach the journal, the error column and the messages.

A fake OpenAI-compatible server on 127.0.0.1 (no model behind it): the model
"good" always answers "animal", "broken" always answers HTTP 500; and a port
nothing listens on stands for an unreachable server. The searches go through
the real ``openai`` client; the errors happen while scoring (the classifier's
``fit`` sends nothing), where scikit-learn alone keeps only a warning.
"""

import json
import socket
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from sklearn.exceptions import FitFailedWarning

from skhp import GridSearchCV
from skhp.journal import Journal

pytest.importorskip("openai")

from skhp.llm import LLMClassifier  # noqa: E402

X = ["cat dog", "red blue", "apple pear", "cow pig", "green", "plum"] * 2
Y = ["animal", "color", "fruit"] * 4


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        model = body.get("model")
        if model == "broken":
            return self._send(500, {"error": {"message": "model crashed"}})
        common = {"id": "x", "created": 0, "model": model}
        if self.path.endswith("/chat/completions"):
            choice = {
                "index": 0,
                "message": {"role": "assistant", "content": "animal"},
                "finish_reason": "stop",
            }
            return self._send(
                200, {**common, "object": "chat.completion", "choices": [choice]}
            )
        choice = {"index": 0, "text": "animal", "finish_reason": "stop"}
        return self._send(
            200, {**common, "object": "text_completion", "choices": [choice]}
        )


@pytest.fixture(scope="module")
def server_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture
def unreachable_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _classifier(url, model="good"):
    return LLMClassifier(
        model, backend="openai", base_url=url, max_retries=0, timeout=5.0, cache=False
    )


def _recorded(path, study="gridsearchcv"):
    with Journal(path, create=False) as journal:
        return journal.trials(study), journal.cv_results(study)


def test_a_server_answering_500_keeps_its_error_per_candidate(server_url, tmp_path):
    path = str(tmp_path / "run.db")
    search = GridSearchCV(
        _classifier(server_url), {"model": ["good", "broken"]}, cv=2, journal=path
    )
    with pytest.warns(FitFailedWarning, match="HTTP 500"):
        search.fit(X, Y)
    errors = dict(
        zip(
            [p["model"] for p in search.cv_results_["params"]],
            search.cv_results_["error"],
        )
    )
    assert errors["good"] is None
    expected = (
        f"RuntimeError: The OpenAI-compatible server at {server_url} answered HTTP 500"
    )
    assert errors["broken"].startswith(expected)
    assert "model crashed" in errors["broken"]
    assert search.best_params_ == {"model": "good"}

    trials, recorded = _recorded(path)
    by_model = {t.params["model"]: t for t in trials}
    assert by_model["good"].status == "ok" and by_model["good"].error is None
    assert by_model["broken"].status == "failed"
    assert "HTTP 500" in by_model["broken"].error
    assert list(recorded["error"]) == list(search.cv_results_["error"])

    # Resumed from the journal, the error is still there.
    again = GridSearchCV(
        _classifier(server_url), {"model": ["good", "broken"]}, cv=2, journal=path
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        again.fit(X, Y)
    assert list(again.cv_results_["error"]) == list(search.cv_results_["error"])


def test_an_unreachable_server_names_its_url_in_the_journal(unreachable_url, tmp_path):
    path = str(tmp_path / "run.db")
    search = GridSearchCV(
        _classifier(unreachable_url), {"temperature": [0.0, 0.5]}, cv=2, journal=path
    )
    # Every candidate failed: the error says why, not only "no finite score".
    with pytest.raises(
        ValueError, match=f"Could not reach .* server at {unreachable_url}"
    ):
        search.fit(X, Y)
    trials, recorded = _recorded(path)
    assert [t.status for t in trials] == ["failed", "failed"]
    for error in recorded["error"]:
        assert error.startswith("ConnectionError: Could not reach")
        assert unreachable_url in error


def test_the_error_column_of_a_bayes_search_has_the_server_error(server_url):
    from skhp import BayesSearchCV, Categorical

    search = BayesSearchCV(
        _classifier(server_url),
        {"model": Categorical(["good", "broken"])},
        n_iter=2,
        cv=2,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        search.fit(X, Y)
    results = search.cv_results_
    for params, error, score in zip(
        results["params"], results["error"], results["mean_test_score"]
    ):
        if params["model"] == "broken":
            assert "HTTP 500" in error and np.isnan(score)
        else:
            assert error is None and np.isfinite(score)
