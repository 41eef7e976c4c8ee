"""最新ニュース and its archive: /news/ holds the newest 20, /news/page/N/ the older ones.

Archive pages hold only full pages of 20, numbered from the oldest article, so a full page
never changes when new articles arrive. Page N holds the articles N*20-20 … N*20-1 counted
from the oldest, that is the newest-first positions count-N*20 … count-N*20+19: a page near
the newest end is read from the newest few dozen articles whatever the archive's size.

Which pages a change touches: a new article at the front touches only the newest two (the
last full page gains a neighbour when the next one fills); an edit touches its own page; a
removal or an out-of-order arrival shifts every page from its position to the newest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from frontline.domain.listing_order import listing_key
from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.families.base import SiteContext
from frontline.site.paths import news_archive_path
from frontline.site.views import Link, PageMeta

PATH: Final = "/news/"
ARCHIVE_ROOT: Final = "/news/page/"
NEWS_PAGE_SIZE: Final = 20
ARCHIVE_LINKS: Final = 12  # /news/ links the newest archive pages; each links its neighbours


def archive_page_count(article_count: int) -> int:
    """Archive pages hold only full pages of 20, counted from the oldest article."""
    return article_count // NEWS_PAGE_SIZE


def _archive_slice(ctx: SiteContext, number: int) -> Sequence[Article]:
    """Archive page `number`, newest first: counted from the oldest end of the listing."""
    start = ctx.count() - number * NEWS_PAGE_SIZE
    return ctx.newest(start + NEWS_PAGE_SIZE)[start:]


def _news(ctx: SiteContext) -> SiteObject:
    pages = archive_page_count(ctx.count())
    archive = [
        Link(f"ページ{number}", news_archive_path(number))
        for number in range(pages, max(0, pages - ARCHIVE_LINKS), -1)
    ]
    pager = [Link("より古い記事へ", news_archive_path(pages))] if pages else []
    page = PageMeta(
        title="最新ニュース",
        description=f"{ctx.site.title}の最新AIニュース一覧。新しい記事から順に掲載しています。",
        path=PATH,
        nav="news",
    )
    return ctx.html(
        "news.html",
        page,
        heading="最新ニュース",
        lead="新しく届いた記事から順に20件を掲載しています。",
        cards=ctx.cards(ctx.newest(NEWS_PAGE_SIZE)),
        pager=pager,
        archive=archive,
    )


def _archive_page(ctx: SiteContext, number: int) -> SiteObject | None:
    pages = archive_page_count(ctx.count())
    if not 1 <= number <= pages:
        return None
    return archive_page(ctx, number, pages, _archive_slice(ctx, number))


def archive_page(
    ctx: SiteContext, number: int, pages: int, articles: Sequence[Article]
) -> SiteObject:
    """Archive page `number` of `pages`, showing `articles` (newest first): what a rebuild
    renders while it streams the listing from the oldest article.

    Its only outward links are to the neighbouring pages, and the newer neighbour exists
    as soon as a page after it is full (until then it links to /news/)."""
    pager = []
    if number < pages:
        pager.append(Link("より新しい記事へ", news_archive_path(number + 1)))
    else:
        pager.append(Link("最新ニュースへ", PATH))
    if number > 1:
        pager.append(Link("より古い記事へ", news_archive_path(number - 1)))
    page = PageMeta(
        title=f"ニュース一覧 ページ{number}",
        description=f"{ctx.site.title}の過去のAIニュース一覧（ページ{number}）。",
        path=news_archive_path(number),
        nav="news",
    )
    return ctx.html(
        "news.html",
        page,
        heading=f"ニュース一覧（ページ{number}）",
        lead="過去の記事を、掲載した順に20件ずつまとめています。",
        cards=ctx.cards(articles),
        pager=pager,
        archive=[],
    )


def _touched_pages(changes: Sequence[ArticleChange], ctx: SiteContext) -> set[int]:
    total = ctx.count()
    pages = archive_page_count(total)
    touched: set[int] = set()
    for change in changes:
        after = change.after
        new = change.before is None and after is not None
        if new or after is None:
            # The count of pages can change: the page that was (or now is) the newest full
            # page links to its newer neighbour or to /news/, and a removal can leave the
            # old newest page gone.
            touched.update({pages - 1, pages, *([pages + 1] if after is None else [])})
        for version in change.versions:
            position = ctx.position(version)
            first_page = max(1, (total - 1 - position) // NEWS_PAGE_SIZE + 1)
            if new and position < len(changes):
                touched.update({pages - 1, pages})  # the newest end only
            elif (
                after is not None
                and change.before is not None
                and listing_key(change.before) == listing_key(after)
            ):
                touched.add(first_page)
            else:
                touched.update(range(first_page, pages + 1))
    return {page for page in touched if page >= 1}


def _number(path: str) -> int | None:
    rest = path.removeprefix(ARCHIVE_ROOT).removesuffix("/")
    return int(rest) if rest.isascii() and rest.isdigit() and path.endswith("/") else None


class NewsFamily:
    name = "news"

    def paths(self, ctx: SiteContext) -> list[str]:
        pages = archive_page_count(ctx.count())
        return [PATH, *(news_archive_path(number) for number in range(1, pages + 1))]

    def owns(self, path: str) -> bool:
        return path == PATH or (path.startswith(ARCHIVE_ROOT) and _number(path) is not None)

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        pages = sorted(_touched_pages(changes, ctx))
        return [PATH, *(news_archive_path(number) for number in pages)]

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        if path == PATH:
            return _news(ctx)
        number = _number(path)
        return _archive_page(ctx, number) if number is not None else None
