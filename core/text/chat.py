"""Chat messages, the optional OpenAI-compatible API, and the local stand-in.

A chat model receives a list of messages, each with a role:
    system     how the assistant should behave
    user       the question or task
    assistant  the model's answers (earlier ones, or examples we write ourselves)

With an API key configured (st.secrets or the environment) `chat_completion` sends them with the
official `openai` client to any OpenAI-compatible server. Without one, the pages run the tiny
local model on `local_prompt(messages)`: the same messages flattened into one text, which is
what every chat model ultimately reads.

The key is only ever passed to the client: it is never logged, never part of an error message
(`scrub` removes it from anything we show), never in a repr.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

ROLES = ("system", "user", "assistant")
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT = 15.0  # seconds; the prompting page lets a learner lower it
ENV_KEY, ENV_BASE_URL, ENV_MODEL = "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"


@dataclass(frozen=True)
class Message:
    role: str
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


def build_messages(system: str = "", examples: list[tuple[str, str]] = (), user: str = "") -> list[Message]:
    """system, then example (user, assistant) pairs, then the user's message; empty parts are left out."""
    messages = [Message("system", system.strip())] if system.strip() else []
    for question, answer in examples:
        if question.strip() and answer.strip():
            messages += [Message("user", question.strip()), Message("assistant", answer.strip())]
    if user.strip():
        messages.append(Message("user", user.strip()))
    return messages


def local_prompt(messages: list[Message]) -> str:
    """The messages as the tiny local model reads them: one text, system first, one message per
    line. A model trained only to continue text has no "assistant's turn": its continuation of
    the last line plays the assistant."""
    return "\n".join(m.content for m in messages if m.content)


def chat_template(messages: list[Message]) -> str:
    """A ChatML-style rendering: how chat models are trained to see roles (one common format;
    every model family has its own special tokens)."""
    body = "".join(f"<|im_start|>{m.role}\n{m.content}<|im_end|>\n" for m in messages)
    return body + "<|im_start|>assistant\n"


@dataclass(frozen=True)
class ApiSettings:
    api_key: str = field(repr=False)
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    source: str = "environment"  # where the key came from: "secrets" or "environment"


def _clean(value) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def find_settings(secrets: Mapping | None, environ: Mapping[str, str]) -> ApiSettings | None:
    """The API settings, or None when no key is configured. Looked up in this order:
    secrets["openai"]["api_key" | "base_url" | "model"], secrets["OPENAI_API_KEY"] (etc.),
    then the environment variables OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL."""
    secrets = secrets or {}
    section = secrets.get("openai") if isinstance(secrets.get("openai"), Mapping) else {}
    key = _clean(section.get("api_key")) or _clean(secrets.get(ENV_KEY))
    if key:
        base_url = (_clean(section.get("base_url")) or _clean(secrets.get(ENV_BASE_URL))
                    or _clean(environ.get(ENV_BASE_URL)))
        model = _clean(section.get("model")) or _clean(secrets.get(ENV_MODEL)) or _clean(environ.get(ENV_MODEL))
        return ApiSettings(key, base_url, model or DEFAULT_MODEL, "secrets")
    key = _clean(environ.get(ENV_KEY))
    if key:
        return ApiSettings(key, _clean(environ.get(ENV_BASE_URL)), _clean(environ.get(ENV_MODEL)) or DEFAULT_MODEL,
                           "environment")
    return None


_KEY_PATTERN = re.compile(r"\b(sk|key|api)[-_][A-Za-z0-9_\-]{8,}")


def scrub(text: str, key: str | None = None) -> str:
    """Remove the key (and anything that looks like one) from a text before showing it."""
    text = str(text)
    if key:
        text = text.replace(key, "***")
    return _KEY_PATTERN.sub("***", text)


class ChatError(Exception):
    """A failed API call, as something a learner can act on. `kind` is one of: auth, not_found,
    rate_limit, bad_request, timeout, connection, server, empty."""

    def __init__(self, kind: str, detail: str = "", status: int | None = None):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.status = status


@dataclass
class ChatReply:
    text: str
    model: str
    seconds: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


def request_payload(messages: list[Message], model: str, temperature: float, max_tokens: int) -> dict:
    """The JSON body of POST /chat/completions (the key travels in a header, never in here)."""
    return {"model": model, "messages": [m.as_dict() for m in messages],
            "temperature": float(temperature), "max_tokens": int(max_tokens)}


def make_client(settings: ApiSettings, timeout: float = DEFAULT_TIMEOUT):
    from openai import OpenAI

    # max_retries=0: a learner should see a failure at once, not after three silent retries.
    return OpenAI(api_key=settings.api_key, base_url=settings.base_url, timeout=timeout, max_retries=0)


def chat_completion(messages: list[Message], settings: ApiSettings, temperature: float = 1.0,
                    max_tokens: int = 256, timeout: float = DEFAULT_TIMEOUT, model: str | None = None) -> ChatReply:
    """Send the messages to the configured OpenAI-compatible API and return the answer.
    Every failure becomes a ChatError whose detail never contains the key."""
    import openai

    client = make_client(settings, timeout)
    started = time.perf_counter()
    try:
        response = client.chat.completions.create(
            model=model or settings.model,
            messages=[m.as_dict() for m in messages],
            temperature=float(temperature),
            max_tokens=int(max_tokens),
        )
    except openai.APITimeoutError as error:  # before APIConnectionError: it is a subclass
        raise ChatError("timeout", f"no answer within {timeout:g} s") from error
    except openai.APIConnectionError as error:
        raise ChatError("connection", scrub(str(error), settings.api_key)) from error
    except openai.APIStatusError as error:
        kinds = {400: "bad_request", 401: "auth", 403: "auth", 404: "not_found", 422: "bad_request",
                 429: "rate_limit"}
        kind = kinds.get(error.status_code, "server")
        raise ChatError(kind, scrub(_error_message(error), settings.api_key), error.status_code) from error
    except openai.OpenAIError as error:
        raise ChatError("server", scrub(str(error), settings.api_key)) from error
    seconds = time.perf_counter() - started
    if not response.choices or response.choices[0].message.content is None:
        raise ChatError("empty", "the answer had no text")
    usage = response.usage
    return ChatReply(response.choices[0].message.content.strip(), response.model or (model or settings.model),
                     seconds, getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None))


def _error_message(error) -> str:
    """The server's own explanation, from the JSON error body when there is one."""
    body = getattr(error, "body", None)
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping) and inner.get("message"):
            return str(inner["message"])[:300]
    return str(getattr(error, "message", error))[:300]


@dataclass
class CapturedRequest:
    method: str
    path: str
    body: dict


def capture_request(call: Callable) -> CapturedRequest:
    """Run `call(client)` with the official client against an in-memory transport and return the
    HTTP request it *would* send. Nothing leaves the machine; the key is a dummy."""
    import httpx2
    from openai import OpenAI

    captured: list[CapturedRequest] = []

    def handler(request):
        body = json.loads(request.content or b"{}")
        captured.append(CapturedRequest(request.method, request.url.path, body))
        if request.url.path.endswith("/chat/completions"):
            choice = {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": ""}}
            return httpx2.Response(200, json={"id": "offline", "object": "chat.completion", "created": 0,
                                              "model": body.get("model", ""), "choices": [choice]})
        choice = {"index": 0, "finish_reason": "stop", "text": "", "logprobs": None}
        return httpx2.Response(200, json={"id": "offline", "object": "text_completion", "created": 0,
                                          "model": body.get("model", ""), "choices": [choice]})

    client = OpenAI(api_key="offline-demo", base_url="http://offline.invalid/v1", max_retries=0,
                    http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    call(client)
    return captured[-1]


def lecture_request(client, prompt: str):
    """The lecture's "After" code, moved to today's client: the template sits in `model=`."""
    return client.completions.create(
        model=f"'{prompt}' 위의 문장을 영어로 번역해줘",  # the lecture: "prompt engineering의 역할"
        prompt=prompt,
        temperature=1,
        max_tokens=256,
    )


def corrected_request(client, prompt: str, model: str = DEFAULT_MODEL):
    """The same idea done right: `model=` names a model; the template goes into the messages."""
    return client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": "You are a translator. Answer with the English translation only."},
            {"role": "user", "content": f"'{prompt}' 위의 문장을 영어로 번역해줘"},
        ],
        temperature=1,
        max_tokens=256,
    )


def text_the_model_reads(body: dict) -> str:
    """The part of a request body the language model actually reads as input."""
    if "messages" in body:
        return "\n".join(f"[{m.get('role')}] {m.get('content')}" for m in body["messages"])
    return str(body.get("prompt", ""))
