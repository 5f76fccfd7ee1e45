"""Fixtures for the LLM tests: a tiny GPT-2 and an OpenAI-compatible server.

The tiny model (``tiny_model_dir``) lives in tests/conftest.py, shared with
tests/search; it is trained once per session.
"""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# No model hub here: without this a missing model costs ~45 s of retries.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    # On shared, busy cores torch with 2 threads can be 10-40x slower.
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def toy_classification():
    from skhp.testing import make_toy_classification

    return make_toy_classification(48, random_state=11)


@pytest.fixture(scope="session")
def toy_extraction():
    from skhp.testing import make_toy_extraction

    return make_toy_extraction(30, random_state=12)


class _Handler(BaseHTTPRequestHandler):
    """Just enough of the OpenAI API: /v1/completions and /v1/chat/completions.

    Chat messages are rendered as the plain-text prompt that
    ``LLMClassifier(chat=False)`` would send (system + blank line + user), so
    the server's answers can be compared with the in-process backend's.
    Model names drive fault injection: "broken" always answers 500, "flaky"
    answers 503 while ``server.flaky_left > 0``.
    """

    def log_message(self, *args):
        pass

    def _send(self, status, payload, headers=()):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        srv = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with srv.lock:
            srv.requests.append((self.path, body))
            flaky = body.get("model") == "flaky" and srv.flaky_left > 0
            if flaky:
                srv.flaky_left -= 1
        if body.get("model") == "broken":
            return self._send(500, {"error": {"message": "model crashed"}})
        if flaky:
            return self._send(
                503,
                {"error": {"message": "overloaded"}},
                headers=[("retry-after-ms", "10")],
            )
        chat = self.path.endswith("/chat/completions")
        if chat:
            msgs = body["messages"]
            system = "".join(m["content"] for m in msgs if m["role"] == "system")
            user = "".join(m["content"] for m in msgs if m["role"] == "user")
            prompt = srv.backend.render(user, system or None, False)
        elif self.path.endswith("/completions"):
            prompt = body["prompt"]
        else:
            return self._send(404, {"error": {"message": f"no route {self.path}"}})
        temperature = float(body.get("temperature", 1.0))
        n_choices = int(body.get("n") or 1)
        with srv.lock:
            answers = srv.backend.generate(
                [prompt],
                max_new_tokens=int(body.get("max_tokens") or 16),
                temperature=temperature,
                top_p=float(body.get("top_p", 1.0)),
                top_k=body.get("top_k"),
                seeds=[int(body.get("seed") or 0)],
                stop=body.get("stop"),
                batch_size=1,
                n_samples=n_choices,
            )
        choices = []
        for j, (text, _) in enumerate(answers):
            choice = {"index": j, "finish_reason": "stop", "logprobs": None}
            if chat:
                choice["message"] = {"role": "assistant", "content": text}
                if body.get("logprobs"):
                    choice["logprobs"] = {"content": srv.token_logprobs(prompt, text)}
            else:
                choice["text"] = text
            choices.append(choice)
        n = sum(k for _, k in answers)
        usage = {"prompt_tokens": 0, "completion_tokens": n, "total_tokens": n}
        obj = "chat.completion" if chat else "text_completion"
        self._send(
            200,
            {
                "id": "cmpl-test",
                "object": obj,
                "created": 0,
                "model": body.get("model"),
                "choices": choices,
                "usage": usage,
            },
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def token_logprobs(self, prompt, text):
        import torch

        tok, model = self.backend.tokenizer, self.backend.model
        p_ids = tok(prompt, add_special_tokens=False).input_ids
        g_ids = tok(text, add_special_tokens=False).input_ids
        if not g_ids:
            return []
        ids = torch.tensor([p_ids + g_ids])
        with torch.inference_mode():
            logp = model(input_ids=ids).logits[0].float().log_softmax(-1)
        out = []
        for k, t in enumerate(g_ids):
            lp = float(logp[len(p_ids) + k - 1, t])
            piece = tok.decode([t])
            out.append(
                {"token": piece, "logprob": lp, "bytes": None, "top_logprobs": []}
            )
        return out


@pytest.fixture(scope="session")
def openai_server(tiny_model_dir):
    """An OpenAI-compatible server on 127.0.0.1 serving the tiny model."""
    from skhp.llm.registry import get_backend

    server = _Server(("127.0.0.1", 0), _Handler)
    server.backend = get_backend(
        "transformers", tiny_model_dir, dtype="auto", device="auto"
    )
    server.requests = []
    server.flaky_left = 0
    server.lock = threading.Lock()
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # Stops itself even if the session is killed before the finalizer runs.
    watchdog = threading.Timer(900, server.shutdown)
    watchdog.daemon = True
    watchdog.start()
    yield server
    watchdog.cancel()
    server.shutdown()
    server.server_close()
