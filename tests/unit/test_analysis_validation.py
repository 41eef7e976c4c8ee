"""Validating a model's answer: the contract, the Japanese fields, tidy tags and entities."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from frontline.config import load_vocabulary
from frontline.domain.analysis_validation import (
    AnalysisProblems,
    analysis_schema,
    japanese_share,
    validate_analysis,
)
from frontline.domain.models import Analysis, Category, EntityKind
from frontline.domain.ports import AnalysisInvalid

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "llm"
VOCABULARY = load_vocabulary(REPO / "config")


def answer(name: str = "answer_open_weights") -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def problems_of(raw: object) -> tuple[str, ...]:
    with pytest.raises(AnalysisProblems) as caught:
        validate_analysis(raw, VOCABULARY)
    return caught.value.problems


# --- A good answer --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["answer_open_weights", "answer_chip_rules"])
def test_the_fixture_answers_validate(name: str) -> None:
    analysis = validate_analysis(answer(name), VOCABULARY)

    assert isinstance(analysis, Analysis)
    assert analysis.is_ai_related


def test_tags_are_cleaned_and_deduplicated() -> None:
    # Given the fixture's tags: "#Mistral AI" and "オープンウェイト" twice
    analysis = validate_analysis(answer(), VOCABULARY)

    assert analysis.tags == ("オープンウェイト", "推論モデル", "Mistral AI", "蒸留", "ベンチマーク")


def test_entities_take_their_canonical_name_and_kind() -> None:
    analysis = validate_analysis(answer(), VOCABULARY)

    names = {entity.name: entity.kind for entity in analysis.entities}
    assert names["Mistral AI"] is EntityKind.COMPANY  # was "Mistral"
    assert names["NVIDIA"] is EntityKind.COMPANY  # was "Nvidia"
    assert names["Arthur Mensch"] is EntityKind.PERSON  # unknown: whitespace normalised
    assert names["Magistral Small 2"] is EntityKind.PRODUCT


def test_entities_naming_the_same_record_are_kept_once() -> None:
    raw = answer()
    raw["entities"] = [
        {"name": "Google DeepMind", "kind": "company"},
        {"name": "DeepMind", "kind": "company"},
        {"name": "google deepmind", "kind": "product"},
    ]

    analysis = validate_analysis(raw, VOCABULARY)

    assert [entity.name for entity in analysis.entities] == ["Google DeepMind"]


def test_control_characters_are_removed_and_paragraphs_kept() -> None:
    raw = answer()
    raw["title_ja"] = "Mistral AI\x00、推論\u202eモデルを\x1b公開\n"
    raw["body_ja"] = "第1段落だ。\r\n\r\n\r\n\r\n第2段落\tである。"

    analysis = validate_analysis(raw, VOCABULARY)

    assert analysis.title_ja == "Mistral AI、推論モデルを公開"
    assert analysis.body_ja == "第1段落だ。\n\n第2段落 である。"


def test_html_in_model_text_is_kept_as_text() -> None:
    # The site escapes on output; text is never rejected for looking like markup.
    raw = answer()
    raw["title_ja"] = "<script>alert(1)</script>Mistral AIが新モデルを公開"

    analysis = validate_analysis(raw, VOCABULARY)

    assert analysis.title_ja.startswith("<script>")


def test_keys_outside_the_contract_are_dropped() -> None:
    raw = answer()
    raw["importance"] = 5
    raw["scores"]["depth"]["weight"] = 0.4

    analysis = validate_analysis(raw, VOCABULARY)

    assert analysis.scores.depth.score == 4


def test_nested_values_sent_as_json_strings_are_decoded() -> None:
    raw = answer()
    raw["key_points"] = json.dumps(raw["key_points"], ensure_ascii=False)
    raw["tags"] = json.dumps(raw["tags"], ensure_ascii=False)

    analysis = validate_analysis(json.dumps(raw, ensure_ascii=False), VOCABULARY)

    assert len(analysis.key_points) == 4
    assert analysis.category is Category.TOOL


# --- Problems -------------------------------------------------------------------------------


def test_a_missing_field_is_named() -> None:
    raw = answer()
    del raw["impact"]

    assert problems_of(raw) == ("impact: required field is missing",)


def test_a_score_of_seven_is_rejected() -> None:
    raw = answer()
    raw["scores"]["relevance"]["score"] = 7

    assert problems_of(raw) == ("scores.relevance.score: Input should be less than or equal to 5",)


def test_english_where_japanese_is_due_is_named_field_by_field() -> None:
    raw = answer()
    raw["title_ja"] = "Mistral AI releases an open-weight reasoning model"
    raw["key_points"][1]["body"] = "The model scored 71.2% on AIME 2025, up from 62.8%."

    problems = problems_of(raw)

    assert problems == (
        "title_ja: must be written in Japanese (names may stay in Latin script)",
        "key_points[1].body: must be written in Japanese (names may stay in Latin script)",
    )


def test_every_problem_is_reported_at_once() -> None:
    raw = answer()
    del raw["tldr"]
    raw["category"] = "gossip"
    raw["key_points"] = raw["key_points"][:2]
    raw["tags"] = ["#", "  ", "AI"]

    problems = problems_of(raw)

    assert "tldr: required field is missing" in problems
    assert any(problem.startswith("category: Input should be") for problem in problems)
    assert any(
        problem.startswith("key_points: Array should have at least 3 items") for problem in problems
    )
    assert "tags: 3 to 6 distinct non-empty tags are needed, got 1" in problems
    assert len([problem for problem in problems if problem.startswith("tags")]) == 1


def test_too_many_or_too_long_tags_are_problems() -> None:
    raw = answer()
    raw["tags"] = ["生成AI", "推論", "蒸留", "GPU", "OpenAI", "Mistral AI", "ベンチマーク"]
    assert problems_of(raw) == ("tags: 3 to 6 distinct non-empty tags are needed, got 7",)

    raw["tags"] = ["生成AI", "推論", "蒸留", "あ" * 31]
    assert problems_of(raw) == ("tags[3]: at most 30 characters (a short tag)",)


def test_a_non_object_is_a_problem() -> None:
    assert problems_of(["not", "an", "object"]) == ("(root): expected a JSON object, got list",)
    assert problems_of("not json") == ("(root): expected a JSON object, got str",)


def test_problems_are_an_analysis_invalid_with_feedback_lines() -> None:
    raw = answer()
    del raw["impact"]
    raw["scores"]["depth"]["score"] = 0

    with pytest.raises(AnalysisInvalid) as caught:
        validate_analysis(raw, VOCABULARY)

    assert isinstance(caught.value, AnalysisProblems)
    assert caught.value.feedback().splitlines() == [
        "- impact: required field is missing",
        "- scores.depth.score: Input should be greater than or equal to 1",
    ]


def test_japanese_can_be_left_unchecked() -> None:
    raw = answer()
    raw["tldr"] = "An English summary."

    analysis = validate_analysis(raw, VOCABULARY, require_japanese=False)

    assert analysis.tldr == "An English summary."


# --- The Japanese measure -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "OpenAIがGPT-5を発表",
        "MicrosoftとNVIDIAがOpenAIに出資",
        "Claude 4.5 Sonnetの実力",
        "Apache 2.0ライセンスで公開した。Hugging Faceから入手できる。",
        "「Developers want models they can run」とMensch氏は述べ、開発者が自社の環境で動かし、"
        "検証し、調整できるモデルを求めていると強調した。",
    ],
)
def test_japanese_with_latin_names_is_japanese(text: str) -> None:
    raw = answer()
    raw["tldr"] = text

    assert validate_analysis(raw, VOCABULARY).tldr == text


@pytest.mark.parametrize(
    "text",
    [
        "OpenAI releases GPT-5 to developers",
        "OpenAI Releases GPT-5 With New Reasoning Mode",
        "The model, called 蒸留 in Japan, is fast and cheap to run.",
        "GPT-5",
    ],
)
def test_english_and_bare_names_are_not_japanese(text: str) -> None:
    raw = answer()
    raw["tldr"] = text

    assert problems_of(raw) == (
        "tldr: must be written in Japanese (names may stay in Latin script)",
    )


def test_a_key_point_may_be_headed_by_a_name_alone() -> None:
    raw = answer()
    raw["key_points"][0]["title"] = "NVIDIA H100"
    raw["key_points"][1]["title"] = "Better at math"

    assert problems_of(raw) == (
        "key_points[1].title: must be written in Japanese (names may stay in Latin script)",
    )


def test_japanese_share_counts_only_ordinary_english_words() -> None:
    assert japanese_share("OpenAIがGPT-5を発表") == 1.0
    assert japanese_share("OpenAI releases GPT-5") == 0.0
    assert japanese_share("") == 0.0


# --- The schema -----------------------------------------------------------------------------


def _walk(node: object) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for key, child in node.items():
            if key == "properties":
                for prop in child.values():
                    found.extend(_walk(prop))
            else:
                found.extend(_walk(child))
    elif isinstance(node, list):
        for child in node:
            found.extend(_walk(child))
    return found


def test_the_schema_is_self_contained_and_without_titles() -> None:
    schema = analysis_schema()

    nodes = _walk(schema)
    assert not any("$ref" in node or "$defs" in node or "title" in node for node in nodes)
    assert "title_ja" in schema["properties"]  # a field named title is not a keyword


def test_the_schema_keeps_descriptions_enums_and_bounds() -> None:
    schema = analysis_schema()
    properties = schema["properties"]

    assert properties["category"]["enum"] == [category.value for category in Category]
    assert properties["entities"]["items"]["properties"]["kind"]["enum"] == [
        "company",
        "product",
        "person",
    ]
    depth = properties["scores"]["properties"]["depth"]
    assert depth["description"] == "深度: 内容の掘り下げ (重み40%)"
    assert depth["properties"]["score"] == {"maximum": 5, "minimum": 1, "type": "integer"}
    assert (properties["key_points"]["minItems"], properties["key_points"]["maxItems"]) == (3, 5)
    assert properties["tags"]["items"]["maxLength"] == 30
    assert "importance" not in properties
    assert set(schema["required"]) == set(properties) - {"entities"}


def test_the_schema_is_a_fresh_copy_each_time() -> None:
    schema = analysis_schema()
    schema["properties"].clear()

    assert analysis_schema()["properties"]


def test_the_fixture_answers_keep_the_schema_bounds() -> None:
    raw = copy.deepcopy(answer())
    schema = analysis_schema()

    assert set(raw) <= set(schema["properties"])


def test_each_over_long_text_is_named_with_its_limit() -> None:
    raw = answer()
    raw["title_ja"] = "見出し" * 21
    raw["key_points"][1]["body"] = "説明" * 51
    raw["scores"]["innovation"]["reason"] = "根拠" * 21

    with pytest.raises(AnalysisProblems) as caught:
        validate_analysis(raw, VOCABULARY)

    assert caught.value.problems == (
        "title_ja: at most 60 characters, got 63: shorten it",
        "key_points[1].body: at most 70 characters, got 102: shorten it",
        "scores.innovation.reason: at most 40 characters, got 42: shorten it",
    )


def test_texts_at_their_limits_pass() -> None:
    raw = answer()
    raw["title_ja"] = "見出し" * 20
    raw["editorial_comment"] = "論評だ。" * 30
    raw["key_points"][0]["title"] = "見" * 25

    analysis = validate_analysis(raw, VOCABULARY)

    assert (len(analysis.title_ja), len(analysis.editorial_comment)) == (60, 120)
