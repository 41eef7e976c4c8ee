"""What every page family shares: the protocol, the render context and the media types.

A page family is one kind of page (article pages, tag pages, the feeds...). It answers three
questions, and nothing else: which paths it publishes, which of them a batch of article
changes can touch, and how one path renders. The renderer asks every family in the registry
(`frontline.site.families.FAMILIES`), so the list of what the site holds lives in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, Final, Protocol, TypeVar

from frontline.domain.digests import Digest, DigestKind
from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.domain.source_health import SourceHealth
from frontline.site.assets import stylesheet
from frontline.site.catalogue import listing_position
from frontline.site.environment import environment
from frontline.site.paths import key_for
from frontline.site.search import PublishedTiers
from frontline.site.site_config import SiteConfig
from frontline.site.slices import GroupCount, GroupKind, SiteSlices, by_count, posting_keys
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


class DigestSource(Protocol):
    """The digests a render may show."""

    def of_kind(self, kind: DigestKind) -> Sequence[Digest]:
        """The kind's digests, newest period first (an archive page, a full render)."""
        ...

    def newest(self, kind: DigestKind, limit: int) -> Sequence[Digest]:
        """The kind's `limit` newest digests, newest first (its RSS feed)."""
        ...

    def get(self, kind: DigestKind, period: str) -> Digest | None: ...

    def adjacent(self, kind: DigestKind, period: str) -> tuple[Digest | None, Digest | None]:
        """The nearest digests of the kind before and after `period` (a report's pager)."""
        ...


class DigestList:
    """Digests held in memory (a full render, the tests)."""

    def __init__(self, digests: Iterable[Digest]) -> None:
        listed = list(digests)
        self._by_kind = {
            kind: sorted(
                (d for d in listed if d.kind is kind), key=lambda d: d.period, reverse=True
            )
            for kind in DigestKind
        }

    def of_kind(self, kind: DigestKind) -> Sequence[Digest]:
        return self._by_kind[kind]

    def newest(self, kind: DigestKind, limit: int) -> Sequence[Digest]:
        return self._by_kind[kind][:limit]

    def get(self, kind: DigestKind, period: str) -> Digest | None:
        return next((d for d in self._by_kind[kind] if d.period == period), None)

    def adjacent(self, kind: DigestKind, period: str) -> tuple[Digest | None, Digest | None]:
        older = [d for d in self._by_kind[kind] if d.period < period]
        newer = [d for d in self._by_kind[kind] if d.period > period]
        return (older[0] if older else None, newer[-1] if newer else None)


NEWEST_PREFETCH: Final = 50  # the longest site-wide list: one query serves every family
KEY_PREFETCH: Final = 20  # the longest list under one key (a group page, its feed)


class SiteContext:
    """One render's inputs — the store's slices, the digests, the site config — and the work
    families share: each slice is read once and each card built once, however many pages
    show them."""

    def __init__(
        self,
        slices: SiteSlices,
        site: SiteConfig,
        *,
        now: datetime,
        digests: DigestSource | Sequence[Digest] = (),
        search_tiers: PublishedTiers | None = None,
        digest_changes: Sequence[tuple[DigestKind, str]] = (),
        pinned: PinnedArticles | None = None,
        source_health: SourceHealthRows | None = None,
    ) -> None:
        self.slices = slices
        self.digest_changes = tuple(digest_changes)  # digests stored since the last publish
        # the store's pinned articles (one item and a few reads), and each feed's health
        # (one read per catalogue entry); None where the render has no store
        self._pinned = pinned
        self._source_health = source_health
        # the search archive already published (None: this render builds the archive index)
        self.search_tiers = search_tiers
        self.site = site
        self.now = now  # dates only a feed without entries
        self.digests = digests if not isinstance(digests, Sequence) else DigestList(digests)
        self.css_path = stylesheet().path
        self._cards: dict[str, CardView] = {}
        self._memo: dict[str, Any] = {}
        self._lists: dict[str, tuple[int, Sequence[Article]]] = {}
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

    def _list(self, key: str, limit: int, prefetch: int) -> Sequence[Article]:
        """The first `limit` of a listing, read once per render for the longest asked."""
        asked, listed = self._lists.get(key, (0, ()))
        if limit > asked:  # deeper reads grow geometrically: a full render stays linear
            asked = max(limit, prefetch, 2 * asked)
            if key:
                listed = self.slices.newest_in(key, asked)
            else:
                listed = self.slices.newest(asked)
            self._lists[key] = (asked, listed)
        return listed[:limit]

    def newest(self, limit: int) -> Sequence[Article]:
        """The first `limit` public articles in listing order (what site-wide lists show)."""
        return self._list("", limit, NEWEST_PREFETCH)

    def newest_in(self, key: str, limit: int) -> Sequence[Article]:
        """The first `limit` articles under a posting key."""
        return self._list(key, limit, KEY_PREFETCH)

    def position(self, article: Article) -> int:
        """How many public articles stand before `article` in listing order (where it stands
        or would stand): reads as deep as the article is."""
        depth = NEWEST_PREFETCH
        while True:
            listed = self.newest(depth)
            at = listing_position(listed, article)
            if at < len(listed) or len(listed) < depth:
                return at
            depth *= 4

    def count(self) -> int:
        return self.memo("count", self.slices.count)

    def groups(self, kind: GroupKind) -> Sequence[GroupCount]:
        """Every group of a kind, most articles first."""
        return self.memo(f"groups:{kind}", lambda: by_count(self.slices.groups(kind)))

    def group_names(self, kind: GroupKind) -> dict[str, GroupCount]:
        return self.memo(f"group-names:{kind}", lambda: {g.key: g for g in self.groups(kind)})

    def group(self, kind: GroupKind, key: str) -> GroupCount | None:
        if f"group-names:{kind}" in self._memo or f"groups:{kind}" in self._memo:
            return self.group_names(kind).get(key)
        return self.memo(f"group:{kind}:{key}", lambda: self.slices.group(kind, key))

    def articles(self, ids: Iterable[str]) -> Mapping[str, Article]:
        return self.slices.articles(ids)

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
        """`build()` once per render: what several pages of a family derive from a slice."""
        if name not in self._memo:
            self._memo[name] = build()
        value: T = self._memo[name]
        return value

    @cached_property
    def reference_day(self) -> date | None:
        """The JST day of the newest publication: 'today' and 'this week' end on it."""
        return self.slices.latest_day()

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
        """Every path the family publishes (a full render; reads every slice it has)."""
        ...

    def owns(self, path: str) -> bool:
        """Whether `path` is one of this family's kind of path (existing or not)."""
        ...

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> Iterable[str]:
        """The paths these changes can alter, read from bounded slices (a path that no
        longer exists is rendered as None, and deleted)."""
        ...

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        """The object at one of the family's paths (a pure function of the context), or
        None when the path is not part of the site (any more)."""
        ...


def versions(changes: Iterable[ArticleChange]) -> Iterable[Article]:
    """Every version, before and after, of the changed articles."""
    for change in changes:
        yield from change.versions


def changes_under(changes: Iterable[ArticleChange], key: str) -> bool:
    """Whether any version, before or after, of the changed articles is listed under `key`:
    a page that lists only that key's articles changes with nothing else."""
    return any(key in posting_keys(article) for article in versions(changes))
