"""Digests in the single table, and the period queries the digest writer needs.

DIGEST#daily  / 2026-11-26   one item per period: the Digest as JSON plus a few plain fields
DIGEST#weekly / 2026-W48     (a fixed partition per kind: the archive is one Query, no index)

A put replaces the period's previous digest, so running a digest twice leaves one. The pk
prefix `DIGEST#` is what render_site's stream filter admits besides `ARTICLE#`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from frontline.adapters.dynamodb import BY_PUBLISHED, PUBLIC_PARTITION, DynamoTable
from frontline.domain.digests import Digest, DigestKind
from frontline.domain.models import Article

DIGEST_PREFIX: Final = "DIGEST#"


def digest_partition(kind: DigestKind) -> str:
    return f"{DIGEST_PREFIX}{kind.value}"


def digest_changes(records: Sequence[dict[str, Any]]) -> list[tuple[DigestKind, str]]:
    """Stream records → the (kind, period) of each digest stored or replaced, once each."""
    kinds = {digest_partition(kind): kind for kind in DigestKind}
    found: dict[tuple[DigestKind, str], None] = {}
    for record in records:
        keys = record.get("dynamodb", {}).get("Keys", {})
        kind = kinds.get(keys.get("pk", {}).get("S", ""))
        period = keys.get("sk", {}).get("S", "")
        if kind is not None and period:
            found[(kind, period)] = None
    return list(found)


class DynamoDigestRepository:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def get(self, kind: DigestKind, period: str) -> Digest | None:
        row = self._table.client.get_item(
            TableName=self._table.table_name,
            Key={"pk": {"S": digest_partition(kind)}, "sk": {"S": period}},
            ConsistentRead=True,
        ).get("Item")
        return Digest.model_validate_json(row["doc"]["S"]) if row else None

    def put(self, digest: Digest) -> None:
        self._table.client.put_item(
            TableName=self._table.table_name,
            Item={
                "pk": {"S": digest_partition(digest.kind)},
                "sk": {"S": digest.period},
                "doc": {"S": digest.model_dump_json()},
                "generated_by": {"S": digest.generated_by},
                "article_count": {"N": str(digest.article_count)},
                "selection_hash": {"S": digest.selection_hash},
                "updated_at": {"S": digest.updated_at.isoformat()},
            },
        )

    def of_kind(self, kind: DigestKind) -> list[Digest]:
        return self._query(kind, newest_first=True)

    def newest(self, kind: DigestKind, limit: int) -> list[Digest]:
        return self._query(kind, newest_first=True, limit=limit)

    def adjacent(self, kind: DigestKind, period: str) -> tuple[Digest | None, Digest | None]:
        older = self._query(kind, newest_first=True, limit=1, beyond=period)
        newer = self._query(kind, newest_first=False, limit=1, beyond=period)
        return (older[0] if older else None, newer[0] if newer else None)

    def _query(
        self,
        kind: DigestKind,
        *,
        newest_first: bool,
        limit: int | None = None,
        beyond: str | None = None,
    ) -> list[Digest]:
        """The kind's digests in period order; with `beyond`, only those past it (older
        when newest first, newer otherwise); at most `limit`."""
        condition = "pk = :p"
        values: dict[str, Any] = {":p": {"S": digest_partition(kind)}}
        if beyond is not None:
            condition += " AND sk < :b" if newest_first else " AND sk > :b"
            values[":b"] = {"S": beyond}
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not newest_first,
        }
        digests: list[Digest] = []
        while limit is None or len(digests) < limit:
            if limit is not None:
                request["Limit"] = limit - len(digests)
            response = self._table.client.query(**request)
            digests += [Digest.model_validate_json(row["doc"]["S"]) for row in response["Items"]]
            cursor = response.get("LastEvaluatedKey")
            if not cursor:
                break
            request["ExclusiveStartKey"] = cursor
        return digests

    def list_all(self) -> list[Digest]:
        digests: list[Digest] = []
        for kind in DigestKind:
            request: dict[str, Any] = {
                "TableName": self._table.table_name,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": digest_partition(kind)}},
                "ScanIndexForward": False,
            }
            while True:
                response = self._table.client.query(**request)
                digests += [
                    Digest.model_validate_json(row["doc"]["S"]) for row in response["Items"]
                ]
                cursor = response.get("LastEvaluatedKey")
                if not cursor:
                    break
                request["ExclusiveStartKey"] = cursor
        return digests


class DynamoPeriodArticles:
    """Public articles of a period, read from the ByPublished index by its UTC sort key."""

    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def list_public_between(self, start: datetime, end: datetime) -> list[Article]:
        # gsi1sk is "<published UTC ISO>#<id>": BETWEEN start and end (no id suffix) is
        # exactly [start, end), because "<end>#id" sorts after "<end>".
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "IndexName": BY_PUBLISHED,
            "KeyConditionExpression": "gsi1pk = :p AND gsi1sk BETWEEN :start AND :end",
            "ExpressionAttributeValues": {
                ":p": {"S": PUBLIC_PARTITION},
                ":start": {"S": start.astimezone(UTC).isoformat()},
                ":end": {"S": end.astimezone(UTC).isoformat()},
            },
            "ScanIndexForward": False,
        }
        articles: list[Article] = []
        while True:
            response = self._table.client.query(**request)
            articles += [Article.model_validate_json(row["doc"]["S"]) for row in response["Items"]]
            cursor = response.get("LastEvaluatedKey")
            if not cursor:
                return articles
            request["ExclusiveStartKey"] = cursor
