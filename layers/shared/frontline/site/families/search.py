"""検索: the search page, its script and the Pagefind indexes it reads.

A full publish builds the archive bundles of every public article; a publish after changes
rebuilds only the recent index, of the articles stored after the archive's cutoff (named by
the published tiers file), and deletes the previous recent index's files by name. The
archive's files are never touched between two full publishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.assets import script
from frontline.site.families.base import (
    CACHE_IMMUTABLE,
    CACHE_PAGES,
    CACHE_REVALIDATE,
    SiteContext,
    site_object,
)
from frontline.site.search import (
    ARCHIVE_DIR,
    RECENT_DIR,
    SearchFile,
    archive_bundle_dir,
    archive_bundle_keys,
    search_files,
)
from frontline.site.views import PageMeta

PATH: Final = "/search/"


def _index_files(ctx: SiteContext) -> dict[str, SearchFile]:
    def build() -> dict[str, SearchFile]:
        tiers = ctx.search_tiers
        cutoff = tiers.archive_cutoff if tiers is not None else None
        bundles = tiers.archive_bundles if tiers is not None else ()
        # the archive index holds every article; the recent one only those stored since
        articles = ctx.newest(ctx.count()) if cutoff is None else ctx.slices.created_since(cutoff)
        return {file.path: file for file in search_files(articles, cutoff, bundles)}

    return ctx.memo("search:files", build)


def ui_bundle(ctx: SiteContext) -> str | None:
    """The bundle whose copy of Pagefind's UI the page loads: the first archive bundle, else
    the recent index; None while there is no index at all (a site without articles)."""
    tiers = ctx.search_tiers
    if tiers is not None:
        bundles = tiers.archive_bundles
    else:
        bundles = tuple(archive_bundle_dir(key) for key in archive_bundle_keys(ctx.slices.months()))
    if bundles:
        return bundles[0]
    return RECENT_DIR if any(path.startswith(RECENT_DIR) for path in _index_files(ctx)) else None


def _page(ctx: SiteContext) -> SiteObject:
    ui = ui_bundle(ctx)
    page = PageMeta(
        title="検索",
        description="サイト内のAIニュースをキーワードで検索できます。",
        path=PATH,
        nav="search",
    )
    return ctx.html(
        "search.html",
        page,
        heading="検索",
        # Pagefind's UI from the first bundle, then the script that starts it.
        stylesheets=(f"{ui}pagefind-ui.css",) if ui else (),
        scripts=(f"{ui}pagefind-ui.js", script("search").path) if ui else (),
    )


def _cache(file: SearchFile) -> str:
    if file.revalidate:
        return CACHE_REVALIDATE
    return CACHE_IMMUTABLE if file.immutable else CACHE_PAGES


def search_object(file: SearchFile) -> SiteObject:
    """A file of a Pagefind bundle as the object published at its path."""
    return site_object(file.path, file.body, file.content_type, _cache(file))


class SearchFamily:
    name = "search"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [PATH, script("search").path, *_index_files(ctx)]

    def pages(self, ctx: SiteContext) -> list[str]:
        """The family's HTML pages (what its sitemap lists), without building the index."""
        return [PATH]

    def owns(self, path: str) -> bool:
        return path == PATH or path == script("search").path or path.startswith(PATH)

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        # the page names no article, only the bundle its UI comes from; the script's name
        # changes only with its bytes; the previous recent index's files that the new one
        # does not name again are gone, and deleted by name
        previous = ctx.search_tiers.recent_files if ctx.search_tiers is not None else ()
        return [PATH, *_index_files(ctx), *previous]

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        if path == PATH:
            return _page(ctx)
        asset = script("search")
        if path == asset.path:
            return site_object(path, asset.body, asset.content_type, CACHE_IMMUTABLE)
        file = _index_files(ctx).get(path)
        if file is None and path.startswith(ARCHIVE_DIR) and ctx.search_tiers is not None:
            # only a full publish builds the archive index: left pending until then
            raise LookupError(f"{path} is rebuilt by the next full publish")
        return search_object(file) if file is not None else None
