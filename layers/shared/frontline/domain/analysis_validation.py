"""Validating a model's answer against the analysis contract, and the contract as a tool schema.

`validate_analysis` turns the raw tool input of an LLM into an `Analysis`: it tidies what can be
tidied without changing the meaning (control characters, whitespace, '#' before tags, repeated
tags and entities, entity names mapped to their canonical spelling, nested values a model sent
as JSON strings, keys the contract does not have), then validates with the pydantic model and
checks what a JSON schema cannot express: that the Japanese fields are written in Japanese.
Every problem is reported at once, one line each, in a form short enough to show the model in
the repair round.

`analysis_schema` is the contract as the JSON schema both LLM adapters send: self-contained
(no `$ref`, which Amazon Nova does not accept), without pydantic's `title` noise, with the
Japanese descriptions that tell the model what each field holds.

Model text is kept as text: HTML in an answer is not an error, the site escapes it on output.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from pydantic import ValidationError

from frontline.domain.models import Analysis, Entity, KeyPoint, SubScore, SubScores
from frontline.domain.ports import AnalysisInvalid
from frontline.domain.vocabulary import Vocabulary

MIN_TAGS: Final = 3
MAX_TAGS: Final = 6
TAG_MAX_CHARS: Final = 30
# Japanese fields must hold at least this share of Japanese characters, counted against the
# letters of ordinary English words (names such as "OpenAI" or "GPT-5" do not count against).
MIN_JAPANESE_SHARE: Final = 0.3
# The longest each text of an answer may be, in characters, by field kind: what the article
# page shows (a headline, a TL;DR of 1-2 sentences, short key points, an impact and a comment
# of a few lines, a one-line reason under each score bar) with room to spare. They go to the
# model as the schema's maxLength and are checked here; output tokens are most of an
# article's cost. The Analysis model keeps wider limits: it also holds the heuristic's English
# text and analyses stored before these limits. body_ja's length is set per article, in the
# prompt, by the source's content policy.
ANSWER_MAX_CHARS: Final[Mapping[str, int]] = {
    "title_ja": 60,
    "tldr": 120,
    "impact": 160,
    "editorial_comment": 120,
    "key_points.title": 25,
    "key_points.body": 70,  # the reference page's key points run 44-50 characters
    "scores.reason": 40,
}
# At most this many problems are listed: a model that got everything wrong needs no more.
MAX_PROBLEMS: Final = 25

# --- Problems -------------------------------------------------------------------------------


class AnalysisProblems(AnalysisInvalid):
    """The answer broke the contract; `problems` lists each as "field.path: message"."""

    def __init__(self, problems: Iterable[str], *, ungrounded: bool = False) -> None:
        listed = tuple(problems)[:MAX_PROBLEMS]
        super().__init__("the analysis failed validation: " + "; ".join(listed))
        self.problems = listed
        self.ungrounded = ungrounded  # the contract holds, but facts are not in the source

    def feedback(self) -> str:
        """The problems as a list, one per line, for the repair round."""
        return "\n".join(f"- {problem}" for problem in self.problems)


# --- The schema sent to the model -----------------------------------------------------------

# Descriptions for the fields the pydantic model leaves undescribed: the model reads them.
_EXTRA_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "title_ja": "日本語の見出し（ニュース見出しの文体、40字程度まで）",
    "tldr": "1〜2文の日本語の要約（だ・である調）",
    "key_points": "3〜5個の要点。記事の順に並べる",
    "impact": "影響分析: 日本の読者・開発者・企業にとっての意味（1〜2文）",
    "editorial_comment": "編集コメント: 編集部の視点からの短い論評（1〜2文）",
    "body_ja": "記事本文の忠実な日本語訳（指示された範囲のみ。段落は空行で区切る）",
    "tags": "3〜6個の短い日本語タグ（各30字以内、#は付けない）。企業名・製品名はラテン文字",
    "entities": "記事に登場する企業・製品・人物。正式名称をラテン文字で（例: OpenAI, Claude）",
    "category": "記事の種類",
    "is_ai_related": "AI（人工知能）に関する記事ならtrue",
    "scores": "4つの評価軸（各1〜5の整数と一文の根拠）。総合重要度はシステムが計算する",
}


@functools.cache
def _schema() -> dict[str, Any]:
    raw = Analysis.model_json_schema()
    definitions = raw.get("$defs", {})
    schema = _inlined(raw, definitions)
    if not isinstance(schema, dict):  # pragma: no cover - the model is an object
        raise TypeError("the Analysis schema is not an object")
    schema.pop("$defs", None)
    schema["description"] = "AIニュース記事の日本語分析（翻訳・要約・評価）"
    properties = schema["properties"]
    for name, description in _EXTRA_DESCRIPTIONS.items():
        properties[name]["description"] = description
    properties["tags"]["items"]["maxLength"] = TAG_MAX_CHARS
    for name in ("title_ja", "tldr", "impact", "editorial_comment"):
        properties[name]["maxLength"] = ANSWER_MAX_CHARS[name]
    point = properties["key_points"]["items"]["properties"]
    point["title"]["maxLength"] = ANSWER_MAX_CHARS["key_points.title"]
    point["body"]["maxLength"] = ANSWER_MAX_CHARS["key_points.body"]
    for axis in properties["scores"]["properties"].values():
        axis["properties"]["reason"]["maxLength"] = ANSWER_MAX_CHARS["scores.reason"]
    properties["tags"]["items"]["minLength"] = 1
    properties["entities"].pop("default", None)
    return schema


def analysis_schema() -> dict[str, Any]:
    """The Analysis contract as a self-contained JSON schema (a fresh copy: callers may edit)."""
    return copy.deepcopy(_schema())


def _inlined(node: object, definitions: Mapping[str, Any]) -> object:
    """`node` with every `$ref` to `#/$defs/...` replaced by its definition, titles dropped."""
    if isinstance(node, list):
        return [_inlined(child, definitions) for child in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    reference = node.get("$ref")
    if isinstance(reference, str):
        name = reference.removeprefix("#/$defs/")
        if name not in definitions:
            raise ValueError(f"unresolvable schema reference {reference!r}")
        target = _inlined(definitions[name], definitions)
        if isinstance(target, dict):
            result.update(target)
    for key, value in node.items():
        if key in {"$ref", "title", "$defs"}:
            continue
        if key == "properties" and isinstance(value, dict):
            # Inside `properties` the keys are field names, not keywords: "title" is a field.
            result[key] = {name: _inlined(child, definitions) for name, child in value.items()}
        else:
            result[key] = _inlined(value, definitions)
    return result


# --- Tidying the raw answer -----------------------------------------------------------------

# C0 and C1 controls except tab and newline, DEL, and the bidirectional overrides and isolates
# that can make text display in an order other than the one it is stored in.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ANY_SPACE = re.compile(r"\s+")
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TAG_MARKS: Final = "#＃"

# Fields written as paragraphs keep their line breaks; every other string is one line.
_MULTILINE_FIELDS: Final = frozenset({"body_ja", "impact", "editorial_comment"})
_TOP_LEVEL_FIELDS: Final = frozenset(Analysis.model_fields)
_NESTED_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "key_points": frozenset(KeyPoint.model_fields),
    "entities": frozenset(Entity.model_fields),
    "scores": frozenset(SubScores.model_fields),
}
_SUB_SCORE_FIELDS: Final = frozenset(SubScore.model_fields)
_STRUCTURED_FIELDS: Final = frozenset({"key_points", "tags", "entities", "scores"})


def _one_line(text: str) -> str:
    return _ANY_SPACE.sub(" ", _CONTROL.sub("", text)).strip()


def _paragraphs(text: str) -> str:
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _tidy_strings(value: object) -> object:
    """Every string one line, control characters removed, in any nesting."""
    if isinstance(value, str):
        return _one_line(value)
    if isinstance(value, list | tuple):
        return [_tidy_strings(child) for child in value]
    if isinstance(value, dict):
        return {key: _tidy_strings(child) for key, child in value.items()}
    return value


def _decoded(value: object) -> object:
    """A list or object that a model sent as a JSON string, decoded; anything else as is."""
    if isinstance(value, str) and value.strip()[:1] in {"[", "{"}:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _known_keys(value: object, keys: frozenset[str]) -> object:
    if isinstance(value, dict):
        return {key: child for key, child in value.items() if key in keys}
    return value


def _tidied(raw: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _TOP_LEVEL_FIELDS:
            continue  # "importance" and the like: computed in code, never taken from a model
        if key in _STRUCTURED_FIELDS:
            value = _decoded(value)
        if key in _MULTILINE_FIELDS and isinstance(value, str):
            data[key] = _paragraphs(value)
            continue
        value = _tidy_strings(value)
        if key in {"key_points", "entities"} and isinstance(value, list):
            value = [_known_keys(child, _NESTED_FIELDS[key]) for child in value]
        elif key == "scores" and isinstance(value, dict):
            value = {
                name: _known_keys(_decoded(child), _SUB_SCORE_FIELDS)
                for name, child in value.items()
                if name in _NESTED_FIELDS["scores"]
            }
        data[key] = value
    return data


def _cleaned_tags(tags: object, problems: list[str]) -> object:
    """Tags without '#', blanks and repeats (in any case); the count and lengths checked."""
    if not isinstance(tags, list):
        return tags  # the model reports the type
    kept: dict[str, str] = {}
    for number, tag in enumerate(tags):
        if not isinstance(tag, str):
            problems.append(f"tags[{number}]: must be a string")
            continue
        cleaned = tag.strip().lstrip(_TAG_MARKS).strip()
        if not cleaned:
            continue
        if len(cleaned) > TAG_MAX_CHARS:
            problems.append(f"tags[{number}]: at most {TAG_MAX_CHARS} characters (a short tag)")
            continue
        kept.setdefault(cleaned.casefold(), cleaned)
    if not MIN_TAGS <= len(kept) <= MAX_TAGS:
        problems.append(
            f"tags: {MIN_TAGS} to {MAX_TAGS} distinct non-empty tags are needed, got {len(kept)}"
        )
    return list(kept.values())


def _canonical_entities(entities: object, vocabulary: Vocabulary) -> object:
    """Entities under their canonical name and kind when known, each once."""
    if not isinstance(entities, list):
        return entities
    kept: dict[str, object] = {}
    for number, entity in enumerate(entities):
        if not (isinstance(entity, dict) and isinstance(entity.get("name"), str)):
            kept[f"\x00{number}"] = entity  # left for the model to report
            continue
        record = vocabulary.entities.canonical(entity["name"])
        if record is not None:
            entity = {"name": record.name, "kind": record.kind.value}
        kept.setdefault(entity["name"].casefold(), entity)
    return list(kept.values())


# --- Is it Japanese? -----------------------------------------------------------------------

# Hiragana, katakana (with the prolonged sound mark and half-width forms) and CJK ideographs.
_JAPANESE = re.compile(
    "[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uff66-\uff9f\u3005]"
)
# Ordinary English words: lower-case letters only. Names ("OpenAI", "Claude", "GPT-5",
# "llama.cpp", "iPhone") carry a capital, a digit or punctuation and are not counted.
_ENGLISH_WORD = re.compile(r"(?<![\w.\-])[a-z]{2,}(?:['’][a-z]+)?(?![\w.\-])")


def japanese_share(text: str) -> float:
    """The share of Japanese characters among Japanese characters and English-word letters.

    Counting only lower-case English words keeps Latin-script names neutral:
    「OpenAIがGPT-5を発表」 scores 1.0, "OpenAI releases GPT-5 to developers" 0.0.
    """
    japanese = len(_JAPANESE.findall(text))
    english = sum(len(word) for word in _ENGLISH_WORD.findall(text))
    if japanese + english == 0:
        return 0.0
    return japanese / (japanese + english)


def _is_japanese(text: str, *, bare_name_allowed: bool = False) -> bool:
    if bare_name_allowed and not _ENGLISH_WORD.search(text):
        return True  # a key point headed by a name alone: "GPT-5", "Claude Haiku 4.5"
    return bool(_JAPANESE.search(text)) and japanese_share(text) >= MIN_JAPANESE_SHARE


def _text_fields(data: Mapping[str, Any]) -> Iterable[tuple[str, str, object]]:
    """(path, kind, value) for every field written in Japanese; kind keys ANSWER_MAX_CHARS."""
    for name in ("title_ja", "tldr", "impact", "editorial_comment", "body_ja"):
        yield name, name, data.get(name)
    points = data.get("key_points")
    if isinstance(points, list):
        for number, point in enumerate(points):
            if isinstance(point, dict):
                yield f"key_points[{number}].title", "key_points.title", point.get("title")
                yield f"key_points[{number}].body", "key_points.body", point.get("body")
    scores = data.get("scores")
    if isinstance(scores, dict):
        for axis, score in scores.items():
            if isinstance(score, dict):
                yield f"scores.{axis}.reason", "scores.reason", score.get("reason")


def _japanese_problems(data: Mapping[str, Any]) -> list[str]:
    return [
        f"{path}: must be written in Japanese (names may stay in Latin script)"
        for path, kind, value in _text_fields(data)
        if isinstance(value, str)
        and value
        # a key point headed by a name alone will do: "GPT-5", "Claude Haiku 4.5"
        and not _is_japanese(value, bare_name_allowed=kind == "key_points.title")
    ]


def _length_problems(data: Mapping[str, Any]) -> list[str]:
    return [
        f"{path}: at most {limit} characters, got {len(value)}: shorten it"
        for path, kind, value in _text_fields(data)
        if isinstance(value, str)
        and (limit := ANSWER_MAX_CHARS.get(kind)) is not None
        and len(value) > limit
    ]


# --- Validation -----------------------------------------------------------------------------


def validate_analysis(
    raw: object, vocabulary: Vocabulary, *, require_japanese: bool = True
) -> Analysis:
    """The Analysis in a model's raw tool input; raises AnalysisProblems listing every problem.

    `raw` is the decoded tool input (a mapping); a JSON string holding one is accepted too.
    """
    raw = _decoded(raw)
    if not isinstance(raw, Mapping):
        raise AnalysisProblems([f"(root): expected a JSON object, got {type(raw).__name__}"])
    problems: list[str] = []
    data = _tidied(raw)
    if "tags" in data:
        data["tags"] = _cleaned_tags(data["tags"], problems)
    if "entities" in data:
        data["entities"] = _canonical_entities(data["entities"], vocabulary)
    if require_japanese:
        problems.extend(_japanese_problems(data))
    problems.extend(_length_problems(data))
    analysis: Analysis | None = None
    try:
        analysis = Analysis.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, skip_tag_count=_mentions_tags(problems)))
    if problems or analysis is None:
        raise AnalysisProblems(dict.fromkeys(problems))
    return analysis


def _mentions_tags(problems: Iterable[str]) -> bool:
    return any(problem.startswith("tags") for problem in problems)


def _pydantic_problems(exc: ValidationError, *, skip_tag_count: bool) -> list[str]:
    found: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        path = _path_of(error["loc"])
        if skip_tag_count and path.startswith("tags"):
            continue  # already reported, in clearer words, by the tag cleaning
        found.append(f"{path}: {_message_of(error)}")
    return found


def _path_of(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def _message_of(error: Mapping[str, Any]) -> str:
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    # The model writes JSON: its sequences are arrays, whatever Python holds them in.
    message = message.replace("Tuple should", "Array should").replace("List should", "Array should")
    kind = error.get("type", "")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "not part of the schema"
    return message
