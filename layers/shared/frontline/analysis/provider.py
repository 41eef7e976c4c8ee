"""The LLM providers: an article's analysis and a digest's overview, each one forced tool call.

`LlmAnalysisProvider` implements the AnalysisProvider port and `LlmDigestProvider` the
OverviewWriter port over any `LlmClient` (Bedrock Converse, OpenAI-compatible). Both go through
`call_tool`. The analysis is validated against the contract and then grounded: every number,
date, name and claim of its title, TL;DR and key points must be in the source, or the repair
round names each one that is not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from frontline.analysis.conversation import DEFAULT_TEMPERATURE, Conversation, LlmClient, ToolSpec
from frontline.analysis.prompts import (
    DEFAULT_MAX_INPUT_CHARS,
    DEFAULT_MAX_OUTPUT_TOKENS,
    DIGEST_MAX_OUTPUT_TOKENS,
    DIGEST_TOOL_DESCRIPTION,
    DIGEST_TOOL_NAME,
    TOOL_DESCRIPTION,
    TOOL_NAME,
    analysis_prompt,
    digest_prompt,
    digest_schema,
)
from frontline.analysis.tool_call import call_tool
from frontline.domain.analysis_validation import (
    AnalysisProblems,
    analysis_schema,
    validate_analysis,
)
from frontline.domain.digests import DigestRequest, OverviewResult, validate_overview
from frontline.domain.grounding import GroundingRules, check_grounding
from frontline.domain.models import Analysis, FeedItem
from frontline.domain.ports import AnalysisResult
from frontline.domain.vocabulary import Vocabulary

OnRepair = Callable[[tuple[str, ...]], None]


class LlmAnalysisProvider:
    """An AnalysisProvider backed by an LLM that answers through one forced tool call."""

    def __init__(
        self,
        client: LlmClient,
        vocabulary: Vocabulary,
        *,
        grounding: GroundingRules | None = None,
        max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS,
        max_input_chars: int = DEFAULT_MAX_INPUT_CHARS,
        temperature: float = DEFAULT_TEMPERATURE,
        on_repair: OnRepair | None = None,
    ) -> None:
        """`grounding` None skips the grounding check (the contract is still validated)."""
        if max_output_tokens < 1 or max_input_chars < 1:
            raise ValueError("max_output_tokens and max_input_chars must be positive")
        self._client = client
        self._vocabulary = vocabulary
        self._grounding = grounding
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
        """The validated, grounded Japanese analysis; at most two calls.

        Raises ProviderRetryable, ProviderRejected, AnalysisInvalid or AnalysisUngrounded
        (still wrong after the repair round); each carries the tokens spent so far.
        """
        analysis, usage, request_id = call_tool(
            self._client,
            self._conversation(item, text),
            lambda raw: self._validated(raw, item, text),
            on_repair=self._on_repair,
        )
        return AnalysisResult(
            analysis=analysis,
            provider=self.name,
            model_id=self.model_id,
            usage=usage,
            translated=True,
            request_id=request_id,
        )

    def _validated(self, raw: dict[str, Any], item: FeedItem, text: str) -> Analysis:
        analysis = validate_analysis(raw, self._vocabulary)
        if self._grounding is None:
            return analysis
        report = check_grounding(
            item.title,
            text or item.summary,
            analysis.model_dump(include={"title_ja", "tldr", "key_points"}),
            self._vocabulary,
            self._grounding,
            published=item.published,
        )
        if report.grounded:
            return analysis
        raise AnalysisProblems([p.describe() for p in report.problems], ungrounded=True)

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


class LlmDigestProvider:
    """An OverviewWriter over the same LlmClient the analysis uses: the digest's overview."""

    def __init__(
        self,
        client: LlmClient,
        *,
        max_output_tokens: int = DIGEST_MAX_OUTPUT_TOKENS,
        temperature: float = DEFAULT_TEMPERATURE,
        on_repair: OnRepair | None = None,
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
        overview, usage, request_id = call_tool(
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
            request_id=request_id,
        )

    def _conversation(self, request: DigestRequest) -> Conversation:
        prompt = digest_prompt(request)
        return Conversation(
            system=prompt.system,
            user=prompt.user,
            tool=ToolSpec(DIGEST_TOOL_NAME, DIGEST_TOOL_DESCRIPTION, digest_schema()),
            max_tokens=self._max_output_tokens,
            temperature=self._temperature,
        )
