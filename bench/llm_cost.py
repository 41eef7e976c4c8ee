"""Estimated prompt size and cost per article, for the project's fixture articles.

The articles: every entry of the demo feeds (infra/local/feeds/*, parsed with
`parse_feed` against the demo catalogue) and tests/fixtures/llm/article_open_weights.json.
For each, `LlmAnalysisProvider.request_for(item, text)` builds the exact Bedrock Converse
request; its input is the system prompt, the user message and the tool's JSON schema.

No tokenizer is available offline, so tokens are ESTIMATED: one token per CJK character
(kana, kanji, full-width punctuation) and one per 4 other characters (ASCII / Latin text and
JSON). Output tokens are estimated the same way from the fixture answers
(tests/fixtures/llm/answer_*.json, serialised as the tool call's JSON). Costs use $1 / $5
per million input / output tokens (Claude Haiku 4.5) and $0.06 / $0.24 (Amazon Nova Lite).
"""

from __future__ import annotations

import json
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO)]

PRICES = {"haiku45": (1.00, 5.00), "nova_lite": (0.06, 0.24)}  # USD per million in / out
FEEDS = REPO / "infra" / "local" / "feeds"
FIXTURES = REPO / "tests" / "fixtures" / "llm"
CONTENT_TYPES = {".xml": "application/rss+xml", ".atom": "application/atom+xml"}


def is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3000 <= code <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
    )


def estimated_tokens(text: str) -> int:
    cjk = sum(1 for char in text if is_cjk(char))
    return cjk + round((len(text) - cjk) / 4)


def fixture_articles() -> list[tuple[Any, str]]:
    from frontline.domain.article_text import article_text_for
    from frontline.domain.feed_entries import parse_feed
    from frontline.domain.models import FeedItem
    from infra.local.demo import demo_catalogue

    sources = {source.url.rsplit("/", 1)[-1]: source for source in demo_catalogue("http://x")}
    now = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    articles: list[tuple[Any, str]] = []
    for path in sorted(FEEDS.iterdir()):
        source = sources.get(path.name)
        if source is None:
            continue
        parsed = parse_feed(
            path.read_bytes(), content_type=CONTENT_TYPES.get(path.suffix), source=source, now=now
        )
        articles += [(item, article_text_for(item)) for item in parsed.items]
    fixture = json.loads((FIXTURES / "article_open_weights.json").read_text(encoding="utf-8"))
    articles.append((FeedItem.model_validate(fixture["item"]), fixture["text"]))
    return articles


def main() -> dict[str, Any]:
    from frontline.bootstrap import bedrock_provider
    from frontline.config import load_vocabulary

    provider = bedrock_provider(None, "bench-model", load_vocabulary(REPO / "config"))  # type: ignore[arg-type]
    inputs = []
    for item, text in fixture_articles():
        request = provider.request_for(item, text)
        system = "".join(part["text"] for part in request["system"])
        user = "".join(
            part.get("text", "") for message in request["messages"] for part in message["content"]
        )
        schema = json.dumps(request["toolConfig"], ensure_ascii=False)
        inputs.append(estimated_tokens(system) + estimated_tokens(user) + estimated_tokens(schema))
    answers = [json.loads(path.read_text(encoding="utf-8")) for path in FIXTURES.glob("answer_*")]
    outputs = [estimated_tokens(json.dumps(answer, ensure_ascii=False)) for answer in answers]
    tokens_in = round(statistics.mean(inputs))
    tokens_out = round(statistics.mean(outputs))

    def cost(model: str) -> float:
        price_in, price_out = PRICES[model]
        return round((tokens_in * price_in + tokens_out * price_out) / 1e6, 6)

    return {
        "llm_input_tokens_per_article": tokens_in,
        "llm_output_tokens_per_article": tokens_out,
        "llm_cost_per_article_haiku45_usd": cost("haiku45"),
        "llm_cost_per_article_nova_lite_usd": cost("nova_lite"),
        "llm_fixture_articles": len(inputs),
        "llm_input_tokens_max": max(inputs),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
