"""Publisher opt-out: a source whose catalogue entry says `opt_out: true` leaves the site.

The poller no longer fetches it (`FeedSource.polled`). Each fetch run, before polling, takes
every public article of an opted-out source off the site by storing it as `withdrawn`: the
record stays in the store (marked, with the date and note of the request), and the change
reaches the site through the normal publish — its pages are deleted by key and the lists,
feeds, sitemaps, search and JSON API are rendered without it. A withdrawn article is never
published again: the worker keeps the status over any later analysis of the item. Once a
source has no public article left, its feed state records when (`withdrawn_at`) and later
runs skip it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from frontline.domain.models import Article, ArticleStatus, FeedSource, FeedState
from frontline.domain.ports import FeedStateStore, StaleVersion


class SourceArticles(Protocol):
    def list_public_of_source(self, feed_id: str) -> list[Article]:
        """Every public article of one source (read once per opt-out, not per publish)."""
        ...

    def save(self, article: Article) -> bool: ...


@dataclass(frozen=True, slots=True)
class Withdrawal:
    feed_id: str
    withdrawn: int


def withdrawal_reason(source: FeedSource) -> str:
    note = f": {source.opt_out_note}" if source.opt_out_note else ""
    return f"publisher opt-out of {source.opt_out_date}{note}"


def withdraw_opted_out(
    sources: Iterable[FeedSource],
    states: FeedStateStore,
    articles: SourceArticles,
    *,
    now: datetime,
) -> list[Withdrawal]:
    """Take the articles of every opted-out source off the site, once per source."""
    opted_out = [source for source in sources if source.opt_out]
    if not opted_out:
        return []
    known = states.load_states(source.id for source in opted_out)
    done = []
    for source in opted_out:
        state = known.get(source.id) or FeedState(feed_id=source.id)
        if state.withdrawn_at is not None:
            continue
        count, complete = _withdraw(
            articles.list_public_of_source(source.id), articles, source, now
        )
        if complete:  # else the next run reads the source's public articles again
            states.save_state(state.model_copy(update={"withdrawn_at": now}))
        done.append(Withdrawal(source.id, count))
    return done


def withdrawn(article: Article, source: FeedSource, now: datetime) -> Article:
    return article.model_copy(
        update={
            "status": ArticleStatus.WITHDRAWN,
            "status_reason": withdrawal_reason(source),
            "needs_reanalysis": False,
            "updated_at": now,
        }
    )


def _withdraw(
    listed: Sequence[Article], articles: SourceArticles, source: FeedSource, now: datetime
) -> tuple[int, bool]:
    """How many were withdrawn, and whether every one was."""
    count = 0
    for article in listed:
        try:
            articles.save(withdrawn(article, source, now))
        except StaleVersion:  # a newer version landed meanwhile: withdrawn next run
            continue
        count += 1
    return count, count == len(listed)
