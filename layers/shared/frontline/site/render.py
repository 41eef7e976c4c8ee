"""The whole static site for a set of articles, as S3 objects: pure and deterministic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from frontline.domain.digests import Digest, DigestKind
from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.api import (
    LATEST_PATH,
    SCHEMA_PATH,
    render_article_json,
    render_article_schema,
    render_latest_json,
)
from frontline.site.assets import favicon, stylesheet
from frontline.site.catalogue import Catalogue, build_catalogue
from frontline.site.digest_pages import rss_path
from frontline.site.discovery import discovery_files
from frontline.site.feeds import (
    SitemapEntry,
    build_feed,
    render_atom,
    render_json_feed,
    render_robots,
    render_rss,
    render_sitemap,
)
from frontline.site.formatting import iso_utc
from frontline.site.page_plan import PagePlan, plan_pages_for
from frontline.site.pages import SitePages
from frontline.site.paths import absolute_url, article_json_path, key_for
from frontline.site.search import search_files
from frontline.site.site_config import SiteConfig

CACHE_PAGES = "public, max-age=300, stale-while-revalidate=86400"
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
CACHE_REVALIDATE = "public, max-age=0, must-revalidate"  # names files a publish replaces

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
JSON_FEED = "application/feed+json; charset=utf-8"
JSON = "application/json; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

NOT_FOUND_PATH = "/404.html"


class _Objects:
    """Collects objects by key; two pages claiming one key is a bug, not a silent overwrite."""

    def __init__(self) -> None:
        self._by_key: dict[str, SiteObject] = {}

    def add(
        self, path: str, body: str | bytes, content_type: str, cache: str = CACHE_PAGES
    ) -> None:
        key = key_for(path)
        if key in self._by_key:
            raise ValueError(f"two site objects claim the key {key!r}")
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._by_key[key] = SiteObject(key, data, content_type, cache)

    def sorted(self) -> list[SiteObject]:
        return [self._by_key[key] for key in sorted(self._by_key)]


def _add_feeds(
    objects: _Objects,
    catalogue: Catalogue,
    site: SiteConfig,
    now: datetime,
    plan: PagePlan | None,
) -> None:
    """The site's RSS, Atom and JSON Feed, and an RSS feed per tag and per company."""
    listed = list(catalogue.articles)
    for path, render, content_type in (
        ("/rss.xml", render_rss, RSS),
        ("/atom.xml", render_atom, ATOM),
    ):
        feed = build_feed(
            listed,
            site,
            title=site.title,
            description=site.tagline,
            home_path="/",
            feed_path=path,
            now=now,
        )
        objects.add(path, render(feed), content_type)
    objects.add("/feed.json", render_json_feed(listed, site), JSON_FEED)
    groups = [
        (group, f"#{group.name}", f"タグ「{group.name}」がついたAIニュース")
        for key, group in catalogue.tags.items()
        if plan is None or key in plan.tags
    ]
    groups += [
        (group, group.name, f"{group.name}に関するAIニュース")
        for key, group in catalogue.companies.items()
        if plan is None or key in plan.companies
    ]
    for group, title, description in groups:
        feed = build_feed(
            list(group.articles),
            site,
            title=f"{title} | {site.title}",
            description=description,
            home_path=group.path,
            feed_path=group.path + "rss.xml",
            now=now,
        )
        objects.add(group.path + "rss.xml", render_rss(feed), RSS)


def _cache(immutable: bool) -> str:
    return CACHE_IMMUTABLE if immutable else CACHE_PAGES


@dataclass(frozen=True)
class RenderResult:
    objects: list[SiteObject]  # what was rendered: everything, or what the plan names
    keys: frozenset[str]  # every key of the complete site (what is not here is stale)


def render_site(
    articles: Sequence[Article],
    site: SiteConfig,
    *,
    now: datetime,
    digests: Sequence[Digest] = (),
) -> list[SiteObject]:
    """Pure: the whole static site for these articles and digests (only public articles).

    `now` only dates a feed that has no entries; everything else comes from the articles and
    the digests, so the same inputs always give the same bytes.
    """
    return render(articles, site, now=now, digests=digests).objects


def render(
    articles: Sequence[Article],
    site: SiteConfig,
    *,
    now: datetime,
    digests: Sequence[Digest] = (),
    changes: Sequence[ArticleChange] | None = None,
    archive_cutoff: datetime | None = None,
) -> RenderResult:
    """The whole site, or — given the article changes since the last publish — the site-wide
    pages and only the per-article pages those changes can touch (see page_plan).

    Search: without `archive_cutoff`, the archive index of every article; with the cutoff of
    the archive index already published, the recent index of what is newer (see search).
    """
    catalogue = build_catalogue(articles)
    plan = plan_pages_for(changes, catalogue) if changes is not None else None
    css = stylesheet()
    objects = _Objects()

    pages = SitePages(catalogue, site, css.path, digests=digests)
    html_paths: list[str] = []
    for page in pages.site_wide():
        objects.add(page.path, page.html, HTML)
        html_paths.append(page.path)
    for page in pages.per_article(plan):
        objects.add(page.path, page.html, HTML)
    per_article_paths = list(pages.per_article_paths())
    for kind in DigestKind:  # the RSS feeds of AI日報 and 週報
        objects.add(rss_path(kind), pages.digest_pages.rss(kind, now=now), RSS)

    listed = list(catalogue.articles)
    _add_feeds(objects, catalogue, site, now, plan)

    objects.add(LATEST_PATH, render_latest_json(listed, site), JSON)
    objects.add(SCHEMA_PATH, render_article_schema(), JSON)
    for article in listed:
        if plan is None or article.id in plan.articles:
            objects.add(article_json_path(article.id), render_article_json(article, site), JSON)

    lastmod = {article.path: iso_utc(article.updated_at) for article in listed}
    sitemap = [
        SitemapEntry(absolute_url(site.base_url, path), lastmod.get(path))
        for path in sorted(html_paths + per_article_paths)
        if path != NOT_FOUND_PATH
    ]
    objects.add("/sitemap.xml", render_sitemap(sitemap), XML)
    objects.add("/robots.txt", render_robots(site), TEXT)

    objects.add(css.path, css.body, css.content_type, CACHE_IMMUTABLE)
    for file in discovery_files():
        objects.add(file.path, file.body, file.content_type, _cache(file.immutable))
    for search_file in search_files(catalogue.articles, archive_cutoff):
        objects.add(
            search_file.path,
            search_file.body,
            search_file.content_type,
            CACHE_REVALIDATE if search_file.revalidate else _cache(search_file.immutable),
        )
    icon = favicon()
    objects.add(icon.path, icon.body, icon.content_type)

    keys = {obj.key for obj in objects.sorted()}
    keys.update(key_for(path) for path in per_article_paths)
    keys.update(key_for(article_json_path(article.id)) for article in listed)
    keys.update(
        key_for(group.path + "rss.xml")
        for group in (*catalogue.tags.values(), *catalogue.companies.values())
    )
    return RenderResult(objects.sorted(), frozenset(keys))
