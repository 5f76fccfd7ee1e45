"""The OpenAI-compatible backend, end to end with the real ``openai`` client.

The server (see conftest) runs on 127.0.0.1 and serves the tiny fixture model.
"""

import socket
import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from skhp.llm import LLMClassifier, LLMGenerator
from skhp.testing import TOY_EXTRACT_PROMPT

pytestmark = pytest.mark.slow

openai = pytest.importorskip("openai")


def _remote(server, **params):
    params.setdefault("model", "tiny")
    params.setdefault("max_retries", 0)
    params.setdefault("timeout", 30.0)
    return LLMClassifier(backend="openai", base_url=server.base_url, **params)


@pytest.mark.parametrize("chat", [True, False])
def test_matches_the_in_process_backend(
    openai_server, tiny_model_dir, toy_classification, chat
):
    X, y = toy_classification
    X, y = X[:16], y[:16]
    local = LLMClassifier(tiny_model_dir, chat=False, cache=False).fit(X, y)
    remote = _remote(openai_server, chat=chat, cache=False, batch_size=4).fit(X, y)
    n_before = len(openai_server.requests)
    np.testing.assert_array_equal(remote.generate(X), local.generate(X))
    endpoint = "/v1/chat/completions" if chat else "/v1/completions"
    assert [p for p, _ in openai_server.requests[n_before:]] == [endpoint] * len(X)
    assert remote.score(X, y) == local.score(X, y) >= 0.9


def test_sampling_settings_and_seed_reach_the_server(openai_server, toy_classification):
    X, y = toy_classification
    est = _remote(openai_server, temperature=1.5, top_p=0.9, top_k=5, random_state=1)
    est.fit(X[:4], y[:4])
    n_before = len(openai_server.requests)
    first = est.generate(X[:4])
    body = openai_server.requests[n_before][1]
    assert body["temperature"] == 1.5 and body["top_p"] == 0.9
    assert body["top_k"] == 5 and isinstance(body["seed"], int)
    est2 = _remote(
        openai_server, temperature=1.5, top_p=0.9, top_k=5, random_state=1, cache=False
    ).fit(X[:4], y[:4])
    np.testing.assert_array_equal(est2.generate(X[:4]), first)


def test_chat_completions_with_logprobs(openai_server):
    client = openai.OpenAI(base_url=openai_server.base_url, api_key="x")
    resp = client.chat.completions.create(
        model="tiny",
        messages=[
            {
                "role": "user",
                "content": "Choose one label from: animal, color, fruit.\n"
                "Text: cat dog cow\nAnswer:",
            }
        ],
        max_tokens=3,
        temperature=0,
        logprobs=True,
    )
    assert resp.choices[0].message.content.strip() == "animal"
    lps = resp.choices[0].logprobs.content
    assert lps and all(t.logprob <= 0 for t in lps)
    assert lps[0].logprob > np.log(0.5)  # the trained model is confident


def test_retries_with_backoff_on_5xx(openai_server, toy_classification):
    X, y = toy_classification
    openai_server.flaky_left = 2
    est = _remote(openai_server, model="flaky", max_retries=3, cache=False)
    n_before = len(openai_server.requests)
    est.fit(X[:1], y[:1])
    assert est.generate(X[:1])[0].strip() in {"animal", "color", "fruit"}
    assert len(openai_server.requests) - n_before == 3
    assert openai_server.flaky_left == 0


def test_unreachable_server_names_the_url(toy_classification):
    X, y = toy_classification
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    est = LLMClassifier(
        "tiny", backend="openai", base_url=url, max_retries=1, timeout=5.0, cache=False
    ).fit(X[:2], y[:2])
    with pytest.raises(ConnectionError, match=f"server at {url}"):
        est.predict(X[:2])


def test_http_error_is_a_failed_candidate_not_a_crashed_search(
    openai_server, toy_classification
):
    X, y = toy_classification
    search = GridSearchCV(
        _remote(openai_server, cache=False),
        {"model": ["tiny", "broken"]},
        cv=2,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X[:12], y[:12])
    scores = dict(
        zip(
            [p["model"] for p in search.cv_results_["params"]],
            search.cv_results_["mean_test_score"],
        )
    )
    assert np.isnan(scores["broken"])
    assert scores["tiny"] >= 0.8
    assert search.best_params_ == {"model": "tiny"}
    assert any("HTTP 500" in str(w.message) for w in caught)


def test_loglik_is_rejected_for_openai(openai_server, toy_classification):
    X, y = toy_classification
    with pytest.raises(ValueError, match="decoding='loglik'"):
        _remote(openai_server, decoding="loglik").fit(X, y)


def test_generator_over_http(openai_server, toy_extraction):
    X, y = toy_extraction
    gen = LLMGenerator(
        "tiny",
        backend="openai",
        base_url=openai_server.base_url,
        prompt=TOY_EXTRACT_PROMPT,
        chat=False,
        max_retries=0,
    ).fit(X, y)
    assert gen.score(X, y) >= 0.6


def test_n_samples_is_one_request_with_n(openai_server, toy_classification):
    X, y = toy_classification
    est = _remote(
        openai_server, temperature=1.5, n_samples=3, random_state=2, cache=False
    ).fit(X[:6], y[:6])
    n_before = len(openai_server.requests)
    texts = est.generate(X[:6])
    bodies = [b for _, b in openai_server.requests[n_before:]]
    assert len(bodies) == 6 and all(b["n"] == 3 for b in bodies)
    assert texts.shape == (6, 3)
    assert (texts[:, 1:] != texts[:, :1]).any()
    # Every choice's tokens count: the server reports their total per request.
    backend = est._get_backend()
    rendered = est._render(backend, X[:6])
    seeds, _ = est._seeds(rendered)
    flat = backend.generate(
        rendered,
        max_new_tokens=est.max_new_tokens,
        temperature=1.5,
        top_p=1.0,
        top_k=None,
        seeds=seeds,
        stop=None,
        batch_size=2,
        n_samples=3,
    )
    assert [t for t, _ in flat] == texts.ravel().tolist()
    totals = [sum(n for _, n in flat[3 * i : 3 * i + 3]) for i in range(6)]
    from skhp.llm import mean_new_tokens

    assert mean_new_tokens(est, X[:6]) == pytest.approx(np.mean(totals))
    assert est.predict_proba(X[:6]).shape == (6, 3)
