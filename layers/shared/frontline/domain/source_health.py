"""Each feed's health, from the state the poller keeps: is the source still sending news?

One verdict per feed, in order: opted out by its publisher, disabled, never polled, failing
(its error streak and back-off), suspected stopped (a feed that used to post has been silent
too long for its own rhythm), or healthy. The terminal table (`frontline feeds health`) and
the site's /sources/health/ page show the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from frontline.domain.backoff import backoff_after
from frontline.domain.models import FeedSource, FeedState

WINDOW_DAYS: Final = 30
# Silent this long, after posting at least RHYTHM_PER_DAY items a day while it posted, a
# feed is suspected to have stopped; silent for the whole window, any feed that posted is.
SILENT_AFTER: Final = timedelta(days=7)
RHYTHM_PER_DAY: Final = 0.5


class Freshness(StrEnum):
    HEALTHY = "healthy"
    STOPPED = "stopped"  # suspected: silent for longer than its rhythm allows
    FAILING = "failing"
    NEW = "new"  # never polled yet
    DISABLED = "disabled"
    OPTED_OUT = "opted_out"


FRESHNESS_LABELS: Final[Mapping[Freshness, str]] = {
    Freshness.HEALTHY: "正常",
    Freshness.STOPPED: "更新停止の疑い",
    Freshness.FAILING: "取得エラー",
    Freshness.NEW: "未取得",
    Freshness.DISABLED: "停止中",
    Freshness.OPTED_OUT: "掲載停止（発行元の依頼）",
}


@dataclass(frozen=True, slots=True)
class SourceHealth:
    source: FeedSource
    freshness: Freshness
    last_success_at: datetime | None
    last_new_item_at: datetime | None
    error_streak: int
    last_error: str | None  # for operators only: never published
    items_per_day: float  # new items per day over the last WINDOW_DAYS
    next_attempt_at: datetime | None  # set while the feed backs off after errors

    @property
    def label(self) -> str:
        return FRESHNESS_LABELS[self.freshness]


def new_items_by_day(counts: Mapping[str, int], now: datetime, added: int) -> dict[str, int]:
    """The per-day counts of new items with `added` counted today, pruned to the window."""
    today = now.date()
    oldest = (today - timedelta(days=WINDOW_DAYS - 1)).isoformat()
    kept = {day: count for day, count in counts.items() if day >= oldest}
    if added:
        kept[today.isoformat()] = kept.get(today.isoformat(), 0) + added
    return dict(sorted(kept.items()))


def items_per_day(state: FeedState, now: datetime) -> float:
    recent = new_items_by_day(state.new_items_by_day, now, 0)
    return sum(recent.values()) / WINDOW_DAYS


def _next_attempt(state: FeedState) -> datetime | None:
    if not state.error_streak or state.polled_at is None:
        return None
    backoff = state.polled_at + backoff_after(state.error_streak)
    return max(backoff, state.retry_after) if state.retry_after else backoff


def _freshness(source: FeedSource, state: FeedState | None, now: datetime) -> Freshness:
    if source.opt_out:
        return Freshness.OPTED_OUT
    if not source.enabled:
        return Freshness.DISABLED
    if state is None or state.polled_at is None:
        return Freshness.NEW
    if state.error_streak:
        return Freshness.FAILING
    last_new = state.last_new_item_at
    if last_new is None:
        return Freshness.HEALTHY
    silent = now - last_new
    if silent >= timedelta(days=WINDOW_DAYS):
        return Freshness.STOPPED
    posting_days = max(1.0, WINDOW_DAYS - silent / timedelta(days=1))
    rhythm = sum(new_items_by_day(state.new_items_by_day, now, 0).values()) / posting_days
    if silent >= SILENT_AFTER and rhythm >= RHYTHM_PER_DAY:
        return Freshness.STOPPED
    return Freshness.HEALTHY


def source_health(
    sources: Iterable[FeedSource], states: Mapping[str, FeedState], now: datetime
) -> list[SourceHealth]:
    rows = []
    for source in sources:
        state = states.get(source.id)
        rows.append(
            SourceHealth(
                source=source,
                freshness=_freshness(source, state, now),
                last_success_at=state.last_success_at if state else None,
                last_new_item_at=state.last_new_item_at if state else None,
                error_streak=state.error_streak if state else 0,
                last_error=state.last_error if state else None,
                items_per_day=items_per_day(state, now) if state else 0.0,
                next_attempt_at=_next_attempt(state) if state else None,
            )
        )
    return rows
