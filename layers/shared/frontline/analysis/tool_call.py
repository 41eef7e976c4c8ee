"""The one forced-tool-call loop: send, validate, and at most one repair round.

Every LLM answer (an article's analysis, a digest's overview) goes through `call_tool`. When the
answer fails validation, the model sees its own call and each problem, named one by one, in the
wording below (the only place it is written); a cut-off answer is asked again to be shorter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

from frontline.analysis.conversation import Conversation, LlmClient, LlmReply, RepairTurn
from frontline.domain.analysis_validation import AnalysisProblems
from frontline.domain.ports import AnalysisInvalid, AnalysisUngrounded, ProviderError, Usage
from frontline.observability import logger

FIX_PROBLEMS: Final = (
    "前回の {tool} の呼び出しは検証に失敗した。以下の問題をすべて修正し、{tool} をもう一度"
    "呼び出して、修正した完全な結果を返すこと。\n"
    "The previous {tool} call failed validation. Fix every problem listed and call {tool} "
    "again with the complete, corrected input.\n"
)
CALL_THE_TOOL: Final = (
    "{tool} ツールが呼び出されなかった。文章で答えず、必ず {tool} を呼び出して結果を返すこと。"
    "\nYou did not call {tool}. Answer only by calling it.\n"
)
BE_CONCISE: Final = (
    "前回の回答は出力の上限（{max_tokens}トークン）に達して途中で切れた。各フィールドをより"
    "簡潔に書いて、上限内に収まる完全な結果を {tool} で返すこと。\n"
    "Your previous answer was cut off at the output limit of {max_tokens} tokens: be more "
    "concise so the complete {tool} call fits.\n"
)


def validated_reply[Validated](
    reply: LlmReply, tool_name: str, validate: Callable[[dict[str, Any]], Validated]
) -> Validated | AnalysisProblems:
    """The validated tool input, or every problem that stops it (shown to the model)."""
    if reply.tool_input is None:
        if reply.decode_error is not None:
            problem = f"(tool call): the arguments are not a JSON object: {reply.decode_error}"
        elif reply.truncated:
            problem = "(tool call): cut off at the output limit before the call was complete"
        else:
            problem = f"(tool call): {tool_name} was not called"
        return AnalysisProblems([problem])
    try:
        return validate(reply.tool_input)
    except AnalysisProblems as problems:
        if reply.truncated:
            cut = "(tool call): cut off at the output limit; the input is incomplete"
            return AnalysisProblems([cut, *problems.problems])
        return problems


def repair_turn(
    reply: LlmReply, problems: AnalysisProblems, conversation: Conversation
) -> RepairTurn:
    """The feedback for the second round, and whether the first answer is replayed."""
    tool = conversation.tool.name
    if reply.truncated:
        return RepairTurn(feedback=BE_CONCISE.format(tool=tool, max_tokens=conversation.max_tokens))
    if reply.tool_call_id is None:
        return RepairTurn(
            feedback=CALL_THE_TOOL.format(tool=tool), reply=reply if reply.text.strip() else None
        )
    return RepairTurn(feedback=FIX_PROBLEMS.format(tool=tool) + problems.feedback(), reply=reply)


def call_tool[Validated](
    client: LlmClient,
    conversation: Conversation,
    validate: Callable[[dict[str, Any]], Validated],
    *,
    on_repair: Callable[[tuple[str, ...]], None] | None = None,
) -> tuple[Validated, Usage, str | None]:
    """One forced tool call validated by `validate`, with one repair round.

    Returns the validated value, the tokens spent and the last request id; raises
    ProviderRetryable, ProviderRejected, or AnalysisInvalid (carrying the usage) when the
    answer is still invalid after the repair round.
    """
    tool_name = conversation.tool.name
    reply = client.send(conversation)
    _note_text(client, reply, tool_name)
    first = validated_reply(reply, tool_name, validate)
    if not isinstance(first, AnalysisProblems):
        return first, reply.usage, reply.request_id
    spent = reply.usage
    logger.info(
        "tool answer invalid, repairing",
        provider=client.provider,
        tool=tool_name,
        request_id=reply.request_id,
        stop_reason=reply.stop_reason,
        problems=list(first.problems),
    )
    if on_repair is not None:
        on_repair(first.problems)
    try:
        second = client.send(replace(conversation, repair=repair_turn(reply, first, conversation)))
    except ProviderError as exc:
        exc.usage = spent + exc.usage
        raise
    spent += second.usage
    _note_text(client, second, tool_name)
    again = validated_reply(second, tool_name, validate)
    if not isinstance(again, AnalysisProblems):
        return again, spent, second.request_id
    final = AnalysisUngrounded if again.ungrounded else AnalysisInvalid
    raise final(
        f"still invalid after the repair round: {'; '.join(again.problems)}",
        usage=spent,
        request_id=second.request_id,
    ) from again


def _note_text(client: LlmClient, reply: LlmReply, tool_name: str) -> None:
    if reply.text.strip():
        logger.info(
            "model text outside the tool call ignored",
            provider=client.provider,
            tool=tool_name,
            request_id=reply.request_id,
            chars=len(reply.text),
        )
