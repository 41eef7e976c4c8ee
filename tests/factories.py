"""Builders for domain objects in tests: realistic values, overridable per test."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from frontline.domain.models import (
    Analysis,
    Article,
    ArticleStatus,
    Category,
    Entity,
    EntityKind,
    FeedItem,
    FeedSource,
    KeyPoint,
    Provenance,
    SubScore,
    SubScores,
)
from frontline.domain.paths import article_path_for

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def make_source(**overrides: Any) -> FeedSource:
    fields: dict[str, Any] = {
        "id": "ai-wire",
        "name": "AI Wire",
        "url": "https://ai-wire.example/feed.xml",
        "site_url": "https://ai-wire.example/",
    }
    return FeedSource.model_validate(fields | overrides)


def make_item(n: int = 1, **overrides: Any) -> FeedItem:
    title = overrides.pop("title", f"Lab releases open weights model number {n}")
    fields: dict[str, Any] = {
        "id": hashlib.sha256(f"item-{n}".encode()).hexdigest()[:32],
        "feed_id": "ai-wire",
        "source_name": "AI Wire",
        "url": f"https://ai-wire.example/news/{n}",
        "title": title,
        "summary": "A research lab released a distilled model with open weights.",
        "content_html": "<p>The lab said the distilled model runs on a single GPU.</p>",
        "published": datetime(2026, 11, 20, n % 24, 0, tzinfo=UTC),
        "first_seen": NOW,
        "content_hash": hashlib.sha256(f"content-{n}-{title}".encode()).hexdigest(),
    }
    return FeedItem.model_validate(fields | overrides)


def make_analysis(**overrides: Any) -> Analysis:
    fields: dict[str, Any] = {
        "title_ja": "研究所がオープンウェイトの蒸留モデルを公開",
        "tldr": "研究所が単一GPUで動く蒸留モデルをオープンウェイトで公開した。",
        "key_points": [
            KeyPoint(title="単一GPUで動作", body="推論に必要なGPUは1基だけだという。"),
            KeyPoint(title="オープンウェイト", body="重みは商用利用可能なライセンスで配布される。"),
            KeyPoint(title="蒸留で小型化", body="大規模モデルから知識を蒸留して小型化した。"),
        ],
        "impact": "小規模な企業でも高性能なモデルを自社環境で運用しやすくなる。",
        "editorial_comment": "オープンウェイト化の流れを象徴する発表といえる。",
        "body_ja": "研究所は新しいモデルを公開した。\n\n同モデルは単一GPUで動作する。",
        "tags": ["蒸留", "オープンウェイト", "推論"],
        "entities": [Entity(name="OpenAI", kind=EntityKind.COMPANY)],
        "category": Category.RESEARCH,
        "is_ai_related": True,
        "scores": SubScores(
            depth=SubScore(score=4, reason="技術的な詳細が多い"),
            relevance=SubScore(score=5, reason="国内の開発者にも直結する"),
            practicality=SubScore(score=3, reason="試すには環境構築が必要"),
            innovation=SubScore(score=2, reason="手法自体は既知"),
        ),
    }
    return Analysis.model_validate(fields | overrides)


def make_article(n: int = 1, *, item: FeedItem | None = None, **overrides: Any) -> Article:
    item = item or make_item(n)
    fields: dict[str, Any] = {
        "id": item.id,
        "path": article_path_for(item.id, item.title, item.published),
        "item": item,
        "analysis": make_analysis(),
        "provenance": Provenance(provider="bedrock", model_id="test-model", analysed_at=NOW),
        "status": ArticleStatus.PUBLISHED,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Article.model_validate(fields | overrides)


def make_stream_record(
    event: str, old: Article | None = None, new: Article | None = None
) -> dict[str, Any]:
    """A DynamoDB stream record of an article item (NEW_AND_OLD_IMAGES, the doc only)."""
    article = new or old
    assert article is not None
    images: dict[str, Any] = {
        "Keys": {"pk": {"S": f"ARTICLE#{article.id}"}, "sk": {"S": "ARTICLE"}}
    }
    if old is not None:
        images["OldImage"] = {"doc": {"S": old.model_dump_json()}}
    if new is not None:
        images["NewImage"] = {"doc": {"S": new.model_dump_json()}}
    return {"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": images}
