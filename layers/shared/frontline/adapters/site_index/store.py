"""`DynamoSiteIndex`: the `SiteSlices` questions answered from the index items, each with
a bounded read (one Query with a Limit, one item, or one item per shard or day)."""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from frontline.adapters.dynamodb import (
    DynamoArticleRepository,
    DynamoTable,
)
from frontline.adapters.site_index.items import DAYS, STATS_KEY, group_shard, item_key
from frontline.adapters.site_index.reconcile import Reconciler
from frontline.adapters.site_index.snapshots import Snapshots
from frontline.domain.listing_order import listing_token, stamp
from frontline.domain.models import Article
from frontline.domain.trends import jst_day
from frontline.site.slices import (
    EVERY,
    SEEN,
    DayCount,
    GroupCount,
    GroupKind,
    Ref,
    SitemapRow,
    display_name,
    stored_key,
)

_DAYS_PAGE: Final = 64


class DynamoSiteIndex:
    """`SiteIndex` on the single table: reads answer `SiteSlices`, `reconcile` keeps it."""

    def __init__(self, table: DynamoTable) -> None:
        self._table = table
        self._articles = DynamoArticleRepository(table)
        self._reconciler = Reconciler(table)
        self._snapshots = Snapshots(table)

    def count(self) -> int:
        row = self._get(*STATS_KEY)
        return max(0, int(row["public"]["N"])) if row and "public" in row else 0

    def newest(self, limit: int) -> Sequence[Article]:
        return self.newest_in(EVERY, limit)

    def newest_in(self, key: str, limit: int) -> Sequence[Article]:
        rows = self._postings(key, limit, newest_first=True)
        slim = self.articles(row["id"]["S"] for row in rows if "doc" not in row)  # entity:
        found = (_article_of(row) if "doc" in row else slim.get(row["id"]["S"]) for row in rows)
        return [article for article in found if article is not None]

    def walk(self, key: str | None, *, oldest_first: bool = False) -> Iterator[Article]:
        for partition in self._partitions(EVERY if key is None else key, oldest_first):
            yield from self._walk_partition(partition, oldest_first)

    def _walk_partition(self, key: str, oldest_first: bool) -> Iterator[Article]:
        values = {":pk": {"S": f"POST#{key}"}}
        paginator = self._table.client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._table.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=values,
            ScanIndexForward=oldest_first,
        ):
            rows = page.get("Items", [])
            slim = self.articles(row["id"]["S"] for row in rows if "doc" not in row)
            for row in rows:
                found = _article_of(row) if "doc" in row else slim.get(row["id"]["S"])
                if found is not None:
                    yield found

    def created_since(self, moment: datetime) -> Sequence[Article]:
        """The postings stored after `moment`, from each JST day of storing from `moment`'s
        to tomorrow's (one Query each, most of them a day or two), each keyed on storing
        order so that only what is newer is read. (A posting indexed before that key existed
        sorts by first sight instead, and is found only when first seen after `moment`: the
        nightly rebuild reconciles every month, which keys it anew.)"""
        day, last = jst_day(moment), jst_day(datetime.now(UTC)) + timedelta(days=1)
        found: list[Article] = []
        while day <= last:
            after = f"{stamp(moment)}#\U0010ffff"  # past every id stored at `moment` itself
            rows = self._query(f"POST#{stored_key(day)}", "sk > :since", {":since": {"S": after}})
            found += [a for a in map(_article_of, rows) if a.created_at > moment]
            day += timedelta(days=1)
        return sorted(found, key=lambda a: (a.created_at, a.id), reverse=True)

    def oldest_in(self, key: str, limit: int) -> Sequence[Ref]:
        return [_ref_of(row) for row in self._postings(key, limit, newest_first=False)]

    def older_in(self, key: str, article: Article, limit: int) -> Sequence[Ref]:
        rows = self._postings(
            key, limit, newest_first=True, condition=("<", listing_token(article))
        )
        return [_ref_of(row) for row in rows]

    def newer_in(self, key: str, article: Article, limit: int) -> Sequence[Ref]:
        rows = self._postings(
            key, limit, newest_first=False, condition=(">", listing_token(article))
        )
        return [_ref_of(row) for row in rows]

    def articles(self, ids: Iterable[str]) -> Mapping[str, Article]:
        wanted = sorted(set(ids))
        rows = self._table.batch_get([item_key(f"ARTICLE#{i}", "ARTICLE") for i in wanted], "doc")
        found = (Article.model_validate_json(row["doc"]["S"]) for row in rows)
        return {article.id: article for article in found if article.status.is_public}

    def article_at(self, path: str) -> Article | None:
        pointer = self._get(f"PATH#{path}", "PATH")
        if pointer is None:
            return None
        article = self._articles.get(pointer["id"]["S"])
        if article is None or not article.status.is_public or article.path != path:
            return None
        return article

    def groups(self, kind: GroupKind) -> Sequence[GroupCount]:
        found: list[GroupCount] = []
        for row in self._query(f"GROUPS#{kind}"):
            found += _groups_of(kind, row)
        return found

    def group(self, kind: GroupKind, key: str) -> GroupCount | None:
        row = self._get(f"GROUPS#{kind}", group_shard(key))
        matches = [group for group in _groups_of(kind, row or {}) if group.key == key]
        return matches[0] if matches else None

    def latest_day(self) -> date | None:
        newest = self._days_with_total(newest_first=True)
        return newest.day if newest is not None else None

    def days(self, first: date, last: date) -> Sequence[DayCount]:
        counts = (day_count_of(row) for row in self._snapshots.days(first, last))
        return [day for day in counts if day.total > 0]

    def days_before(self, key: str, day: date | None, limit: int) -> Sequence[DayCount]:
        bound = ("<", day.isoformat()) if day is not None else None
        return self._days_with(key, bound, limit, newest_first=True)

    def days_after(self, key: str, day: date, limit: int) -> Sequence[DayCount]:
        return self._days_with(key, (">", day.isoformat()), limit, newest_first=False)

    def months(self) -> Mapping[str, int]:
        row = self._get(*STATS_KEY) or {}
        counts = {
            name.removeprefix("m#"): int(value["N"])
            for name, value in row.items()
            if name.startswith("m#")
        }
        return {month: n for month, n in sorted(counts.items()) if n > 0}

    def month_rows(self, month: str) -> Sequence[SitemapRow]:
        rows: list[SitemapRow] = []
        for row in self._snapshots.month_rows(month):
            rows += [
                SitemapRow(path=name, updated_at=datetime.fromisoformat(value["S"]))
                for name, value in row.items()
                if name.startswith("/")
            ]
        return sorted(rows, key=lambda row: row.path)

    def reconcile(self, article_ids: Iterable[str]) -> int:
        return self._reconciler.reconcile(article_ids)

    def reconcile_month(self, month: str) -> int:
        """Reconcile the articles published, or indexed, in one JST month ('2026-11')."""
        return self._reconciler.reconcile_month(month)

    def reconcile_all(self) -> int:
        """Reconcile every month with public or indexed articles, one month at a time."""
        return self._reconciler.reconcile_all()

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        response = self._table.client.get_item(
            TableName=self._table.table_name, Key=item_key(pk, sk)
        )
        return response.get("Item")

    def _query(
        self, pk: str, condition: str | None = None, values: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        paginator = self._table.client.get_paginator("query")
        expression = "pk = :pk" + (f" AND {condition}" if condition else "")
        for page in paginator.paginate(
            TableName=self._table.table_name,
            KeyConditionExpression=expression,
            ExpressionAttributeValues={":pk": {"S": pk}, **(values or {})},
        ):
            yield from page.get("Items", [])

    def _partitions(self, key: str, oldest_first: bool) -> list[str]:
        """The posting partitions a key's listing is kept in: one, or for the whole listing
        (EVERY) one per JST day of first sight, in listing order (from SITE#STATS)."""
        if key != EVERY:
            return [key]
        row = self._get(*STATS_KEY) or {}
        days = sorted(
            (name.removeprefix("s#") for name, value in row.items()
             if name.startswith("s#") and int(value["N"]) > 0),
            reverse=not oldest_first,
        )  # fmt: skip
        return [f"{SEEN}{day}" for day in days]

    def _postings(
        self,
        key: str,
        limit: int,
        *,
        newest_first: bool,
        condition: tuple[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Up to `limit` postings under `key` in listing order (newest or oldest first),
        beyond a listing token when `condition` says so ('<' older, '>' newer)."""
        if limit <= 0:
            return []
        partitions = self._partitions(key, oldest_first=not newest_first)
        if key == EVERY and condition is not None:  # start at the token's own day
            day = f"{SEEN}{_seen_day(condition[1]).isoformat()}"
            partitions = [p for p in partitions if (p <= day if newest_first else p >= day)]
        rows: list[dict[str, Any]] = []
        for partition in partitions:
            rows += self._query_postings(partition, limit - len(rows), newest_first, condition)
            if len(rows) >= limit:
                break
        return rows[:limit]

    def _query_postings(
        self, key: str, limit: int, newest_first: bool, condition: tuple[str, str] | None
    ) -> list[dict[str, Any]]:
        values: dict[str, Any] = {":pk": {"S": f"POST#{key}"}}
        expression = "pk = :pk"
        if condition is not None:
            expression += f" AND sk {condition[0]} :token"
            values[":token"] = {"S": condition[1]}
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "KeyConditionExpression": expression,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        rows: list[dict[str, Any]] = []
        while len(rows) < limit:  # a page ends early only at 1 MB
            response = self._table.client.query(**request)
            rows += response.get("Items", [])
            cursor = response.get("LastEvaluatedKey")
            if not cursor:
                break
            request |= {"ExclusiveStartKey": cursor, "Limit": limit - len(rows)}
        return rows[:limit]

    def _days_with_total(self, *, newest_first: bool) -> DayCount | None:
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "KeyConditionExpression": "pk = :pk",
            "FilterExpression": "#t > :zero",
            "ProjectionExpression": "sk, #t",
            "ExpressionAttributeNames": {"#t": "total"},
            "ExpressionAttributeValues": {":pk": {"S": DAYS}, ":zero": {"N": "0"}},
            "ScanIndexForward": not newest_first,
            "Limit": 2,  # a day emptied by removals keeps its item until it is cleared
        }
        while True:
            response = self._table.client.query(**request)
            rows = response.get("Items", [])
            if rows:
                return day_count_of(rows[0])
            cursor = response.get("LastEvaluatedKey")
            if not cursor:
                return None
            request["ExclusiveStartKey"] = cursor

    def _days_with(
        self, key: str, bound: tuple[str, str] | None, limit: int, *, newest_first: bool
    ) -> list[DayCount]:
        """Days whose count for `key` is positive, read a page of days at a time: a day
        without the key costs a read, so a rare key's search reaches further back."""
        if limit <= 0:
            return []
        expression = "pk = :pk" + (f" AND sk {bound[0]} :day" if bound else "")
        values: dict[str, Any] = {":pk": {"S": DAYS}, ":zero": {"N": "0"}}
        if bound:
            values[":day"] = {"S": bound[1]}
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "KeyConditionExpression": expression,
            "FilterExpression": "#c > :zero",
            # a day's item counts every tag and company of the day: read the one count asked
            "ProjectionExpression": "sk, #t, #c",
            "ExpressionAttributeNames": {"#c": f"c#{key}", "#t": "total"},
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not newest_first,
            "Limit": min(_DAYS_PAGE, limit + 1),
        }
        found: list[DayCount] = []
        while len(found) < limit:
            response = self._table.client.query(**request)
            found += [day_count_of(row) for row in response.get("Items", [])]
            cursor = response.get("LastEvaluatedKey")
            if not cursor:
                break
            request["ExclusiveStartKey"] = cursor
        return found[:limit]


def _seen_day(token: str) -> date:
    """The JST day of first sight a listing token opens with (its first-seen UTC time)."""
    first_seen = datetime.strptime(token[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)
    return jst_day(first_seen)


def _article_of(row: dict[str, Any]) -> Article:
    return Article.model_validate_json(zlib.decompress(row["doc"]["B"]))


def _ref_of(row: dict[str, Any]) -> Ref:
    if "id" not in row:  # an article item (the ByListing index)
        article = Article.model_validate_json(row["doc"]["S"])
        return Ref(article.id, article.importance, article.published)
    return Ref(
        id=row["id"]["S"],
        importance=int(row["importance"]["N"]),
        published=datetime.fromisoformat(row["published"]["S"]),
    )


def _groups_of(kind: GroupKind, row: Mapping[str, Any]) -> list[GroupCount]:
    counts: dict[str, int] = {}
    spellings: dict[str, dict[str, int]] = defaultdict(dict)
    for name, value in row.items():
        if name.startswith("c#"):
            counts[name[2:]] = int(value["N"])
        elif name.startswith("n#"):
            key, _, spelling = name[2:].partition("#")
            if int(value["N"]) > 0:
                spellings[key][spelling] = int(value["N"])
    return [
        GroupCount(kind=kind, key=key, name=display_name(spellings[key]), count=n)
        for key, n in sorted(counts.items())
        if n > 0 and spellings[key]
    ]


def day_count_of(row: Mapping[str, Any]) -> DayCount:
    """A DAYS item (or its projection) as a DayCount; zero counters left by a removal are
    ignored."""
    counts = {
        name[2:]: int(value["N"])
        for name, value in row.items()
        if name.startswith("c#") and int(value["N"]) > 0
    }
    total = int(row["total"]["N"]) if "total" in row else 0
    return DayCount(day=date.fromisoformat(row["sk"]["S"]), total=total, counts=counts)
