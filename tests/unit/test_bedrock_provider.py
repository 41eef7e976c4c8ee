"""The Bedrock provider through botocore's Stubber, which checks requests against the API model."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import ANY, Stubber

from frontline.analysis.prompts import TOOL_NAME
from frontline.analysis.provider import LlmAnalysisProvider
from frontline.bootstrap import bedrock_provider
from frontline.config import load_vocabulary
from frontline.domain.analysis_validation import analysis_schema
from frontline.domain.models import Analysis, FeedItem
from frontline.domain.ports import (
    AnalysisInvalid,
    AnalysisProvider,
    ProviderRejected,
    ProviderRetryable,
    Usage,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "llm"
VOCABULARY = load_vocabulary(REPO / "config")
HAIKU = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
NOVA = "apac.amazon.nova-lite-v1:0"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


ARTICLE = fixture("article_open_weights")
ITEM = FeedItem.model_validate(ARTICLE["item"])
TEXT: str = ARTICLE["text"]


def good_answer() -> dict[str, Any]:
    return fixture("answer_open_weights")


def tool_response(
    tool_input: dict[str, Any] | None,
    *,
    usage: tuple[int, int] = (4200, 1500),
    stop: str = "tool_use",
    text: str | None = None,
    tool_use_id: str = "tooluse_a1",
) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if text is not None:
        content.append({"text": text})
    if tool_input is not None:
        content.append(
            {"toolUse": {"toolUseId": tool_use_id, "name": TOOL_NAME, "input": tool_input}}
        )
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": usage[0], "outputTokens": usage[1], "totalTokens": sum(usage)},
        "metrics": {"latencyMs": 2400},
    }


@pytest.fixture
def runtime(aws_env: None) -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("bedrock-runtime", region_name="ap-northeast-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def provider(runtime: tuple[Any, Stubber]) -> LlmAnalysisProvider:
    return bedrock_provider(runtime[0], HAIKU, VOCABULARY)


@pytest.fixture
def stubber(runtime: tuple[Any, Stubber]) -> Stubber:
    return runtime[1]


# --- A good answer --------------------------------------------------------------------------


def test_a_realistic_answer_becomes_a_valid_analysis(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    # Given the exact Converse request the provider must send
    expected = {
        "modelId": HAIKU,
        "system": [{"text": ANY}],
        "messages": [{"role": "user", "content": [{"text": ANY}]}],
        "inferenceConfig": {"maxTokens": 3000, "temperature": 0.2},
        "toolConfig": {
            "tools": [
                {
                    "toolSpec": {
                        "name": "record_analysis",
                        "description": ANY,
                        "inputSchema": {"json": analysis_schema()},
                    }
                }
            ],
            "toolChoice": {"tool": {"name": "record_analysis"}},
        },
    }
    stubber.add_response("converse", tool_response(good_answer()), expected)

    # When
    result = provider.analyse(ITEM, TEXT)

    # Then
    assert isinstance(result.analysis, Analysis)
    assert result.analysis.title_ja.startswith("Mistral AI、単一GPUで動く推論モデル")
    assert result.analysis.scores.importance == 4  # 0.4·4 + 0.3·4 + 0.2·4 + 0.1·3 = 3.9
    assert "Mistral AI" in result.analysis.tags
    assert (result.provider, result.model_id, result.translated) == ("bedrock", HAIKU, True)
    assert result.usage == Usage(4200, 1500)


def test_the_provider_keeps_the_port(provider: LlmAnalysisProvider) -> None:
    port: AnalysisProvider = provider

    assert port.name == "bedrock"
    assert provider.model_id == HAIKU


def test_the_request_carries_the_prompt_and_the_schema(provider: LlmAnalysisProvider) -> None:
    request = provider.request_for(ITEM, TEXT)

    json.dumps(request)  # JSON-able, for --dry-run
    assert request["modelId"] == HAIKU
    assert request["inferenceConfig"] == {"maxTokens": 3000, "temperature": 0.2}
    assert request["toolConfig"]["toolChoice"] == {"tool": {"name": "record_analysis"}}
    schema = request["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]
    assert "$ref" not in json.dumps(schema)
    assert "「だ・である」調" in request["system"][0]["text"]
    user = request["messages"][0]["content"][0]["text"]
    assert "<article_data>" in user
    assert ITEM.title in user


def test_the_dry_run_request_is_what_analyse_sends(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    request = provider.request_for(ITEM, TEXT)
    stubber.add_response("converse", tool_response(good_answer()), request)

    provider.analyse(ITEM, TEXT)


def test_the_request_sizes_the_answer_to_the_page(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    request = provider.request_for(ITEM, TEXT)
    schema = request["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]
    fields = schema["properties"]
    points = fields["key_points"]["items"]["properties"]
    reasons = {
        axis["properties"]["reason"]["maxLength"]
        for axis in fields["scores"]["properties"].values()
    }
    user = request["messages"][0]["content"][0]["text"]
    stubber.add_response("converse", tool_response(good_answer()), request)

    provider.analyse(ITEM, TEXT)  # the Stubber checks the request against the Converse model

    assert {name: fields[name].get("maxLength") for name in ("title_ja", "tldr", "impact")} == {
        "title_ja": 60,
        "tldr": 120,
        "impact": 160,
    }
    assert fields["editorial_comment"]["maxLength"] == 120
    assert (points["title"]["maxLength"], points["body"]["maxLength"], reasons) == (25, 70, {40})
    assert fields["body_ja"]["maxLength"] == 20_000  # its length is set per article, below
    assert "冒頭のリード（最初の1〜2文）だけを150字以内で翻訳する" in user
    assert "ツールを呼び出して結果を返して" not in user  # said once, in the cached system prompt


def test_an_over_long_answer_is_repaired_field_by_field(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    long = good_answer()
    long["tldr"] = "仏Mistral AIは推論モデルを公開した。" * 8
    long["scores"]["depth"]["reason"] = "数値、学習手法、価格まで具体的に説明しており、" * 3
    stubber.add_response("converse", tool_response(long))
    stubber.add_response(
        "converse",
        tool_response(good_answer(), tool_use_id="tooluse_b2"),
        expect_repair_with(f"tldr: at most 120 characters, got {len(long['tldr'])}"),
    )

    result = provider.analyse(ITEM, TEXT)

    assert result.analysis.tldr == good_answer()["tldr"]


def test_nova_gets_the_same_request_shape(runtime: tuple[Any, Stubber]) -> None:
    client, stubber = runtime
    nova = bedrock_provider(client, NOVA, VOCABULARY, max_output_tokens=2500)
    request = nova.request_for(ITEM, TEXT)
    assert request["inferenceConfig"]["maxTokens"] == 2500
    stubber.add_response("converse", tool_response(good_answer(), usage=(3900, 1700)), request)

    result = nova.analyse(ITEM, TEXT)

    assert (result.model_id, result.usage) == (NOVA, Usage(3900, 1700))


def test_text_outside_the_tool_call_is_ignored(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    answer = tool_response(good_answer(), text="以下が分析結果です。")
    stubber.add_response("converse", answer)

    result = provider.analyse(ITEM, TEXT)

    assert result.analysis.tldr.startswith("仏Mistral AIは")


# --- The repair round -----------------------------------------------------------------------


def expect_repair_with(problem: str, tool_use_id: str = "tooluse_a1") -> dict[str, Any]:
    """Converse parameters of a repair round that replays the call and lists `problem`."""

    class _Mentions:
        def __eq__(self, other: object) -> bool:
            return isinstance(other, str) and problem in other and TOOL_NAME in other

    return {
        "modelId": HAIKU,
        "system": ANY,
        "messages": [
            {"role": "user", "content": [{"text": ANY}]},
            {"role": "assistant", "content": [{"toolUse": ANY}]},
            {
                "role": "user",
                "content": [
                    {"toolResult": {"toolUseId": tool_use_id, "content": [{"text": _Mentions()}]}}
                ],
            },
        ],
        "inferenceConfig": ANY,
        "toolConfig": ANY,
    }


def test_a_missing_field_is_repaired(runtime: tuple[Any, Stubber]) -> None:
    client, stubber = runtime
    broken = good_answer()
    del broken["impact"]
    stubber.add_response("converse", tool_response(broken, usage=(4200, 1400)))
    stubber.add_response(
        "converse",
        tool_response(good_answer(), usage=(5800, 1500), tool_use_id="tooluse_b2"),
        expect_repair_with("impact: required field is missing"),
    )
    repairs: list[tuple[str, ...]] = []
    provider = bedrock_provider(client, HAIKU, VOCABULARY, on_repair=repairs.append)

    result = provider.analyse(ITEM, TEXT)

    assert result.analysis.impact.startswith("単一GPUで動く")
    assert result.usage == Usage(4200 + 5800, 1400 + 1500)
    assert repairs == [("impact: required field is missing",)]


def test_english_where_japanese_is_due_is_repaired(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    english = good_answer()
    english["tldr"] = (
        "Mistral AI released Magistral Small 2, an open-weight reasoning model that runs on a "
        "single GPU."
    )
    stubber.add_response("converse", tool_response(english))
    stubber.add_response(
        "converse",
        tool_response(good_answer()),
        expect_repair_with("tldr: must be written in Japanese"),
    )

    result = provider.analyse(ITEM, TEXT)

    assert result.analysis.tldr.startswith("仏Mistral AIは")


def test_a_score_of_seven_is_repaired(provider: LlmAnalysisProvider, stubber: Stubber) -> None:
    seven = good_answer()
    seven["scores"]["depth"]["score"] = 7
    stubber.add_response("converse", tool_response(seven))
    stubber.add_response(
        "converse",
        tool_response(good_answer()),
        expect_repair_with("scores.depth.score: Input should be less than or equal to 5"),
    )

    result = provider.analyse(ITEM, TEXT)

    assert result.analysis.scores.depth.score == 4


def test_still_invalid_after_the_repair_is_analysis_invalid_with_all_usage(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    seven = good_answer()
    seven["scores"]["innovation"]["score"] = 7
    stubber.add_response("converse", tool_response(seven, usage=(4000, 1300)))
    stubber.add_response(
        "converse",
        {**tool_response(seven, usage=(5500, 1350)), "ResponseMetadata": {"RequestId": "req-2"}},
    )

    with pytest.raises(AnalysisInvalid) as caught:
        provider.analyse(ITEM, TEXT)

    assert caught.value.usage == Usage(9500, 2650)
    assert "scores.innovation.score" in caught.value.reason
    assert "still invalid after the repair round" in caught.value.reason


def test_a_cut_off_answer_is_asked_again_more_concisely(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    # Given a tool call cut off at maxTokens: Bedrock returns what was written, incomplete
    partial = {key: good_answer()[key] for key in ("title_ja", "tldr", "key_points")}
    stubber.add_response("converse", tool_response(partial, usage=(4200, 3000), stop="max_tokens"))

    class _AsksForBrevity:
        def __eq__(self, other: object) -> bool:
            return isinstance(other, str) and "3000トークン" in other and "簡潔" in other

    # Then the broken call is not replayed: the request is restated with a note
    restated = {
        "modelId": HAIKU,
        "system": ANY,
        "messages": [{"role": "user", "content": [{"text": ANY}, {"text": _AsksForBrevity()}]}],
        "inferenceConfig": {"maxTokens": 3000, "temperature": 0.2},
        "toolConfig": ANY,
    }
    stubber.add_response("converse", tool_response(good_answer(), usage=(4300, 2100)), restated)

    result = provider.analyse(ITEM, TEXT)

    assert result.usage == Usage(8500, 5100)


def test_cut_off_twice_is_analysis_invalid(provider: LlmAnalysisProvider, stubber: Stubber) -> None:
    stubber.add_response("converse", tool_response({}, usage=(4200, 3000), stop="max_tokens"))
    stubber.add_response("converse", tool_response(None, usage=(4300, 3000), stop="max_tokens"))

    with pytest.raises(AnalysisInvalid) as caught:
        provider.analyse(ITEM, TEXT)

    assert "cut off at the output limit" in caught.value.reason
    assert caught.value.usage == Usage(8500, 6000)


def test_an_answer_without_a_tool_call_is_repaired(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    chatty = "申し訳ありませんが、この記事の分析結果を以下にまとめます。"
    stubber.add_response("converse", tool_response(None, stop="end_turn", text=chatty))

    class _AsksForTheTool:
        def __eq__(self, other: object) -> bool:
            return isinstance(other, str) and "呼び出されなかった" in other

    replayed = {
        "modelId": HAIKU,
        "system": ANY,
        "messages": [
            {"role": "user", "content": [{"text": ANY}]},
            {"role": "assistant", "content": [{"text": chatty}]},
            {"role": "user", "content": [{"text": _AsksForTheTool()}]},
        ],
        "inferenceConfig": ANY,
        "toolConfig": ANY,
    }
    stubber.add_response("converse", tool_response(good_answer()), replayed)

    result = provider.analyse(ITEM, TEXT)

    assert result.analysis.category.value == "tool"


def test_an_empty_answer_is_restated(provider: LlmAnalysisProvider, stubber: Stubber) -> None:
    stubber.add_response("converse", tool_response(None, stop="end_turn", text=""))
    restated = {
        "modelId": HAIKU,
        "system": ANY,
        "messages": [{"role": "user", "content": [{"text": ANY}, {"text": ANY}]}],
        "inferenceConfig": ANY,
        "toolConfig": ANY,
    }
    stubber.add_response("converse", tool_response(good_answer()), restated)

    provider.analyse(ITEM, TEXT)


# --- Errors -------------------------------------------------------------------------------


def test_throttling_is_retryable_and_the_next_call_succeeds(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    stubber.add_client_error(
        "converse",
        service_error_code="ThrottlingException",
        service_message="Too many requests, please wait before trying again.",
        http_status_code=429,
        response_meta={"RequestId": "req-throttled"},
    )
    stubber.add_response("converse", tool_response(good_answer()))

    with pytest.raises(ProviderRetryable) as caught:
        provider.analyse(ITEM, TEXT)
    assert caught.value.request_id == "req-throttled"
    assert caught.value.usage == Usage()

    result = provider.analyse(ITEM, TEXT)
    assert result.usage == Usage(4200, 1500)


def test_a_validation_exception_is_rejected_with_its_request_id(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    stubber.add_client_error(
        "converse",
        service_error_code="ValidationException",
        service_message="The provided model identifier is invalid.",
        http_status_code=400,
        response_meta={"RequestId": "5e2c-request-id"},
    )

    with pytest.raises(ProviderRejected) as caught:
        provider.analyse(ITEM, TEXT)

    assert caught.value.request_id == "5e2c-request-id"
    assert "ValidationException" in caught.value.reason
    assert "model identifier is invalid" in caught.value.reason


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ServiceUnavailableException", 503, ProviderRetryable),
        ("ModelNotReadyException", 429, ProviderRetryable),
        ("ModelTimeoutException", 408, ProviderRetryable),
        ("InternalServerException", 500, ProviderRetryable),
        ("ServiceQuotaExceededException", 400, ProviderRetryable),
        ("ModelErrorException", 424, ProviderRetryable),
        ("AccessDeniedException", 403, ProviderRejected),
        ("ResourceNotFoundException", 404, ProviderRejected),
        ("SomethingNewException", 502, ProviderRetryable),
        ("SomethingElseException", 409, ProviderRejected),
    ],
)
def test_error_codes_are_translated(
    provider: LlmAnalysisProvider,
    stubber: Stubber,
    code: str,
    status: int,
    expected: type[Exception],
) -> None:
    stubber.add_client_error(
        "converse", service_error_code=code, http_status_code=status, response_meta={}
    )

    with pytest.raises(expected):
        provider.analyse(ITEM, TEXT)


def test_a_failure_during_the_repair_keeps_the_tokens_spent(
    provider: LlmAnalysisProvider, stubber: Stubber
) -> None:
    broken = good_answer()
    del broken["tags"]
    stubber.add_response("converse", tool_response(broken, usage=(4100, 1450)))
    stubber.add_client_error(
        "converse", service_error_code="ThrottlingException", http_status_code=429
    )

    with pytest.raises(ProviderRetryable) as caught:
        provider.analyse(ITEM, TEXT)

    assert caught.value.usage == Usage(4100, 1450)


class _TimingOut:
    """A client whose connection times out, as botocore reports it."""

    def converse(self, **_params: Any) -> dict[str, Any]:
        raise ReadTimeoutError(endpoint_url="https://bedrock-runtime.ap-northeast-1.amazonaws.com")


def test_a_timeout_is_retryable() -> None:
    provider = bedrock_provider(_TimingOut(), HAIKU, VOCABULARY)  # type: ignore[arg-type]

    with pytest.raises(ProviderRetryable, match="unreachable"):
        provider.analyse(ITEM, TEXT)


def test_the_schema_sent_is_not_shared_state(provider: LlmAnalysisProvider) -> None:
    first = provider.request_for(ITEM, TEXT)
    copy.deepcopy(first)["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"].clear()
    first["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"].clear()

    again = provider.request_for(ITEM, TEXT)

    assert again["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]["properties"]


# --- Prompt caching and grounding -------------------------------------------------------------


@pytest.mark.parametrize(
    ("ttl", "point"),
    [("5m", {"type": "default"}), ("1h", {"type": "default", "ttl": "1h"})],
)
def test_a_caching_model_ends_the_system_prompt_with_a_cache_point(
    runtime: tuple[Any, Stubber], ttl: str, point: dict[str, str]
) -> None:
    client, stubber = runtime
    provider = bedrock_provider(client, HAIKU, VOCABULARY, cache_ttl=ttl)
    response = tool_response(good_answer(), usage=(600, 1500))
    response["usage"] |= {"cacheReadInputTokens": 4300, "cacheWriteInputTokens": 0}
    stubber.add_response(
        "converse",
        response,
        {
            "modelId": HAIKU,
            "system": [{"text": ANY}, {"cachePoint": point}],
            "messages": [{"role": "user", "content": [{"text": ANY}]}],
            "inferenceConfig": ANY,
            "toolConfig": ANY,
        },
    )

    result = provider.analyse(ITEM, TEXT)

    assert result.usage == Usage(600, 1500, cache_read_tokens=4300)


def test_the_default_model_asks_for_the_one_hour_cache_and_prices_its_writes() -> None:
    from frontline.config import REPO_CONFIG_DIR, load_prices

    price = load_prices(REPO_CONFIG_DIR)[HAIKU]
    write = Usage(0, 0, cache_write_tokens=1_000_000)

    assert price.prompt_cache_ttl == "1h"
    assert price.cost_of(write) == pytest.approx(2 * price.input_per_million_usd)


def test_the_repair_round_keeps_the_cache_point(runtime: tuple[Any, Stubber]) -> None:
    client, stubber = runtime
    broken = good_answer()
    del broken["impact"]
    stubber.add_response("converse", tool_response(broken))
    expected = expect_repair_with("impact: required field is missing")
    expected["system"] = [{"text": ANY}, {"cachePoint": {"type": "default", "ttl": "1h"}}]
    stubber.add_response("converse", tool_response(good_answer(), tool_use_id="t2"), expected)

    result = bedrock_provider(client, HAIKU, VOCABULARY, cache_ttl="1h").analyse(ITEM, TEXT)

    assert result.analysis.impact == good_answer()["impact"]


def test_a_model_without_caching_gets_no_cache_point(provider: LlmAnalysisProvider) -> None:
    assert provider.request_for(ITEM, TEXT)["system"] == [{"text": ANY}]


def grounded_provider(client: Any) -> LlmAnalysisProvider:
    from frontline.config import REPO_CONFIG_DIR, load_grounding_rules

    rules = load_grounding_rules(REPO_CONFIG_DIR)
    return bedrock_provider(client, HAIKU, VOCABULARY, grounding=rules)


def test_an_ungrounded_name_is_named_in_the_repair_round(runtime: tuple[Any, Stubber]) -> None:
    client, stubber = runtime
    planted = good_answer()
    planted["tldr"] = planted["tldr"].replace("仏Mistral AIは", "仏Mistral AIとMetaは")
    stubber.add_response("converse", tool_response(planted, usage=(4200, 1500)))
    stubber.add_response(
        "converse",
        tool_response(good_answer(), usage=(5900, 1500), tool_use_id="tooluse_b2"),
        expect_repair_with("tldr: 固有名詞「Meta」が原文にない"),
    )

    result = grounded_provider(client).analyse(ITEM, TEXT)

    assert result.analysis.tldr == good_answer()["tldr"]
    assert result.usage == Usage(4200 + 5900, 3000)


def test_still_ungrounded_after_the_repair_is_analysis_ungrounded(
    runtime: tuple[Any, Stubber],
) -> None:
    from frontline.domain.ports import AnalysisUngrounded

    client, stubber = runtime
    planted = good_answer()
    planted["tldr"] = planted["tldr"].replace("240億", "270億")
    stubber.add_response("converse", tool_response(planted, usage=(4200, 1500)))
    stubber.add_response("converse", tool_response(planted, usage=(5900, 1500)))

    with pytest.raises(AnalysisUngrounded) as caught:
        grounded_provider(client).analyse(ITEM, TEXT)

    assert "数値「270億」が原文にない" in caught.value.reason
    assert caught.value.usage == Usage(10100, 3000)
