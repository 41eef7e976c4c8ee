"""Article pages: one per public article, with its related articles.

Related articles are drawn from earlier arrivals only (`frontline.site.related`), so a new
article's page is the only article page its arrival touches. An edited, hidden or late
article can enter or leave the related lists of the few newer articles whose windows reach
it; those pages are rendered too.
"""

from __future__ import annotations

from collections.abc import Sequence

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.families.base import SiteContext, versions
from frontline.site.related import reached_by, related_to
from frontline.site.views import PageMeta, article_view, first_image, news_article_json_ld

ROOT = "/articles/"


class ArticleFamily:
    name = "article"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [article.path for article in ctx.newest(ctx.count())]

    def owns(self, path: str) -> bool:
        return path.startswith(ROOT)

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        changed = list(versions(changes))
        own = [version.path for version in changed]  # gone, if hidden
        newer = ctx.articles(sorted(reached_by(changed, ctx.slices)))
        return [*own, *sorted(article.path for article in newer.values())]

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        article = ctx.slices.article_at(path)
        if article is None:
            return None
        related = ctx.cards(related_to(article, ctx.slices))
        view = article_view(article, ctx.site, related, ctx.card(article))
        page = PageMeta(
            title=article.analysis.title_ja,
            description=article.analysis.tldr,
            path=article.path,
            nav="news",
            og_type="article",
            image=first_image(article),
            json_ld=news_article_json_ld(article, ctx.site),
        )
        return ctx.html("article.html", page, view=view)
