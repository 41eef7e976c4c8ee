"""検索: the search page, its script and the static index it reads.

The one place search joins the site: the index files come from `frontline.site.search`, built
from the public articles; a search back end that indexes only what a publish changed gets the
changes in `touched` and returns its objects from `render`, like any other family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.assets import script
from frontline.site.catalogue import Group, by_count
from frontline.site.families.base import CACHE_IMMUTABLE, JSON, SiteContext, site_object
from frontline.site.search import SearchFile, search_files
from frontline.site.views import PageMeta

PATH: Final = "/search/"


@dataclass(frozen=True)
class Cloud:
    heading: str
    groups: tuple[Group, ...]
    prefix: str
    empty: str


def _index_files(ctx: SiteContext) -> dict[str, SearchFile]:
    return ctx.memo(
        "search:files", lambda: {file.path: file for file in search_files(ctx.catalogue.articles)}
    )


def _page(ctx: SiteContext) -> SiteObject:
    page = PageMeta(
        title="検索",
        description="サイト内のAIニュースをキーワードで検索できます。",
        path=PATH,
        nav="search",
    )
    sections = (
        Cloud(
            "タグから探す",
            tuple(by_count(ctx.catalogue.tags.values())),
            "#",
            "まだタグはありません。",
        ),
        Cloud(
            "企業から探す",
            tuple(by_count(ctx.catalogue.companies.values())),
            "",
            "まだ企業の記事はありません。",
        ),
    )
    return ctx.html(
        "search.html",
        page,
        heading="検索",
        article_count=len(ctx.catalogue.articles),
        sections=sections,
        scripts=(script("search").path,),
    )


class SearchFamily:
    name = "search"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [PATH, script("search").path, *_index_files(ctx)]

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [PATH, *_index_files(ctx)]  # the script's name changes only with its bytes

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        if path == PATH:
            return _page(ctx)
        asset = script("search")
        if path == asset.path:
            return site_object(path, asset.body, asset.content_type, CACHE_IMMUTABLE)
        return site_object(path, _index_files(ctx)[path].body, JSON)
