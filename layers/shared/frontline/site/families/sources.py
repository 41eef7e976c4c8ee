"""Source pages (the newest articles of one feed) and the index of sources."""

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
from frontline.site.views import PageMeta

INDEX_PATH: Final = "/sources/"


def _source(ctx: SiteContext, group: GroupCount) -> SiteObject:
    page = PageMeta(
        title=f"{group.name}の記事",
        description=f"{group.name}が伝えたAIニュースの日本語要約の一覧です。",
        path=group.path,
    )
    return listing_page(
        ctx,
        page,
        f"{group.name}の記事",
        group,
        lead=(f"情報源「{group.name}」の記事（{group.count}件）を新しい順に掲載しています。",),
    )


def _index(ctx: SiteContext) -> SiteObject:
    page = PageMeta(
        title="情報源",
        description=f"{ctx.site.title}が記事を集めている情報源の一覧です。",
        path=INDEX_PATH,
    )
    section = GroupSection(
        "情報源一覧", tuple(ctx.groups("sources")), empty="まだ記事はありません。"
    )
    lead = ("記事を掲載したことのある情報源を、記事数の多い順に並べています。",)
    return groups_page(ctx, page, "情報源", lead, (section,))


class SourceFamily:
    name = "sources"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, *(group.path for group in ctx.groups("sources"))]

    def owns(self, path: str) -> bool:
        return path == INDEX_PATH or is_group_page(path, "sources")

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, *touched_groups(changes, "sources")]

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        if path == INDEX_PATH:
            return _index(ctx)
        group = group_at(ctx, "sources", path)
        return _source(ctx, group) if group is not None else None
