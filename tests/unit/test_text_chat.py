"""The chat layer against a real OpenAI-compatible HTTP server on 127.0.0.1 (started here, in a
thread): success, a bad key, an unknown model, a timeout, a refused connection. Plus settings
lookup, key scrubbing, and the lecture's `model=` template captured from the official client."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.text import chat

GOOD_KEY = "sk-test-good-0123456789abcdef"
BAD_KEY = "sk-test-wrong-9876543210fedcba"
SLOW_MODEL = "slow-model"
SLOW_SECONDS = 3.0


class FakeOpenAI:
    """A minimal OpenAI-compatible server: POST /v1/chat/completions, bearer-key auth, the
    error bodies OpenAI uses. It echoes the last user message and the temperature it got."""

    def __init__(self, models=("gpt-4o-mini", "tiny-echo", SLOW_MODEL)):
        self.models = set(models)
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append({"path": self.path, "body": body,
                                        "authorization": self.headers.get("Authorization", "")})
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": f"Unknown path {self.path}"}})
                key = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if key != GOOD_KEY:
                    # Like the real API, the message quotes the key: the client must not show it.
                    return self._send(401, {"error": {"message": f"Incorrect API key provided: {key}.",
                                                      "type": "invalid_request_error", "code": "invalid_api_key"}})
                if body.get("model") not in server.models:
                    return self._send(404, {"error": {"message": f"The model `{body.get('model')}` does not exist",
                                                      "code": "model_not_found"}})
                if body.get("model") == SLOW_MODEL:
                    time.sleep(SLOW_SECONDS)
                user = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
                text = f"echo: {user} (T={body.get('temperature')})"
                return self._send(200, {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 7, "completion_tokens": len(text.split()),
                              "total_tokens": 7 + len(text.split())},
                })

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    with FakeOpenAI() as fake:
        yield fake


def settings(server, key=GOOD_KEY, model="tiny-echo"):
    return chat.ApiSettings(key, server.base_url, model, "environment")


MESSAGES = chat.build_messages("You are terse.", [("2+2?", "4")], "Say hi")


def test_success_sends_roles_and_temperature(server):
    reply = chat.chat_completion(MESSAGES, settings(server), temperature=0.3, max_tokens=32)
    assert reply.text == "echo: Say hi (T=0.3)"
    assert reply.model == "tiny-echo" and reply.completion_tokens == 4
    sent = server.requests[-1]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["authorization"] == f"Bearer {GOOD_KEY}"
    assert [m["role"] for m in sent["body"]["messages"]] == ["system", "user", "assistant", "user"]
    assert sent["body"]["temperature"] == 0.3 and sent["body"]["max_tokens"] == 32
    assert sent["body"] == chat.request_payload(MESSAGES, "tiny-echo", 0.3, 32)


def test_bad_key_is_a_clear_auth_error_without_the_key(server):
    with pytest.raises(chat.ChatError) as info:
        chat.chat_completion(MESSAGES, settings(server, key=BAD_KEY))
    error = info.value
    assert error.kind == "auth" and error.status == 401
    assert "Incorrect API key" in error.detail
    assert BAD_KEY not in error.detail and BAD_KEY not in str(error) and BAD_KEY not in repr(error)
    assert "wrong-98765" not in error.detail


def test_unknown_model_is_not_found(server):
    with pytest.raises(chat.ChatError) as info:
        chat.chat_completion(MESSAGES, settings(server, model="no-such-model"))
    assert info.value.kind == "not_found" and "does not exist" in info.value.detail


def test_timeout_is_reported_quickly(server):
    started = time.perf_counter()
    with pytest.raises(chat.ChatError) as info:
        chat.chat_completion(MESSAGES, settings(server, model=SLOW_MODEL), timeout=0.5)
    elapsed = time.perf_counter() - started
    assert info.value.kind == "timeout"
    assert elapsed < SLOW_SECONDS - 0.5, f"no retries, no waiting for the slow answer ({elapsed:.1f} s)"


def test_refused_connection():
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(chat.ChatError) as info:
        chat.chat_completion(MESSAGES, chat.ApiSettings(GOOD_KEY, f"http://127.0.0.1:{port}/v1"), timeout=2)
    assert info.value.kind == "connection"
    assert GOOD_KEY not in info.value.detail


def test_settings_lookup_order_and_no_key_in_repr():
    env = {"OPENAI_API_KEY": "env-key-123456789", "OPENAI_BASE_URL": "http://env/v1", "OPENAI_MODEL": "env-model"}
    assert chat.find_settings(None, {}) is None
    assert chat.find_settings({}, {"OPENAI_API_KEY": "   "}) is None
    from_env = chat.find_settings({}, env)
    assert (from_env.api_key, from_env.base_url, from_env.model, from_env.source) == (
        "env-key-123456789", "http://env/v1", "env-model", "environment")
    secrets = {"openai": {"api_key": "secret-key-123456789", "model": "secret-model"}}
    from_secrets = chat.find_settings(secrets, env)
    assert (from_secrets.api_key, from_secrets.model, from_secrets.source) == (
        "secret-key-123456789", "secret-model", "secrets")
    assert from_secrets.base_url == "http://env/v1", "a base URL from the environment still applies"
    flat = chat.find_settings({"OPENAI_API_KEY": "flat-key-123456789"}, {})
    assert flat.api_key == "flat-key-123456789" and flat.model == chat.DEFAULT_MODEL
    for value in (from_env, from_secrets, flat):
        assert value.api_key not in repr(value) and value.api_key not in str(value)


def test_scrub():
    assert chat.scrub("bad key abc-SECRET-42 given", "abc-SECRET-42") == "bad key *** given"
    assert "sk-proj" not in chat.scrub("Incorrect API key provided: sk-proj-AbCdEf123456789")


def test_messages_and_local_prompt():
    messages = chat.build_messages("  Be kind. ", [("", "ignored"), ("Q1", "A1")], "Q2")
    assert [(m.role, m.content) for m in messages] == [("system", "Be kind."), ("user", "Q1"), ("assistant", "A1"),
                                                       ("user", "Q2")]
    assert chat.local_prompt(messages) == "Be kind.\nQ1\nA1\nQ2"
    template = chat.chat_template(messages)
    assert template.count("<|im_start|>") == 5 and template.endswith("<|im_start|>assistant\n")
    assert chat.build_messages("", [], "") == []


def test_lecture_template_lands_in_model_field():
    sentence = "오늘은 날씨가 좋다"
    lecture = chat.capture_request(lambda client: chat.lecture_request(client, sentence))
    fixed = chat.capture_request(lambda client: chat.corrected_request(client, sentence))
    assert lecture.path == "/v1/completions"
    assert lecture.body["model"] == f"'{sentence}' 위의 문장을 영어로 번역해줘"
    assert chat.text_the_model_reads(lecture.body) == sentence, "the instruction never reaches the model"
    assert fixed.path == "/v1/chat/completions" and fixed.body["model"] == chat.DEFAULT_MODEL
    assert "번역해줘" in chat.text_the_model_reads(fixed.body)


def test_lecture_version_is_rejected_by_a_real_server(server):
    """Sent to a server for real, the lecture's template-as-model-name finds no model."""
    client = chat.make_client(settings(server))
    import openai

    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="'안녕' 위의 문장을 영어로 번역해줘",
                                       messages=[{"role": "user", "content": "안녕"}])
