"""Article pages: one per public article, with its related articles.

Which pages a change touches: the changed articles' own pages, and the pages whose related
list can include a changed article. Related lists are chosen from neighbours in arrival
order (RELATED_REACH either side under each shared tag, entity and category), so only those
neighbours can be affected. A new article at the front of every list it joins can only
*enter* a neighbour's list, so neighbours are checked exactly; an edited, hidden or
out-of-order article shifts windows, so all its neighbours are rendered.
"""

from __future__ import annotations

from collections.abc import Sequence

from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.catalogue import RELATED_REACH, Catalogue, listing_position, related_keys
from frontline.site.families.base import SiteContext, versions
from frontline.site.views import PageMeta, article_view, first_image, news_article_json_ld


def _neighbours(catalogue: Catalogue, article: Article, reach: int) -> tuple[list[Article], bool]:
    """Articles within `reach` of `article` under each of its keys, and whether the article
    is (or would be) at the very front of every one of those listings."""
    found: dict[str, Article] = {}
    at_front = True
    for key in [f"category:{article.analysis.category}", *related_keys(article)]:
        listing = catalogue.postings(key)
        i = listing_position(listing, article)
        ahead = sum(1 for other in listing[:i] if other.id != article.id)
        at_front = at_front and ahead == 0
        for other in listing[max(0, i - reach) : i + reach + 1]:
            found[other.id] = other
    found.pop(article.id, None)
    return list(found.values()), at_front


def touched_articles(changes: Sequence[ArticleChange], catalogue: Catalogue) -> set[str]:
    """The ids of the public articles whose page these changes can alter."""
    public = {article.id for article in catalogue.articles}
    changed_ids = {version.id for version in versions(changes)}
    reach = RELATED_REACH + len(changes)  # several insertions shift windows by several places
    touched = changed_ids & public
    for change in changes:
        after = change.after if change.after is not None and change.after.id in public else None
        new = change.before is None and after is not None
        for version in change.versions:
            neighbours, at_front = _neighbours(catalogue, version, reach)
            if new and at_front:
                touched.update(
                    other.id
                    for other in neighbours
                    if any(r.id in changed_ids for r in catalogue.related_to(other))
                )
            else:
                touched.update(other.id for other in neighbours)
    return touched & public


class ArticleFamily:
    name = "article"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [article.path for article in ctx.catalogue.articles]

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        ids = touched_articles(changes, ctx.catalogue)
        own = [version.path for version in versions(changes)]  # gone, if hidden
        return [*own, *(article.path for article in ctx.catalogue.articles if article.id in ids)]

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        article = ctx.article_by_path[path]
        related = ctx.cards(ctx.catalogue.related_to(article))
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
