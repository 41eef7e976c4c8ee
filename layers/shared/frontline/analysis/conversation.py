"""The conversation a client sends: one system prompt, one user message, one forced tool."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from frontline.domain.ports import Usage

DEFAULT_TEMPERATURE: Final = 0.2


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    description: str
    schema: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LlmReply:
    """What a client got back, in the provider's terms reduced to what the analysis needs."""

    tool_input: dict[str, Any] | None  # the decoded arguments of the forced tool call
    stop_reason: str  # "max_tokens" when the output was cut off; else the provider's reason
    usage: Usage
    request_id: str | None = None
    text: str = ""  # text the model wrote outside the tool call (ignored)
    tool_call_id: str | None = None  # set when the model called the tool at all
    decode_error: str | None = None  # set when the tool arguments were not a JSON object
    # The assistant turn in the provider's own format, replayed in the repair round.
    assistant_message: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def truncated(self) -> bool:
        return self.stop_reason == "max_tokens"


@dataclass(frozen=True, slots=True)
class RepairTurn:
    """The second round: the model's previous turn (when it is worth replaying) and feedback.

    With `reply` replayed, a client sends the assistant turn and answers its tool call with the
    feedback as the tool result (or, without a tool call, with a user message). With `reply`
    None, the feedback is appended to the first user message: a cut-off call is not replayed.
    """

    feedback: str
    reply: LlmReply | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """`system` and `tool` are the same for every article (cached by the provider where it
    can); `user` carries the article."""

    system: str
    user: str
    tool: ToolSpec
    max_tokens: int
    temperature: float = DEFAULT_TEMPERATURE
    repair: RepairTurn | None = None


class LlmClient(Protocol):
    """One provider's wire format: sends a conversation that forces one tool call."""

    provider: str  # "bedrock", "openai"
    model_id: str

    def send(self, conversation: Conversation) -> LlmReply:
        """Send and parse; raises ProviderRetryable or ProviderRejected."""
        ...

    def payload(self, conversation: Conversation) -> dict[str, Any]:
        """The exact request `send` would make, as JSON-able data."""
        ...
