"""The subscription feeds: RSS, Atom and JSON Feed of the site, and RSS per tag and company."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.catalogue import Group
from frontline.site.families.base import ATOM, JSON_FEED, RSS, SiteContext, site_object
from frontline.site.families.companies import touched_companies
from frontline.site.families.tags import touched_tags
from frontline.site.feeds import (
    FEED_SIZE,
    Feed,
    build_feed,
    render_atom,
    render_json_feed,
    render_rss,
)

SITE_FEEDS: Final[dict[str, tuple[Callable[[Feed], str], str]]] = {
    "/rss.xml": (render_rss, RSS),
    "/atom.xml": (render_atom, ATOM),
}
JSON_FEED_PATH: Final = "/feed.json"
FEED_NAME: Final = "rss.xml"


def _group_feeds(ctx: SiteContext) -> dict[str, tuple[Group, str, str]]:
    """Each tag's and company's feed path, with its group, title and description."""

    def build() -> dict[str, tuple[Group, str, str]]:
        feeds = {
            group.path + FEED_NAME: (
                group,
                f"#{group.name}",
                f"タグ「{group.name}」がついたAIニュース",
            )
            for group in ctx.catalogue.tags.values()
        }
        feeds.update(
            (group.path + FEED_NAME, (group, group.name, f"{group.name}に関するAIニュース"))
            for group in ctx.catalogue.companies.values()
        )
        return feeds

    return ctx.memo("feeds:groups", build)


class FeedFamily:
    name = "feeds"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [*SITE_FEEDS, JSON_FEED_PATH, *_group_feeds(ctx)]

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        pages = [*touched_tags(changes), *touched_companies(changes)]
        return [*SITE_FEEDS, JSON_FEED_PATH, *(page + FEED_NAME for page in pages)]

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        site = ctx.site
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
        group, title, description = _group_feeds(ctx)[path]
        feed = build_feed(
            list(group.articles),
            site,
            title=f"{title} | {site.title}",
            description=description,
            home_path=group.path,
            feed_path=path,
            now=ctx.now,
        )
        return site_object(path, render_rss(feed), RSS)
