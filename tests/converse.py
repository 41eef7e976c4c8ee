"""Bedrock Converse responses for botocore's Stubber: the model answered with one tool call."""

from __future__ import annotations

from typing import Any

MODEL = "global.anthropic.claude-haiku-4-5-20251001-v1:0"  # the template's default


def tool_call_response(
    tool_name: str, tool_input: dict[str, Any], *, usage: tuple[int, int] = (3000, 600)
) -> dict[str, Any]:
    return {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"toolUse": {"toolUseId": "t1", "name": tool_name, "input": tool_input}}
                ],
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": usage[0], "outputTokens": usage[1], "totalTokens": sum(usage)},
        "metrics": {"latencyMs": 900},
    }
