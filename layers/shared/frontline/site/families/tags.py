"""Tag pages (the newest articles under one tag) and the tag index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.catalogue import Group, by_count
from frontline.site.families.base import SiteContext, versions
from frontline.site.families.listing import GroupSection, group_at, groups_page, listing_page
from frontline.site.paths import tag_path
from frontline.site.views import FeedLink, PageMeta

INDEX_PATH: Final = "/tags/"


def tag_feed(group: Group) -> FeedLink:
    return FeedLink(f"「#{group.name}」の記事をRSSで購読", group.path + "rss.xml")


def _tag(ctx: SiteContext, group: Group) -> SiteObject:
    feed = tag_feed(group)
    page = PageMeta(
        title=f"「{group.name}」のニュース",
        description=f"タグ「{group.name}」がついたAIニュースの一覧です。",
        path=group.path,
        feeds=(feed,),
    )
    return listing_page(
        ctx,
        page,
        f"#{group.name}",
        group.articles,
        lead=(f"タグ「{group.name}」がついた記事（{group.count}件）を新しい順に掲載しています。",),
        feed=feed,
    )


def _index(ctx: SiteContext) -> SiteObject:
    page = PageMeta(
        title="タグ一覧", description="記事についているタグの一覧です。", path=INDEX_PATH
    )
    section = GroupSection(
        "すべてのタグ",
        tuple(by_count(ctx.catalogue.tags.values())),
        prefix="#",
        cloud=True,
        empty="まだタグはありません。",
    )
    return groups_page(ctx, page, "タグ一覧", ("記事数の多い順に並べています。",), (section,))


def touched_tags(changes: Sequence[ArticleChange]) -> list[str]:
    """The tag pages of every version of the changed articles (gone, if it was the last)."""
    return sorted({tag_path(tag) for version in versions(changes) for tag in version.analysis.tags})


class TagFamily:
    name = "tags"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, *(group.path for group in ctx.catalogue.tags.values())]

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, *touched_tags(changes)]

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        if path == INDEX_PATH:
            return _index(ctx)
        return _tag(ctx, group_at(ctx, "tags", ctx.catalogue.tags, path))
