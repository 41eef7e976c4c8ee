"""A deterministic synthetic store of analysed articles with realistic Japanese field lengths.

`synthetic_articles(10_000)` gives the same articles on every run (fixed seed): titles of
30–40 characters, a TL;DR of about 120, four key points, impact and editorial comment of
about 150 each and a body of about 1,000 characters; 200 tags, 80 companies and 30 sources,
published over 60 days and stored in hourly polls, as the fetcher does. The publishing
benches spread an archive at the pace of a real site instead (`PER_DAY`: 100,000 articles is
about eleven months), so a bigger archive is an older one, not a busier one.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta

from frontline.domain.models import (
    Analysis,
    Article,
    ArticleStatus,
    Category,
    Entity,
    EntityKind,
    FeedItem,
    FeedKind,
    KeyPoint,
    Provenance,
    SubScore,
    SubScores,
)
from frontline.domain.paths import article_path_for
from frontline.site import SiteConfig

SEED = 20261127
ARTICLES = 10_000
DAYS = 60
PER_DAY = 300  # a site's pace: about 100,000 articles a year
END = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
SITE = SiteConfig(
    title="AIニュース最前線",
    tagline="世界中のAI最新情報を日本語で毎時更新",
    base_url="https://news.example.jp",
)

_TAG_HEADS = (
    "画像", "音声", "動画", "医療", "金融", "教育", "法務", "製造", "自動運転", "ロボット",
    "検索", "翻訳", "コード", "データ", "セキュリティ", "半導体", "エッジ", "クラウド",
    "マルチモーダル", "エージェント",
)  # fmt: skip
_TAG_TAILS = ("AI", "モデル", "生成", "推論", "評価", "規制", "安全性", "基盤", "研究", "市場")
TAGS = tuple(head + tail for head in _TAG_HEADS for tail in _TAG_TAILS)  # 200

_REAL_COMPANIES = (
    "OpenAI", "Anthropic", "Google DeepMind", "Meta", "Microsoft", "NVIDIA", "Amazon", "Apple",
    "xAI", "Mistral AI", "DeepSeek", "Moonshot AI", "MiniMax", "Alibaba", "Baidu", "ByteDance",
    "Tencent", "Hugging Face", "Cohere", "Perplexity", "SoftBank", "Sakana AI",
    "Preferred Networks", "IBM", "Samsung", "Intel", "AMD", "Qualcomm", "Salesforce", "Oracle",
)  # fmt: skip
_NAME_HEADS = ("Aster", "Boreal", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Helix",
               "Iris", "Juniper")  # fmt: skip
_NAME_TAILS = ("Labs", "Robotics", "Systems", "Intelligence", "Dynamics")
COMPANIES = _REAL_COMPANIES + tuple(f"{h} {t}" for h in _NAME_HEADS for t in _NAME_TAILS)
COMPANIES = COMPANIES[:80]

CATEGORIES = tuple(Category)
_SOURCE_KINDS = (FeedKind.NEWS,) * 5 + (FeedKind.RESEARCH, FeedKind.BLOG, FeedKind.COMMUNITY)
SOURCES = tuple(
    (f"source-{n:02d}", f"AI Source {n:02d}", _SOURCE_KINDS[n % len(_SOURCE_KINDS)])
    for n in range(1, 31)
)

_SUBJECTS = ("同社", "研究チーム", "開発元", "業界団体", "規制当局", "利用企業", "専門家")
_TOPICS = ("大規模言語モデル", "推論性能", "学習データ", "安全性評価", "オープンウェイト",
           "エージェント機能", "画像生成", "音声認識", "GPU調達", "API料金")  # fmt: skip
_PREDICATES = (
    "について新たな方針を発表した",
    "の改善点を詳しく説明している",
    "を巡る課題が残ると指摘した",
    "で従来モデルを上回ったとしている",
    "の検証結果を近く公開する予定だ",
    "に関する社内評価の数値を示した",
    "の導入を国内でも進めるという",
)
_EN_WORDS = (
    "model", "open", "weights", "agents", "launch", "benchmark", "reasoning", "chip",
    "policy", "funding", "robot", "video", "startup", "release", "safety", "data",
)  # fmt: skip


def _sentence(rng: random.Random) -> str:
    """One Japanese news sentence of about 30–40 characters."""
    return (
        f"{rng.choice(_SUBJECTS)}は{rng.choice(_TOPICS)}と{rng.choice(_TOPICS)}"
        f"{rng.choice(_PREDICATES)}。"
    )


def _text(rng: random.Random, chars: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < chars:
        parts.append(_sentence(rng))
    return "".join(parts)


def _body(rng: random.Random, chars: int = 1_000) -> str:
    paragraphs = [_text(rng, 180) for _ in range(chars // 180 + 1)]
    return "\n\n".join(paragraphs)


def _score(rng: random.Random) -> SubScore:
    return SubScore(score=rng.randint(1, 5), reason=_sentence(rng)[:40])


def make_article(n: int, rng: random.Random, published: datetime) -> Article:
    feed_id, source_name, kind = SOURCES[rng.randrange(len(SOURCES))]
    first_seen = published.replace(minute=0, second=0) + timedelta(hours=1)
    item_id = hashlib.sha256(f"bench-item-{n}".encode()).hexdigest()[:32]
    words = " ".join(rng.choice(_EN_WORDS) for _ in range(6))
    title_en = f"AI lab {n} {words}"
    item = FeedItem(
        id=item_id,
        feed_id=feed_id,
        source_name=source_name,
        kind=kind,
        url=f"https://{feed_id}.example.com/news/{n}",
        title=title_en,
        summary=f"An English summary of story {n} about {words}.",
        content_html=f"<p>An English lead paragraph of story {n} about {words}.</p>",
        published=published,
        first_seen=first_seen,
        content_hash=hashlib.sha256(f"bench-content-{n}".encode()).hexdigest(),
    )
    company = COMPANIES[rng.randrange(len(COMPANIES))]
    others = rng.sample(COMPANIES, 1)
    analysis = Analysis(
        title_ja=f"{company}、{_sentence(rng)[: rng.randint(22, 30)]}",
        tldr=_text(rng, 110),
        key_points=tuple(
            KeyPoint(title=_sentence(rng)[:16], body=_text(rng, 50)) for _ in range(4)
        ),
        impact=_text(rng, 140),
        editorial_comment=_text(rng, 140),
        body_ja=_body(rng),
        tags=tuple(rng.sample(TAGS, rng.randint(3, 5))),
        entities=tuple(
            Entity(name=name, kind=EntityKind.COMPANY) for name in dict.fromkeys([company, *others])
        ),
        category=rng.choice(CATEGORIES),
        is_ai_related=True,
        scores=SubScores(
            depth=_score(rng),
            relevance=_score(rng),
            practicality=_score(rng),
            innovation=_score(rng),
        ),
    )
    created = first_seen + timedelta(minutes=5)
    return Article(
        id=item_id,
        path=article_path_for(item_id, title_en, published),
        item=item,
        analysis=analysis,
        provenance=Provenance(
            provider="bedrock",
            model_id="global.anthropic.claude-haiku-4-5-20251001-v1:0",
            input_tokens=4_000,
            output_tokens=1_600,
            cost_usd=0.012,
            analysed_at=created,
        ),
        status=ArticleStatus.PUBLISHED,
        created_at=created,
        updated_at=created,
    )


def synthetic_articles(
    count: int = ARTICLES, *, seed: int = SEED, days: float | None = None
) -> list[Article]:
    """`count` published articles spread evenly (with jitter) over the `days` (default
    `DAYS`) before END."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    span = timedelta(days=DAYS if days is None else days)
    articles = []
    for n in range(count):
        offset = span.total_seconds() * (n + rng.random()) / count
        published = END - span + timedelta(seconds=int(offset))
        articles.append(make_article(n, rng, published))
    return articles


def new_article(count: int = ARTICLES, *, seed: int = SEED) -> Article:
    """One more article, the newest of all: what the next hourly poll brings."""
    rng = random.Random(seed + 1)  # noqa: S311 - reproducible test data, not secrets
    return make_article(count, rng, END + timedelta(minutes=5))
