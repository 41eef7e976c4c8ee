"""The sitemaps and robots.txt: an index at /sitemap.xml, one sitemap of the site's other
pages and one per month of articles, each within the protocol's limits.

A publish rewrites the index, the pages sitemap and the sitemaps of the months its changed
articles belong to; an older month's file keeps its bytes. A file that would pass 50,000
URLs or 50 MB is split into numbered parts (`articles-2026-11-2.xml`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Final

from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.families.about import NOT_FOUND_PATH
from frontline.site.families.base import TEXT, XML, PageFamily, SiteContext, site_object, versions
from frontline.site.feeds import SitemapEntry, render_robots, render_sitemap, render_sitemap_index
from frontline.site.formatting import iso_utc, jst
from frontline.site.paths import absolute_url, key_for

INDEX_PATH: Final = "/sitemap.xml"
ROBOTS_PATH: Final = "/robots.txt"
SITEMAP_DIR: Final = "/sitemaps/"
PAGES_NAME: Final = "pages"
MAX_URLS: Final = 50_000
MAX_BYTES: Final = 50 * 1024 * 1024
_ENTRY_OVERHEAD: Final = 48  # <url><loc></loc><lastmod></lastmod></url> and a newline (42)
_FILE_OVERHEAD: Final = 200  # the XML declaration and <urlset>


def article_month(article: Article) -> str:
    """'2026-11': the Japanese calendar month an article's sitemap is named by."""
    return jst(article.published).strftime("%Y-%m")


def split_entries(
    entries: Sequence[SitemapEntry], max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES
) -> list[list[SitemapEntry]]:
    """Consecutive runs of entries, each within `max_urls` and (rendered) `max_bytes`."""
    parts: list[list[SitemapEntry]] = [[]]
    size = _FILE_OVERHEAD
    for entry in entries:
        grows = len(entry.url.encode()) + len(entry.lastmod or "") + _ENTRY_OVERHEAD
        if parts[-1] and (len(parts[-1]) >= max_urls or size + grows > max_bytes):
            parts.append([])
            size = _FILE_OVERHEAD
        parts[-1].append(entry)
        size += grows
    return parts


def part_path(name: str, part: int) -> str:
    return f"{SITEMAP_DIR}{name}.xml" if part == 1 else f"{SITEMAP_DIR}{name}-{part}.xml"


class SitemapFamily:
    name = "sitemap"

    def __init__(self, families: Sequence[PageFamily]) -> None:
        self._families = tuple(families)

    def _files(self, ctx: SiteContext) -> dict[str, list[SitemapEntry]]:
        """Every sitemap file's path and entries: the pages first, then month by month."""

        def build() -> dict[str, list[SitemapEntry]]:
            articles = ctx.article_by_path
            pages: list[str] = []
            months: dict[str, list[Article]] = defaultdict(list)
            for path in sorted({p for family in self._families for p in family.paths(ctx)}):
                if not key_for(path).endswith(".html") or path == NOT_FOUND_PATH:
                    continue
                if path in articles:
                    months[article_month(articles[path])].append(articles[path])
                else:
                    pages.append(path)
            groups = {PAGES_NAME: [self._entry(ctx, path, None) for path in pages]}
            for month in sorted(months):
                groups[f"articles-{month}"] = [
                    self._entry(ctx, article.path, article)
                    for article in sorted(months[month], key=lambda a: a.path)
                ]
            return {
                part_path(name, number): part
                for name, entries in groups.items()
                for number, part in enumerate(split_entries(entries), start=1)
            }

        return ctx.memo("sitemap:files", build)

    @staticmethod
    def _entry(ctx: SiteContext, path: str, article: Article | None) -> SitemapEntry:
        lastmod = iso_utc(article.updated_at) if article is not None else None
        return SitemapEntry(absolute_url(ctx.site.base_url, path), lastmod)

    def paths(self, ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, ROBOTS_PATH, *self._files(ctx)]

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        names = [PAGES_NAME, *(f"articles-{article_month(v)}" for v in versions(changes))]
        return [INDEX_PATH, *self._parts_of(set(names), ctx)]

    def _parts_of(self, names: Iterable[str], ctx: SiteContext) -> list[str]:
        """Every part of these sitemaps, and the part after the last (gone if it shrank)."""
        files = self._files(ctx)
        paths = []
        for name in sorted(names):
            number = 1
            while part_path(name, number) in files:
                paths.append(part_path(name, number))
                number += 1
            paths.append(part_path(name, number))
        return paths

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        if path == ROBOTS_PATH:
            return site_object(path, render_robots(ctx.site), TEXT)
        files = self._files(ctx)
        if path == INDEX_PATH:
            sitemaps = [
                SitemapEntry(
                    absolute_url(ctx.site.base_url, file),
                    max((e.lastmod for e in entries if e.lastmod), default=None),
                )
                for file, entries in files.items()
            ]
            return site_object(path, render_sitemap_index(sitemaps), XML)
        return site_object(path, render_sitemap(files[path]), XML)
