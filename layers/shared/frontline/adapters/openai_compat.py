"""The OpenAI-compatible client for the LLM provider: `/chat/completions` with one forced tool.

Speaks the chat-completions dialect that OpenAI, Ollama, vLLM and the llama.cpp server share:
one function tool whose `parameters` is the self-contained analysis schema, `tool_choice`
naming it, a low temperature and an output token limit. The httpx.Client (timeouts, proxies,
transport) is the caller's; the API key, when there is one, is sent as a bearer token.
"""

from __future__ import annotations

import json
from typing import Any, Final

import httpx

from frontline.analysis.conversation import Conversation, LlmReply
from frontline.domain.ports import ProviderRejected, ProviderRetryable, Usage

# OpenAI's reasoning models take `max_completion_tokens` and only the default temperature.
_REASONING_MODEL_PREFIXES: Final = ("gpt-5", "o1", "o3", "o4")
_REQUEST_ID_HEADERS: Final = ("x-request-id", "openai-request-id", "request-id")


class OpenAiChatClient:
    """An LlmClient over an OpenAI-compatible chat-completions endpoint."""

    provider = "openai"

    def __init__(
        self, http: httpx.Client, *, base_url: str, model: str, api_key: str | None
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an absolute http(s) URL, like https://host/v1")
        self._http = http
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._api_key = api_key or None
        self.model_id = model

    def payload(self, conversation: Conversation) -> dict[str, Any]:
        """The request `send` makes: method, URL and JSON body (the key is never included)."""
        return {"method": "POST", "url": self._url, "json": self._body(conversation)}

    def send(self, conversation: Conversation) -> LlmReply:
        headers = {"Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            response = self._http.post(self._url, json=self._body(conversation), headers=headers)
        except httpx.TimeoutException as exc:
            raise ProviderRetryable(f"chat completions timed out: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise ProviderRetryable(f"chat completions unreachable: {exc!r}") from exc
        request_id = _request_id_of(response)
        status = response.status_code
        if status == 429 or status >= 500:
            raise ProviderRetryable(_status_reason(response), request_id=request_id)
        if status >= 400:
            raise ProviderRejected(_status_reason(response), request_id=request_id)
        try:
            document = response.json()
        except ValueError as exc:
            # A proxy's error page with a 200: the server is not itself right now.
            raise ProviderRetryable(
                "chat completions answered with a body that is not JSON", request_id=request_id
            ) from exc
        return _reply_of(document, conversation.tool.name, request_id)

    def _body(self, conversation: Conversation) -> dict[str, Any]:
        tool = conversation.tool
        body: dict[str, Any] = {
            "model": self.model_id,
            "messages": _messages(conversation),
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": tool.name,
                        "description": tool.description,
                        "parameters": tool.schema,
                    },
                }
            ],
            "tool_choice": {"type": "function", "function": {"name": tool.name}},
        }
        if self.model_id.startswith(_REASONING_MODEL_PREFIXES):
            body["max_completion_tokens"] = conversation.max_tokens
        else:
            body["temperature"] = conversation.temperature
            body["max_tokens"] = conversation.max_tokens
        return body


def _messages(conversation: Conversation) -> list[dict[str, Any]]:
    system = {"role": "system", "content": conversation.system}
    user = {"role": "user", "content": conversation.user}
    repair = conversation.repair
    if repair is None:
        return [system, user]
    reply = repair.reply
    assistant = reply.assistant_message if reply is not None else None
    if reply is None or not assistant:
        user["content"] = f"{conversation.user}\n\n{repair.feedback}"
        return [system, user]
    if reply.tool_call_id is not None:
        calls = [
            call
            for call in assistant.get("tool_calls") or []
            if isinstance(call, dict) and call.get("id") == reply.tool_call_id
        ]
        replayed = {"role": "assistant", "content": assistant.get("content"), "tool_calls": calls}
        answer = {"role": "tool", "tool_call_id": reply.tool_call_id, "content": repair.feedback}
        return [system, user, replayed, answer]
    replayed = {"role": "assistant", "content": reply.text}
    return [system, user, replayed, {"role": "user", "content": repair.feedback}]


def _reply_of(document: object, tool_name: str, request_id: str | None) -> LlmReply:
    document = _mapping(document)
    choices = document.get("choices")
    choice = _mapping(choices[0] if isinstance(choices, list) and choices else None)
    message = _mapping(choice.get("message"))
    usage = _mapping(document.get("usage"))
    finish = str(choice.get("finish_reason") or "")
    calls = [call for call in message.get("tool_calls") or [] if isinstance(call, dict)]
    call = calls[0] if calls else None
    tool_input: dict[str, Any] | None = None
    decode_error: str | None = None
    call_id: str | None = None
    if call is not None:
        call_id = str(call.get("id") or "call_0")
        function = _mapping(call.get("function"))
        tool_input, decode_error = _arguments_of(function.get("arguments"))
        if function.get("name") != tool_name:
            tool_input, decode_error = None, f"called the unknown tool {function.get('name')!r}"
        call = {**call, "id": call_id}
    content = message.get("content")
    return LlmReply(
        tool_input=tool_input,
        stop_reason="max_tokens" if finish == "length" else finish,
        usage=_usage_of(usage),
        request_id=request_id or _str_or_none(document.get("id")),
        text=content.strip() if isinstance(content, str) else "",
        tool_call_id=call_id,
        decode_error=decode_error,
        assistant_message=(
            {"role": "assistant", "content": content, "tool_calls": [call] if call else []}
            if message
            else None
        ),
    )


def _arguments_of(arguments: object) -> tuple[dict[str, Any] | None, str | None]:
    """The decoded tool arguments: a JSON string by the standard, an object for some servers."""
    if isinstance(arguments, dict):
        return arguments, None
    if not isinstance(arguments, str):
        return None, f"expected a JSON string, got {type(arguments).__name__}"
    try:
        decoded = json.loads(arguments)
    except ValueError as exc:
        return None, f"invalid JSON ({exc})"
    if not isinstance(decoded, dict):
        return None, f"expected a JSON object, got {type(decoded).__name__}"
    return decoded, None


def _request_id_of(response: httpx.Response) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _status_reason(response: httpx.Response) -> str:
    """The status and the server's own error message when it gives one (never the request)."""
    detail = ""
    try:
        document = response.json()
        error = document.get("error") if isinstance(document, dict) else None
        if isinstance(error, dict):
            detail = str(error.get("message") or error.get("code") or "")
        elif isinstance(error, str):
            detail = error
    except ValueError:
        detail = ""
    reason = f"chat completions HTTP {response.status_code}"
    return f"{reason}: {detail[:300]}" if detail else reason


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _usage_of(usage: dict[str, Any]) -> Usage:
    """Token counts; servers that report none (some local ones) count as zero."""
    details = usage.get("prompt_tokens_details")
    cached = int((details.get("cached_tokens") if isinstance(details, dict) else 0) or 0)
    # OpenAI caches a repeated prompt prefix by itself; its cached tokens are part of
    # prompt_tokens and priced apart.
    prompt = int(usage.get("prompt_tokens") or 0)
    return Usage(
        max(0, prompt - cached), int(usage.get("completion_tokens") or 0), cache_read_tokens=cached
    )
