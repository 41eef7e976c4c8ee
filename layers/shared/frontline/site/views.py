"""View models: everything a template shows, worked out in Python so templates stay simple.

Internal links are held as site paths (templates pass them through `local_href`); links from
data are held as URLs (templates pass them through `safe_href`). Text stays plain text: the
templates escape it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from frontline.domain.content_policy import (
    is_excerpt,
    published_body,
    published_original,
    shows_original_html,
)
from frontline.domain.editorial import EDITED_LABEL
from frontline.domain.image_sources import image_hosts, shown_images
from frontline.domain.importance import WEIGHTS
from frontline.domain.models import (
    CATEGORY_LABELS,
    Article,
    ArticleStatus,
    EntityKind,
    FeedKind,
    KeyPoint,
    MediaKind,
)
from frontline.site.formatting import (
    format_jst,
    format_jst_date,
    iso_jst,
    read_minutes,
    stars,
)
from frontline.site.paths import absolute_url, company_path, source_path, tag_path
from frontline.site.sanitise import clean_original_html
from frontline.site.site_config import SiteConfig

# The four sub-scores in the order the reference shows them, with their Japanese names.
SUBSCORE_NAMES: tuple[tuple[str, str], ...] = (
    ("depth", "深度"),
    ("relevance", "関連度"),
    ("practicality", "実用性"),
    ("innovation", "革新性"),
)

UNTRANSLATED_NOTICE = "この記事はまだ翻訳されていません（自動抽出による要約です）"
DEGRADED_NOTICE = (
    "この記事の日本語分析は自動チェックを通過しなかったため、"
    "翻訳の代わりに自動抽出による要約を表示しています"
)
CARD_TAGS = 4
IMAGES_PER_ARTICLE = 4
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{6,32}$")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_SUMMARY_LINE_MAX = 90
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


@dataclass(frozen=True)
class Link:
    label: str
    path: str  # a site path such as "/tags/生成ai/"; templates apply `local_href`


@dataclass(frozen=True)
class FeedLink:
    title: str
    path: str
    media_type: str = "application/rss+xml"


@dataclass(frozen=True)
class PageMeta:
    """The <head> of a page and which nav item is current."""

    title: str  # the page's own title; the site name is appended in the template
    description: str
    path: str
    nav: str = ""
    og_type: str = "website"
    image: str | None = None
    feeds: tuple[FeedLink, ...] = ()
    noindex: bool = False
    json_ld: dict[str, Any] | None = None


@dataclass(frozen=True)
class CardView:
    title: str
    path: str
    source_name: str
    source_path: str
    time_iso: str
    time_label: str
    date_label: str
    importance: int
    importance_label: str
    stars: str
    tldr: str
    summary_line: str
    tags: tuple[Link, ...]
    untranslated: bool
    title_lang: str | None = None  # "en" when the text holds no Japanese at all
    tldr_lang: str | None = None
    source_count: int = 1  # outlets reporting the story: the lead item and later sources
    updated: bool = False  # analysed again since a later source added facts


@dataclass(frozen=True)
class SourceView:
    """One outlet's report of the story, as the story page lists it."""

    outlet: str
    title: str
    url: str
    time_iso: str
    time_label: str
    lead: bool


@dataclass(frozen=True)
class UpdateView:
    """One entry of the story's update log."""

    time_iso: str
    time_label: str
    outlet: str
    facts: str  # what the source added, joined for reading ("$6 billion、NVIDIA")


@dataclass(frozen=True)
class BarView:
    name: str
    weight_percent: int
    score: int
    reason: str


@dataclass(frozen=True)
class ImageView:
    url: str
    alt: str
    width: int | None
    height: int | None


@dataclass(frozen=True)
class ShareLink:
    label: str
    url: str
    service: str


@dataclass(frozen=True)
class ArticleView:
    card: CardView
    url: str  # absolute URL of the article page
    original_title: str | None  # None when it is the same as the Japanese title
    original_url: str
    read_minutes: int
    analysed_iso: str
    analysed_label: str
    bars: tuple[BarView, ...]
    key_points: tuple[KeyPoint, ...]
    impact: str
    editorial_comment: str
    images: tuple[ImageView, ...]
    video_url: str | None
    paragraphs: tuple[tuple[str, ...], ...]
    body_lang: str | None
    excerpt: bool
    original_html: Markup | None
    original_text: str
    tags: tuple[Link, ...]
    companies: tuple[Link, ...]
    other_entities: tuple[str, ...]
    notice: str | None
    share: tuple[ShareLink, ...]
    related: tuple[CardView, ...] = field(default=())
    sources: tuple[SourceView, ...] = field(default=())
    updates: tuple[UpdateView, ...] = field(default=())
    edited: str | None = None  # 「編集部により修正（日付）」 when an operator edited the text


def is_untranslated(article: Article) -> bool:
    return article.status in {ArticleStatus.UNTRANSLATED, ArticleStatus.DEGRADED}


def lang_of(text: str) -> str | None:
    """'en' for text without any kana or kanji (an untranslated extract), else None (the
    page's own `ja`), so that screen readers pronounce English text as English."""
    return None if _JAPANESE.search(text) or not text.strip() else "en"


def summary_line(text: str) -> str:
    """The first sentence, shortened for one line under a related article's title."""
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip()
    if len(first) > _SUMMARY_LINE_MAX:
        return first[: _SUMMARY_LINE_MAX - 1].rstrip() + "…"
    return first


def card_view(article: Article) -> CardView:
    analysis = article.analysis
    return CardView(
        title=analysis.title_ja,
        path=article.path,
        source_name=article.item.source_name,
        source_path=source_path(article.item.feed_id),
        time_iso=iso_jst(article.published),
        time_label=format_jst(article.published),
        date_label=format_jst_date(article.published),
        importance=article.importance,
        importance_label=article.importance_label,
        stars=stars(article.importance),
        tldr=analysis.tldr,
        summary_line=summary_line(analysis.tldr),
        tags=tuple(Link(f"#{tag}", tag_path(tag)) for tag in analysis.tags[:CARD_TAGS]),
        untranslated=is_untranslated(article),
        title_lang=lang_of(analysis.title_ja),
        tldr_lang=lang_of(analysis.tldr),
        source_count=article.source_count,
        updated=bool(article.updates),
    )


def source_views(article: Article) -> tuple[SourceView, ...]:
    """Every report of the story: the lead item's first, then the later sources by time."""
    lead = SourceView(
        outlet=article.item.source_name,
        title=article.item.title,
        url=article.item.url,
        time_iso=iso_jst(article.published),
        time_label=format_jst(article.published),
        lead=True,
    )
    later = sorted(article.sources, key=lambda source: source.published)
    return (
        lead,
        *(
            SourceView(
                outlet=source.outlet,
                title=source.title,
                url=source.url,
                time_iso=iso_jst(source.published),
                time_label=format_jst(source.published),
                lead=False,
            )
            for source in later
        ),
    )


def update_views(article: Article) -> tuple[UpdateView, ...]:
    """The update log, newest first."""
    return tuple(
        UpdateView(
            time_iso=iso_jst(update.at),
            time_label=format_jst(update.at),
            outlet=update.outlet,
            facts="、".join(update.facts),
        )
        for update in sorted(article.updates, key=lambda update: update.at, reverse=True)
    )


def paragraphs_of(text: str) -> tuple[tuple[str, ...], ...]:
    """Paragraphs split on blank lines; each a tuple of its lines (shown with <br>)."""
    result = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        lines = tuple(line.strip() for line in block.splitlines() if line.strip())
        if lines:
            result.append(lines)
    return tuple(result)


def reading_text(article: Article) -> str:
    """What a reader reads on the page without opening the toggles."""
    analysis = article.analysis
    points = "".join(point.title + point.body for point in analysis.key_points)
    return analysis.tldr + points + analysis.body_ja


def share_links(url: str, title: str) -> tuple[ShareLink, ...]:
    """Plain share links: no third-party scripts, nothing loads until the reader clicks."""
    encoded_url = quote(url, safe="")
    encoded_title = quote(title, safe="")
    if url.startswith("https://"):
        hatena = "https://b.hatena.ne.jp/entry/s/" + url.removeprefix("https://")
    else:
        hatena = "https://b.hatena.ne.jp/entry/" + url.removeprefix("http://")
    return (
        ShareLink(
            "Xでポスト", f"https://x.com/intent/post?url={encoded_url}&text={encoded_title}", "x"
        ),
        ShareLink("はてなブックマークに追加", hatena, "hatena"),
        ShareLink(
            "LINEで送る", f"https://social-plugins.line.me/lineit/share?url={encoded_url}", "line"
        ),
        ShareLink(
            "Facebookでシェア",
            f"https://www.facebook.com/sharer/sharer.php?u={encoded_url}",
            "facebook",
        ),
    )


def _images(article: Article) -> tuple[ImageView, ...]:
    seen: set[str] = set()
    images = []
    for media in shown_images(article.item):
        if media.url in seen:
            continue
        seen.add(media.url)
        alt = media.alt.strip() or f"「{article.analysis.title_ja}」の関連画像"
        images.append(ImageView(media.url, alt, media.width, media.height))
    return tuple(images[:IMAGES_PER_ARTICLE])


def _video_url(article: Article) -> str | None:
    for media in article.item.media:
        if media.kind is MediaKind.VIDEO:
            if media.video_id and _VIDEO_ID.match(media.video_id):
                return f"https://www.youtube.com/watch?v={media.video_id}"
            return media.url
    return article.item.url if article.item.kind is FeedKind.VIDEO else None


def _notice(article: Article) -> str | None:
    if article.status is ArticleStatus.UNTRANSLATED:
        return UNTRANSLATED_NOTICE
    if article.status is ArticleStatus.DEGRADED:
        return DEGRADED_NOTICE
    return None


def article_view(
    article: Article,
    site: SiteConfig,
    related: Sequence[CardView],
    card: CardView | None = None,
) -> ArticleView:
    analysis = article.analysis
    item = article.item
    scores = analysis.scores
    url = absolute_url(site.base_url, article.path)
    excerpt = is_excerpt(article)
    body = published_body(article, japanese=lang_of(analysis.body_ja) is None)
    companies: dict[str, Link] = {}
    others: list[str] = []
    for entity in analysis.entities:
        if entity.kind is EntityKind.COMPANY:
            companies.setdefault(
                company_path(entity.name), Link(entity.name, company_path(entity.name))
            )
        elif entity.name not in others:
            others.append(entity.name)
    return ArticleView(
        card=card or card_view(article),
        url=url,
        original_title=None if item.title.strip() == analysis.title_ja.strip() else item.title,
        original_url=item.url,
        read_minutes=read_minutes(reading_text(article)),
        analysed_iso=iso_jst(article.provenance.analysed_at),
        analysed_label=format_jst(article.provenance.analysed_at),
        bars=tuple(
            BarView(
                name=name,
                weight_percent=int(WEIGHTS[key] * 100),
                score=getattr(scores, key).score,
                reason=getattr(scores, key).reason,
            )
            for key, name in SUBSCORE_NAMES
        ),
        key_points=analysis.key_points,
        impact=analysis.impact,
        editorial_comment=analysis.editorial_comment,
        images=_images(article),
        video_url=_video_url(article),
        paragraphs=paragraphs_of(body),
        body_lang=lang_of(analysis.body_ja),
        excerpt=excerpt,
        # an excerpt source's own text is shown as its lead, in plain text (content_policy)
        original_html=clean_original_html(
            item.content_html, item.url, image_hosts=image_hosts(item.url, item.image_hosts)
        )
        if shows_original_html(article)
        else None,
        original_text=published_original(article) if excerpt else item.summary,
        tags=tuple(Link(f"#{tag}", tag_path(tag)) for tag in analysis.tags),
        companies=tuple(companies.values()),
        other_entities=tuple(others),
        notice=_notice(article),
        share=share_links(url, analysis.title_ja),
        related=tuple(related),
        sources=source_views(article),
        updates=update_views(article),
        edited=_edited(article),
    )


def _edited(article: Article) -> str | None:
    edited_at = article.overrides.edited_at
    return f"{EDITED_LABEL}（{format_jst_date(edited_at)}）" if edited_at else None


def news_article_json_ld(article: Article, site: SiteConfig) -> dict[str, Any]:
    """schema.org NewsArticle for the article page."""
    analysis = article.analysis
    url = absolute_url(site.base_url, article.path)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": analysis.title_ja[:110],
        "description": analysis.tldr,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": iso_jst(article.published),
        "dateModified": iso_jst(article.updated_at),
        "inLanguage": "ja",
        "keywords": list(analysis.tags),
        "articleSection": CATEGORY_LABELS[analysis.category],
        "author": {"@type": "Organization", "name": article.item.source_name},
        "publisher": {
            "@type": "Organization",
            "name": site.title,
            "url": site.base_url + "/",
            "logo": {"@type": "ImageObject", "url": site.base_url + "/favicon.svg"},
        },
        "isBasedOn": article.item.url,
    }
    images = [image.url for image in _images(article)]
    if images:
        data["image"] = images
    return data


def first_image(article: Article) -> str | None:
    images = _images(article)
    return images[0].url if images else None
