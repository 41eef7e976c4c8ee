"""The site's slices answered from public articles in memory: a full render and the tests.

`Catalogue` implements `frontline.site.slices.SiteSlices` over a list of articles; the
store's index (`frontline.adapters.site_index`) answers the same questions from items kept
beside the articles. Listing order is arrival order (see `frontline.domain.listing_order`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from typing import Any

from frontline.domain.listing_order import listing_key
from frontline.domain.models import Article
from frontline.domain.ports import ArticleRepository
from frontline.site.slices import (
    EVERY,
    GROUP_KINDS,
    DayCount,
    GroupCount,
    GroupKind,
    Ref,
    SitemapRow,
    article_day,
    article_month,
    day_keys,
    display_name,
    group_keys,
    group_spellings,
    posting_keys,
)


def newest_first(articles: Iterable[Article]) -> list[Article]:
    return sorted(articles, key=listing_key, reverse=True)


def descending(article: Article) -> tuple[float, bool, float, str]:
    """listing_key, reversed: listings are newest first (the id breaks ties the same way)."""
    first_seen, dated, published, ident = listing_key(article)
    return (-first_seen.timestamp(), not dated, -published.timestamp(), _reversed(ident))


@lru_cache(maxsize=1 << 17)  # bisecting a listing asks for the same ids again and again
def _reversed(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)


def listing_position(listing: Sequence[Article], article: Article) -> int:
    """Where `article` stands (or would stand) in a newest-first listing."""
    return bisect_left(listing, descending(article), key=descending)


def _ref(article: Article) -> Ref:
    return Ref(article.id, article.importance, article.published)


@dataclass(frozen=True)
class Catalogue:
    """Public articles, newest first, and every slice of them the site asks for."""

    listing: tuple[Article, ...]
    _postings: dict[str, list[Article]] = field(repr=False)
    _groups: dict[GroupKind, dict[str, GroupCount]] = field(repr=False)
    _by_id: dict[str, Article] = field(repr=False)
    _by_path: dict[str, Article] = field(repr=False)
    _days: dict[date, DayCount] = field(repr=False)
    _months: dict[str, list[Article]] = field(repr=False)

    # --- SiteSlices --------------------------------------------------------------------

    def count(self) -> int:
        return len(self.listing)

    def newest(self, limit: int) -> Sequence[Article]:
        return self.listing[:limit]

    def newest_in(self, key: str, limit: int) -> Sequence[Article]:
        return self._postings.get(key, [])[:limit]

    def walk(self, key: str | None, *, oldest_first: bool = False) -> Iterator[Article]:
        listing = self.listing if key is None else self._postings.get(key, [])
        return iter(reversed(listing) if oldest_first else listing)

    def _under(self, key: str) -> Sequence[Article]:
        return self.listing if key == EVERY else self._postings.get(key, [])

    def oldest_in(self, key: str, limit: int) -> Sequence[Ref]:
        listing = self._under(key)
        return [_ref(other) for other in reversed(listing[-limit:])] if limit > 0 else []

    def older_in(self, key: str, article: Article, limit: int) -> Sequence[Ref]:
        listing = self._under(key)
        start = bisect_right(listing, descending(article), key=descending)
        return [_ref(other) for other in islice(listing, start, start + limit)]

    def newer_in(self, key: str, article: Article, limit: int) -> Sequence[Ref]:
        listing = self._under(key)
        end = bisect_left(listing, descending(article), key=descending)
        return [_ref(other) for other in reversed(listing[max(0, end - limit) : end])]

    def articles(self, ids: Iterable[str]) -> Mapping[str, Article]:
        return {ident: self._by_id[ident] for ident in ids if ident in self._by_id}

    def article_at(self, path: str) -> Article | None:
        return self._by_path.get(path)

    def groups(self, kind: GroupKind) -> Sequence[GroupCount]:
        return list(self._groups[kind].values())

    def group(self, kind: GroupKind, key: str) -> GroupCount | None:
        return self._groups[kind].get(key)

    def latest_day(self) -> date | None:
        return max(self._days, default=None)

    def days(self, first: date, last: date) -> Sequence[DayCount]:
        return [self._days[day] for day in sorted(self._days) if first <= day <= last]

    def days_before(self, key: str, day: date | None, limit: int) -> Sequence[DayCount]:
        found = [
            count
            for when, count in sorted(self._days.items(), reverse=True)
            if (day is None or when < day) and count.counts.get(key)
        ]
        return found[:limit]

    def days_after(self, key: str, day: date, limit: int) -> Sequence[DayCount]:
        found = [
            count
            for when, count in sorted(self._days.items())
            if when > day and count.counts.get(key)
        ]
        return found[:limit]

    def created_since(self, moment: datetime) -> Sequence[Article]:
        stored = [article for article in self.listing if article.created_at > moment]
        return sorted(stored, key=lambda a: (a.created_at, a.id), reverse=True)

    def months(self) -> Mapping[str, int]:
        return {month: len(listed) for month, listed in sorted(self._months.items())}

    def month_rows(self, month: str) -> Sequence[SitemapRow]:
        rows = (SitemapRow(a.path, a.updated_at) for a in self._months.get(month, []))
        return sorted(rows, key=lambda row: row.path)


def public_listing(articles: Iterable[Article]) -> list[Article]:
    """Only public articles; one per id (the latest update wins) and one per path, newest
    first."""
    latest: dict[str, Article] = {}
    for article in articles:
        if not article.status.is_public:
            continue
        known = latest.get(article.id)
        if known is None or (article.updated_at, article.path) > (known.updated_at, known.path):
            latest[article.id] = article
    by_path: dict[str, Article] = {}
    for article in newest_first(latest.values()):
        by_path.setdefault(article.path, article)  # one page per path: the newest wins
    return list(by_path.values())


def _group_counts(listed: Sequence[Article], kind: GroupKind) -> dict[str, GroupCount]:
    members: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in listed:
        for key, name in group_spellings(article, kind):
            spellings[key][name] += 1
        members.update(group_keys(article, kind))
    return {
        key: GroupCount(kind, key, display_name(spellings[key]), count)
        for key, count in members.items()
    }


def build_catalogue(articles: Iterable[Article]) -> Catalogue:
    listed = public_listing(articles)
    postings: dict[str, list[Article]] = defaultdict(list)
    day_totals: Counter[date] = Counter()
    day_counts: dict[date, Counter[str]] = defaultdict(Counter)
    months: dict[str, list[Article]] = defaultdict(list)
    for article in listed:
        for key in posting_keys(article):
            postings[key].append(article)
        day = article_day(article)
        day_totals[day] += 1
        day_counts[day].update(set(day_keys(article)))
        months[article_month(article)].append(article)
    return Catalogue(
        listing=tuple(listed),
        _postings=dict(postings),
        _groups={kind: _group_counts(listed, kind) for kind in GROUP_KINDS},
        _by_id={article.id: article for article in listed},
        _by_path={article.path: article for article in listed},
        _days={
            day: DayCount(day, total, dict(sorted(day_counts[day].items())))
            for day, total in day_totals.items()
        },
        _months=dict(months),
    )


class ListedIndex:
    """A `SiteIndex` over a repository that can list its public articles: the slices are
    built from one listing and rebuilt after `reconcile`. Reads every article, so it serves
    in-memory repositories (tests, one-off tools); deployed stacks keep their index in the
    store (`frontline.adapters.site_index`)."""

    def __init__(self, articles: ArticleRepository) -> None:
        self._articles = articles
        self._catalogue: Catalogue | None = None

    def reconcile(self, article_ids: Iterable[str]) -> int:
        self._catalogue = None
        return len(list(article_ids))

    def reconcile_month(self, month: str) -> int:
        return self.reconcile_all()

    def reconcile_all(self) -> int:
        self._catalogue = None
        return 0

    def __getattr__(self, name: str) -> Any:
        if self._catalogue is None:
            self._catalogue = build_catalogue(self._articles.list_public())
        return getattr(self._catalogue, name)
