"""The machine-readable outputs: RSS 2.0, Atom, JSON Feed, sitemap and robots.txt.

Feed times come from the articles (the newest update), never from the clock, so a feed's
bytes change only when its articles do; `now` is used only for a feed with no articles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontline.domain.models import Article
from frontline.site.environment import environment
from frontline.site.formatting import iso_utc, rfc822
from frontline.site.paths import absolute_url
from frontline.site.sanitise import json_text
from frontline.site.site_config import SiteConfig
from frontline.site.views import first_image

FEED_SIZE = 50
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

# Characters XML 1.0 does not allow anywhere, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class FeedEntry:
    title: str
    url: str
    summary: str
    tags: tuple[str, ...]
    source_name: str
    published_rfc822: str
    published_iso: str
    updated_iso: str


@dataclass(frozen=True)
class Feed:
    title: str
    description: str
    site_title: str
    home_url: str
    feed_url: str
    updated_rfc822: str
    updated_iso: str
    entries: tuple[FeedEntry, ...]


def _entry(article: Article, site: SiteConfig) -> FeedEntry:
    analysis = article.analysis
    return FeedEntry(
        title=xml_text(analysis.title_ja),
        url=absolute_url(site.base_url, article.path),
        summary=xml_text(analysis.tldr),
        tags=tuple(xml_text(tag) for tag in analysis.tags),
        source_name=xml_text(article.item.source_name),
        published_rfc822=rfc822(article.published),
        published_iso=iso_utc(article.published),
        updated_iso=iso_utc(article.updated_at),
    )


def feed_updated(articles: Sequence[Article], now: datetime) -> datetime:
    return max((article.updated_at for article in articles), default=now)


def build_feed(
    articles: Sequence[Article],
    site: SiteConfig,
    *,
    title: str,
    description: str,
    home_path: str,
    feed_path: str,
    now: datetime,
) -> Feed:
    shown = articles[:FEED_SIZE]
    updated = feed_updated(shown, now)
    return Feed(
        title=xml_text(title),
        description=xml_text(description),
        site_title=xml_text(site.title),
        home_url=absolute_url(site.base_url, home_path),
        feed_url=absolute_url(site.base_url, feed_path),
        updated_rfc822=rfc822(updated),
        updated_iso=iso_utc(updated),
        entries=tuple(_entry(article, site) for article in shown),
    )


def render_rss(feed: Feed) -> str:
    return environment().get_template("rss.xml").render(feed=feed)


def render_atom(feed: Feed) -> str:
    return environment().get_template("atom.xml").render(feed=feed)


def render_json_feed(articles: Sequence[Article], site: SiteConfig) -> str:
    """JSON Feed 1.1 of the newest articles."""
    items: list[dict[str, Any]] = []
    for article in articles[:FEED_SIZE]:
        url = absolute_url(site.base_url, article.path)
        entry: dict[str, Any] = {
            "id": url,
            "url": url,
            "external_url": article.item.url,
            "title": article.analysis.title_ja,
            "summary": article.analysis.tldr,
            "content_text": article.analysis.tldr,
            "date_published": iso_utc(article.published),
            "date_modified": iso_utc(article.updated_at),
            "authors": [{"name": article.item.source_name}],
            "tags": list(article.analysis.tags),
            "language": "ja" if article.is_translated else "en",  # untranslated: the original
        }
        image = first_image(article)
        if image:
            entry["image"] = image
        items.append(entry)
    document = {
        "version": JSON_FEED_VERSION,
        "title": site.title,
        "description": site.tagline,
        "home_page_url": site.base_url + "/",
        "feed_url": site.base_url + "/feed.json",
        "favicon": site.base_url + "/favicon.svg",
        "language": "ja",
        "items": items,
    }
    return json_text(document, indent=2) + "\n"


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: str | None = None


def render_sitemap(entries: Sequence[SitemapEntry]) -> str:
    return environment().get_template("sitemap.xml").render(entries=entries)


def render_sitemap_index(sitemaps: Sequence[SitemapEntry]) -> str:
    return environment().get_template("sitemap_index.xml").render(entries=sitemaps)


def render_robots(site: SiteConfig) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.base_url}/sitemap.xml\n"
