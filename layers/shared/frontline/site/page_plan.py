"""Which pages a batch of article changes touches: the incremental renderer's plan.

Pages fall in two kinds. Site-wide pages (the top page, /news/, indexes, trends, digests,
feeds, the sitemap, the JSON API's latest list, the search index) are a bounded set and are
always rendered; publishing uploads only those whose bytes changed. Per-article pages grow
with the archive, so only the ones a change can reach are rendered:

- the changed articles' own pages and JSON;
- article pages whose related list includes a changed article: related lists are chosen
  from neighbours in arrival order (RELATED_REACH either side under each shared tag,
  entity and category), so only those neighbours can be affected. A new article at the
  front of every list it joins can only *enter* a neighbour's list, so neighbours are
  checked exactly; an edited, hidden or out-of-order article shifts windows, so all its
  neighbours are rendered;
- archive pages: a new article at the front touches only the newest two pages (the last
  full page gains a neighbour when the next one fills); an edit touches its own page; a
  removal or an out-of-order arrival shifts every page from its position to the newest;
- the tag, company and source pages (and feeds) of every version of a changed article.

A full render and an incremental one produce the same bytes for the same store: the tests
compare them object by object.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from frontline.domain.models import Article, ArticleChange
from frontline.site.catalogue import (
    RELATED_REACH,
    Catalogue,
    company_keys,
    listing_key,
    related_keys,
    tag_keys,
)
from frontline.site.pages import NEWS_PAGE_SIZE, archive_page_count


@dataclass(frozen=True)
class PagePlan:
    articles: frozenset[str] = frozenset()  # ids whose page and JSON are rendered
    archive_pages: frozenset[int] = frozenset()
    tags: frozenset[str] = frozenset()
    companies: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    removed_articles: frozenset[Article] = field(default_factory=frozenset)


def _position(listing: Sequence[Article], article: Article) -> int:
    """Where `article` stands (or would stand) in a newest-first listing."""
    return bisect_left(listing, _descending(article), key=_descending)


def _descending(article: Article) -> tuple[float, bool, float, str]:
    """listing_key, reversed: listings are newest first (the id breaks ties the same way)."""
    first_seen, dated, published, ident = listing_key(article)
    return (-first_seen.timestamp(), not dated, -published.timestamp(), _reversed(ident))


def _reversed(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)


def _neighbours(catalogue: Catalogue, article: Article, reach: int) -> tuple[list[Article], bool]:
    """Articles within `reach` of `article` under each of its keys, and whether the article
    is (or would be) at the very front of every one of those listings."""
    found: dict[str, Article] = {}
    at_front = True
    for key in [f"category:{article.analysis.category}", *related_keys(article)]:
        listing = catalogue.postings(key)
        i = _position(listing, article)
        ahead = sum(1 for other in listing[:i] if other.id != article.id)
        at_front = at_front and ahead == 0
        for other in listing[max(0, i - reach) : i + reach + 1]:
            found[other.id] = other
    found.pop(article.id, None)
    return list(found.values()), at_front


def plan_pages_for(changes: Sequence[ArticleChange], catalogue: Catalogue) -> PagePlan:
    public = {article.id for article in catalogue.articles}
    changed_ids = {version.id for change in changes for version in change.versions}
    reach = RELATED_REACH + len(changes)  # several insertions shift windows by several places
    articles: set[str] = {article_id for article_id in changed_ids if article_id in public}
    archive: set[int] = set()
    total = len(catalogue.articles)
    pages = archive_page_count(total)
    removed: set[Article] = set()
    for change in changes:
        after = change.after if change.after is not None and change.after.id in public else None
        new = change.before is None and after is not None
        for version in change.versions:
            neighbours, at_front = _neighbours(catalogue, version, reach)
            if new and at_front:
                articles.update(
                    other.id
                    for other in neighbours
                    if any(r.id in changed_ids for r in catalogue.related_to(other))
                )
            else:
                articles.update(other.id for other in neighbours)
        if after is None and change.before is not None:
            removed.add(change.before)
        for version in change.versions:
            oldest_index = total - 1 - _position(catalogue.articles, version)
            first_page = max(1, oldest_index // NEWS_PAGE_SIZE + 1)
            if new and _position(catalogue.articles, version) < len(changes):
                archive.update({pages - 1, pages})  # the newest end only
            elif (
                after is not None
                and change.before is not None
                and listing_key(change.before) == listing_key(after)
            ):
                archive.add(first_page)
            else:
                archive.update(range(first_page, pages + 1))
    return PagePlan(
        articles=frozenset(articles & public),
        archive_pages=frozenset(page for page in archive if 1 <= page <= pages),
        tags=frozenset(_keys(changes, tag_keys)),
        companies=frozenset(_keys(changes, company_keys)),
        sources=frozenset(v.item.feed_id for change in changes for v in change.versions),
        removed_articles=frozenset(removed),
    )


def _keys(
    changes: Iterable[ArticleChange], keys_of: Callable[[Article], Iterable[str]]
) -> set[str]:
    return {key for change in changes for version in change.versions for key in keys_of(version)}
