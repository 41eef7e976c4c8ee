"""The publish manifest on DynamoDB: what the site bucket holds, without listing it.

SITEOBJ#<n> / <key>   one item per published object with its content hash; the object keys
                      are spread over MANIFEST_SHARDS partitions by a stable hash
SITE#PENDING / <path> a page an earlier publish could not render or upload

A publish reads the hashes of just the keys it rendered (BatchGetItem), writes the ones it
uploaded and deletes the ones it removed; only a full rebuild reads every item (one Query
per shard). The stream filter of render_site admits neither prefix.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from frontline.adapters.dynamodb import DynamoTable

MANIFEST_SHARDS: Final = 16
PENDING: Final = "SITE#PENDING"
_BATCH_WRITE: Final = 25


def _shard(key: str) -> str:
    return f"SITEOBJ#{zlib.crc32(key.encode('utf-8')) % MANIFEST_SHARDS:02d}"


def _item_key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


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
            for row in self._query(f"SITEOBJ#{shard:02d}"):
                hashes[row["sk"]["S"]] = row["content_hash"]["S"]
        return hashes

    def record(self, hashes: Mapping[str, str]) -> None:
        self._write(
            {"PutRequest": {"Item": {**_item_key(_shard(key), key), "content_hash": {"S": h}}}}
            for key, h in sorted(hashes.items())
        )

    def forget(self, keys: Sequence[str]) -> None:
        self._write({"DeleteRequest": {"Key": _item_key(_shard(key), key)}} for key in keys)

    def pending(self) -> list[str]:
        return [row["sk"]["S"] for row in self._query(PENDING)]

    def mark_pending(self, paths: Iterable[str]) -> None:
        self._write(
            {"PutRequest": {"Item": _item_key(PENDING, path)}} for path in sorted(set(paths))
        )

    def clear_pending(self, paths: Iterable[str]) -> None:
        self._write(
            {"DeleteRequest": {"Key": _item_key(PENDING, path)}} for path in sorted(set(paths))
        )

    def _query(self, pk: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        paginator = self._table.client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._table.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
        ):
            rows += page.get("Items", [])
        return rows

    def _write(self, requests: Iterable[dict[str, Any]]) -> None:
        listed = list(requests)
        for start in range(0, len(listed), _BATCH_WRITE):
            pending: dict[str, Any] = {self._table.table_name: listed[start : start + _BATCH_WRITE]}
            for attempt in range(6):
                response = self._table.client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
            if pending:
                raise RuntimeError("DynamoDB left manifest writes unprocessed after retries")
