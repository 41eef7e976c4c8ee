"""The static JSON API: one document per article, the newest list and the schema."""

from __future__ import annotations

from collections.abc import Sequence

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


def _by_path(ctx: SiteContext) -> dict[str, Article]:
    return ctx.memo(
        "api:by-path",
        lambda: {article_json_path(article.id): article for article in ctx.catalogue.articles},
    )


class ApiFamily:
    name = "api"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [LATEST_PATH, SCHEMA_PATH, *_by_path(ctx)]

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        # An article's document depends on that article alone.
        return [LATEST_PATH, *(article_json_path(version.id) for version in versions(changes))]

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        if path == LATEST_PATH:
            return site_object(path, render_latest_json(ctx.newest(LATEST_SIZE), ctx.site), JSON)
        if path == SCHEMA_PATH:
            return site_object(path, render_article_schema(), JSON)
        return site_object(path, render_article_json(_by_path(ctx)[path], ctx.site), JSON)
