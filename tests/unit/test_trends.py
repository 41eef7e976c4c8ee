"""Trend computation: JST days, 7/30-day windows, growth against the previous period, ties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from frontline.domain.trends import (
    Mention,
    Trend,
    co_occurrences,
    daily_counts,
    jst_day,
    rising,
    trends,
    window_ending,
)

# 2026-04-10 12:00 JST
REFERENCE = datetime(2026, 4, 10, 3, 0, tzinfo=UTC)


def on(day: int, *keys: str, hour_utc: int = 3) -> Mention:
    """A mention on April `day` (JST noon by default)."""
    return Mention(datetime(2026, 4, day, hour_utc, 0, tzinfo=UTC), keys)


def test_jst_day_boundary_2359_and_0001_fall_on_different_days() -> None:
    # Given two instants two minutes apart, either side of midnight in Japan
    late = datetime(2026, 4, 7, 14, 59, tzinfo=UTC)  # 23:59 JST on April 7
    early = late + timedelta(minutes=2)  # 00:01 JST on April 8
    # Then they belong to different JST days, though both are April 7 in UTC
    assert jst_day(late) == date(2026, 4, 7)
    assert jst_day(early) == date(2026, 4, 8)
    assert late.date() == early.date()


def test_windows_are_whole_jst_days_ending_on_the_reference_day() -> None:
    week = window_ending(REFERENCE, 7)
    assert (week.first, week.last) == (date(2026, 4, 4), date(2026, 4, 10))
    before = week.previous()
    assert (before.first, before.last) == (date(2026, 3, 28), date(2026, 4, 3))
    month = window_ending(REFERENCE, 30)
    assert month.first == date(2026, 3, 12)
    with pytest.raises(ValueError, match="at least one day"):
        window_ending(REFERENCE, 0)


def test_growth_against_the_previous_period() -> None:
    # Given "agents" twice last week and three times this week, "rag" once then once
    mentions = [
        on(1, "agents"), on(2, "agents"), on(5, "agents"), on(6, "agents"), on(9, "agents"),
        on(2, "rag"), on(8, "rag"),
    ]  # fmt: skip
    # When the 7-day trends are computed
    found = {t.key: t for t in trends(mentions, REFERENCE, 7, {})}
    # Then the counts and growth compare with the week before
    assert found["agents"] == Trend("agents", current=3, previous=2)
    assert found["agents"].growth == Fraction(1, 2)
    assert found["agents"].change == 1
    assert found["rag"].growth == 0
    assert rising(mentions, REFERENCE, 7, {}, 10) == [found["agents"]]


def test_a_key_without_previous_mentions_is_new_not_infinite() -> None:
    found = trends([on(9, "mcp"), on(10, "mcp")], REFERENCE, 7, {})
    assert found == [Trend("mcp", 2, 0)]
    assert found[0].is_new and found[0].growth is None


def test_ties_are_broken_by_count_then_name() -> None:
    # Given three keys with the same increase (+1) and one with more
    mentions = [
        on(9, "b"), on(9, "a"), on(9, "c"), on(10, "c"), on(2, "c"),
        on(8, "z"), on(9, "z"),
    ]  # fmt: skip
    names = {"a": "Beta", "b": "Alpha", "c": "Gamma", "z": "Zeta"}
    order = [t.key for t in trends(mentions, REFERENCE, 7, names)]
    # Then: +2 first; among +1, the larger current count, then the display name
    assert order == ["z", "c", "b", "a"]


def test_a_key_counts_once_per_article() -> None:
    assert trends([on(9, "x", "x")], REFERENCE, 7, {}) == [Trend("x", 1, 0)]


def test_empty_periods() -> None:
    assert trends([], REFERENCE, 7, {}) == []
    # mentions only before the previous period are in neither
    assert trends([on(1, "old")], REFERENCE, 3, {}) == []
    # mentions only in the previous period are not in the current list (nothing is rising)
    assert rising([on(5, "gone")], REFERENCE, 3, {}, 10) == []


def test_thirty_day_window_reaches_further_than_seven() -> None:
    mentions = [on(1, "x"), on(10, "x")]
    assert trends(mentions, REFERENCE, 7, {}) == [Trend("x", 1, 1)]  # April 1: the week before
    assert trends(mentions, REFERENCE, 30, {}) == [Trend("x", 2, 0)]


def test_daily_counts_per_jst_day_oldest_first() -> None:
    # Given mentions at 23:59 and 00:01 JST on consecutive days
    late = Mention(datetime(2026, 4, 8, 14, 59, tzinfo=UTC), ("x",))  # April 8 JST
    early = Mention(datetime(2026, 4, 8, 15, 1, tzinfo=UTC), ("x",))  # April 9 JST
    series = daily_counts([late, early, on(10, "y")], REFERENCE, 7)
    assert series == {"x": (0, 0, 0, 0, 1, 1, 0), "y": (0, 0, 0, 0, 0, 0, 1)}


def test_results_do_not_depend_on_input_order() -> None:
    mentions = [on(d, k) for d in range(1, 11) for k in ("a", "b", "c")[: d % 3 + 1]]
    assert trends(mentions, REFERENCE, 7, {}) == trends(mentions[::-1], REFERENCE, 7, {})


def test_co_occurrences() -> None:
    mentions = [on(1, "openai", "microsoft"), on(2, "openai", "microsoft", "google"), on(3, "x")]
    assert co_occurrences(mentions, "openai") == {"microsoft": 2, "google": 1}
