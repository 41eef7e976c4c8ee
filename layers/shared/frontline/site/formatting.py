"""How times, read times and scores are shown to Japanese readers.

Japan has no daylight saving time, so JST is a fixed UTC+9 offset.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from email.utils import format_datetime

JST = timezone(timedelta(hours=9), "JST")

# Reading rates, one per script, since a Japanese page quotes English names and text:
# - CJK characters (kanji, kana, hangul, full-width forms): 550 a minute, the middle of the
#   500–600 characters a minute usually given for adult Japanese readers of prose.
# - Words in other scripts (Latin: English quotes, names, code): 238 a minute, the mean
#   silent-reading rate for English non-fiction in M. Brysbaert, "How many words do we read
#   per minute? A review and meta-analysis of reading rate", Journal of Memory and Language
#   109 (2019) 104047.
CHARS_PER_MINUTE = 550
WORDS_PER_MINUTE = 238
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
)

_WEEKDAYS = "月火水木金土日"
_WORD_CHARACTER = re.compile(r"[^\W_]")


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
    """Minutes a reader needs for `text` ("約N分で読める"): at least 1.

    CJK characters count at the Japanese rate; the runs of other characters between them
    and whitespace count as words at the English rate, if they hold a letter or digit (a
    dash or a bullet is no word). Full-width Latin (ＧＰＴ－５) is read as the word it spells.
    """
    text = unicodedata.normalize("NFKC", text)
    characters = len(_CJK.findall(text))
    words = sum(1 for token in _CJK.sub(" ", text).split() if _WORD_CHARACTER.search(token))
    needed = Decimal(characters) / CHARS_PER_MINUTE + Decimal(words) / WORDS_PER_MINUTE
    return max(1, int(needed.quantize(Decimal(1), ROUND_HALF_UP)))


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
