"""Digests in the single table, and the period queries the digest writer needs.

DIGEST#daily  / 2026-11-26   one item per period: the Digest as JSON plus a few plain fields
DIGEST#weekly / 2026-W48     (a fixed partition per kind: the archive is one Query, no index)

A put replaces the period's previous digest, so running a digest twice leaves one. The pk
prefix `DIGEST#` is what render_site's stream filter admits besides `ARTICLE#`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from frontline.adapters.dynamodb import BY_PUBLISHED, PUBLIC_PARTITION, DynamoTable
from frontline.domain.digests import Digest, DigestKind
from frontline.domain.models import Article

DIGEST_PREFIX: Final = "DIGEST#"


def digest_partition(kind: DigestKind) -> str:
    return f"{DIGEST_PREFIX}{kind.value}"


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
