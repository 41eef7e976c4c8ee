"""What every page family shares: the protocol, the render context and the media types.

A page family is one kind of page (article pages, tag pages, the feeds...). It answers three
questions, and nothing else: which paths it publishes, which of them a batch of article
changes can touch, and how one path renders. The renderer asks every family in the registry
(`frontline.site.families.FAMILIES`), so the list of what the site holds lives in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Final, Protocol, TypeVar

from frontline.domain.digests import Digest
from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.domain.source_health import SourceHealth
from frontline.site.assets import stylesheet
from frontline.site.catalogue import Catalogue
from frontline.site.environment import environment
from frontline.site.paths import key_for
from frontline.site.search import PublishedTiers
from frontline.site.site_config import SiteConfig
from frontline.site.views import CardView, PageMeta, card_view

CACHE_PAGES: Final = "public, max-age=300, stale-while-revalidate=86400"
CACHE_IMMUTABLE: Final = "public, max-age=31536000, immutable"
CACHE_REVALIDATE: Final = "public, max-age=0, must-revalidate"  # names files a publish replaces

HTML: Final = "text/html; charset=utf-8"
RSS: Final = "application/rss+xml; charset=utf-8"
ATOM: Final = "application/atom+xml; charset=utf-8"
JSON_FEED: Final = "application/feed+json; charset=utf-8"
JSON: Final = "application/json; charset=utf-8"
XML: Final = "application/xml; charset=utf-8"
TEXT: Final = "text/plain; charset=utf-8"

T = TypeVar("T")

NewestArticles = Callable[[int], Sequence[Article]]
PinnedArticles = Callable[[], Sequence[Article]]
SourceHealthRows = Callable[[], Sequence[SourceHealth]]


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    path: str


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("news", "最新ニュース", "/news/"),
    NavItem("daily", "AI日報", "/daily/"),
    NavItem("hacker", "Hacker日報", "/hacker/"),
    NavItem("weekly", "週報", "/weekly/"),
    NavItem("videos", "動画", "/videos/"),
    NavItem("tools", "AIツール", "/tools/"),
    NavItem("trends", "トレンド", "/trends/"),
    NavItem("companies", "企業", "/companies/"),
    NavItem("search", "検索", "/search/"),
    NavItem("rss", "RSS", "/rss.xml"),
)


def site_object(
    path: str, body: str | bytes, content_type: str, cache: str = CACHE_PAGES
) -> SiteObject:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return SiteObject(key_for(path), data, content_type, cache)


class SiteContext:
    """One render's inputs — the public articles, the digests, the site config — and the work
    families share: each card is built once, however many lists show it."""

    def __init__(
        self,
        catalogue: Catalogue | Callable[[], Catalogue],
        site: SiteConfig,
        *,
        now: datetime,
        digests: Sequence[Digest] = (),
        search_tiers: PublishedTiers | None = None,
        newest: NewestArticles | None = None,
        pinned: PinnedArticles | None = None,
        source_health: SourceHealthRows | None = None,
    ) -> None:
        # every public article, built on first use: a family bounded to store slices never
        # asks, so a render of only such families reads no more than those slices
        self._catalogue = catalogue
        # the store's bounded "newest N" query (None: the catalogue's first N answer it)
        self._newest = newest
        self._newest_read: tuple[Article, ...] = ()
        self._newest_asked = 0
        # the store's pinned articles (one item and a few reads), and each feed's health
        # (one read per catalogue entry); None where the render has no store
        self._pinned = pinned
        self._source_health = source_health
        # the search archive already published (None: this render builds the archive index)
        self.search_tiers = search_tiers
        self.site = site
        self.now = now  # dates only a feed without entries
        self.digests = tuple(digests)
        self.css_path = stylesheet().path
        self._cards: dict[str, CardView] = {}
        self._memo: dict[str, Any] = {}
        self.card_failures: dict[str, tuple[str, str]] = {}  # article id -> (path, error)

    def card(self, article: Article) -> CardView:
        """The article's card; raises if the article cannot be shown (see `cards`)."""
        card = self._cards.get(article.id)
        if card is None:
            card = self._cards[article.id] = card_view(article)
        return card

    def cards(self, articles: Iterable[Article]) -> tuple[CardView, ...]:
        """The cards of the articles that can be shown: one bad record drops out of every
        list (and is reported in `card_failures`) instead of taking the lists down."""
        return tuple(self.card(article) for article in self.showable(articles))

    def showable(self, articles: Iterable[Article]) -> list[Article]:
        """The articles whose card can be built, in the same order."""
        shown = []
        for article in articles:
            if article.id in self.card_failures:
                continue
            try:
                self.card(article)
            except Exception as exc:  # a bad record must not stop every list it is in
                self.card_failures[article.id] = (article.path, repr(exc)[:300])
                continue
            shown.append(article)
        return shown

    def newest(self, limit: int) -> tuple[Article, ...]:
        """The first `limit` public articles in listing order, from the store's bounded
        query when the render has one: what the site-wide lists show."""
        if self._newest is None:
            return self.catalogue.articles[:limit]
        if limit > self._newest_asked:  # one query per render for the longest list asked
            self._newest_read = tuple(self._newest(limit))
            self._newest_asked = limit
        return self._newest_read[:limit]

    def pinned(self) -> tuple[Article, ...]:
        """The articles operators pinned to the top of the top page (read once)."""
        source = self._pinned
        return self.memo("pinned", lambda: tuple(source()) if source is not None else ())

    def source_health(self) -> tuple[SourceHealth, ...] | None:
        """Each catalogue feed's health; None when the render has no feed states."""
        source = self._source_health
        if source is None:
            return None
        return self.memo("source_health", lambda: tuple(source()))

    def memo(self, name: str, build: Callable[[], T]) -> T:
        """`build()` once per render: what several pages of a family derive from the slice."""
        if name not in self._memo:
            self._memo[name] = build()
        value: T = self._memo[name]
        return value

    @cached_property
    def catalogue(self) -> Catalogue:
        source = self._catalogue
        return source if isinstance(source, Catalogue) else source()

    @cached_property
    def reference_time(self) -> datetime | None:
        """The newest publication time: 'today' and 'this week' are measured from it."""
        return max((article.published for article in self.catalogue.articles), default=None)

    @cached_property
    def article_by_path(self) -> dict[str, Article]:
        return {article.path: article for article in self.catalogue.articles}

    def html(self, template: str, page: PageMeta, **context: Any) -> SiteObject:
        """One HTML page from a template in `site/templates`, with the site's chrome."""
        html = (
            environment()
            .get_template(template)
            .render(
                site=self.site,
                page=page,
                nav_items=NAV_ITEMS,
                css_path=self.css_path,
                **context,
            )
        )
        return site_object(page.path, html, HTML)


class PageFamily(Protocol):
    """One kind of page: what exists, what a change touches, how one path renders."""

    @property
    def name(self) -> str: ...

    def paths(self, ctx: SiteContext) -> Iterable[str]:
        """Every path the family publishes for this store."""
        ...

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> Iterable[str]:
        """The paths these changes can alter (paths that no longer exist are ignored)."""
        ...

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        """The object at one of `paths()`: a pure function of the context."""
        ...


def versions(changes: Iterable[ArticleChange]) -> Iterable[Article]:
    """Every version, before and after, of the changed articles."""
    for change in changes:
        yield from change.versions
