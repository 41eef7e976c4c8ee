"""The page shapes tag, company and source families share: a list of cards, a list of groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from frontline.domain.models import Article
from frontline.domain.ports import SiteObject
from frontline.site.catalogue import Group
from frontline.site.families.base import SiteContext
from frontline.site.views import FeedLink, PageMeta

LIST_LIMIT: Final = 50


@dataclass(frozen=True)
class GroupSection:
    heading: str
    groups: tuple[Group, ...]
    prefix: str = ""
    cloud: bool = False
    empty: str = "まだありません。"


def listing_page(
    ctx: SiteContext,
    page: PageMeta,
    heading: str,
    articles: Sequence[Article],
    *,
    lead: Sequence[str] = (),
    feed: FeedLink | None = None,
    empty: str = "まだ記事はありません。",
) -> SiteObject:
    """The newest LIST_LIMIT articles of a group, as cards."""
    return ctx.html(
        "listing.html",
        page,
        heading=heading,
        lead=lead,
        feed=feed,
        cards=ctx.cards(articles[:LIST_LIMIT]),
        truncated=len(articles) > LIST_LIMIT,
        empty=empty,
    )


def groups_page(
    ctx: SiteContext,
    page: PageMeta,
    heading: str,
    lead: Sequence[str],
    sections: Sequence[GroupSection],
) -> SiteObject:
    return ctx.html("groups.html", page, heading=heading, lead=lead, sections=sections)


def group_at(ctx: SiteContext, family: str, groups: dict[str, Group], path: str) -> Group:
    """The group a page path names (one lookup table per family and render)."""
    by_path = ctx.memo(f"{family}:by-path", lambda: {g.path: g for g in groups.values()})
    return by_path[path]
