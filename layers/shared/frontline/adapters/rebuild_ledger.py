"""The runs of a partitioned full rebuild on DynamoDB, one partition per run:

REBUILD#<run> / PLAN                 the partitions, the time pages are dated by and the
                                     pages pending when the run was planned
REBUILD#<run> / DONE#<partition>#<n> a partition done: the keys it produced, compressed and
                                     split into items under DynamoDB's 400 KB; part 000 is
                                     written last (its presence means done) with the paths
                                     that failed and the number of parts

Every item expires (TTL) a fortnight after the run was planned. The render function's
stream filter admits none of them.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, Final

from frontline.adapters.dynamodb import DynamoTable
from frontline.domain.ports import RebuildRun

PREFIX: Final = "REBUILD#"
PLAN: Final = "PLAN"
DONE: Final = "DONE#"
PART_BYTES: Final = 350_000
KEEP: Final = timedelta(days=14)


def _pk(run: str) -> dict[str, str]:
    return {"S": f"{PREFIX}{run}"}


def _packed(values: Iterable[str]) -> bytes:
    return zlib.compress("\n".join(sorted(values)).encode("utf-8"))


def _unpacked(blob: bytes) -> list[str]:
    text = zlib.decompress(blob).decode("utf-8")
    return text.split("\n") if text else []


class DynamoRebuildLedger:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def start(self, run: RebuildRun) -> None:
        self._put(
            run.run,
            PLAN,
            {
                "partitions": {"B": zlib.compress(json.dumps(run.partitions).encode())},
                "pending": {"B": _packed(run.pending)},
                "now": {"S": run.now.isoformat()},
            },
            expires=run.now + KEEP,
        )

    def plan(self, run: str) -> RebuildRun | None:
        found = self._table.client.get_item(
            TableName=self._table.table_name, Key={"pk": _pk(run), "sk": {"S": PLAN}}
        ).get("Item")
        if found is None:
            return None
        return RebuildRun(
            run=run,
            partitions=tuple(json.loads(zlib.decompress(found["partitions"]["B"]))),
            now=datetime.fromisoformat(found["now"]["S"]),
            pending=tuple(_unpacked(found["pending"]["B"])),
        )

    def finish(self, run: str, partition: str, keys: Iterable[str], failed: Iterable[str]) -> None:
        blob = _packed(keys)
        parts = [blob[at : at + PART_BYTES] for at in range(0, len(blob), PART_BYTES)] or [b""]
        expires = datetime.now().astimezone() + KEEP
        for number in range(len(parts) - 1, -1, -1):  # part 000 last: it marks the partition done
            extra: dict[str, Any] = {"keys": {"B": parts[number]}}
            if number == 0:
                extra |= {"parts": {"N": str(len(parts))}, "failed": {"B": _packed(failed)}}
            self._put(run, f"{DONE}{partition}#{number:03d}", extra, expires=expires)

    def finished(self, run: str) -> set[str]:
        return {
            sk.removeprefix(DONE).rpartition("#")[0]
            for item in self._query(run, projection="sk")
            if (sk := item["sk"]["S"]).endswith("#000")
        }

    def produced(self, run: str) -> Iterator[str]:
        for parts in self._done(run):
            yield from _unpacked(b"".join(part["keys"]["B"] for part in parts))

    def failed(self, run: str) -> set[str]:
        return {path for parts in self._done(run) for path in _unpacked(parts[0]["failed"]["B"])}

    def _done(self, run: str) -> Iterator[list[dict[str, Any]]]:
        """Each finished partition's parts, in order (a partition being written is left out)."""
        by_partition: dict[str, dict[int, dict[str, Any]]] = {}
        for item in self._query(run):
            name, _, number = item["sk"]["S"].removeprefix(DONE).rpartition("#")
            by_partition.setdefault(name, {})[int(number)] = item
        for parts in by_partition.values():
            head = parts.get(0)
            if head is not None:
                yield [parts[n] for n in range(int(head["parts"]["N"]))]

    def _put(self, run: str, sk: str, attributes: dict[str, Any], *, expires: datetime) -> None:
        item = {
            "pk": _pk(run),
            "sk": {"S": sk},
            "expires_at": {"N": str(int(expires.timestamp()))},
            **attributes,
        }
        self._table.client.put_item(TableName=self._table.table_name, Item=item)

    def _query(self, run: str, projection: str | None = None) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :done)",
            "ExpressionAttributeValues": {":pk": _pk(run), ":done": {"S": DONE}},
        }
        if projection:
            request["ProjectionExpression"] = projection
        for page in self._table.client.get_paginator("query").paginate(**request):
            yield from page.get("Items", [])
