"""An article page's related articles, from a bounded window of earlier arrivals.

Candidates are the RELATED_REACH articles that arrived just before the article under each of
its first RELATED_KEYS keys (entities weigh 2, tags 1). Only earlier arrivals are candidates,
so a new article never changes an older article's page: publishing one article renders its
own page (and, while the site is young, the first few, which fill up from the next
arrivals); when an article shares too little, the latest arrivals before it fill its list.
An edited, hidden or late article re-renders only the few newer pages whose windows reach it
(`reached_by`).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Final

from frontline.domain.models import Article
from frontline.site.slices import EVERY, Ref, SiteSlices, category_key, related_keys

RELATED_MIN: Final = 3
RELATED_MAX: Final = 5
RELATED_REACH: Final = 8
RELATED_KEYS: Final = 10
FILL_REACH: Final = RELATED_MIN + RELATED_MAX  # the nearest arrivals that can fill a list up


def _rank(overlap: Counter[str]):  # type: ignore[no-untyped-def]
    def rank(ref: Ref) -> tuple[int, int, float, str]:
        return (-overlap[ref.id], -ref.importance, -ref.published.timestamp(), ref.id)

    return rank


def related_ids(article: Article, slices: SiteSlices) -> list[str]:
    """3–5 earlier articles: the strongest overlap first, then the more important, then the
    newer; when fewer than three share anything, the nearest earlier articles of the same
    category fill the list up, then the latest arrivals before it (and, for the site's first
    few articles, the ones after)."""
    overlap: Counter[str] = Counter()
    candidates: dict[str, Ref] = {}
    for key, weight in related_keys(article)[:RELATED_KEYS]:
        for ref in slices.older_in(key, article, RELATED_REACH):
            overlap[ref.id] += weight
            candidates[ref.id] = ref
    candidates.pop(article.id, None)
    chosen = [
        ref.id for ref in heapq.nsmallest(RELATED_MAX, candidates.values(), key=_rank(overlap))
    ]
    if len(chosen) < RELATED_MIN:
        nearest = slices.older_in(category_key(article), article, FILL_REACH)
        fill = [ref.id for ref in nearest if ref.id not in chosen and ref.id != article.id]
        chosen += fill[: RELATED_MIN - len(chosen)]
    for nearest_first in (slices.older_in, slices.newer_in):  # the latest before; the first
        if len(chosen) >= RELATED_MIN:
            break
        refs = nearest_first(EVERY, article, FILL_REACH)
        others = [ref.id for ref in refs if ref.id not in chosen and ref.id != article.id]
        chosen += others[: RELATED_MIN - len(chosen)]
    return chosen


def related_to(article: Article, slices: SiteSlices) -> list[Article]:
    ids = related_ids(article, slices)
    found = slices.articles(ids)
    return [found[ident] for ident in ids if ident in found]


def reached_by(versions: Iterable[Article], slices: SiteSlices) -> set[str]:
    """The ids of the articles whose related list can hold (or held) one of these versions:
    the newer arrivals within reach under each of its keys, its category and the listing,
    and the site's first few (which fill up from later arrivals)."""
    found: set[str] = set()
    for version in versions:
        keys: Sequence[tuple[str, int]] = related_keys(version)
        for key, _weight in keys:
            found.update(ref.id for ref in slices.newer_in(key, version, RELATED_REACH))
        found.update(ref.id for ref in slices.newer_in(category_key(version), version, FILL_REACH))
        # the site's first arrivals fill up from the next ones
        found.update(ref.id for ref in slices.oldest_in(EVERY, RELATED_MIN))
        # and any list can end with the latest arrivals before it
        found.update(ref.id for ref in slices.newer_in(EVERY, version, FILL_REACH))
    return found
