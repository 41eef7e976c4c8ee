"""Feed dates, checked rather than trusted.

Feeds write dates in RFC 822 (RSS), RFC 3339 (Atom, JSON Feed) and whatever a CMS template
produced (`2026/04/07 11:43:00`, `April 7, 2026 8:43 PM JST`). A date is read only when
every part of it is in the text: nothing is filled in from the clock, so an incomplete date
is unparseable, never "the first day of this month". A zone written as an abbreviation is
looked up in `ZONE_OFFSETS`; a date without any zone is taken as UTC (RFC 822's rule for an
unknown zone).

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
from email.utils import parsedate_to_datetime
from typing import Final

_H: Final = 60  # minutes per hour, for the table below
ZONE_OFFSETS: Final[dict[str, int]] = {  # minutes east of UTC
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
    "BST": 1 * _H, "CET": 1 * _H, "WEST": 1 * _H, "MET": 1 * _H,
    "CEST": 2 * _H, "EET": 2 * _H, "SAST": 2 * _H, "MEST": 2 * _H,
    "EEST": 3 * _H, "MSK": 3 * _H,
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
# Dates before the web had feeds are placeholders (0, the epoch), not news.
EARLIEST_YEAR: Final = 1995

_TRAILING_ZONE: Final = re.compile(r"\s*\(?([A-Za-z]{1,5})\)?\s*$")
_WEEKDAY: Final = re.compile(r"^\s*[A-Za-z]+\.?,?\s+(?=\d)")
_NUMERIC: Final = re.compile(
    r"^\s*(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+\-]\d{2}:?\d{2}|[A-Za-z]{1,5})?\s*$"
)
# "April 7, 2026 8:43 PM JST", "Apr 7, 2026 at 20:43": the US long form many CMSs print.
_MONTH_FIRST: Final = re.compile(
    r"^\s*(?:[A-Za-z]+,?\s+)??([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})"
    r"(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?"
    r"\s*(Z|[+\-]\d{2}:?\d{2}|[A-Za-z]{1,5})?\s*$"
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
_NUMERIC_OFFSET: Final = re.compile(r"^([+\-])(\d{2}):?(\d{2})$")


def parse_feed_date(text: str) -> datetime | None:
    """The instant a feed's date string names, in UTC; None when it does not name one."""
    if not isinstance(text, str) or not text.strip() or len(text) > 100:
        return None
    for reader in (_rfc822, _iso8601, _numeric, _month_first):
        try:
            when = reader(text.strip())
        except (ValueError, TypeError, IndexError, OverflowError):
            continue
        if when is not None and when.year >= EARLIEST_YEAR:
            return when.astimezone(UTC)
    return None


def _zone(name: str) -> timezone | None:
    if (match := _NUMERIC_OFFSET.match(name)) is not None:
        sign = -1 if match.group(1) == "-" else 1
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        return timezone(sign * timedelta(minutes=minutes))
    offset = ZONE_OFFSETS.get(name.upper())
    return None if offset is None else timezone(timedelta(minutes=offset))


def _rfc822(text: str) -> datetime | None:
    # The email parser knows only the US zones; every abbreviation goes through the table.
    if (match := _TRAILING_ZONE.search(text)) is not None and (zone := _zone(match.group(1))):
        offset = zone.utcoffset(None)
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        text = f"{text[: match.start()]} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    when = parsedate_to_datetime(_WEEKDAY.sub("", text))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _iso8601(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-?\d{2}-?\d{2}(?:$|T)", text[:11]):
        return None
    when = datetime.fromisoformat(text.replace("z", "Z"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _numeric(text: str) -> datetime | None:
    match = _NUMERIC.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, zone_name = match.groups()
    zone = UTC if zone_name is None else _zone(zone_name)
    if zone is None:
        return None
    return datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
        tzinfo=zone,
    )  # fmt: skip


def _month_first(text: str) -> datetime | None:
    match = _MONTH_FIRST.match(text)
    if match is None:
        return None
    month_name, day, year, hour, minute, second, meridiem, zone_name = match.groups()
    month = _MONTHS.get(month_name.lower())
    zone = UTC if zone_name is None else _zone(zone_name)
    if month is None or zone is None:
        return None
    hours = int(hour or 0)
    if meridiem:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if meridiem[0] in "Pp" else 0)
    return datetime(
        int(year), month, int(day), hours, int(minute or 0), int(second or 0), tzinfo=zone
    )
