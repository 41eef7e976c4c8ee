"""Feed dates, checked rather than trusted.

Feeds write dates in RFC 822 (RSS), RFC 3339 (Atom, JSON Feed) and whatever a CMS template
produced (`2026/04/07 11:43:00`, `April 7, 2026 8:43 PM JST`). A date is read only when
every part of it is in the text: nothing is filled in from the clock, so an incomplete date
is unparseable, never "the first day of this month". A zone written as an abbreviation is
looked up in `ZONE_OFFSETS` (or, for the US regional names `ET`, `CT`, `MT`, `PT`, the
offset in force on that date); a date without any zone is taken as UTC (RFC 822's rule), but
a zone name that is in no table makes the date unreadable: a guess could be half a day off.
A numeric offset is read however it is spelled (`+0900`, `+09:00`, `GMT+9`, `UTC+09:00`).

Zone abbreviations are not unique. Where one names several zones, the table takes the one
that news feeds most often mean:
- `IST`  India (+05:30), not Irish Summer Time (+01:00) or Israel (+02:00);
- `CST`  US Central (−06:00), not China Standard Time (+08:00);
- `BST`  British Summer Time (+01:00), not Bangladesh (+06:00);
- `AST`  Atlantic (−04:00), not Arabia (+03:00);
- `EST`/`EDT` US Eastern, not Australian Eastern (written AEST/AEDT in feeds).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

_H: Final = 60  # minutes per hour, for the table below
ZONE_OFFSETS: Final[dict[str, int]] = {  # minutes east of UTC
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
    "BST": 1 * _H, "CET": 1 * _H, "WEST": 1 * _H, "MET": 1 * _H, "MEZ": 1 * _H, "WAT": 1 * _H,
    "CEST": 2 * _H, "EET": 2 * _H, "SAST": 2 * _H, "MEST": 2 * _H, "MESZ": 2 * _H, "CAT": 2 * _H,
    "EEST": 3 * _H, "MSK": 3 * _H, "EAT": 3 * _H, "GST": 4 * _H,
    "PKT": 5 * _H, "IST": 5 * _H + 30, "NPT": 5 * _H + 45,
    "ICT": 7 * _H, "WIB": 7 * _H,
    "HKT": 8 * _H, "SGT": 8 * _H, "AWST": 8 * _H, "PHT": 8 * _H, "MYT": 8 * _H,
    "JST": 9 * _H, "KST": 9 * _H,
    "ACST": 9 * _H + 30, "ACDT": 10 * _H + 30,
    "AEST": 10 * _H, "AEDT": 11 * _H,
    "NZST": 12 * _H, "NZDT": 13 * _H,
    "AST": -4 * _H, "ADT": -3 * _H, "NST": -(3 * _H + 30), "NDT": -(2 * _H + 30),
    "BRT": -3 * _H, "ART": -3 * _H,
    "EST": -5 * _H, "EDT": -4 * _H,
    "CST": -6 * _H, "CDT": -5 * _H,
    "MST": -7 * _H, "MDT": -6 * _H,
    "PST": -8 * _H, "PDT": -7 * _H,
    "AKST": -9 * _H, "AKDT": -8 * _H,
    "HST": -10 * _H,
}  # fmt: skip
# The US regional names news sites print ("8:43 PM ET"): standard offset, one hour more
# from the second Sunday of March to the first Sunday of November (2:00 local time).
US_REGIONAL_ZONES: Final[dict[str, int]] = {
    "ET": -5 * _H,
    "CT": -6 * _H,
    "MT": -7 * _H,
    "PT": -8 * _H,
}
# Dates before the web had feeds are placeholders (0, the epoch), not news.
EARLIEST_YEAR: Final = 1995

# A zone: `Z`, a numeric offset however it is spelled (`+0900`, `+09:00`, `+9`, `GMT+9`,
# `UTC+09:00`), or an abbreviation; a comment after it (`(JST)`, `(Japan Standard Time)`,
# as JavaScript's Date prints) is ignored.
_ZONE: Final = r"(Z|(?:GMT|UTC|UT)?\s*[+\-\u2212]\d{1,2}(?::?\d{2})?|[A-Za-z]{1,5})"
# The time and zone that may follow a date: `20:43`, `8:43 PM`, `at 20:43:00.000`, `T20:43`.
_TIME_AND_ZONE: Final = (
    r"(?:(?:[ T,]+|\s+at\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?"
    rf"\s*{_ZONE}?\s*(?:\([^()]*\))?\s*$"
)
_WEEKDAY_PREFIX: Final = r"^\s*(?:[A-Za-z]+\.?,?\s*(?=\d)|[A-Za-z]+\.?,?\s+)??"
_DAY: Final = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR: Final = r"(\d{4}|\d{2})"
_MONTH: Final = r"([A-Za-z]{3,9})\.?"
# "2026/04/07 11:43:00", "2026.04.07 20:43 KST", "2026-04-07 11:43".
_NUMERIC: Final = re.compile(r"^\s*(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})" + _TIME_AND_ZONE)
# RFC 822 and its relatives: "Tue, 07 Apr 2026 20:43:00 JST", "07 Apr 2026 20:43 +0900",
# "Tuesday, 7th April 2026", "Tue, 07 Apr 2026 8:43 PM GMT+9".
_DAY_FIRST: Final = re.compile(
    _WEEKDAY_PREFIX + _DAY + r"[\s\-]+" + _MONTH + r",?[\s\-]+" + _YEAR + _TIME_AND_ZONE
)
# The US long form many CMSs print ("April 7th, 2026 8:43 PM JST", "Apr 7, 2026 at 20:43")
# and JavaScript's Date ("Tue Apr 07 2026 20:43:00 GMT+0900 (Japan Standard Time)").
_MONTH_FIRST: Final = re.compile(
    _WEEKDAY_PREFIX + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + _TIME_AND_ZONE
)
# C's asctime, which some feeds print: "Tue Apr  7 11:43:00 UTC 2026".
_ASCTIME: Final = re.compile(
    r"^\s*[A-Za-z]{3},?\s+"
    + _MONTH
    + r"\s+"
    + _DAY
    + r"\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    + rf"()\s*{_ZONE}?\s+(\d{{4}})\s*$"
)
_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_NUMERIC_OFFSET: Final = re.compile(r"^(?:GMT|UTC|UT)?\s*([+\-\u2212])(\d{1,2})(?::?(\d{2}))?$")


def parse_feed_date(text: str) -> datetime | None:
    """The instant a feed's date string names, in UTC; None when it does not name one."""
    if not isinstance(text, str) or not text.strip() or len(text) > 100:
        return None
    for reader in (_iso8601, _numeric, _day_first, _month_first, _asctime):
        try:
            when = reader(text.strip())
        except (ValueError, TypeError, IndexError, OverflowError):
            continue
        if when is not None and when.year >= EARLIEST_YEAR:
            return when.astimezone(UTC)
    return None


def _zone(name: str | None) -> timezone | None:
    """The zone a date names; UTC when it names none. None for a name nobody defined."""
    if name is None:
        return UTC
    if (match := _NUMERIC_OFFSET.match(name.upper())) is not None:
        sign = 1 if match.group(1) == "+" else -1
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        return timezone(sign * timedelta(minutes=minutes))
    offset = ZONE_OFFSETS.get(name.upper())
    return None if offset is None else timezone(timedelta(minutes=offset))


def _iso8601(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-?\d{2}-?\d{2}(?:$|T)", text[:11]):
        return None
    when = datetime.fromisoformat(text.replace("z", "Z"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _numeric(text: str) -> datetime | None:
    if (match := _NUMERIC.match(text)) is None:
        return None
    year, month, day, *clock = match.groups()
    return _instant(int(year), int(month), int(day), *clock)


def _day_first(text: str) -> datetime | None:
    if (match := _DAY_FIRST.match(text)) is None:
        return None
    day, month_name, year, *clock = match.groups()
    return _instant(_full_year(year), _MONTHS.get(month_name.lower()), int(day), *clock)


def _month_first(text: str) -> datetime | None:
    if (match := _MONTH_FIRST.match(text)) is None:
        return None
    month_name, day, year, *clock = match.groups()
    return _instant(_full_year(year), _MONTHS.get(month_name.lower()), int(day), *clock)


def _asctime(text: str) -> datetime | None:
    if (match := _ASCTIME.match(text)) is None:
        return None
    month_name, day, hour, minute, second, meridiem, zone_name, year = match.groups()
    return _instant(
        int(year), _MONTHS.get(month_name.lower()), int(day), hour, minute, second, meridiem,
        zone_name,
    )  # fmt: skip


def _full_year(year: str) -> int:
    """RFC 2822's rule for a two-digit year: 00–49 is 20xx, 50–99 is 19xx."""
    if len(year) == 4:
        return int(year)
    return int(year) + (2000 if int(year) < 50 else 1900)


def _instant(
    year: int,
    month: int | None,
    day: int,
    hour: str | None,
    minute: str | None,
    second: str | None,
    meridiem: str | None,
    zone_name: str | None,
) -> datetime | None:
    """The instant, or None when a part is missing or names nothing (month, zone, 13 PM)."""
    if month is None:
        return None
    hours = int(hour or 0)
    if meridiem:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if meridiem[0] in "Pp" else 0)
    local = datetime(year, month, day, hours, int(minute or 0), int(second or 0))
    if zone_name is not None and zone_name.upper() in US_REGIONAL_ZONES:
        zone: timezone | None = _us_regional_zone(zone_name.upper(), local)
    else:
        zone = _zone(zone_name)
    return None if zone is None else local.replace(tzinfo=zone)


def _us_regional_zone(name: str, local: datetime) -> timezone:
    standard = US_REGIONAL_ZONES[name]
    march_first, november_first = datetime(local.year, 3, 1), datetime(local.year, 11, 1)
    summer_starts = march_first + timedelta(days=(6 - march_first.weekday()) % 7 + 7, hours=2)
    summer_ends = november_first + timedelta(days=(6 - november_first.weekday()) % 7, hours=2)
    summer = summer_starts <= local < summer_ends
    return timezone(timedelta(minutes=standard + (_H if summer else 0)))
