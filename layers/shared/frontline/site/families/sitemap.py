"""sitemap.xml and robots.txt: every HTML page the other families publish, but the 404."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.families.about import NOT_FOUND_PATH
from frontline.site.families.base import TEXT, XML, PageFamily, SiteContext, site_object
from frontline.site.feeds import SitemapEntry, render_robots, render_sitemap
from frontline.site.formatting import iso_utc
from frontline.site.paths import absolute_url, key_for

SITEMAP_PATH: Final = "/sitemap.xml"
ROBOTS_PATH: Final = "/robots.txt"


class SitemapFamily:
    name = "sitemap"

    def __init__(self, families: Sequence[PageFamily]) -> None:
        self._families = tuple(families)

    def paths(self, ctx: SiteContext) -> list[str]:
        return [SITEMAP_PATH, ROBOTS_PATH]

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [SITEMAP_PATH]

    def _pages(self, ctx: SiteContext) -> list[str]:
        paths = {path for family in self._families for path in family.paths(ctx)}
        return sorted(
            path for path in paths if key_for(path).endswith(".html") and path != NOT_FOUND_PATH
        )

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        if path == ROBOTS_PATH:
            return site_object(path, render_robots(ctx.site), TEXT)
        articles = ctx.article_by_path
        entries = [
            SitemapEntry(
                absolute_url(ctx.site.base_url, page),
                iso_utc(articles[page].updated_at) if page in articles else None,
            )
            for page in self._pages(ctx)
        ]
        return site_object(path, render_sitemap(entries), XML)
