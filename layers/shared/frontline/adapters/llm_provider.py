"""The LLM analysis provider: one prompt, one forced tool call, validation and one repair round.

`LlmAnalysisProvider` implements the AnalysisProvider port on top of a small `LlmClient`: the
Bedrock Converse adapter (`frontline.adapters.bedrock`) or the OpenAI-compatible one
(`frontline.adapters.openai_compat`). The provider owns what is common to both: rendering the
prompt from the package's Jinja2 templates (the article passed as delimited, untrusted data),
validating the tool input against the analysis contract, and, when it fails, one repair round
that shows the model its own call and the problems found. The clients own the wire format and
the translation of their errors into ProviderRetryable and ProviderRejected.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta, timezone
from typing import TYPE_CHECKING, Any, Final, Protocol

from jinja2 import Environment, PackageLoader, StrictUndefined

from frontline.domain.analysis_validation import (
    AnalysisProblems,
    analysis_schema,
    validate_analysis,
)
from frontline.domain.article_text import truncate_keeping_lead
from frontline.domain.digests import (
    DigestKind,
    DigestOverview,
    DigestRequest,
    OverviewResult,
    validate_overview,
)
from frontline.domain.models import CATEGORY_LABELS, Analysis, ContentPolicy, FeedItem
from frontline.domain.ports import AnalysisInvalid, AnalysisResult, ProviderError, Usage
from frontline.domain.vocabulary import Vocabulary
from frontline.observability import logger

if TYPE_CHECKING:
    import httpx
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

TOOL_NAME: Final = "record_analysis"
TOOL_DESCRIPTION: Final = (
    "Record the Japanese translation, summary and analysis of the article. "
    "記事の日本語訳・要約・分析を記録する。"
)
DEFAULT_TEMPERATURE: Final = 0.2
DEFAULT_MAX_OUTPUT_TOKENS: Final = 3000
DEFAULT_MAX_INPUT_CHARS: Final = 12_000
# Output tokens the fields other than body_ja take (title, TL;DR, key points, impact, comment,
# tags, entities, scores and the JSON around them); Japanese runs at about a token a character.
_TOKENS_BESIDES_BODY: Final = 1_800
_BODY_MIN_CHARS: Final = 400
EXCERPT_MAX_CHARS: Final = 1_000
MAX_GLOSSARY_TERMS: Final = 40
MAX_ENTITY_HINTS: Final = 20
JST: Final = timezone(timedelta(hours=9), "JST")

# --- The conversation a client sends ---------------------------------------------------------


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


# --- The prompt ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prompt:
    system: str
    user: str


@functools.cache
def _prompt_environment() -> Environment:
    """Plain-text templates: no autoescape (this is not HTML), undefined names fail loudly."""
    return Environment(
        loader=PackageLoader("frontline", "prompts"),
        autoescape=False,  # noqa: S701 - a prompt, never served as HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


# Anything that could close (or reopen) the data delimiters from inside the data.
_DELIMITER = re.compile(r"<(\s*/?\s*)(article_data|text)\b", re.IGNORECASE)


def neutralise_delimiters(text: str) -> str:
    """`text` with every `<article_data>`/`<text>`-like tag defused (its `<` made full-width)."""
    return _DELIMITER.sub(lambda match: "＜" + match.group(1) + match.group(2), text)


def body_budget_chars(max_output_tokens: int) -> int:
    """How many Japanese characters body_ja may take within the output token limit."""
    return max(_BODY_MIN_CHARS, max_output_tokens - _TOKENS_BESIDES_BODY)


def analysis_prompt(
    item: FeedItem,
    text: str,
    vocabulary: Vocabulary,
    *,
    max_input_chars: int = DEFAULT_MAX_INPUT_CHARS,
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS,
) -> Prompt:
    """The system and user prompts for one article."""
    source_text = text.strip() or item.summary.strip() or "（本文なし）"
    excerpt = truncate_keeping_lead(source_text, max_input_chars)
    seen = f"{item.title}\n{excerpt}"
    glossary = vocabulary.glossary.find_terms(seen)[:MAX_GLOSSARY_TERMS]
    entities = vocabulary.entities.find(seen)[:MAX_ENTITY_HINTS]
    body_chars = body_budget_chars(max_output_tokens)
    policy = ContentPolicy(item.content_policy)
    published = item.published.astimezone(JST)
    when = f"{published.year}年{published.month}月{published.day}日 {published:%H:%M} (JST)"
    env = _prompt_environment()
    system = env.get_template("analysis_system.j2").render(tool_name=TOOL_NAME)
    user = env.get_template("analysis_user.j2").render(
        tool_name=TOOL_NAME,
        full_translation=policy is ContentPolicy.FULL,
        body_max_chars=body_chars,
        excerpt_max_chars=min(EXCERPT_MAX_CHARS, body_chars),
        truncated=len(excerpt) < len(source_text),
        glossary=[{"en": term.en, "ja": term.ja} for term in glossary],
        entities=[{"name": record.name, "kind": record.kind.value} for record in entities],
        source=neutralise_delimiters(_one_line(item.source_name)),
        title=neutralise_delimiters(_one_line(item.title)),
        url=neutralise_delimiters(item.url),
        published=when,
        content_policy=policy.value,
        text=neutralise_delimiters(excerpt),
    )
    return Prompt(system=system.strip(), user=user.strip())


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- The repair round -----------------------------------------------------------------------

_FIX_PROBLEMS: Final = (
    f"前回の {TOOL_NAME} の呼び出しは検証に失敗した。以下の問題をすべて修正し、"
    f"{TOOL_NAME} をもう一度呼び出して、修正した完全な結果を返すこと。\n"
    f"The previous {TOOL_NAME} call failed validation. Fix every problem listed and call "
    f"{TOOL_NAME} again with the complete, corrected input.\n"
)
_CALL_THE_TOOL: Final = (
    f"{TOOL_NAME} ツールが呼び出されなかった。文章で答えず、必ず {TOOL_NAME} を呼び出して"
    f"結果を返すこと。\nYou did not call {TOOL_NAME}. Answer only by calling it.\n"
)
_BE_CONCISE: Final = (
    "前回の回答は出力の上限（{max_tokens}トークン）に達して途中で切れた。body_ja を短くし、"
    "各フィールドをより簡潔に書いて、上限内に収まる完全な結果を返すこと。\n"
    "Your previous answer was cut off at the output limit of {max_tokens} tokens: shorten "
    "body_ja and be more concise so the complete call fits.\n"
)


def _validated(reply: LlmReply, vocabulary: Vocabulary) -> Analysis | AnalysisProblems:
    """The validated analysis, or the problems that stop it."""
    return _validated_reply(reply, TOOL_NAME, lambda raw: validate_analysis(raw, vocabulary))


def _repair_turn(reply: LlmReply, problems: AnalysisProblems, max_tokens: int) -> RepairTurn:
    if reply.truncated:
        return RepairTurn(feedback=_BE_CONCISE.format(max_tokens=max_tokens))
    if reply.tool_call_id is None:
        return RepairTurn(feedback=_CALL_THE_TOOL, reply=reply if reply.text.strip() else None)
    return RepairTurn(feedback=_FIX_PROBLEMS + problems.feedback(), reply=reply)


# --- The provider -----------------------------------------------------------------------------


class LlmAnalysisProvider:
    """An AnalysisProvider backed by an LLM that answers through one forced tool call."""

    def __init__(
        self,
        client: LlmClient,
        vocabulary: Vocabulary,
        *,
        max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS,
        max_input_chars: int = DEFAULT_MAX_INPUT_CHARS,
        temperature: float = DEFAULT_TEMPERATURE,
        on_repair: Callable[[tuple[str, ...]], None] | None = None,
    ) -> None:
        if max_output_tokens < 1 or max_input_chars < 1:
            raise ValueError("max_output_tokens and max_input_chars must be positive")
        self._client = client
        self._vocabulary = vocabulary
        self._max_output_tokens = max_output_tokens
        self._max_input_chars = max_input_chars
        self._temperature = temperature
        self._on_repair = on_repair
        self.name: str = client.provider
        self.model_id: str = client.model_id

    @property
    def client(self) -> LlmClient:
        """The wire client, shared with the digest writer (`LlmDigestProvider`)."""
        return self._client

    def request_for(self, item: FeedItem, text: str) -> dict[str, Any]:
        """The exact first request `analyse` would send, as JSON-able data (nothing is sent)."""
        return self._client.payload(self._conversation(item, text))

    def analyse(self, item: FeedItem, text: str) -> AnalysisResult:
        """The validated Japanese analysis; at most two calls (the answer and one repair).

        Raises ProviderRetryable, ProviderRejected, or AnalysisInvalid when the answer is still
        invalid after the repair round; each carries the tokens spent so far.
        """
        conversation = self._conversation(item, text)
        reply = self._client.send(conversation)
        self._note_text(reply, item)
        problems = _validated(reply, self._vocabulary)
        if not isinstance(problems, AnalysisProblems):
            return self._result(problems, reply.usage)
        spent = reply.usage
        logger.info(
            "analysis invalid, repairing",
            provider=self.name,
            item=item.id,
            request_id=reply.request_id,
            stop_reason=reply.stop_reason,
            problems=list(problems.problems),
        )
        if self._on_repair is not None:
            self._on_repair(problems.problems)
        repair = _repair_turn(reply, problems, self._max_output_tokens)
        try:
            second = self._client.send(replace(conversation, repair=repair))
        except ProviderError as exc:
            exc.usage = spent + exc.usage
            raise
        spent += second.usage
        self._note_text(second, item)
        again = _validated(second, self._vocabulary)
        if not isinstance(again, AnalysisProblems):
            return self._result(again, spent)
        raise AnalysisInvalid(
            f"still invalid after the repair round: {'; '.join(again.problems)}",
            usage=spent,
            request_id=second.request_id,
        ) from again

    def _conversation(self, item: FeedItem, text: str) -> Conversation:
        prompt = analysis_prompt(
            item,
            text,
            self._vocabulary,
            max_input_chars=self._max_input_chars,
            max_output_tokens=self._max_output_tokens,
        )
        return Conversation(
            system=prompt.system,
            user=prompt.user,
            tool=ToolSpec(TOOL_NAME, TOOL_DESCRIPTION, analysis_schema()),
            max_tokens=self._max_output_tokens,
            temperature=self._temperature,
        )

    def _result(self, analysis: Analysis, usage: Usage) -> AnalysisResult:
        return AnalysisResult(
            analysis=analysis,
            provider=self.name,
            model_id=self.model_id,
            usage=usage,
            translated=True,
        )

    def _note_text(self, reply: LlmReply, item: FeedItem) -> None:
        if reply.text.strip():
            logger.info(
                "model text outside the tool call ignored",
                provider=self.name,
                item=item.id,
                request_id=reply.request_id,
                chars=len(reply.text),
            )


# --- Construction -------------------------------------------------------------------------


def bedrock_provider(
    client: BedrockRuntimeClient, model_id: str, vocabulary: Vocabulary, **kw: Any
) -> LlmAnalysisProvider:
    """The provider over Amazon Bedrock's Converse API (Claude, Amazon Nova)."""
    from frontline.adapters.bedrock import BedrockConverseClient

    return LlmAnalysisProvider(BedrockConverseClient(client, model_id), vocabulary, **kw)


def openai_provider(
    http: httpx.Client,
    *,
    base_url: str,
    model: str,
    api_key: str | None,
    vocabulary: Vocabulary,
    **kw: Any,
) -> LlmAnalysisProvider:
    """The provider over an OpenAI-compatible /chat/completions server."""
    from frontline.adapters.openai_compat import OpenAiChatClient

    client = OpenAiChatClient(http, base_url=base_url, model=model, api_key=api_key)
    return LlmAnalysisProvider(client, vocabulary, **kw)


# --- Digests: one forced tool call with any validated model ---------------------------------

DIGEST_TOOL_NAME: Final = "record_digest_overview"
DIGEST_TOOL_DESCRIPTION: Final = (
    "Record the Japanese overview of the period's AI news. 期間のAIニュースの概況を記録する。"
)
DIGEST_MAX_OUTPUT_TOKENS: Final = 1200
DIGEST_SUMMARY_MAX_CHARS: Final = 300
_DIGEST_DELIMITER = re.compile(r"<(\s*/?\s*)(digest_data|article)\b", re.IGNORECASE)


def _defused(text: str) -> str:
    """One line of article data with the digest's delimiters defused."""
    return _DIGEST_DELIMITER.sub(lambda m: "＜" + m.group(1) + m.group(2), _one_line(text))


def _plain_schema(model: type[DigestOverview]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    schema["properties"]["highlights"]["items"]["maxLength"] = 200
    schema["properties"]["highlights"]["minItems"] = 1
    return schema


def digest_prompt(request: DigestRequest) -> Prompt:
    """The system and user prompts for one digest: the selected articles as delimited data."""
    daily = request.kind is DigestKind.DAILY
    context: dict[str, Any] = {
        "tool_name": DIGEST_TOOL_NAME,
        "report_name": "AI日報" if daily else "週報",
        "period_noun": "1日" if daily else "1週間",
        "overview_focus": "その日の主な動きと全体の流れ"
        if daily
        else "その週を貫くテーマと流れ、前の動きとのつながり",
        "highlights_focus": "その日の注目点" if daily else "その週の主なテーマ",
        "min_highlights": request.min_highlights,
    }
    env = _prompt_environment()
    system = env.get_template("digest_system.j2").render(**context)
    user = env.get_template("digest_user.j2").render(
        **context,
        label=request.label,
        article_count=request.article_count,
        articles=request.articles,
        sections=[
            {
                "label": CATEGORY_LABELS[category],
                "articles": [
                    {
                        "title": _defused(article.analysis.title_ja),
                        "source": _defused(article.item.source_name),
                        "published": f"{article.published.astimezone(JST):%Y-%m-%d %H:%M} JST",
                        "importance": article.importance,
                        "summary": _defused(
                            truncate_keeping_lead(article.analysis.tldr, DIGEST_SUMMARY_MAX_CHARS)
                        ),
                    }
                    for article in group
                ],
            }
            for category, group in request.sections
        ],
    )
    return Prompt(system=system.strip(), user=user.strip())


def _validated_reply[Validated](
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


def _generic_repair(reply: LlmReply, problems: AnalysisProblems, tool_name: str) -> RepairTurn:
    if reply.truncated:
        return RepairTurn(
            feedback="前回の回答は出力の上限に達して途中で切れた。より簡潔に書き、"
            f"{tool_name} をもう一度呼び出すこと。\nYour answer was cut off: be more concise.\n"
        )
    if reply.tool_call_id is None:
        return RepairTurn(
            feedback=f"{tool_name} ツールが呼び出されなかった。必ず {tool_name} を呼び出して"
            f"結果を返すこと。\nYou did not call {tool_name}. Answer only by calling it.\n",
            reply=reply if reply.text.strip() else None,
        )
    return RepairTurn(
        feedback=f"前回の {tool_name} の呼び出しは検証に失敗した。以下の問題をすべて修正し、"
        f"{tool_name} をもう一度呼び出すこと。\nThe previous {tool_name} call failed "
        f"validation. Fix every problem listed and call {tool_name} again.\n" + problems.feedback(),
        reply=reply,
    )


def call_tool[Validated](
    client: LlmClient,
    conversation: Conversation,
    validate: Callable[[dict[str, Any]], Validated],
    *,
    on_repair: Callable[[tuple[str, ...]], None] | None = None,
) -> tuple[Validated, Usage]:
    """One forced tool call validated by `validate`, with one repair round.

    Returns the validated value and the tokens spent; raises ProviderRetryable,
    ProviderRejected, or AnalysisInvalid (carrying the usage) when the answer is still invalid.
    """
    tool_name = conversation.tool.name
    reply = client.send(conversation)
    first = _validated_reply(reply, tool_name, validate)
    if not isinstance(first, AnalysisProblems):
        return first, reply.usage
    spent = reply.usage
    logger.info(
        "tool answer invalid, repairing",
        provider=client.provider,
        tool=tool_name,
        request_id=reply.request_id,
        problems=list(first.problems),
    )
    if on_repair is not None:
        on_repair(first.problems)
    try:
        second = client.send(replace(conversation, repair=_generic_repair(reply, first, tool_name)))
    except ProviderError as exc:
        exc.usage = spent + exc.usage
        raise
    spent += second.usage
    again = _validated_reply(second, tool_name, validate)
    if not isinstance(again, AnalysisProblems):
        return again, spent
    raise AnalysisInvalid(
        f"still invalid after the repair round: {'; '.join(again.problems)}",
        usage=spent,
        request_id=second.request_id,
    ) from again


class LlmDigestProvider:
    """An OverviewWriter over the same LlmClient the analysis uses: the digest's overview."""

    def __init__(
        self,
        client: LlmClient,
        *,
        max_output_tokens: int = DIGEST_MAX_OUTPUT_TOKENS,
        temperature: float = DEFAULT_TEMPERATURE,
        on_repair: Callable[[tuple[str, ...]], None] | None = None,
    ) -> None:
        self._client = client
        self._max_output_tokens = max_output_tokens
        self._temperature = temperature
        self._on_repair = on_repair
        self.name: str = client.provider
        self.model_id: str = client.model_id

    def request_for(self, request: DigestRequest) -> dict[str, Any]:
        """The exact first request `write` would send (nothing is sent)."""
        return self._client.payload(self._conversation(request))

    def write(self, request: DigestRequest) -> OverviewResult:
        overview, usage = call_tool(
            self._client,
            self._conversation(request),
            lambda raw: validate_overview(raw, min_highlights=request.min_highlights),
            on_repair=self._on_repair,
        )
        return OverviewResult(
            overview=overview,
            provider=self.name,
            generated_by="llm",
            model_id=self.model_id,
            usage=usage,
        )

    def _conversation(self, request: DigestRequest) -> Conversation:
        prompt = digest_prompt(request)
        return Conversation(
            system=prompt.system,
            user=prompt.user,
            tool=ToolSpec(DIGEST_TOOL_NAME, DIGEST_TOOL_DESCRIPTION, _plain_schema(DigestOverview)),
            max_tokens=self._max_output_tokens,
            temperature=self._temperature,
        )
