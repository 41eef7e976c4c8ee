"""How times, read times and scores are shown to Japanese readers.

Japan has no daylight saving time, so JST is a fixed UTC+9 offset.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from email.utils import format_datetime

JST = timezone(timedelta(hours=9), "JST")

# Japanese readers take in roughly 500–600 characters a minute.
CHARS_PER_MINUTE = 550

_WEEKDAYS = "月火水木金土日"
_WHITESPACE = re.compile(r"\s+")


def _aware(dt: datetime) -> datetime:
    """Naive datetimes are taken as UTC (the models only hold aware ones)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def jst(dt: datetime) -> datetime:
    """The same instant on the Japanese clock."""
    return _aware(dt).astimezone(JST)


def format_jst(dt: datetime) -> str:
    """'2026年4月7日 20:43': day and minute in JST, as the reference site shows them."""
    local = jst(dt)
    return f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"


def format_jst_date(dt: datetime) -> str:
    """'2026年4月7日'."""
    local = jst(dt)
    return f"{local.year}年{local.month}月{local.day}日"


def format_jst_day_heading(dt: datetime) -> str:
    """'2026年4月7日（火）' for the headings of daily lists."""
    return f"{format_jst_date(dt)}（{_WEEKDAYS[jst(dt).weekday()]}）"


def format_jst_month_day(dt: datetime) -> str:
    """'4月7日'."""
    local = jst(dt)
    return f"{local.month}月{local.day}日"


def iso_jst(dt: datetime) -> str:
    """'2026-04-07T20:43:00+09:00' for <time datetime> and JSON-LD."""
    return jst(dt).isoformat(timespec="seconds")


def iso_utc(dt: datetime) -> str:
    """'2026-04-07T11:43:00Z' for Atom, JSON Feed and sitemaps."""
    return _aware(dt).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc822(dt: datetime) -> str:
    """'Tue, 07 Apr 2026 11:43:00 GMT' for RSS 2.0."""
    return format_datetime(_aware(dt).astimezone(UTC), usegmt=True)


def read_minutes(text: str) -> int:
    """Minutes a reader needs for `text` ("約N分で読める"): at least 1."""
    characters = len(_WHITESPACE.sub("", text))
    minutes = (Decimal(characters) / CHARS_PER_MINUTE).quantize(Decimal(1), ROUND_HALF_UP)
    return max(1, int(minutes))


def stars(importance: int) -> str:
    """'★★★★☆' for importance 4 (clamped to 1–5)."""
    filled = min(5, max(1, importance))
    return "★" * filled + "☆" * (5 - filled)


def jst_midnight(day: date) -> datetime:
    """The start of a day on the Japanese calendar."""
    return datetime(day.year, day.month, day.day, tzinfo=JST)


def format_jst_span(first: date, last: date) -> str:
    """'2026年4月1日〜4月7日': a run of Japanese calendar days."""
    return f"{format_jst_date(jst_midnight(first))}〜{format_jst_month_day(jst_midnight(last))}"
