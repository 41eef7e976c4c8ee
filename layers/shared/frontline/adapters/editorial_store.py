"""Editorial overrides in the table: article writes that cannot clobber, and bounded lists.

An override rewrites the article's record on condition that the record is still the one the
operator read (a re-analysis that landed meanwhile makes the command fail, to be run again).
What needs attention is read from the sparse NeedsAnalysis index (its WAITING, HIDDEN and
WITHDRAWN partitions), the pins from one item, `SITE#PINNED`: no list reads every article.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from botocore.exceptions import ClientError

from frontline.adapters.dynamodb import (
    ATTENTION_PARTITIONS,
    NEEDS_ANALYSIS,
    WAITING_PARTITION,
    DynamoTable,
    article_item,
    article_key,
)
from frontline.domain.models import Article, ArticleStatus
from frontline.domain.ports import FrontlineError

PINNED_KEY: Final = {"pk": {"S": "SITE#PINNED"}, "sk": {"S": "PINNED"}}
# What `--hidden` and the like show at most (newest first).
LIST_LIMIT: Final = 200


class OverrideConflict(FrontlineError):
    """The article changed between the read and the override's write: run it again."""


class DynamoEditorialStore:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def get(self, article_id: str) -> Article | None:
        row = self._table.client.get_item(
            TableName=self._table.table_name, Key=article_key(article_id), ConsistentRead=True
        ).get("Item")
        return Article.model_validate_json(row["doc"]["S"]) if row else None

    def replace(self, article: Article, *, read: Article) -> None:
        """Store the overridden article if the record is still `read`; also keep the pins."""
        try:
            self._table.client.put_item(
                TableName=self._table.table_name,
                Item=article_item(article),
                ConditionExpression="#doc = :read",
                ExpressionAttributeNames={"#doc": "doc"},
                ExpressionAttributeValues={":read": {"S": read.model_dump_json()}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise OverrideConflict(
                    f"article {article.id} changed while the override was made; run it again"
                ) from None
            raise
        pin = article.overrides.pin
        if pin is not None:
            until = pin.until.astimezone(UTC).isoformat() if pin.until else ""
            self._table.client.update_item(  # the map first: one expression cannot do both
                TableName=self._table.table_name,
                Key=PINNED_KEY,
                UpdateExpression="SET pins = if_not_exists(pins, :empty)",
                ExpressionAttributeValues={":empty": {"M": {}}},
            )
            self._table.client.update_item(
                TableName=self._table.table_name,
                Key=PINNED_KEY,
                UpdateExpression="SET pins.#id = :pin",
                ExpressionAttributeNames={"#id": article.id},
                ExpressionAttributeValues={
                    ":pin": {"S": f"{pin.at.astimezone(UTC).isoformat()}|{until}"}
                },
            )
        elif read.overrides.pin is not None:
            self._table.client.update_item(
                TableName=self._table.table_name,
                Key=PINNED_KEY,
                UpdateExpression="REMOVE pins.#id",
                ExpressionAttributeNames={"#id": article.id},
            )

    def pinned(self, now: datetime, limit: int) -> list[Article]:
        """The public articles pinned now, the latest pin first: one item and `limit` reads."""
        rows = self._table.batch_get([PINNED_KEY])
        pins: dict[str, Any] = rows[0].get("pins", {}).get("M", {}) if rows else {}
        active = []
        for article_id, value in pins.items():
            pinned_at, _, until = value["S"].partition("|")
            if not until or datetime.fromisoformat(until) > now:
                active.append((pinned_at, article_id))
        chosen = [article_id for _at, article_id in sorted(active, reverse=True)[:limit]]
        found = {
            row["pk"]["S"].removeprefix("ARTICLE#"): Article.model_validate_json(row["doc"]["S"])
            for row in self._table.batch_get([article_key(i) for i in chosen])
        }
        return [
            found[i]
            for i in chosen
            if i in found and found[i].status.is_public and _pin_active(found[i], now)
        ]

    def listed(self, status: ArticleStatus | None, limit: int = LIST_LIMIT) -> list[Article]:
        """Hidden or withdrawn articles (None: waiting for a full analysis), newest first."""
        partition = WAITING_PARTITION if status is None else ATTENTION_PARTITIONS[status]
        return self._query(partition, limit)

    def degraded(self, limit: int = LIST_LIMIT) -> list[Article]:
        """Degraded articles: they wait for a full analysis, so they are in that partition."""
        return self._query(WAITING_PARTITION, limit, status=ArticleStatus.DEGRADED)

    def _query(
        self, partition: str, limit: int, *, status: ArticleStatus | None = None
    ) -> list[Article]:
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "IndexName": NEEDS_ANALYSIS,
            "KeyConditionExpression": "gsi2pk = :p",
            "ExpressionAttributeValues": {":p": {"S": partition}},
            "ScanIndexForward": False,
        }
        if status is not None:
            request["FilterExpression"] = "#status = :status"
            request["ExpressionAttributeNames"] = {"#status": "status"}
            request["ExpressionAttributeValues"][":status"] = {"S": status.value}
        articles: list[Article] = []
        while len(articles) < limit:
            response = self._table.client.query(**request)
            articles += [Article.model_validate_json(row["doc"]["S"]) for row in response["Items"]]
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return articles[:limit]

    def forget_answers(self, item_ids: Sequence[str]) -> None:
        """Drop the model's recorded answers, so a re-analysis asks the model again."""
        for item_id in item_ids:
            try:
                self._table.client.update_item(
                    TableName=self._table.table_name,
                    Key={"pk": {"S": f"ITEM#{item_id}"}, "sk": {"S": "ANALYSIS"}},
                    UpdateExpression="REMOVE answer_hash",
                    ConditionExpression="attribute_exists(pk)",
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise


def _pin_active(article: Article, now: datetime) -> bool:
    pin = article.overrides.pin
    return pin is not None and pin.active(now)
