"""Rising topics: how often each tag or company was mentioned, now against the period before.

Periods are whole days on the Japanese calendar (JST, UTC+9, no daylight saving time) and are
measured back from a reference instant that the caller passes in — the newest article's
publication time, never the clock — so the same articles always give the same trends.

A 7-day window ending on day D holds the JST days D-6 … D; the previous period holds
D-13 … D-7. Growth is the relative change against the previous period; when the previous
period had no mentions there is no ratio to speak of, and the trend is "new".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction

JST = timezone(timedelta(hours=9), "JST")


def jst_day(when: datetime) -> date:
    """The calendar day in Japan of an instant (naive datetimes are taken as UTC)."""
    aware = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return aware.astimezone(JST).date()


@dataclass(frozen=True)
class Mention:
    """One article: when it was published and the keys (tags or companies) it mentions."""

    published: datetime
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Window:
    """`days` JST days ending on `last` (inclusive)."""

    last: date
    days: int

    @property
    def first(self) -> date:
        return self.last - timedelta(days=self.days - 1)

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last

    def previous(self) -> Window:
        return Window(self.first - timedelta(days=1), self.days)


@dataclass(frozen=True)
class Trend:
    key: str
    current: int
    previous: int

    @property
    def is_new(self) -> bool:
        return self.previous == 0 and self.current > 0

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def growth(self) -> Fraction | None:
        """(current - previous) / previous; None when the previous period had none."""
        if self.previous == 0:
            return None
        return Fraction(self.change, self.previous)


def window_ending(reference: datetime, days: int) -> Window:
    if days < 1:
        raise ValueError(f"a window holds at least one day, not {days}")
    return Window(jst_day(reference), days)


def counts_in(mentions: Iterable[Mention], window: Window) -> Counter[str]:
    """How many articles in the window mention each key (a key counts once per article)."""
    counts: Counter[str] = Counter()
    for mention in mentions:
        if window.contains(jst_day(mention.published)):
            counts.update(set(mention.keys))
    return counts


def trends(
    mentions: Sequence[Mention], reference: datetime, days: int, names: Mapping[str, str]
) -> list[Trend]:
    """Every key mentioned in the current window, rising most first (see `ranked`)."""
    window = window_ending(reference, days)
    return ranked(counts_in(mentions, window), counts_in(mentions, window.previous()), names)


def ranked(
    current: Mapping[str, int], previous: Mapping[str, int], names: Mapping[str, str]
) -> list[Trend]:
    """Every key counted in the current period, rising most first.

    Order: the largest increase over the previous period first, then the larger current
    count, then the display name (`names`, falling back to the key) and the key itself, so
    ties are broken the same way every time.
    """
    found = [Trend(key, count, previous.get(key, 0)) for key, count in current.items() if count]
    return sorted(
        found,
        key=lambda trend: (
            -trend.change,
            -trend.current,
            names.get(trend.key, trend.key),
            trend.key,
        ),
    )


def rising(
    mentions: Sequence[Mention],
    reference: datetime,
    days: int,
    names: Mapping[str, str],
    limit: int,
) -> list[Trend]:
    """The keys whose mentions grew against the previous period (new ones included)."""
    return [t for t in trends(mentions, reference, days, names) if t.change > 0][:limit]


def daily_counts(
    mentions: Iterable[Mention], reference: datetime, days: int
) -> dict[str, tuple[int, ...]]:
    """Per key, its articles on each JST day of the window, oldest day first."""
    window = window_ending(reference, days)
    series: dict[str, list[int]] = {}
    for mention in mentions:
        day = jst_day(mention.published)
        if not window.contains(day):
            continue
        index = (day - window.first).days
        for key in set(mention.keys):
            series.setdefault(key, [0] * days)[index] += 1
    return {key: tuple(values) for key, values in sorted(series.items())}


def co_occurrences(mentions: Iterable[Mention], key: str) -> Counter[str]:
    """How many articles mention each other key together with `key`."""
    together: Counter[str] = Counter()
    for mention in mentions:
        keys = set(mention.keys)
        if key in keys:
            together.update(keys - {key})
    return together
