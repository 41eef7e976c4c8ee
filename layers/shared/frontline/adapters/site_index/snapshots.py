"""Counter and sitemap items read through snapshots: a few items instead of one per day.

A DAYS item counts every tag and company of its day and a SMAP item lists every article
path of its day: a few hundred attributes each at 300 articles a day. A publish asks for
sixty days of counts (the trend windows) and a month of sitemap rows (the month's sitemap),
though usually only today's items have changed. So every change to a DAYS or SMAP item also
adds 1 to its revision in its month's REV item, in the same transaction
(`items.revision_of`):

REV / <YYYY-MM>            `d#<DD>`: the revision of DAYS / <YYYY-MM-DD>; `p#<DD>`: of
                           SMAP#<YYYY-MM> / <DD>.
DAYS#SNAPSHOT / SNAPSHOT   the DAYS items of the last 90 days, as a reader last read them;
SMAP#SNAPSHOT / <YYYY-MM>  the SMAP items of one month. Each: `doc`, zlib JSON of
                           `[[pk, sk], revision, attributes]` per item.

A read takes the revisions (one REV item per month), the snapshot, and re-reads (strongly
consistent) only the items whose revision differs from the snapshot's, then writes the
snapshot back if it read any. An item without a revision counts as revision 0: nothing yet,
or written before revisions existed — either way its next change makes it 1 and it is read.

Why a stale item is never used: revisions only grow; a snapshot entry is used only when its
revision equals the one just read; items are read after their revisions and strongly
consistent, so they are at least as new as the revision stored with them (a transaction
changes an item and its revision together). An entry newer than its revision is read again
next time: a wasted read, never a wrong answer. Two writers of one snapshot can only drop
each other's entries, which are then read again. A snapshot that would outgrow
`MAX_SNAPSHOT_BYTES` (items are limited to 400 KB) keeps what fits, newest first; the rest is
read every time.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final

from frontline.adapters.dynamodb import DynamoTable
from frontline.adapters.site_index.items import DAYS, SITEMAP, item_key, revision_of

DAYS_SNAPSHOT: Final = ("DAYS#SNAPSHOT", "SNAPSHOT")
MONTH_SNAPSHOT: Final = "SMAP#SNAPSHOT"  # sk: the month
KEPT_DAYS: Final = 90  # the trend windows and those before them (60), with room
MAX_SNAPSHOT_BYTES: Final = 300_000

Key = tuple[str, str]
Row = dict[str, Any]
Entry = tuple[int, Row]  # (revision, the item as read; empty when there was none)


class Snapshots:
    """DAYS and SMAP items read through their snapshots (see the module's docstring)."""

    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def days(self, first: date, last: date) -> list[Row]:
        """The DAYS items from `first` to `last` that exist, oldest first."""
        wanted = [
            (DAYS, (first + timedelta(days=n)).isoformat()) for n in range(_span(first, last))
        ]
        return self._read(DAYS_SNAPSHOT, wanted, keep=_recent_days)

    def month_rows(self, month: str) -> list[Row]:
        """The SMAP items of one JST month ('2026-11') that exist, in day order."""
        wanted = [(f"{SITEMAP}{month}", f"{day:02d}") for day in range(1, 32)]
        return self._read((MONTH_SNAPSHOT, month), wanted, keep=sorted)  # days of no item too

    def _read(
        self,
        snapshot_key: Key,
        wanted: Sequence[Key],
        *,
        keep: Callable[[Mapping[Key, Entry]], list[Key]],
    ) -> list[Row]:
        revisions = self._revisions(wanted)
        snapshot = self._load(snapshot_key)
        stale = [key for key in wanted if key not in snapshot or snapshot[key][0] != revisions[key]]
        if stale:
            fresh = {(row["pk"]["S"], row["sk"]["S"]): row for row in self._items(stale)}
            for key in stale:
                snapshot[key] = (revisions[key], fresh.get(key, {}))
            self._save(snapshot_key, snapshot, keep(snapshot))
        return [snapshot[key][1] for key in wanted if snapshot[key][1]]

    def _revisions(self, keys: Sequence[Key]) -> dict[Key, int]:
        where = {key: revision_of(*key) for key in keys}
        months = sorted({(pk, sk) for pk, sk, _name in filter(None, where.values())})
        rows = {(row["pk"]["S"], row["sk"]["S"]): row for row in self._items(months)}
        found: dict[Key, int] = {}
        for key, place in where.items():
            assert place is not None, key  # only DAYS and SMAP items are read through here
            value = rows.get(place[:2], {}).get(place[2])
            found[key] = int(value["N"]) if value else 0
        return found

    def _items(self, keys: Sequence[Key]) -> list[Row]:
        return self._table.batch_get([item_key(*key) for key in keys], consistent=True)

    def _load(self, snapshot_key: Key) -> dict[Key, Entry]:
        response = self._table.client.get_item(
            TableName=self._table.table_name, Key=item_key(*snapshot_key)
        )
        if "Item" not in response:
            return {}
        entries = json.loads(zlib.decompress(response["Item"]["doc"]["B"]))
        return {(pk, sk): (rev, row) for (pk, sk), rev, row in entries}

    def _save(self, snapshot_key: Key, snapshot: Mapping[Key, Entry], kept: list[Key]) -> None:
        while True:
            entries = [[list(key), *snapshot[key]] for key in kept]
            doc = zlib.compress(json.dumps(entries, separators=(",", ":")).encode())
            if len(doc) <= MAX_SNAPSHOT_BYTES or not kept:
                break
            kept = kept[len(kept) // 4 or 1 :]  # drop the oldest quarter: read every time
        self._table.client.put_item(
            TableName=self._table.table_name,
            Item={**item_key(*snapshot_key), "doc": {"B": doc}},
        )


def _recent_days(snapshot: Mapping[Key, Entry]) -> list[Key]:
    """The KEPT_DAYS up to the newest day with articles, oldest first: a window far in the
    past (a company's chart ending on its own newest day) is read, not kept."""
    days = sorted(snapshot, key=lambda key: key[1])
    counted = [key for key in days if snapshot[key][1]]
    if not counted:
        return days[-KEPT_DAYS:]
    horizon = (date.fromisoformat(counted[-1][1]) - timedelta(days=KEPT_DAYS - 1)).isoformat()
    return [key for key in days if key[1] >= horizon][:KEPT_DAYS]


def _span(first: date, last: date) -> int:
    return max(0, (last - first).days + 1)
