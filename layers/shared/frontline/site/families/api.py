"""The static JSON API: one document per article, the newest list and the schema."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.api import (
    LATEST_PATH,
    LATEST_SIZE,
    SCHEMA_PATH,
    render_article_json,
    render_article_schema,
    render_latest_json,
)
from frontline.site.families.base import JSON, SiteContext, site_object, versions
from frontline.site.paths import article_json_path

ARTICLES_ROOT: Final = "/api/v1/articles/"


def _article_of(ctx: SiteContext, path: str) -> Article | None:
    ident = path.removeprefix(ARTICLES_ROOT).removesuffix(".json")
    found = ctx.articles([ident]).get(ident)
    return found if found is not None and article_json_path(found.id) == path else None


class ApiFamily:
    name = "api"

    def paths(self, ctx: SiteContext) -> list[str]:
        articles = ctx.newest(ctx.count())
        return [LATEST_PATH, SCHEMA_PATH, *(article_json_path(a.id) for a in articles)]

    def owns(self, path: str) -> bool:
        return path in (LATEST_PATH, SCHEMA_PATH) or (
            path.startswith(ARTICLES_ROOT) and path.endswith(".json")
        )

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        # An article's document depends on that article alone.
        return [LATEST_PATH, *(article_json_path(version.id) for version in versions(changes))]

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        if path == LATEST_PATH:
            return site_object(path, render_latest_json(ctx.newest(LATEST_SIZE), ctx.site), JSON)
        if path == SCHEMA_PATH:
            return site_object(path, render_article_schema(), JSON)
        article = _article_of(ctx, path)
        if article is None:
            return None
        return site_object(path, render_article_json(article, ctx.site), JSON)
