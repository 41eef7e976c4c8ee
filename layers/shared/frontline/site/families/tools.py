"""AIツール: news of tool launches and updates, newest publication first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from frontline.domain.models import ArticleChange, Category
from frontline.domain.ports import SiteObject
from frontline.site.families.base import SiteContext, changes_under
from frontline.site.slices import CATEGORY
from frontline.site.views import CardView, PageMeta

PATH: Final = "/tools/"
TOOLS_SHOWN: Final = 30  # the newest tool arrivals, by publication time


@dataclass(frozen=True)
class ToolView:
    card: CardView
    url: str
    host: str


class ToolsFamily:
    name = "tools"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [PATH]

    def owns(self, path: str) -> bool:
        return path == PATH

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [PATH] if changes_under(changes, f"{CATEGORY}{Category.TOOL}") else []

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        articles = ctx.showable(ctx.newest_in(f"{CATEGORY}{Category.TOOL}", TOOLS_SHOWN))
        articles.sort(key=lambda a: (a.published, a.id), reverse=True)
        tools = [
            ToolView(ctx.card(a), a.item.url, urlsplit(a.item.url).hostname or a.item.url)
            for a in articles
        ]
        page = PageMeta(
            title="AIツール",
            description="新しいAIツールやサービスの公開・更新に関するニュースを新しい順に紹介しています。",
            path=PATH,
            nav="tools",
        )
        lead = (
            "新しいAIツールやサービスの公開、主な機能更新を伝える記事を、公開日の新しい順に掲載しています。",
            "各記事から、紹介元のページ（製品のページや発表記事）を直接開けます。",
        )
        return ctx.html("tools.html", page, heading="AIツール", lead=lead, tools=tools)
