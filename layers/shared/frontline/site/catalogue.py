"""The public articles, in listing order, grouped the ways the site lists them.

Listing order is arrival order (see `frontline.domain.listing_order`).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from frontline.domain.listing_order import listing_key
from frontline.domain.models import Article, EntityKind, FeedKind
from frontline.site.paths import company_slug, source_path, tag_segment

RELATED_MIN = 3
RELATED_MAX = 5
RELATED_REACH = 50


def newest_first(articles: Iterable[Article]) -> list[Article]:
    return sorted(articles, key=listing_key, reverse=True)


def listing_position(listing: Sequence[Article], article: Article) -> int:
    """Where `article` stands (or would stand) in a newest-first listing."""
    return bisect_left(listing, _descending(article), key=_descending)


def _descending(article: Article) -> tuple[float, bool, float, str]:
    """listing_key, reversed: listings are newest first (the id breaks ties the same way)."""
    first_seen, dated, published, ident = listing_key(article)
    return (-first_seen.timestamp(), not dated, -published.timestamp(), _reversed(ident))


def _reversed(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)


def _display_name(variants: Counter[str]) -> str:
    """The spelling used most often; ties go to the first in code-point order."""
    return min(variants.items(), key=lambda pair: (-pair[1], pair[0]))[0]


@dataclass(frozen=True)
class Group:
    """A tag, a company or a source, with its articles newest first."""

    key: str  # the path segment
    name: str  # the spelling shown to readers
    path: str
    articles: tuple[Article, ...]

    @property
    def count(self) -> int:
        return len(self.articles)


def _groups(
    articles: Sequence[Article],
    keys_of: Callable[[Article], Iterable[tuple[str, str]]],
    path_of: Callable[[str], str],
) -> dict[str, Group]:
    """Group articles (already newest first) by key; each key's display name by majority."""
    members: dict[str, list[Article]] = defaultdict(list)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        seen: set[str] = set()
        for key, name in keys_of(article):
            names[key][name] += 1
            if key not in seen:
                seen.add(key)
                members[key].append(article)
    groups = {}
    for key, listed in members.items():
        name = _display_name(names[key])
        groups[key] = Group(key=key, name=name, path=path_of(key), articles=tuple(listed))
    return groups


def by_count(groups: Iterable[Group]) -> list[Group]:
    return sorted(groups, key=lambda group: (-group.count, group.name, group.key))


def _tag_keys(article: Article) -> list[tuple[str, str]]:
    return [(tag_segment(tag), tag) for tag in article.analysis.tags]


def _company_keys(article: Article) -> list[tuple[str, str]]:
    return [
        (company_slug(entity.name), entity.name)
        for entity in article.analysis.entities
        if entity.kind is EntityKind.COMPANY
    ]


def tag_keys(article: Article) -> list[str]:
    """The article's tag groups, each once, in the article's order."""
    return list(dict.fromkeys(key for key, _name in _tag_keys(article)))


def company_keys(article: Article) -> list[str]:
    """The article's company groups, each once, in the article's order."""
    return list(dict.fromkeys(key for key, _name in _company_keys(article)))


def _source_keys(article: Article) -> list[tuple[str, str]]:
    return [(article.item.feed_id, article.item.source_name)]


def related_keys(article: Article) -> list[str]:
    """The keys an article's related list is drawn from (entities and tags)."""
    return [key for key, _weight in _related_keys(article)]


def _related_keys(article: Article) -> list[tuple[str, int]]:
    """The keys related articles are found by, with their weights: entities 2, tags 1."""
    entities = sorted(
        {f"{entity.kind}:{company_slug(entity.name)}" for entity in article.analysis.entities}
    )
    return [(f"entity:{key}", 2) for key in entities] + [
        (f"tag:{key}", 1) for key in tag_keys(article)
    ]


@dataclass(frozen=True)
class _Postings:
    """Articles (newest first) under one key, with each article's position in the list."""

    articles: tuple[Article, ...]
    position: dict[str, int]

    @classmethod
    def of(cls, articles: Sequence[Article]) -> _Postings:
        return cls(tuple(articles), {article.id: i for i, article in enumerate(articles)})

    def around(self, article_id: str, reach: int) -> tuple[Article, ...]:
        i = self.position[article_id]
        return self.articles[max(0, i - reach) : i + reach + 1]


@dataclass(frozen=True)
class Catalogue:
    articles: tuple[Article, ...]  # public only, newest first
    tags: dict[str, Group]
    companies: dict[str, Group]
    sources: dict[str, Group]
    _postings: dict[str, _Postings] = field(repr=False)
    _importance: dict[str, int] = field(repr=False)

    def postings(self, key: str) -> tuple[Article, ...]:
        """The articles under one related key (or `category:<name>`), newest first."""
        postings = self._postings.get(key)
        return postings.articles if postings else ()

    def of_kind(self, kind: FeedKind) -> list[Article]:
        return [article for article in self.articles if article.item.kind is kind]

    def importance(self, article: Article) -> int:
        return self._importance[article.id]

    def related_to(self, article: Article) -> list[Article]:
        """3–5 articles sharing entities (weight 2) or tags (weight 1) with this one.

        The strongest overlap comes first, then the more important, then the newer; when fewer
        than three share anything, articles of the same category fill the list up. Candidates
        are the article's neighbours in arrival order (RELATED_REACH either side under each
        shared key): an old article's list settles once newer ones have moved past it, so its
        page stops changing, and the work stays linear in the number of articles.
        """
        overlap: Counter[str] = Counter()
        candidates: dict[str, Article] = {}
        for key, weight in _related_keys(article):
            for other in self._postings[key].around(article.id, RELATED_REACH):
                overlap[other.id] += weight
                candidates[other.id] = other
        overlap.pop(article.id, None)
        candidates.pop(article.id, None)

        def rank(other: Article) -> tuple[int, int, float, str]:
            return (
                -overlap[other.id],
                -self._importance[other.id],
                -other.item.published.timestamp(),
                other.id,
            )

        chosen = heapq.nsmallest(RELATED_MAX, candidates.values(), key=rank)
        if len(chosen) < RELATED_MIN:
            picked = {other.id for other in chosen} | {article.id}
            postings = self._postings[f"category:{article.analysis.category}"]
            i = postings.position[article.id]
            nearest = sorted(
                postings.around(article.id, RELATED_REACH),
                key=lambda other: (
                    abs(postings.position[other.id] - i),
                    postings.position[other.id],
                ),
            )
            chosen += [other for other in nearest if other.id not in picked][
                : RELATED_MIN - len(chosen)
            ]
        return chosen


def build_catalogue(articles: Iterable[Article]) -> Catalogue:
    """Only public articles; one per id (the latest update wins) and one per path."""
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
    listed = list(by_path.values())
    postings: dict[str, list[Article]] = defaultdict(list)
    for article in listed:
        postings[f"category:{article.analysis.category}"].append(article)
        for key, _weight in _related_keys(article):
            postings[key].append(article)
    return Catalogue(
        articles=tuple(listed),
        tags=_groups(listed, _tag_keys, lambda key: f"/tags/{key}/"),
        companies=_groups(listed, _company_keys, lambda key: f"/companies/{key}/"),
        sources=_groups(listed, _source_keys, source_path),
        _postings={key: _Postings.of(value) for key, value in postings.items()},
        _importance={article.id: article.importance for article in listed},
    )
