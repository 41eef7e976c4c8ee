"""The publish manifest on DynamoDB: what the site bucket holds, without listing it.

SITEOBJ#<n> / <key>   one item per published object with its content hash; the object keys
                      are spread over MANIFEST_SHARDS partitions by a stable hash
SITE#PENDING / <path> a page an earlier publish could not render or upload
SITE#BACKLOG / <time>#<n>  an article change (both versions, compressed JSON) waiting to be
                      published with the rest of its burst; LAST_PUBLISH holds the time of
                      the last publish

A publish reads the hashes of just the keys it rendered (BatchGetItem), writes the ones it
uploaded and deletes the ones it removed; only a full rebuild reads every item (one Query
per shard). The stream filter of render_site admits neither prefix.
"""

from __future__ import annotations

import time
import uuid
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from frontline.adapters.dynamodb import DynamoTable
from frontline.domain.models import Article, ArticleChange

MANIFEST_SHARDS: Final = 16
PENDING: Final = "SITE#PENDING"
BACKLOG: Final = "SITE#BACKLOG"
LAST_PUBLISH: Final = "LAST_PUBLISH"
_BATCH_WRITE: Final = 25


def _shard(key: str) -> str:
    return f"SITEOBJ#{zlib.crc32(key.encode('utf-8')) % MANIFEST_SHARDS:02d}"


def _item_key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _query(table: DynamoTable, pk: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    paginator = table.client.get_paginator("query")
    for page in paginator.paginate(
        TableName=table.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
    ):
        rows += page.get("Items", [])
    return rows


def _write(table: DynamoTable, requests: Iterable[dict[str, Any]]) -> None:
    listed = list(requests)
    for start in range(0, len(listed), _BATCH_WRITE):
        pending: dict[str, Any] = {table.table_name: listed[start : start + _BATCH_WRITE]}
        for attempt in range(6):
            response = table.client.batch_write_item(RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(0.05 * 2**attempt, 1.0))
        if pending:
            raise RuntimeError("DynamoDB left manifest writes unprocessed after retries")


class DynamoPublishManifest:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def hashes_of(self, keys: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(keys))
        rows = self._table.batch_get(
            [_item_key(_shard(key), key) for key in wanted], projection="sk, content_hash"
        )
        return {row["sk"]["S"]: row["content_hash"]["S"] for row in rows}

    def all_hashes(self) -> dict[str, str]:
        hashes: dict[str, str] = {}
        for shard in range(MANIFEST_SHARDS):
            for row in _query(self._table, f"SITEOBJ#{shard:02d}"):
                hashes[row["sk"]["S"]] = row["content_hash"]["S"]
        return hashes

    def record(self, hashes: Mapping[str, str]) -> None:
        _write(
            self._table,
            [
                {"PutRequest": {"Item": {**_item_key(_shard(key), key), "content_hash": {"S": h}}}}
                for key, h in sorted(hashes.items())
            ],
        )

    def forget(self, keys: Sequence[str]) -> None:
        _write(
            self._table, [{"DeleteRequest": {"Key": _item_key(_shard(key), key)}} for key in keys]
        )

    def pending(self) -> list[str]:
        return [row["sk"]["S"] for row in _query(self._table, PENDING)]

    def mark_pending(self, paths: Iterable[str]) -> None:
        _write(
            self._table,
            [{"PutRequest": {"Item": _item_key(PENDING, path)}} for path in sorted(set(paths))],
        )

    def clear_pending(self, paths: Iterable[str]) -> None:
        _write(
            self._table,
            [{"DeleteRequest": {"Key": _item_key(PENDING, path)}} for path in sorted(set(paths))],
        )


def _version(item: dict[str, Any], side: str) -> Article | None:
    if side not in item:
        return None
    return Article.model_validate_json(zlib.decompress(item[side]["B"]))


class DynamoChangeBacklog:
    """Stream batches waiting for one publish: each change a compressed item (both
    versions), sorted by when it arrived; settled entries are deleted by key."""

    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def add(self, changes: Sequence[ArticleChange]) -> None:
        arrived = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        items = []
        batch: Sequence[ArticleChange | None] = changes or [None]
        tag = uuid.uuid4().hex[:8]  # two batches within one microsecond stay apart
        for n, change in enumerate(batch):  # no changes: a marker that site-wide pages changed
            item: dict[str, Any] = _item_key(BACKLOG, f"{arrived}#{tag}#{n:05d}")
            for side in ("before", "after"):
                version = getattr(change, side) if change is not None else None
                if version is not None:
                    item[side] = {"B": zlib.compress(version.model_dump_json().encode())}
            item["marker"] = {"BOOL": change is None}
            items.append({"PutRequest": {"Item": item}})
        _write(self._table, items)

    def waiting(self) -> list[tuple[str, ArticleChange | None]]:
        entries: list[tuple[str, ArticleChange | None]] = []
        for item in _query(self._table, BACKLOG):
            token = item["sk"]["S"]
            if token == LAST_PUBLISH:
                continue
            if item.get("marker", {}).get("BOOL"):
                entries.append((token, None))
            else:
                change = ArticleChange(_version(item, "before"), _version(item, "after"))
                entries.append((token, change))
        return entries

    def settle(self, tokens: Sequence[str], *, published_at: datetime) -> None:
        stamp = {**_item_key(BACKLOG, LAST_PUBLISH), "at": {"S": published_at.isoformat()}}
        _write(
            self._table,
            [
                *({"DeleteRequest": {"Key": _item_key(BACKLOG, token)}} for token in tokens),
                {"PutRequest": {"Item": stamp}},
            ],
        )

    def last_publish(self) -> datetime | None:
        rows = self._table.batch_get([_item_key(BACKLOG, LAST_PUBLISH)])
        return datetime.fromisoformat(rows[0]["at"]["S"]) if rows else None
