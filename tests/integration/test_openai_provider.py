"""The OpenAI-compatible provider against a real loopback server speaking chat completions."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from frontline.analysis.prompts import TOOL_NAME
from frontline.analysis.provider import LlmAnalysisProvider
from frontline.bootstrap import openai_provider
from frontline.config import load_vocabulary
from frontline.domain.models import FeedItem
from frontline.domain.ports import AnalysisInvalid, ProviderRejected, ProviderRetryable, Usage

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "llm"
VOCABULARY = load_vocabulary(REPO / "config")


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


ARTICLE = fixture("article_open_weights")
ITEM = FeedItem.model_validate(ARTICLE["item"])
TEXT: str = ARTICLE["text"]


# --- A scripted chat-completions server -----------------------------------------------------


@dataclass
class Scripted:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class ChatServer:
    """Answers POST /v1/chat/completions with scripted replies and records each request."""

    def __init__(self) -> None:
        self.script: list[Scripted] = []
        self.received: list[Received] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.received.append(Received(self.path, dict(self.headers.items()), body))
                reply = server.script.pop(0) if server.script else Scripted(500, {"error": "?"})
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                payload = (
                    reply.body
                    if isinstance(reply.body, bytes)
                    else json.dumps(reply.body).encode("utf-8")
                )
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def completion(
    arguments: str | dict[str, Any] | None,
    *,
    usage: tuple[int, int] = (3800, 1600),
    finish: str = "tool_calls",
    call_id: str = "call_7Qx",
    content: str | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if arguments is not None:
        message["tool_calls"] = [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": TOOL_NAME, "arguments": arguments},
            }
        ]
    return {
        "id": "chatcmpl-123",
        "object": "chat.completion",
        "created": 1764200000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
        },
    }


def good_arguments() -> str:
    return json.dumps(fixture("answer_open_weights"), ensure_ascii=False)


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with ChatServer() as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(5.0)) as client:
        yield client


def provider_for(
    server: ChatServer, http: httpx.Client, *, api_key: str | None = "sk-test-123", **kw: Any
) -> LlmAnalysisProvider:
    return openai_provider(
        http,
        base_url=server.base_url,
        model=kw.pop("model", "gpt-4o-mini"),
        api_key=api_key,
        vocabulary=VOCABULARY,
        **kw,
    )


# --- Tests ----------------------------------------------------------------------------------


def test_a_tool_call_becomes_a_valid_analysis(server: ChatServer, http: httpx.Client) -> None:
    server.script.append(Scripted(body=completion(good_arguments())))

    result = provider_for(server, http).analyse(ITEM, TEXT)

    assert result.analysis.title_ja.startswith("Mistral AI、")
    assert (result.provider, result.model_id) == ("openai", "gpt-4o-mini")
    assert result.usage == Usage(3800, 1600)
    [request] = server.received
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test-123"
    body = request.body
    assert body["model"] == "gpt-4o-mini"
    assert body["temperature"] == 0.2
    assert body["max_tokens"] == 3000
    assert body["tool_choice"] == {"type": "function", "function": {"name": TOOL_NAME}}
    [tool] = body["tools"]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == TOOL_NAME
    assert "$ref" not in json.dumps(tool["function"]["parameters"])
    assert [message["role"] for message in body["messages"]] == ["system", "user"]
    assert "<article_data>" in body["messages"][1]["content"]


def test_cached_prompt_tokens_are_counted_apart(server: ChatServer, http: httpx.Client) -> None:
    # Given OpenAI's answer for a prompt whose prefix it had cached
    body = completion(good_arguments(), usage=(5200, 1600))
    body["usage"]["prompt_tokens_details"] = {"cached_tokens": 4608}
    server.script.append(Scripted(body=body))

    result = provider_for(server, http).analyse(ITEM, TEXT)

    # Then the cached part is priced apart from the rest of the prompt
    assert result.usage == Usage(5200 - 4608, 1600, cache_read_tokens=4608)


def test_the_dry_run_request_is_what_is_sent(server: ChatServer, http: httpx.Client) -> None:
    provider = provider_for(server, http)
    server.script.append(Scripted(body=completion(good_arguments())))

    request = provider.request_for(ITEM, TEXT)
    provider.analyse(ITEM, TEXT)

    assert request["url"] == server.base_url + "/chat/completions"
    assert request["json"] == server.received[0].body
    assert "sk-test-123" not in json.dumps(request)


def test_without_a_key_no_authorization_is_sent(server: ChatServer, http: httpx.Client) -> None:
    server.script.append(Scripted(body=completion(good_arguments())))

    provider_for(server, http, api_key=None).analyse(ITEM, TEXT)

    assert "Authorization" not in server.received[0].headers


def test_invalid_json_arguments_are_repaired(server: ChatServer, http: httpx.Client) -> None:
    broken = good_arguments()[:-40]  # cut mid-object
    server.script.append(Scripted(body=completion(broken, usage=(3800, 1500))))
    server.script.append(
        Scripted(body=completion(good_arguments(), usage=(5400, 1600), call_id="call_8Rz"))
    )

    result = provider_for(server, http).analyse(ITEM, TEXT)

    assert result.usage == Usage(9200, 3100)
    messages = server.received[1].body["messages"]
    assert [message["role"] for message in messages] == ["system", "user", "assistant", "tool"]
    assert messages[2]["tool_calls"][0]["id"] == "call_7Qx"
    assert messages[2]["tool_calls"][0]["function"]["arguments"] == broken
    assert messages[3]["tool_call_id"] == "call_7Qx"
    assert "not a JSON object: invalid JSON" in messages[3]["content"]


def test_a_schema_problem_is_repaired_with_its_message(
    server: ChatServer, http: httpx.Client
) -> None:
    seven = fixture("answer_open_weights")
    seven["scores"]["practicality"]["score"] = 7
    server.script.append(Scripted(body=completion(json.dumps(seven, ensure_ascii=False))))
    server.script.append(Scripted(body=completion(good_arguments())))

    provider_for(server, http).analyse(ITEM, TEXT)

    feedback = server.received[1].body["messages"][3]["content"]
    assert "- scores.practicality.score: Input should be less than or equal to 5" in feedback


def test_still_invalid_after_the_repair(server: ChatServer, http: httpx.Client) -> None:
    server.script.append(Scripted(body=completion("{not json", usage=(3800, 200))))
    server.script.append(Scripted(body=completion("{still not", usage=(4000, 210))))

    with pytest.raises(AnalysisInvalid) as caught:
        provider_for(server, http).analyse(ITEM, TEXT)

    assert caught.value.usage == Usage(7800, 410)


def test_a_length_cut_off_is_restated(server: ChatServer, http: httpx.Client) -> None:
    server.script.append(
        Scripted(body=completion(good_arguments()[:900], finish="length", usage=(3800, 3000)))
    )
    server.script.append(Scripted(body=completion(good_arguments())))

    provider_for(server, http).analyse(ITEM, TEXT)

    messages = server.received[1].body["messages"]
    assert [message["role"] for message in messages] == ["system", "user"]
    assert "3000トークン" in messages[1]["content"]


def test_arguments_sent_as_an_object_are_accepted(server: ChatServer, http: httpx.Client) -> None:
    # Some local servers put the decoded object where the standard has a JSON string.
    server.script.append(Scripted(body=completion(fixture("answer_open_weights"))))

    result = provider_for(server, http).analyse(ITEM, TEXT)

    assert result.analysis.category.value == "tool"


def test_429_is_retryable(server: ChatServer, http: httpx.Client) -> None:
    server.script.append(
        Scripted(
            429,
            {"error": {"message": "Rate limit reached", "type": "requests"}},
            {"x-request-id": "req_429"},
        )
    )

    with pytest.raises(ProviderRetryable) as caught:
        provider_for(server, http).analyse(ITEM, TEXT)

    assert caught.value.request_id == "req_429"
    assert "Rate limit reached" in caught.value.reason


def test_a_server_error_is_retryable(server: ChatServer, http: httpx.Client) -> None:
    server.script.append(Scripted(503, {"error": "model is loading"}))

    with pytest.raises(ProviderRetryable, match="HTTP 503"):
        provider_for(server, http).analyse(ITEM, TEXT)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_rejected(server: ChatServer, http: httpx.Client, status: int) -> None:
    server.script.append(
        Scripted(
            status,
            {"error": {"message": "Invalid schema for function 'record_analysis'"}},
            {"x-request-id": f"req_{status}"},
        )
    )

    with pytest.raises(ProviderRejected) as caught:
        provider_for(server, http).analyse(ITEM, TEXT)

    assert caught.value.request_id == f"req_{status}"
    assert f"HTTP {status}" in caught.value.reason


def test_a_timeout_is_retryable(server: ChatServer) -> None:
    server.script.append(Scripted(body=completion(good_arguments()), delay_s=1.0))

    with (
        httpx.Client(timeout=httpx.Timeout(0.2)) as impatient,
        pytest.raises(ProviderRetryable, match="timed out"),
    ):
        provider_for(server, impatient).analyse(ITEM, TEXT)


def test_a_refused_connection_is_retryable(http: httpx.Client) -> None:
    with ChatServer() as stopped:
        base_url = stopped.base_url
    provider = openai_provider(
        http, base_url=base_url, model="llama3.1", api_key=None, vocabulary=VOCABULARY
    )

    with pytest.raises(ProviderRetryable):
        provider.analyse(ITEM, TEXT)


def test_a_body_that_is_not_json_is_retryable(server: ChatServer, http: httpx.Client) -> None:
    server.script.append(Scripted(200, b"<html>Bad gateway</html>"))

    with pytest.raises(ProviderRetryable, match="not JSON"):
        provider_for(server, http).analyse(ITEM, TEXT)


def test_reasoning_models_get_max_completion_tokens(http: httpx.Client) -> None:
    provider = openai_provider(
        http,
        base_url="https://api.openai.com/v1/",
        model="gpt-5-mini",
        api_key="sk-x",
        vocabulary=VOCABULARY,
    )

    request = provider.request_for(ITEM, TEXT)

    assert request["url"] == "https://api.openai.com/v1/chat/completions"
    assert request["json"]["max_completion_tokens"] == 3000
    assert "max_tokens" not in request["json"]
    assert "temperature" not in request["json"]
