"""Poll the catalogue: fetch concurrently and politely, parse, claim, queue only what is new.

Network work is async (a global and a per-host limit); parsing, claiming and queueing happen
per feed as results arrive. A feed that fails never stops the others: its error is recorded
in its state, with a growing back-off, and the run goes on.

Claim, then queue, then mark the claim queued. Messages that cannot be queued give their
claims back; a run that dies between claiming and queueing leaves claims without the mark,
and each later run first re-queues a bounded number of those older than CLAIM_DEADLINE.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from frontline.domain.backoff import backoff_after
from frontline.domain.feed_entries import parse_feed
from frontline.domain.models import FeedItem, FeedSource, FeedState, ItemMessage
from frontline.domain.ports import (
    FeedFetcher,
    FeedStateStore,
    FeedUnavailable,
    FeedUnparseable,
    FetchResult,
    ItemLedger,
    WorkQueue,
)
from frontline.domain.source_health import new_items_by_day

Outcome = Literal["ok", "not_modified", "unchanged", "error", "deferred"]
MAX_RETRY_AFTER = timedelta(hours=24)
# Longer than any run can take (the function's timeout is 5 minutes): an unmarked claim this
# old belongs to a run that died.
CLAIM_DEADLINE = timedelta(minutes=20)
SWEEP_LIMIT = 100


@dataclass(slots=True)
class FeedOutcome:
    feed_id: str
    outcome: Outcome
    http_status: int | None = None
    bytes_received: int = 0
    items: int = 0
    new: int = 0
    updated: int = 0
    old: int = 0  # first poll: recorded, not queued
    filtered: int = 0  # keyword rules said not AI
    known: int = 0  # seen in an earlier poll, unchanged: nothing to do
    queued: int = 0
    duplicates: int = 0  # a new guid for a URL the feed already has an item for
    unqueued: int = 0  # claimed but could not be queued: released for the next poll
    error: str | None = None
    failing: bool = False


@dataclass(slots=True)
class PollReport:
    feeds: list[FeedOutcome] = field(default_factory=list)
    requeued: int = 0  # unmarked claims of a run that died, queued again
    sweep_error: str | None = None
    withdrawn: int = 0  # articles of opted-out sources taken off the site (domain/opt_out)
    withdraw_error: str | None = None

    def total(self, name: str) -> int:
        return sum(getattr(feed, name) for feed in self.feeds)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for feed in self.feeds if feed.outcome == outcome)

    def summary(self) -> dict[str, Any]:
        return {
            "feeds": len(self.feeds),
            "ok": self.count("ok"),
            "not_modified": self.count("not_modified"),
            "unchanged": self.count("unchanged"),
            # Feeds that failed, and feeds whose items could not all be queued.
            "errors": sum(1 for f in self.feeds if f.outcome == "error" or f.unqueued),
            "deferred": self.count("deferred"),
            "bytes": self.total("bytes_received"),
            "items": self.total("items"),
            "new": self.total("new"),
            "updated": self.total("updated"),
            "old": self.total("old"),
            "filtered": self.total("filtered"),
            "known": self.total("known"),
            "queued": self.total("queued"),
            "duplicates": self.total("duplicates"),
            "unqueued": self.total("unqueued"),
            "requeued": self.requeued,
            "withdrawn": self.withdrawn,
        }


class FeedPoller:
    def __init__(
        self,
        fetcher: FeedFetcher,
        states: FeedStateStore,
        ledger: ItemLedger,
        queue: WorkQueue,
        *,
        concurrency: int = 40,
        per_host: int = 2,
        first_poll_cutoff: timedelta | None = timedelta(days=7),
        failing_after: int = 5,
        claim_deadline: timedelta = CLAIM_DEADLINE,
        sweep_limit: int = SWEEP_LIMIT,
    ) -> None:
        self._fetcher = fetcher
        self._states = states
        self._ledger = ledger
        self._queue = queue
        self._concurrency = concurrency
        self._per_host = per_host
        self._first_poll_cutoff = first_poll_cutoff
        self._failing_after = failing_after
        self._claim_deadline = claim_deadline
        self._sweep_limit = sweep_limit

    async def poll(self, sources: Iterable[FeedSource], *, now: datetime) -> PollReport:
        requeued, sweep_error = self.requeue_unqueued_claims(now=now)
        enabled = [source for source in sources if source.polled]
        states = self._states.load_states(source.id for source in enabled)
        overall = asyncio.Semaphore(self._concurrency)
        hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self._per_host)
        )

        async def one(source: FeedSource) -> FeedOutcome:
            state = states.get(source.id) or FeedState(feed_id=source.id)
            url = state.url or source.url
            # The host slot first: a feed waiting for its host must not hold a global slot.
            async with hosts[urlsplit(url).hostname or ""], overall:
                try:
                    return await self._poll_one(source, state, url, now)
                except Exception as exc:  # one feed's failure is that feed's
                    return self._record_unexpected(source, state, exc, now)

        outcomes = await asyncio.gather(*(one(source) for source in enabled))
        return PollReport(feeds=list(outcomes), requeued=requeued, sweep_error=sweep_error)

    def requeue_unqueued_claims(self, *, now: datetime) -> tuple[int, str | None]:
        """Queue the messages of claims a dead run never marked; (how many, error if any)."""
        try:
            stale = self._ledger.unqueued_claims(
                claimed_before=now - self._claim_deadline, limit=self._sweep_limit
            )
            if not stale:
                return 0, None
            unsent = {id(message) for message in self._queue.enqueue(stale)}
            sent = [message for message in stale if id(message) not in unsent]
            self._ledger.mark_queued([message.item for message in sent])
        except Exception as exc:  # the sweep runs again next time; polling goes on
            return 0, f"{type(exc).__name__}: {exc}"[:300]
        return len(sent), None

    async def _poll_one(
        self, source: FeedSource, state: FeedState, url: str, now: datetime
    ) -> FeedOutcome:
        if state.retry_after and state.retry_after > now:
            return FeedOutcome(source.id, "deferred", error=state.last_error)
        if state.error_streak and state.polled_at:
            # A few minutes of slack so an hourly schedule's jitter does not skip a slot.
            if now - state.polled_at < backoff_after(state.error_streak) - timedelta(minutes=5):
                return FeedOutcome(source.id, "deferred", error=state.last_error)
        try:
            result = await self._fetcher.fetch(
                url, etag=state.etag, last_modified=state.last_modified
            )
        except FeedUnavailable as exc:
            return self._record_error(source, state, exc.reason, now, exc.status, exc.retry_after_s)

        moved = {"url": result.permanent_url} if result.permanent_url else {}
        polled = state.model_copy(update={"polled_at": now, "last_status": result.status, **moved})
        if result.status == 304:
            self._states.save_state(_healthy(polled))
            return FeedOutcome(source.id, "not_modified", http_status=304)

        body_hash = hashlib.sha256(result.body).hexdigest()
        outcome = FeedOutcome(source.id, "ok", result.status, len(result.body))
        if body_hash == state.body_hash:
            outcome.outcome = "unchanged"
            self._states.save_state(_healthy(polled))
            return outcome
        try:
            parsed = parse_feed(
                result.body,
                content_type=result.content_type,
                source=source,
                now=now,
                base_url=_base_url(result),
            )
        except FeedUnparseable as exc:
            return self._record_error(source, state, str(exc), now, result.status, None)
        except Exception as exc:  # a parser bug is this feed's error, not the run's
            reason = f"unreadable: {type(exc).__name__}: {exc}"
            return self._record_error(source, state, reason, now, result.status, None)

        # Dated items first: an undated one (dated when first seen) never pushes dated news out.
        items = sorted(parsed.items, key=_recency, reverse=True)
        items = items[: source.max_items]
        admitted = [item for item in items if source.admits(_searchable(item))]
        outcome.items = len(parsed.items)
        outcome.filtered = len(items) - len(admitted)
        claims = self._ledger.claim_new_items(admitted)
        cutoff = (
            now - self._first_poll_cutoff
            if state.polled_at is None and self._first_poll_cutoff is not None
            else None
        )
        fresh = [
            item
            for item in claims.new
            if cutoff is None or (item.date_source == "feed" and item.published >= cutoff)
        ]
        outcome.new, outcome.updated = len(claims.new), len(claims.updated)
        outcome.duplicates = len(claims.duplicates)
        outcome.known = len(admitted) - outcome.new - outcome.updated - outcome.duplicates
        outcome.old = len(claims.new) - len(fresh)
        fresh_ids = {item.id for item in fresh}
        old = [item for item in claims.new if item.id not in fresh_ids]
        messages = [ItemMessage(item=item, reason="new") for item in fresh]
        messages += [ItemMessage(item=item, reason="updated") for item in claims.updated]
        unsent = self._enqueue(messages)
        sent = [message.item for message in messages if id(message) not in unsent]
        outcome.queued = len(sent)
        # Settled: queued, or old on a first poll (recorded, deliberately not queued).
        self._ledger.mark_queued(sent + old)
        if unsent:
            # Give the claims back and keep the old validators: the next poll sees these
            # items again. Should the release fail too, the claims stay unmarked and the
            # sweep queues them after the deadline: nothing is lost either way.
            released = [message.item for message in messages if id(message) in unsent]
            outcome.unqueued = len(released)
            outcome.error = f"{len(released)} messages could not be queued"
            try:
                self._ledger.release(released)
            except Exception as exc:
                outcome.error += f"; release failed ({type(exc).__name__}), the sweep requeues"
            self._states.save_state(_healthy(polled))
            return outcome
        self._states.save_state(
            _healthy(polled).model_copy(
                update={
                    "etag": result.etag,
                    "last_modified": result.last_modified,
                    "body_hash": body_hash,
                    "item_count": len(parsed.items),
                    "last_error": parsed.warning,  # recovered from an ill-formed document
                    "new_items_by_day": new_items_by_day(state.new_items_by_day, now, len(fresh)),
                    "last_new_item_at": now if fresh else state.last_new_item_at,
                }
            )
        )
        return outcome

    def _enqueue(self, messages: list[ItemMessage]) -> set[int]:
        """The ids (`id()`) of the messages not queued: all of them when the queue raised."""
        if not messages:
            return set()
        try:
            unsent = self._queue.enqueue(messages)
        except Exception:
            return {id(message) for message in messages}
        return {id(message) for message in unsent}

    def _record_unexpected(
        self, source: FeedSource, state: FeedState, exc: Exception, now: datetime
    ) -> FeedOutcome:
        reason = f"unexpected: {type(exc).__name__}: {exc}"
        try:
            return self._record_error(source, state, reason, now, None, None)
        except Exception:  # the state store failed too: report, go on
            return FeedOutcome(source.id, "error", error=reason)

    def _record_error(
        self,
        source: FeedSource,
        state: FeedState,
        reason: str,
        now: datetime,
        status: int | None,
        retry_after_s: float | None,
    ) -> FeedOutcome:
        retry_after = (
            now + min(timedelta(seconds=retry_after_s), MAX_RETRY_AFTER) if retry_after_s else None
        )
        failed = state.model_copy(
            update={
                "polled_at": now,
                "last_status": status,
                "last_error": reason[:500],
                "error_streak": state.error_streak + 1,
                "retry_after": retry_after,
            }
        )
        self._states.save_state(failed)
        return FeedOutcome(
            source.id,
            "error",
            http_status=status,
            error=reason,
            failing=failed.error_streak >= self._failing_after,
        )


def _base_url(result: FetchResult) -> str:
    """What relative references in the document resolve against (RFC 3986 §5.1)."""
    if result.content_location:
        return urljoin(result.url, result.content_location)
    return result.url


def _recency(item: FeedItem) -> tuple[bool, datetime]:
    return item.date_source == "feed", item.published


def _healthy(state: FeedState) -> FeedState:
    """A poll that reached the feed: the streak ends, and it is the last success."""
    return state.model_copy(
        update={
            "error_streak": 0,
            "retry_after": None,
            "last_error": None,
            "last_success_at": state.polled_at,
        }
    )


def _searchable(item: FeedItem) -> str:
    return " ".join((item.title, item.summary, *item.categories))
