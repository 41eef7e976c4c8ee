"""The bounded questions pages ask of the store, and the keys an article is indexed under.

A page never needs every article: the top page needs the newest N, a tag page the newest N
under its tag, the tag index each tag's name and count, the trends page per-day counts, an
article page a few older neighbours under its tags and entities. `SiteSlices` is exactly
those questions. Two implementations answer them the same way: `frontline.site.catalogue`
from articles in memory (a full render, the tests), and `frontline.adapters.site_index`
from index items in DynamoDB written beside the articles (an incremental publish, the
partitions of a full rebuild), so neither path reads more than the pages it renders need.

Every key and count here is a pure function of the public articles:

- *postings*: an article is listed under `posting_keys(article)` in listing order (newest
  first, `frontline.domain.listing_order`);
- *groups*: tags, companies and sources with their article count and display name (the
  spelling used most often, ties to the first in code-point order);
- *days*: per JST day of publication, how many articles mention each day key
  (`day_keys`: a tag, a company, the community kind), each counted once per article;
- *months*: per JST month of publication, each article page's path and `updated_at`
  (what the monthly sitemaps list), and the number of articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal, Protocol

from frontline.domain.models import Article, EntityKind, FeedKind
from frontline.domain.trends import jst_day
from frontline.site.formatting import jst
from frontline.site.paths import company_slug, source_path, tag_segment

GroupKind = Literal["tags", "companies", "sources"]
GROUP_KINDS: Final[tuple[GroupKind, ...]] = ("tags", "companies", "sources")

# posting key prefixes
TAG: Final = "tag:"
COMPANY: Final = "company:"
SOURCE: Final = "source:"
CATEGORY: Final = "category:"
KIND: Final = "kind:"
ENTITY: Final = "entity:"  # entities other than companies (people, models, products...)
HACKER_DAY: Final = "hacker:"  # community stories of one JST day
MONTH: Final = "month:"  # the articles published in one JST month (a rebuild's partition)
STORED: Final = "stored:"  # the articles first stored on one JST day (the recent search index;
# asked only through `created_since`: a store may keep them in storing order)
EVERY: Final = "every:"  # every public article: the listing itself (a store keeps it by day)
SEEN: Final = "seen:"  # the articles first seen on one JST day: the listing, day by day
COMMUNITY_DAY_KEY: Final = "kind:community"  # the day key counting community stories

_GROUP_PREFIX: Final[dict[GroupKind, str]] = {"tags": TAG, "companies": COMPANY, "sources": SOURCE}


def tag_pairs(article: Article) -> list[tuple[str, str]]:
    """(segment, spelling) of each tag, in the article's order."""
    return [(tag_segment(tag), tag) for tag in article.analysis.tags]


def company_pairs(article: Article) -> list[tuple[str, str]]:
    """(slug, spelling) of each company entity, in the article's order."""
    return [
        (company_slug(entity.name), entity.name)
        for entity in article.analysis.entities
        if entity.kind is EntityKind.COMPANY
    ]


def source_pairs(article: Article) -> list[tuple[str, str]]:
    return [(article.item.feed_id, article.item.source_name)]


GROUP_PAIRS: Final = {"tags": tag_pairs, "companies": company_pairs, "sources": source_pairs}


def group_spellings(article: Article, kind: GroupKind) -> list[tuple[str, str]]:
    """(group key, spelling) of every mention, repeats included: each counts towards the
    display name; the article counts once towards the group's size."""
    return GROUP_PAIRS[kind](article)


def group_keys(article: Article, kind: GroupKind) -> list[str]:
    """The article's groups of one kind, each once, in the article's order."""
    return list(dict.fromkeys(key for key, _name in group_spellings(article, kind)))


def posting_key(kind: GroupKind, key: str) -> str:
    return _GROUP_PREFIX[kind] + key


def related_keys(article: Article) -> list[tuple[str, int]]:
    """The posting keys related articles are drawn from, with their weights: entities 2
    (companies through their company key), tags 1. Sorted entities first, then tags in the
    article's order."""
    entities = sorted(
        {
            posting_key("companies", company_slug(entity.name))
            if entity.kind is EntityKind.COMPANY
            else f"{ENTITY}{entity.kind}:{company_slug(entity.name)}"
            for entity in article.analysis.entities
        }
    )
    tags = [posting_key("tags", key) for key in group_keys(article, "tags")]
    return [(key, 2) for key in entities] + [(key, 1) for key in tags]


def category_key(article: Article) -> str:
    return f"{CATEGORY}{article.analysis.category}"


def kind_key(kind: FeedKind) -> str:
    return f"{KIND}{kind}"


def hacker_day_key(day: date) -> str:
    return f"{HACKER_DAY}{day.isoformat()}"


def posting_keys(article: Article) -> list[str]:
    """Every posting list the article belongs to, each once."""
    keys = [key for key, _weight in related_keys(article)]
    keys += [posting_key("sources", k) for k in group_keys(article, "sources")]
    keys += [category_key(article), kind_key(article.item.kind)]
    if article.item.kind is FeedKind.COMMUNITY:
        keys.append(hacker_day_key(jst_day(article.published)))
    keys.append(month_key(article_month(article)))
    keys.append(stored_key(jst_day(article.created_at)))
    keys.append(seen_key(jst_day(article.item.first_seen)))
    return list(dict.fromkeys(keys))


def seen_key(day: date) -> str:
    return f"{SEEN}{day.isoformat()}"


def stored_key(day: date) -> str:
    return f"{STORED}{day.isoformat()}"


def month_key(month: str) -> str:
    return f"{MONTH}{month}"


def day_keys(article: Article) -> list[str]:
    """What the article counts towards on its JST day: its tags, companies, and (for a
    community story) the community kind."""
    keys = [posting_key("tags", k) for k in group_keys(article, "tags")]
    keys += [posting_key("companies", k) for k in group_keys(article, "companies")]
    if article.item.kind is FeedKind.COMMUNITY:
        keys.append(COMMUNITY_DAY_KEY)
    return keys


def article_day(article: Article) -> date:
    return jst_day(article.published)


def article_month(article: Article) -> str:
    """'2026-11': the Japanese calendar month an article's sitemap is named by."""
    return jst(article.published).strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class GroupCount:
    """A tag, company or source: its key, display name, page path and article count."""

    kind: GroupKind
    key: str
    name: str
    count: int

    @property
    def path(self) -> str:
        return group_path(self.kind, self.key)

    @property
    def posting(self) -> str:
        """The posting key its articles are listed under."""
        return posting_key(self.kind, self.key)


def group_path(kind: GroupKind, key: str) -> str:
    if kind == "sources":
        return source_path(key)
    return f"/{kind}/{key}/"


@dataclass(frozen=True, slots=True)
class DayCount:
    """One JST day: how many articles were published, and per day key how many mention it."""

    day: date
    total: int
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Ref:
    """A posting without its article: enough to rank related candidates."""

    id: str
    importance: int
    published: datetime


@dataclass(frozen=True, slots=True)
class SitemapRow:
    path: str
    updated_at: datetime


def display_name(spellings: Mapping[str, int]) -> str:
    """The spelling used most often; ties go to the first in code-point order."""
    return min(spellings.items(), key=lambda pair: (-pair[1], pair[0]))[0]


def by_count(groups: Iterable[GroupCount]) -> list[GroupCount]:
    return sorted(groups, key=lambda group: (-group.count, group.name, group.key))


class SiteSlices(Protocol):
    """The bounded reads pages are rendered from (public articles only)."""

    def count(self) -> int:
        """How many public articles there are."""
        ...

    def newest(self, limit: int) -> Sequence[Article]:
        """The first `limit` public articles in listing order."""
        ...

    def newest_in(self, key: str, limit: int) -> Sequence[Article]:
        """The first `limit` articles listed under a posting key, in listing order."""
        ...

    def walk(self, key: str | None, *, oldest_first: bool = False) -> Iterator[Article]:
        """Every article under a posting key (None: every public article) in listing order,
        read page by page: what a rebuild partition streams through in bounded memory."""
        ...

    def oldest_in(self, key: str, limit: int) -> Sequence[Ref]:
        """The first `limit` postings under `key` from the oldest end, oldest first."""
        ...

    def older_in(self, key: str, article: Article, limit: int) -> Sequence[Ref]:
        """Up to `limit` postings under `key` just after `article` in listing order (older
        arrivals), nearest first; `article` need not be listed there itself."""
        ...

    def newer_in(self, key: str, article: Article, limit: int) -> Sequence[Ref]:
        """Up to `limit` postings under `key` just before `article` in listing order (newer
        arrivals), nearest first."""
        ...

    def articles(self, ids: Iterable[str]) -> Mapping[str, Article]:
        """The public articles with these ids (absent ids are left out)."""
        ...

    def article_at(self, path: str) -> Article | None:
        """The public article whose page is at `path`."""
        ...

    def groups(self, kind: GroupKind) -> Sequence[GroupCount]:
        """Every group of a kind with at least one public article, in any order."""
        ...

    def group(self, kind: GroupKind, key: str) -> GroupCount | None: ...

    def latest_day(self) -> date | None:
        """The JST day of the newest publication ('today' for trends and charts)."""
        ...

    def days(self, first: date, last: date) -> Sequence[DayCount]:
        """The JST days from `first` to `last` (inclusive) that have public articles,
        oldest first."""
        ...

    def days_before(self, key: str, day: date | None, limit: int) -> Sequence[DayCount]:
        """Up to `limit` days with a non-zero count for day key `key`, strictly before
        `day` (None: any day), newest first (each day's `counts` holds `key`, and may hold
        no other)."""
        ...

    def days_after(self, key: str, day: date, limit: int) -> Sequence[DayCount]:
        """Up to `limit` days with a non-zero count for day key `key`, strictly after
        `day`, oldest first."""
        ...

    def created_since(self, moment: datetime) -> Sequence[Article]:
        """The public articles stored (`created_at`) after `moment`, newest stored first:
        what the search archive built at `moment` lacks."""
        ...

    def months(self) -> Mapping[str, int]:
        """Per JST month ('2026-11') with public articles, how many."""
        ...

    def month_rows(self, month: str) -> Sequence[SitemapRow]:
        """Every public article page of a JST month, ordered by path."""
        ...


class SiteIndex(SiteSlices, Protocol):
    """The slices kept in a store beside the articles, brought up to date by the renderer."""

    def reconcile(self, article_ids: Iterable[str]) -> int:
        """Make the index agree with each article's stored current version (indexed if
        public, absent if not or gone): idempotent, safe to repeat or run concurrently for
        the same article. Returns how many articles' index entries changed."""
        ...

    def reconcile_month(self, month: str) -> int:
        """Reconcile the articles of one JST month ('2026-11'): a rebuild partition's check."""
        ...

    def reconcile_all(self) -> int:
        """Reconcile every stored article (a migration, the nightly check)."""
        ...
