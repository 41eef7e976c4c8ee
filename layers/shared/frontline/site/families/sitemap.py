"""The sitemaps and robots.txt: an index at /sitemap.xml, one sitemap per page family and
one per month of articles, each within the protocol's limits (50,000 URLs, 50 MB): a file
that would pass them is split into numbered parts (`articles-2026-11-2.xml`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.families.about import NOT_FOUND_PATH
from frontline.site.families.base import TEXT, XML, PageFamily, SiteContext, site_object, versions
from frontline.site.feeds import SitemapEntry, render_robots, render_sitemap, render_sitemap_index
from frontline.site.formatting import iso_utc
from frontline.site.paths import absolute_url, key_for
from frontline.site.slices import article_month

INDEX_PATH: Final = "/sitemap.xml"
ROBOTS_PATH: Final = "/robots.txt"
SITEMAP_DIR: Final = "/sitemaps/"
MAX_URLS: Final = 50_000
MAX_BYTES: Final = 50 * 1024 * 1024
_ENTRY_OVERHEAD: Final = 48  # <url><loc></loc><lastmod></lastmod></url> and a newline (42)
_FILE_OVERHEAD: Final = 200  # the XML declaration and <urlset>


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


MONTH_PREFIX: Final = "articles-"


PageLister = Callable[[SiteContext], Iterable[str]]


def _pages_of(paths: Iterable[str]) -> list[str]:
    """A family's HTML pages, the 404 page aside."""
    return sorted(
        path for path in paths if key_for(path).endswith(".html") and path != NOT_FOUND_PATH
    )


class SitemapFamily:
    """The index, robots.txt, one sitemap per page family (`/sitemaps/tags.xml`) and one per
    JST month of article pages (`/sitemaps/articles-2026-11.xml`), split into numbered parts
    past the protocol's limits.

    A publish rewrites the month files of the articles it changed; a family's file only when
    the family gained or lost a page (`files_of`), and the index only when a file appeared
    or went. Article pages are listed by month, never in their family's file."""

    name = "sitemap"

    def __init__(
        self,
        families: Sequence[PageFamily],
        articles: PageFamily,
        pages: Mapping[str, PageLister] | None = None,
    ) -> None:
        """`pages`: per family name, how to list its pages where `paths` would do more work
        than the sitemap needs (the search family builds its index to name its files)."""
        self._families = {family.name: family for family in families if family is not articles}
        self._articles = articles
        self._pages = dict(pages or {})

    def _family_entries(self, name: str, ctx: SiteContext) -> list[SitemapEntry]:
        return ctx.memo(
            f"sitemap:{name}",
            lambda: [
                SitemapEntry(absolute_url(ctx.site.base_url, path), None)
                for path in _pages_of(self._listing(name)(ctx))
            ],
        )

    def _listing(self, name: str) -> PageLister:
        return self._pages.get(name, self._families[name].paths)

    def _month_entries(self, month: str, ctx: SiteContext) -> list[SitemapEntry]:
        return ctx.memo(
            f"sitemap:{MONTH_PREFIX}{month}",
            lambda: [
                SitemapEntry(absolute_url(ctx.site.base_url, row.path), iso_utc(row.updated_at))
                for row in ctx.slices.month_rows(month)
            ],
        )

    def _entries(self, name: str, ctx: SiteContext) -> list[SitemapEntry]:
        if name.startswith(MONTH_PREFIX):
            return self._month_entries(name.removeprefix(MONTH_PREFIX), ctx)
        return self._family_entries(name, ctx)

    def _parts(self, name: str, ctx: SiteContext) -> dict[str, list[SitemapEntry]]:
        entries = self._entries(name, ctx)
        if not entries:
            return {}
        return {
            part_path(name, number): part
            for number, part in enumerate(split_entries(entries), start=1)
        }

    def _names(self, ctx: SiteContext) -> list[str]:
        months = [f"{MONTH_PREFIX}{month}" for month in ctx.slices.months()]
        return [*sorted(self._families), *months]

    def paths(self, ctx: SiteContext) -> list[str]:
        files = [path for name in self._names(ctx) for path in self._parts(name, ctx)]
        return [INDEX_PATH, ROBOTS_PATH, *files]

    def owns(self, path: str) -> bool:
        return path in (INDEX_PATH, ROBOTS_PATH) or (
            path.startswith(SITEMAP_DIR) and path.endswith(".xml") and _name_of(path) is not None
        )

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        months = {f"{MONTH_PREFIX}{article_month(v)}" for v in versions(changes)}
        return self._with_next(months, ctx)

    def files_of(self, families: Iterable[str], ctx: SiteContext) -> list[str]:
        """The files of these families' sitemaps (after they gained or lost a page)."""
        return self._with_next({name for name in families if name in self._families}, ctx)

    def _with_next(self, names: Iterable[str], ctx: SiteContext) -> list[str]:
        """Every part of these sitemaps, and the part after the last (gone if it shrank)."""
        paths = []
        for name in sorted(names):
            parts = self._parts(name, ctx)
            paths += [*parts, part_path(name, len(parts) + 1)]
        return paths

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        if path == ROBOTS_PATH:
            return site_object(path, render_robots(ctx.site), TEXT)
        if path == INDEX_PATH:
            sitemaps = [
                SitemapEntry(absolute_url(ctx.site.base_url, file), None)
                for name in self._names(ctx)
                for file in self._parts(name, ctx)
            ]
            return site_object(path, render_sitemap_index(sitemaps), XML)
        name = _name_of(path)
        if name is None or (name not in self._families and not name.startswith(MONTH_PREFIX)):
            return None
        entries = self._parts(name, ctx).get(path)
        return site_object(path, render_sitemap(entries), XML) if entries else None


def _name_of(path: str) -> str | None:
    """'articles-2026-11' from '/sitemaps/articles-2026-11-2.xml'; None for another path."""
    stem = path.removeprefix(SITEMAP_DIR).removesuffix(".xml")
    if not stem or "/" in stem:
        return None
    head, _, tail = stem.rpartition("-")
    if head and tail.isdigit() and int(tail) >= 2 and not _is_month(stem):
        return head
    return stem


def _is_month(stem: str) -> bool:
    """'articles-2026-11' (whose last '-11' is the month, not a part number)."""
    rest = stem.removeprefix(MONTH_PREFIX)
    return rest != stem and len(rest) == 7 and rest[4] == "-"
