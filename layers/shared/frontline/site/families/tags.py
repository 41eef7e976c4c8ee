"""Tag pages (the newest articles under one tag) and the tag index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.families.base import SiteContext
from frontline.site.families.listing import (
    GroupSection,
    group_at,
    groups_page,
    is_group_page,
    listing_page,
    touched_groups,
)
from frontline.site.slices import GroupCount
from frontline.site.views import FeedLink, PageMeta

INDEX_PATH: Final = "/tags/"


def tag_feed(group: GroupCount) -> FeedLink:
    return FeedLink(f"「#{group.name}」の記事をRSSで購読", group.path + "rss.xml")


def _tag(ctx: SiteContext, group: GroupCount) -> SiteObject:
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
        group,
        lead=(f"タグ「{group.name}」がついた記事（{group.count}件）を新しい順に掲載しています。",),
        feed=feed,
    )


def _index(ctx: SiteContext) -> SiteObject:
    page = PageMeta(
        title="タグ一覧", description="記事についているタグの一覧です。", path=INDEX_PATH
    )
    section = GroupSection(
        "すべてのタグ",
        tuple(ctx.groups("tags")),
        prefix="#",
        cloud=True,
        empty="まだタグはありません。",
    )
    return groups_page(ctx, page, "タグ一覧", ("記事数の多い順に並べています。",), (section,))


class TagFamily:
    name = "tags"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, *(group.path for group in ctx.groups("tags"))]

    def owns(self, path: str) -> bool:
        return path == INDEX_PATH or is_group_page(path, "tags")

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, *touched_groups(changes, "tags")]

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        if path == INDEX_PATH:
            return _index(ctx)
        group = group_at(ctx, "tags", path)
        return _tag(ctx, group) if group is not None else None
