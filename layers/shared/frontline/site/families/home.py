"""The top page: the pinned stories, the newest stories and the week's trending tags."""

from __future__ import annotations

from collections.abc import Sequence

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.families.base import SiteContext
from frontline.site.families.trends import trending_tags
from frontline.site.views import PageMeta

PATH = "/"
HOME_SIZE = 30
HOME_TRENDING = 12


class HomeFamily:
    name = "home"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [PATH]

    def owns(self, path: str) -> bool:
        return path == PATH

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [PATH]

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        page = PageMeta(title=ctx.site.title, description=ctx.site.tagline, path=PATH)
        pinned = ctx.cards(ctx.pinned())
        shown = {card.path for card in pinned}
        return ctx.html(
            "index.html",
            page,
            pinned=pinned,
            cards=tuple(c for c in ctx.cards(ctx.newest(HOME_SIZE)) if c.path not in shown),
            trending=[group for group, _count in trending_tags(ctx)][:HOME_TRENDING],
        )
