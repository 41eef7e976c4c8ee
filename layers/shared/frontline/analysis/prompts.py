"""The prompts: the analysis and digest conversations rendered from frontline/prompts/*.j2.

The system prompt and the tool schema are the same for every article, so a provider that
caches prompt prefixes reads them from its cache; everything that varies (the article, the
glossary terms and entities it mentions, its date) goes into the user message, passed as
delimited, untrusted data.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Final

from jinja2 import Environment, PackageLoader, StrictUndefined

from frontline.domain.article_text import truncate_keeping_lead
from frontline.domain.content_policy import EXCERPT_MAX_CHARS
from frontline.domain.digests import DigestKind, DigestOverview, DigestRequest
from frontline.domain.models import CATEGORY_LABELS, ContentPolicy, FeedItem
from frontline.domain.paths import JST
from frontline.domain.vocabulary import Vocabulary

TOOL_NAME: Final = "record_analysis"
TOOL_DESCRIPTION: Final = (
    "Record the Japanese translation, summary and analysis of the article. "
    "記事の日本語訳・要約・分析を記録する。"
)
DEFAULT_MAX_OUTPUT_TOKENS: Final = 3000
DEFAULT_MAX_INPUT_CHARS: Final = 12_000
# Output tokens the fields other than body_ja take (title, TL;DR, key points, impact, comment,
# tags, entities, scores and the JSON around them); Japanese runs at about a token a character.
_TOKENS_BESIDES_BODY: Final = 1_800
_BODY_MIN_CHARS: Final = 400
MAX_ENTITY_HINTS: Final = 20


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


def analysis_system_prompt(vocabulary: Vocabulary) -> str:
    """The same for every article (the whole glossary included), so it is cached as a prefix."""
    template = _prompt_environment().get_template("analysis_system.j2")
    glossary = [{"en": term.en, "ja": term.ja} for term in vocabulary.glossary.terms]
    return template.render(tool_name=TOOL_NAME, glossary=glossary).strip()


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
    entities = vocabulary.entities.find(seen)[:MAX_ENTITY_HINTS]
    body_chars = body_budget_chars(max_output_tokens)
    policy = ContentPolicy(item.content_policy)
    published = item.published.astimezone(JST)
    when = f"{published.year}年{published.month}月{published.day}日 {published:%H:%M} (JST)"
    env = _prompt_environment()
    system = analysis_system_prompt(vocabulary)
    user = env.get_template("analysis_user.j2").render(
        tool_name=TOOL_NAME,
        full_translation=policy is ContentPolicy.FULL,
        body_max_chars=body_chars,
        excerpt_max_chars=min(EXCERPT_MAX_CHARS, body_chars),
        truncated=len(excerpt) < len(source_text),
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


def digest_schema() -> dict[str, Any]:
    """The overview tool's input schema, without pydantic's titles."""
    schema = DigestOverview.model_json_schema()
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
