"""Bringing an article's index entries up to date: read, compare, one conditional transaction.

`Reconciler` reads an article and its INDEXED record (strongly consistent), computes what
moving the index from one to the other changes, and writes it in one TransactWriteItems
conditional on the INDEXED revision and the article's `doc` being the ones read; a cancelled
transaction (a concurrent reconcile, a newer version of the article) reads again and retries.
A change of more than MAX_ACTIONS goes in two steps: the article leaves the index, then
enters it again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from botocore.exceptions import ClientError

from frontline.adapters.dynamodb import BY_PUBLISHED, PUBLIC_PARTITION, DynamoTable
from frontline.adapters.site_index.items import (
    STATS_KEY,
    Indexed,
    ItemChange,
    compressed_doc,
    counter_changes,
    indexed_item,
    item_key,
    path_item,
    posting_changes,
)
from frontline.domain.models import Article
from frontline.domain.paths import JST

MAX_ACTIONS: Final = 100  # DynamoDB's limit on the actions of one transaction
_ATTEMPTS: Final = 8
_RECONCILE_CHUNK: Final = 50


class IndexNotReconciled(RuntimeError):
    """An article's index entries could not be brought up to date within the retries."""


@dataclass(frozen=True, slots=True)
class _Current:
    """An article's stored doc (None: gone) and its INDEXED record (rev 0: none yet)."""

    doc: str | None
    rev: int
    state: Indexed | None

    def target(self) -> Indexed | None:
        if self.doc is None:
            return None
        article = Article.model_validate_json(self.doc)
        return Indexed.of(article, self.doc) if article.status.is_public else None


class Reconciler:
    """`reconcile` and `reconcile_all` of the site index (see the module's docstring)."""

    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def reconcile(self, article_ids: Iterable[str]) -> int:
        ids = sorted(set(article_ids))
        changed = 0
        for start in range(0, len(ids), _RECONCILE_CHUNK):
            chunk = ids[start : start + _RECONCILE_CHUNK]
            current = self._read_current(chunk)
            changed += sum(self._reconcile_one(i, current[i]) for i in chunk)
        return changed

    def reconcile_month(self, month: str) -> int:
        """Reconcile every article of one JST month ('2026-11'): those public now and
        published in it (ByPublished) and those indexed under it (its sitemap rows), so an
        article found in neither is neither public nor indexed there. A partition of the
        full rebuild: its reads are that month's."""
        return self.reconcile(self._month_ids(month))

    def reconcile_all(self) -> int:
        """Reconcile every month that has public or indexed articles, one at a time
        (memory bounded by a month): the migration, and the full rebuild's check."""
        return sum(self.reconcile_month(month) for month in self._months())

    def _reconcile_one(self, article_id: str, current: _Current) -> bool:
        changed = False
        for attempt in range(_ATTEMPTS):
            target = current.target()
            if target == current.state:
                return changed
            step: Indexed | None = target
            actions = self._actions(article_id, current, step)
            if len(actions) > MAX_ACTIONS:  # leave the index first, enter it next time round
                step = None
                actions = self._actions(article_id, current, step)
            try:
                self._table.client.transact_write_items(TransactItems=actions)
            except ClientError as exc:
                if not _retryable(exc):
                    raise
                time.sleep(min(0.02 * 2**attempt, 0.5))
            else:
                changed = True
                self._drop_zeros(counter_changes(current.state, step))
            current = self._read_current([article_id])[article_id]
        raise IndexNotReconciled(f"article {article_id}: the index kept changing under it")

    def _actions(self, article_id: str, current: _Current, step: Indexed | None) -> list[Any]:
        name = self._table.table_name
        old = current.state
        packed = compressed_doc(current.doc) if current.doc is not None and step else None
        puts, deletes = posting_changes(article_id, old, step, packed)
        actions: list[dict[str, Any]] = [
            _indexed_write(name, article_id, current.rev, step),
            _article_unchanged(name, article_id, current.doc),
        ]
        actions += [{"Put": {"TableName": name, "Item": item}} for item in puts]
        actions += [{"Delete": {"TableName": name, "Key": key}} for key in deletes]
        old_path = old.path if old else None
        new_path = step.path if step else None
        if old_path is not None and old_path != new_path:
            actions.append(
                {"Delete": {"TableName": name, "Key": item_key(f"PATH#{old_path}", "PATH")}}
            )
        if new_path is not None and old_path != new_path:
            actions.append({"Put": {"TableName": name, "Item": path_item(article_id, new_path)}})
        for (pk, sk), change in sorted(counter_changes(old, step).items()):
            actions.append({"Update": change.update(name, pk, sk)})
        return actions

    def _drop_zeros(self, changes: Mapping[tuple[str, str], ItemChange]) -> None:
        """Remove the counters this change brought down, where they are now zero."""
        for (pk, sk), change in sorted(changes.items()):
            for name in change.decremented:
                try:
                    self._table.client.update_item(
                        TableName=self._table.table_name,
                        Key=item_key(pk, sk),
                        UpdateExpression="REMOVE #c",
                        ConditionExpression="#c <= :zero",
                        ExpressionAttributeNames={"#c": name},
                        ExpressionAttributeValues={":zero": {"N": "0"}},
                    )
                except ClientError as exc:  # not zero, or busy: readers ignore a zero left
                    if _code(exc) != "ConditionalCheckFailedException" and not _retryable(exc):
                        raise

    def _read_current(self, ids: Sequence[str]) -> dict[str, _Current]:
        keys = [item_key(f"ARTICLE#{i}", "ARTICLE") for i in ids]
        keys += [item_key(f"INDEXED#{i}", "INDEXED") for i in ids]
        rows = self._table.batch_get(keys, consistent=True)
        docs: dict[str, str] = {}
        records: dict[str, dict[str, Any]] = {}
        for row in rows:
            kind, _, ident = row["pk"]["S"].partition("#")
            if kind == "ARTICLE":
                docs[ident] = row["doc"]["S"]
            else:
                records[ident] = row
        current: dict[str, _Current] = {}
        for i in ids:
            record = records.get(i, {})
            state = Indexed.from_json(record["entries"]["S"]) if "entries" in record else None
            rev = int(record["rev"]["N"]) if "rev" in record else 0
            current[i] = _Current(doc=docs.get(i), rev=rev, state=state)
        return current

    def _months(self) -> list[str]:
        """The months indexed (SITE#STATS) and every month from the oldest to the newest
        public article (the ByPublished index, one item each way)."""
        stats = self._table.client.get_item(
            TableName=self._table.table_name, Key=item_key(*STATS_KEY)
        ).get("Item", {})
        months = {name.removeprefix("m#") for name in stats if name.startswith("m#")}
        ends = [self._published_end(newest_first=flag) for flag in (False, True)]
        if ends[0] is not None and ends[1] is not None:
            months |= set(months_between(article_month_of(ends[0]), article_month_of(ends[1])))
        return sorted(months)

    def _published_end(self, *, newest_first: bool) -> datetime | None:
        rows = self._table.client.query(
            TableName=self._table.table_name,
            IndexName=BY_PUBLISHED,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": PUBLIC_PARTITION}},
            ProjectionExpression="gsi1sk",
            ScanIndexForward=not newest_first,
            Limit=1,
        ).get("Items", [])
        return datetime.fromisoformat(rows[0]["gsi1sk"]["S"].rsplit("#", 1)[0]) if rows else None

    def _month_ids(self, month: str) -> set[str]:
        first, after = month_bounds(month)
        ids: set[str] = set()
        paginator = self._table.client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._table.table_name,
            IndexName=BY_PUBLISHED,
            KeyConditionExpression="gsi1pk = :p AND gsi1sk BETWEEN :first AND :after",
            ExpressionAttributeValues={
                ":p": {"S": PUBLIC_PARTITION},
                ":first": {"S": first.isoformat()},
                ":after": {"S": after.isoformat()},
            },
            ProjectionExpression="gsi1sk",
        ):
            ids |= {row["gsi1sk"]["S"].rsplit("#", 1)[1] for row in page.get("Items", [])}
        paths: list[str] = []
        for page in paginator.paginate(
            TableName=self._table.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"SMAP#{month}"}},
        ):
            paths += [name for row in page.get("Items", []) for name in row if name.startswith("/")]
        pointers = self._table.batch_get([item_key(f"PATH#{path}", "PATH") for path in paths])
        return ids | {row["id"]["S"] for row in pointers}


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of a JST month and of the next one, in UTC."""
    year, number = (int(part) for part in month.split("-"))
    first = datetime(year, number, 1, tzinfo=JST)
    after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=JST)
    return first.astimezone(UTC), after.astimezone(UTC)


def article_month_of(moment: datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m")


def months_between(first: str, last: str) -> list[str]:
    months: list[str] = []
    year, number = (int(part) for part in first.split("-"))
    while f"{year:04d}-{number:02d}" <= last:
        months.append(f"{year:04d}-{number:02d}")
        year, number = year + number // 12, number % 12 + 1
    return months


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _retryable(exc: ClientError) -> bool:
    """A cancelled transaction (a condition no longer holds, or a conflicting write) or a
    throttled one: read again and retry."""
    return _code(exc) in {
        "TransactionCanceledException",
        "TransactionConflictException",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "InternalServerError",
    }


def _indexed_write(
    table_name: str, article_id: str, rev: int, state: Indexed | None
) -> dict[str, Any]:
    """The INDEXED record's next revision, written only over the revision that was read."""
    put: dict[str, Any] = {
        "TableName": table_name,
        "Item": indexed_item(article_id, rev + 1, state),
    }
    if rev == 0:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put["ConditionExpression"] = "rev = :rev"
        put["ExpressionAttributeValues"] = {":rev": {"N": str(rev)}}
    return {"Put": put}


def _article_unchanged(table_name: str, article_id: str, doc: str | None) -> dict[str, Any]:
    """The article is still the version read (or still absent)."""
    check: dict[str, Any] = {
        "TableName": table_name,
        "Key": item_key(f"ARTICLE#{article_id}", "ARTICLE"),
    }
    if doc is None:
        check["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        check["ConditionExpression"] = "#doc = :doc"
        check["ExpressionAttributeNames"] = {"#doc": "doc"}
        check["ExpressionAttributeValues"] = {":doc": {"S": doc}}
    return {"ConditionCheck": check}
