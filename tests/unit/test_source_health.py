"""Each feed's freshness verdict, from the state the poller keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from frontline.cli_articles import health_table
from frontline.domain.models import FeedState
from frontline.domain.source_health import (
    Freshness,
    new_items_by_day,
    source_health,
)
from tests.factories import make_source

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def _daily_until(last: datetime, per_day: int = 2) -> dict[str, int]:
    """A feed that posted `per_day` items every day of the window up to `last`."""
    days = {}
    for n in range(30):
        day = NOW - timedelta(days=n)
        if day <= last:
            days[day.date().isoformat()] = per_day
    return days


def _state(**fields: object) -> FeedState:
    base: dict[str, object] = {"feed_id": "ai-wire", "polled_at": NOW, "last_success_at": NOW}
    return FeedState.model_validate(base | fields)


def _verdict(state: FeedState | None, **source: object) -> Freshness:
    [row] = source_health([make_source(**source)], {"ai-wire": state} if state else {}, NOW)
    return row.freshness


def test_a_daily_feed_silent_for_a_week_is_suspected_stopped() -> None:
    last = NOW - timedelta(days=8)
    state = _state(last_new_item_at=last, new_items_by_day=_daily_until(last))

    assert _verdict(state) is Freshness.STOPPED


@pytest.mark.parametrize("silent_days", [2, 6])
def test_a_daily_feed_silent_for_days_is_healthy(silent_days: int) -> None:
    last = NOW - timedelta(days=silent_days)
    state = _state(last_new_item_at=last, new_items_by_day=_daily_until(last))

    assert _verdict(state) is Freshness.HEALTHY


def test_a_feed_that_posts_monthly_is_not_suspected_after_a_week() -> None:
    last = NOW - timedelta(days=10)
    state = _state(last_new_item_at=last, new_items_by_day={last.date().isoformat(): 1})

    assert _verdict(state) is Freshness.HEALTHY


def test_any_feed_silent_for_the_whole_window_is_suspected() -> None:
    state = _state(last_new_item_at=NOW - timedelta(days=31), new_items_by_day={})

    assert _verdict(state) is Freshness.STOPPED


def test_errors_opt_out_disabled_and_never_polled() -> None:
    failing = _state(error_streak=3, last_error="HTTP 503", polled_at=NOW - timedelta(hours=1))
    [row] = source_health([make_source()], {"ai-wire": failing}, NOW)

    assert row.freshness is Freshness.FAILING and row.label == "取得エラー"
    assert row.next_attempt_at == NOW + timedelta(hours=3)  # 4 h back-off after 3 errors
    assert _verdict(_state(), opt_out=True, opt_out_date=date(2026, 11, 1)) is Freshness.OPTED_OUT
    assert _verdict(_state(), enabled=False) is Freshness.DISABLED
    assert _verdict(None) is Freshness.NEW


def test_new_items_are_counted_per_day_over_thirty_days() -> None:
    counts = {"2026-10-01": 5, "2026-11-29": 2}

    updated = new_items_by_day(counts, NOW, 3)

    assert updated == {"2026-11-29": 2, "2026-11-30": 3}
    [row] = source_health([make_source()], {"ai-wire": _state(new_items_by_day=updated)}, NOW)
    assert row.items_per_day == pytest.approx(5 / 30)


def test_the_terminal_table_has_a_row_per_feed() -> None:
    rows = source_health(
        [make_source(), make_source(id="lab", name="Lab")],
        {"ai-wire": _state(error_streak=1, last_error="timed out\nafter 10 s")},
        NOW,
    )

    lines = health_table(rows, NOW)

    assert lines[0].startswith("feed") and len(lines) == 3
    assert lines[1].split()[:2] == ["ai-wire", "failing"] and "timed out after 10 s" in lines[1]
    assert lines[2].split()[:2] == ["lab", "new"]


def test_the_health_page_id_is_reserved() -> None:
    with pytest.raises(ValueError, match="reserved"):
        make_source(id="health")
