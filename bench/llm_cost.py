"""Estimated prompt size and cost per article, for the project's fixture articles.

The articles: every entry of the demo feeds (infra/local/feeds/*, parsed with
`parse_feed` against the demo catalogue) and tests/fixtures/llm/article_open_weights.json.
For each, `LlmAnalysisProvider.request_for(item, text)` builds the exact Bedrock Converse
request; its input is the system prompt, the user message and the tool's JSON schema.

No tokenizer is available offline, so tokens are ESTIMATED: one token per CJK character
(kana, kanji, full-width punctuation) and one per 4 other characters (ASCII / Latin text and
JSON). Output tokens are estimated the same way from the fixture answers
(tests/fixtures/llm/answer_*.json, serialised as the tool call's JSON).

The request is split as the cache sees it: the cached prefix (the tool schema and the system
prompt with the whole glossary, the same for every article, before the cache point) and the
uncached user message (the article). Costs use config/prices.yaml (Claude Haiku 4.5 through
the global profile; Amazon Nova Lite) with `hit_rate` of the calls reading the prefix from the
cache and the rest writing it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO)]

HAIKU = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
NOVA_LITE = "apac.amazon.nova-lite-v1:0"
# Share of calls that read the prefix from the cache, modelled over a day of polls. A poll
# queues its new items at once; the item queue hands them to analyze_item in batches of
# ANALYZE_BATCH, up to ANALYZE_CONCURRENCY batches at once (template.yaml's BatchSize and
# AnalyzeMaxConcurrency defaults; its 10-second batching window fills the batches), and a
# batch analyses its items one after another. Each
# batch that starts before the first call has written the 5-minute cache writes it too; every
# later call in the burst reads it; the next hourly poll finds the cache expired. The day
# (BURSTS: items per poll, polls a day): the arXiv lists publish once a day, so one poll takes
# their 3 × max_items 30 entries at once; news sites and blogs spread about 115 items a day
# over the other 23 hourly polls (an assumption: about 5 a poll).
ANALYZE_BATCH = 5
ANALYZE_CONCURRENCY = 5
BURSTS = ((90, 1), (5, 23))


# With the 1-hour cache (Claude Haiku 4.5 in config/prices.yaml) a read refreshes the entry,
# so the next hourly poll finds it still cached: the prefix is written again only after an
# hour without a new item. COLD_STARTS_PER_DAY assumes two such quiet hours a day (a night
# hour, a weekend lull); each cold start writes from up to ANALYZE_CONCURRENCY batches.
COLD_STARTS_PER_DAY = 2


def burst_writes(items: int) -> int:
    return min(math.ceil(items / ANALYZE_BATCH), ANALYZE_CONCURRENCY)


def hit_rate(cache_ttl: str) -> float:
    """The share of calls that read the prefix from the cache, over the day of BURSTS."""
    calls = sum(items * polls for items, polls in BURSTS)
    if cache_ttl == "1h":
        writes = COLD_STARTS_PER_DAY * ANALYZE_CONCURRENCY
    else:  # every burst finds the 5-minute cache expired
        writes = sum(burst_writes(items) * polls for items, polls in BURSTS)
    return 1 - writes / calls


GOAL_USD = 0.005
# The shortest prefix a cache point caches (Bedrock's prompt-caching page): below it the call
# is billed at the plain input price with no error.
CACHE_FLOOR = {HAIKU: 4096, NOVA_LITE: 1000}
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


def output_parts(answer: dict[str, Any]) -> dict[str, int]:
    """Estimated tokens of each field of one answer, as written in the tool call's JSON."""

    def written(key: str, value: object) -> int:
        return estimated_tokens(f'"{key}": ' + json.dumps(value, ensure_ascii=False) + ", ")

    parts = {key: written(key, value) for key, value in answer.items()}
    points = answer["key_points"]
    parts["key_point_titles"] = sum(estimated_tokens(point["title"]) for point in points)
    parts["key_point_bodies"] = sum(estimated_tokens(point["body"]) for point in points)
    reasons = [score["reason"] for score in answer["scores"].values()]
    parts["score_reasons"] = sum(estimated_tokens(reason) for reason in reasons)
    return parts


def price_of(
    price: Any, *, plain: float, output: float, reads: float = 0.0, writes: float = 0.0
) -> float:
    return round(
        (
            plain * price.input_per_million_usd
            + output * price.output_per_million_usd
            + reads * (price.cache_read_per_million_usd or 0.0)
            + writes * (price.cache_write_per_million_usd or 0.0)
        )
        / 1e6,
        6,
    )


def main() -> dict[str, Any]:
    from frontline.analysis.prompts import analysis_system_prompt
    from frontline.bootstrap import bedrock_provider
    from frontline.config import load_prices, load_vocabulary
    from frontline.domain.vocabulary import Glossary

    vocabulary = load_vocabulary(REPO / "config")
    prices = load_prices(REPO / "config")
    ttl = prices[HAIKU].prompt_cache_ttl
    provider = bedrock_provider(None, HAIKU, vocabulary, cache_ttl=ttl)  # type: ignore[arg-type]
    statics, users, systems, schemas, texts, matched = [], [], [], [], [], []
    for item, text in fixture_articles():
        request = provider.request_for(item, text)
        system = "".join(part.get("text", "") for part in request["system"])
        user = "".join(
            part.get("text", "") for message in request["messages"] for part in message["content"]
        )
        schema = estimated_tokens(json.dumps(request["toolConfig"], ensure_ascii=False))
        systems.append(estimated_tokens(system))
        schemas.append(schema)
        statics.append(estimated_tokens(system) + schema)
        users.append(estimated_tokens(user))
        texts.append(estimated_tokens(user.split("<text>", 1)[1]))
        # The alternative to the cache: the system prompt holding only the terms this
        # article mentions, sent uncached every time.
        terms = vocabulary.glossary.find_terms(f"{item.title}\n{text}")
        only_matched = dataclasses.replace(vocabulary, glossary=Glossary(terms=tuple(terms)))
        matched.append(estimated_tokens(analysis_system_prompt(only_matched)) + schema)
    glossary = estimated_tokens(system.split("# 用語集", 1)[1])
    answers = [json.loads(path.read_text(encoding="utf-8")) for path in FIXTURES.glob("answer_*")]
    outputs = [estimated_tokens(json.dumps(answer, ensure_ascii=False)) for answer in answers]
    parts = [output_parts(answer) for answer in answers]
    cached = round(statistics.mean(statics))
    uncached = round(statistics.mean(users))
    tokens_out = round(statistics.mean(outputs))
    prefix_matched = round(statistics.mean(matched))

    def cost(model: str, hit: float | None = None, price: Any = None) -> float:
        price = price or prices[model]
        hit_rate_ = hit_rate(price.cache_ttl) if hit is None else hit
        if price.cache_read_per_million_usd is None or cached < CACHE_FLOOR.get(model, 0):
            return price_of(price, plain=uncached + cached, output=tokens_out)
        writes = (1 - hit_rate_) * cached
        return price_of(
            price, plain=uncached, output=tokens_out, reads=hit_rate_ * cached, writes=writes
        )

    haiku = prices[HAIKU]
    five_minutes = haiku.model_copy(  # the 5-minute cache: writes at 1.25× the input price
        update={
            "cache_ttl": "5m",
            "cache_write_per_million_usd": 1.25 * haiku.input_per_million_usd,
        }
    )

    # The hit rate at which Haiku 4.5 costs exactly the goal: cost falls linearly with it.
    never, always = cost(HAIKU, 0.0), cost(HAIKU, 1.0)
    goal_hit_rate = round((never - GOAL_USD) / (never - always), 3)

    uncached_matched = price_of(prices[HAIKU], plain=uncached + prefix_matched, output=tokens_out)
    return {
        "llm_input_tokens_per_article": uncached,
        "llm_cached_tokens_per_article": cached,
        "llm_output_tokens_per_article": tokens_out,
        "llm_cache_ttl_haiku45": haiku.cache_ttl,
        "llm_cache_hit_rate": round(hit_rate(haiku.cache_ttl), 3),
        "llm_cost_per_article_haiku45_usd": cost(HAIKU),
        "llm_cost_per_article_haiku45_at_90pct_hit_usd": cost(HAIKU, 0.9),
        "llm_cache_hit_rate_5m": round(hit_rate("5m"), 3),
        "llm_cost_per_article_haiku45_5m_cache_usd": cost(HAIKU, price=five_minutes),
        "llm_goal_min_cache_hit_rate": goal_hit_rate,
        "llm_cost_per_article_haiku45_uncached_matched_terms_usd": uncached_matched,
        "llm_cost_per_article_nova_lite_usd": cost(NOVA_LITE),
        "llm_prompt_system_tokens": round(statistics.mean(systems)) - glossary,
        "llm_prompt_glossary_tokens": glossary,
        "llm_prompt_tool_schema_tokens": round(statistics.mean(schemas)),
        "llm_prompt_matched_terms_prefix_tokens": prefix_matched,
        "llm_input_tokens_article_text": round(statistics.mean(texts)),
        "llm_input_tokens_user_instructions": uncached - round(statistics.mean(texts)),
        **{
            f"llm_output_tokens_{name}": round(statistics.mean(part[name] for part in parts))
            for name in parts[0]
        },
        "llm_fixture_articles": len(users),
        "llm_input_tokens_max": max(users) + max(statics),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
