"""The subscription feeds: RSS, Atom and JSON Feed of the site, and RSS per tag and company."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.families.base import ATOM, JSON_FEED, RSS, SiteContext, site_object
from frontline.site.families.listing import group_at, is_group_page, touched_groups
from frontline.site.feeds import (
    FEED_SIZE,
    Feed,
    build_feed,
    render_atom,
    render_json_feed,
    render_rss,
)
from frontline.site.slices import GroupCount, GroupKind

SITE_FEEDS: Final[dict[str, tuple[Callable[[Feed], str], str]]] = {
    "/rss.xml": (render_rss, RSS),
    "/atom.xml": (render_atom, ATOM),
}
JSON_FEED_PATH: Final = "/feed.json"
FEED_NAME: Final = "rss.xml"


GROUP_FEED_SIZE: Final = 20  # a tag's or company's feed: its newest 20
_FEED_KINDS: Final[tuple[GroupKind, ...]] = ("tags", "companies")


def _titles(group: GroupCount) -> tuple[str, str]:
    if group.kind == "tags":
        return f"#{group.name}", f"タグ「{group.name}」がついたAIニュース"
    return group.name, f"{group.name}に関するAIニュース"


def _group_of(ctx: SiteContext, path: str) -> GroupCount | None:
    """The tag or company whose feed is at `path`, None if it has no public article."""
    page = path.removesuffix(FEED_NAME)
    for kind in _FEED_KINDS:
        if is_group_page(page, kind):
            return group_at(ctx, kind, page)
    return None


class FeedFamily:
    name = "feeds"

    def paths(self, ctx: SiteContext) -> list[str]:
        groups = [group.path + FEED_NAME for kind in _FEED_KINDS for group in ctx.groups(kind)]
        return [*SITE_FEEDS, JSON_FEED_PATH, *groups]

    def owns(self, path: str) -> bool:
        if path in SITE_FEEDS or path == JSON_FEED_PATH:
            return True
        page = path.removesuffix(FEED_NAME)
        return page != path and any(is_group_page(page, kind) for kind in _FEED_KINDS)

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        pages = [*touched_groups(changes, "tags"), *touched_groups(changes, "companies")]
        return [*SITE_FEEDS, JSON_FEED_PATH, *(page + FEED_NAME for page in pages)]

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        site = ctx.site
        if path == JSON_FEED_PATH or path in SITE_FEEDS:
            listed = list(ctx.newest(FEED_SIZE))
        if path == JSON_FEED_PATH:
            return site_object(path, render_json_feed(listed, site), JSON_FEED)
        if path in SITE_FEEDS:
            render, content_type = SITE_FEEDS[path]
            feed = build_feed(
                listed,
                site,
                title=site.title,
                description=site.tagline,
                home_path="/",
                feed_path=path,
                now=ctx.now,
            )
            return site_object(path, render(feed), content_type)
        group = _group_of(ctx, path)
        if group is None:
            return None
        title, description = _titles(group)
        feed = build_feed(
            list(ctx.newest_in(group.posting, GROUP_FEED_SIZE)),
            site,
            title=f"{title} | {site.title}",
            description=description,
            home_path=group.path,
            feed_path=path,
            now=ctx.now,
        )
        return site_object(path, render_rss(feed), RSS)
