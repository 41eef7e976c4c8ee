"""The Amazon Bedrock client for the LLM provider: the Converse API with one forced tool.

Works with the model families that support Converse tool use with `toolChoice` set to a named
tool (Anthropic Claude, Amazon Nova). The tool's input schema is the self-contained analysis
schema: Nova accepts no `$ref`. `maxTokens` stays tight because Bedrock reserves throughput
quota by it before the model writes a token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from frontline.adapters.bedrock_errors import provider_error_of
from frontline.analysis.conversation import Conversation, LlmReply
from frontline.domain.ports import ProviderRejected, ProviderRetryable, Usage

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient


class BedrockConverseClient:
    """An LlmClient over a boto3 `bedrock-runtime` client (built and configured by the caller)."""

    provider = "bedrock"

    def __init__(
        self, client: BedrockRuntimeClient, model_id: str, *, cache_ttl: str | None = None
    ) -> None:
        """`cache_ttl` ("5m", "1h"): end the system prompt with a cache point of that TTL
        (models that cache); None: no cache point."""
        self._client = client
        self.model_id = model_id
        self._cache_ttl = cache_ttl

    def payload(self, conversation: Conversation) -> dict[str, Any]:
        """The Converse parameters, exactly as `send` passes them to `client.converse`."""
        tool = conversation.tool
        system: list[dict[str, Any]] = [{"text": conversation.system}]
        if self._cache_ttl is not None:
            # Bedrock reads tools, then system, then messages: one cache point after the
            # system prompt caches the tool schema and the system prompt, the same for every
            # article; only the user message is paid at the full input price. The 5-minute
            # cache is the default and is not named.
            point: dict[str, Any] = {"type": "default"}
            if self._cache_ttl != "5m":
                point["ttl"] = self._cache_ttl
            system.append({"cachePoint": point})
        return {
            "modelId": self.model_id,
            "system": system,
            "messages": _messages(conversation),
            "inferenceConfig": {
                "maxTokens": conversation.max_tokens,
                "temperature": conversation.temperature,
            },
            "toolConfig": {
                "tools": [
                    {
                        "toolSpec": {
                            "name": tool.name,
                            "description": tool.description,
                            "inputSchema": {"json": tool.schema},
                        }
                    }
                ],
                "toolChoice": {"tool": {"name": tool.name}},
            },
        }

    def send(self, conversation: Conversation) -> LlmReply:
        try:
            response = self._client.converse(**self.payload(conversation))
        except ClientError as exc:
            raise provider_error_of(exc) from exc
        except (BotoConnectionError, HTTPClientError) as exc:
            # Connect and read timeouts, refused or dropped connections.
            raise ProviderRetryable(f"Bedrock unreachable: {exc}") from exc
        except BotoCoreError as exc:
            # Missing credentials, invalid parameters: a deployment error, not a passing one.
            raise ProviderRejected(f"Bedrock request not sent: {exc}") from exc
        return _reply_of(dict(response), conversation.tool.name)


def _messages(conversation: Conversation) -> list[dict[str, Any]]:
    user: dict[str, Any] = {"role": "user", "content": [{"text": conversation.user}]}
    repair = conversation.repair
    if repair is None:
        return [user]
    reply = repair.reply
    replayed = _replayable(reply.assistant_message) if reply is not None else None
    if reply is None or replayed is None:
        # Nothing worth replaying (a cut-off call): restate the request with the feedback.
        user["content"].append({"text": repair.feedback})
        return [user]
    if reply.tool_call_id is not None:
        answer: dict[str, Any] = {
            "toolResult": {"toolUseId": reply.tool_call_id, "content": [{"text": repair.feedback}]}
        }
    else:
        answer = {"text": repair.feedback}
    return [user, replayed, {"role": "user", "content": [answer]}]


def _replayable(message: dict[str, Any] | None) -> dict[str, Any] | None:
    """The assistant turn with only the blocks Converse accepts back (no blank text)."""
    if not message:
        return None
    content = [
        block
        for block in message.get("content", [])
        if ("text" in block and str(block["text"]).strip()) or "toolUse" in block
    ]
    return {"role": "assistant", "content": content} if content else None


def _reply_of(response: dict[str, Any], tool_name: str) -> LlmReply:
    message = response.get("output", {}).get("message") or {}
    usage = response.get("usage") or {}
    tool_use: dict[str, Any] | None = None
    texts: list[str] = []
    for block in message.get("content", []):
        if "toolUse" in block and tool_use is None:
            tool_use = block["toolUse"]
        elif "text" in block:
            texts.append(str(block["text"]))
    tool_input: dict[str, Any] | None = None
    decode_error: str | None = None
    if tool_use is not None:
        given = tool_use.get("input")
        if isinstance(given, dict):
            tool_input = given
        else:
            decode_error = f"expected an object, got {type(given).__name__}"
        if tool_use.get("name") != tool_name:
            tool_input, decode_error = None, f"called the unknown tool {tool_use.get('name')!r}"
    return LlmReply(
        tool_input=tool_input,
        stop_reason=str(response.get("stopReason", "")),
        usage=Usage(
            int(usage.get("inputTokens", 0)),
            int(usage.get("outputTokens", 0)),
            cache_read_tokens=int(usage.get("cacheReadInputTokens", 0)),
            cache_write_tokens=int(usage.get("cacheWriteInputTokens", 0)),
        ),
        request_id=response.get("ResponseMetadata", {}).get("RequestId"),
        text="\n".join(texts).strip(),
        tool_call_id=None if tool_use is None else tool_use.get("toolUseId"),
        decode_error=decode_error,
        assistant_message=message or None,
    )
