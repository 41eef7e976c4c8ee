"""The page shapes tag, company and source families share: a list of cards, a list of groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.families.base import SiteContext, versions
from frontline.site.slices import GroupCount, GroupKind, group_keys, group_path
from frontline.site.views import FeedLink, PageMeta

LIST_LIMIT: Final = 20  # a group page shows its newest 20, and says how many there are


@dataclass(frozen=True)
class GroupSection:
    heading: str
    groups: tuple[GroupCount, ...]
    prefix: str = ""
    cloud: bool = False
    empty: str = "まだありません。"


def listing_page(
    ctx: SiteContext,
    page: PageMeta,
    heading: str,
    group: GroupCount,
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
        cards=ctx.cards(ctx.newest_in(group.posting, LIST_LIMIT)),
        truncated=group.count > LIST_LIMIT,
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


def group_at(ctx: SiteContext, kind: GroupKind, path: str) -> GroupCount | None:
    """The group a page path names, or None when it has no public article (any more)."""
    if kind != "sources":  # the key is the path's last segment
        key = path.removeprefix(f"/{kind}/").strip("/")
        return ctx.group(kind, key) if "/" not in key else None
    by_path = ctx.memo("sources:by-path", lambda: {g.path: g for g in ctx.groups("sources")})
    return by_path.get(path)


def touched_groups(changes: Sequence[ArticleChange], kind: GroupKind) -> list[str]:
    """The pages of the groups every version of the changed articles belongs to (a group
    whose last article left is gone)."""
    return sorted(
        {
            group_path(kind, key)
            for version in versions(changes)
            for key in group_keys(version, kind)
        }
    )


def is_group_page(path: str, kind: GroupKind) -> bool:
    """'/tags/<key>/' (one segment under the family's root)."""
    rest = path.removeprefix(f"/{kind}/")
    return rest != path and rest.endswith("/") and rest.count("/") == 1 and len(rest) > 1
