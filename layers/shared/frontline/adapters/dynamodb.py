"""The headless store on DynamoDB: one table, several item types (see template.yaml).

ITEM#<id>     / CLAIM    every item ever seen, claimed once with a conditional write; until
                         its message is queued it carries that message and gsi3pk, so the
                         sparse Unqueued index lists the claims a crash left unqueued
URL#<feed>#<hash of canonical URL> / CLAIM   the item that owns a source URL: one article per URL
ARTICLE#<id>  / ARTICLE  articles; public ones carry gsi1pk so the ByPublished index lists them,
                         and gsi4pk/gsi4sk (listing order) so ByListing answers "the newest N";
                         waiting, hidden and withdrawn ones carry gsi2pk (NeedsAnalysis index)
SITE#PINNED   / PINNED   the pinned article ids (editorial_store), read by every publish
ITEM#<id>     / ANALYSIS the item's analysis lease and the model's recorded answer
FEED#<id>     / STATE    per-feed polling state (validators, error streak, last error)
USAGE#<day>   / COUNTER  the day's LLM spend;  CHARGE#<call id> / CHARGE  one per charged call
"""

from __future__ import annotations

import hashlib
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ClientError

from frontline.domain.listing_order import listing_token
from frontline.domain.models import (
    Analysis,
    Article,
    ArticleChange,
    ArticleStatus,
    FeedItem,
    FeedState,
    ItemMessage,
)
from frontline.domain.ports import AnalysisResult, ClaimOutcome, StaleVersion, Usage
from frontline.domain.urls import names_one_page

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PUBLIC_PARTITION: Final = "ARTICLES"
BY_PUBLISHED: Final = "ByPublished"
BY_LISTING: Final = "ByListing"
WAITING_PARTITION: Final = "REANALYSE"
# The NeedsAnalysis index lists the articles operators look after: those waiting for a full
# analysis, and (never waiting) the hidden and the withdrawn, each in its own partition.
ATTENTION_PARTITIONS: Final = {
    ArticleStatus.HIDDEN: "HIDDEN",
    ArticleStatus.WITHDRAWN: "WITHDRAWN",
}
NEEDS_ANALYSIS: Final = "NeedsAnalysis"
UNQUEUED_PARTITION: Final = "UNQUEUED"
UNQUEUED: Final = "Unqueued"
USAGE_RETENTION: Final = timedelta(days=400)
ANSWER_RETENTION: Final = timedelta(days=14)
_BATCH_GET: Final = 100
# Errors a write may meet under load; the SDK's own retries came first, these follow.
_THROTTLED: Final = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "InternalServerError",
    }
)
_WRITE_ATTEMPTS: Final = 5


def _chunks[T](values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _is_conditional_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


class DynamoTable:
    """Shared plumbing: the client, the table name, batch reads with unprocessed-key retries."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def batch_get(
        self,
        keys: Sequence[dict[str, Any]],
        projection: str | None = None,
        *,
        consistent: bool = False,
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for chunk in _chunks(list(keys), _BATCH_GET):
            request: dict[str, Any] = {"Keys": list(chunk)}
            if projection:
                request["ProjectionExpression"] = projection
            if consistent:
                request["ConsistentRead"] = True
            pending: dict[str, Any] = {self.table_name: request}
            for attempt in range(6):
                response = self.client.batch_get_item(RequestItems=pending)
                found += response.get("Responses", {}).get(self.table_name, [])
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
            if pending:
                raise RuntimeError("DynamoDB left keys unprocessed after retries")
        return found


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def article_key(article_id: str) -> dict[str, Any]:
    return _key(f"ARTICLE#{article_id}", "ARTICLE")


class DynamoItemLedger:
    """Claims with conditional writes; a claim carries its message until it is queued.

    A new item also claims its canonical URL (per feed): a story that comes back under a new
    guid with the same link is a duplicate of the item that owns the URL, recorded as such
    and never queued. The claim's message and the sparse `Unqueued` index make the gap
    between claiming and queueing recoverable: a claim still unmarked after a deadline is
    found by a bounded query and queued again.
    """

    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def claim_new_items(self, items: Sequence[FeedItem]) -> ClaimOutcome:
        if not items:
            return ClaimOutcome()
        rows = self._table.batch_get(
            [_key(f"ITEM#{item.id}", "CLAIM") for item in items], "pk, content_hash, duplicate_of"
        )
        known = {row["pk"]["S"].removeprefix("ITEM#"): row for row in rows}
        outcome = ClaimOutcome()
        for item in items:
            row = known.get(item.id)
            if row is None:
                owner = self._claim_url(item) if names_one_page(item.url) else item.id
                if owner != item.id:
                    if self._claim(item, duplicate_of=owner):
                        outcome.duplicates.append(item)
                elif self._claim(item):
                    outcome.new.append(item)
            elif "duplicate_of" in row:
                continue  # the same story under another guid: never an article of its own
            else:
                previous = row.get("content_hash", {}).get("S")
                if previous != item.content_hash and self._update(item, previous):
                    outcome.updated.append(item)
        return outcome

    def _claim_url(self, item: FeedItem) -> str:
        """The id of the item that owns this item's URL in its feed (this one, if unowned)."""
        key = _url_key(item)
        try:
            self._table.client.put_item(
                TableName=self._table.table_name,
                Item={**key, "item_id": {"S": item.id}, "url": {"S": item.url}},
                ConditionExpression="attribute_not_exists(pk) OR item_id = :id",
                ExpressionAttributeValues={":id": {"S": item.id}},
            )
        except ClientError as exc:
            if not _is_conditional_failure(exc):
                raise
            row = self._table.client.get_item(
                TableName=self._table.table_name, Key=key, ConsistentRead=True
            ).get("Item")
            return row["item_id"]["S"] if row else item.id
        return item.id

    def _claim(self, item: FeedItem, *, duplicate_of: str | None = None) -> bool:
        row: dict[str, Any] = {
            **_key(f"ITEM#{item.id}", "CLAIM"),
            "feed_id": {"S": item.feed_id},
            "url": {"S": item.url},
            "content_hash": {"S": item.content_hash},
            "claimed_at": {"S": item.first_seen.isoformat()},
        }
        if duplicate_of is not None:
            row["duplicate_of"] = {"S": duplicate_of}
        else:
            row |= _pending(ItemMessage(item=item, reason="new"))
        try:
            self._table.client.put_item(
                TableName=self._table.table_name,
                Item=row,
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False  # another poll claimed it first
            raise
        return True

    def _update(self, item: FeedItem, previous_hash: str | None) -> bool:
        pending = _pending(ItemMessage(item=item, reason="updated"))
        try:
            self._table.client.update_item(
                TableName=self._table.table_name,
                Key=_key(f"ITEM#{item.id}", "CLAIM"),
                UpdateExpression=(
                    "SET content_hash = :new, pending = :pending, gsi3pk = :gpk, gsi3sk = :gsk"
                ),
                ConditionExpression="content_hash = :old",
                ExpressionAttributeValues={
                    ":new": {"S": item.content_hash},
                    ":old": {"S": previous_hash or ""},
                    ":pending": pending["pending"],
                    ":gpk": pending["gsi3pk"],
                    ":gsk": pending["gsi3sk"],
                },
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False
            raise
        return True

    def mark_queued(self, items: Sequence[FeedItem]) -> None:
        for item in items:
            try:
                self._table.client.update_item(
                    TableName=self._table.table_name,
                    Key=_key(f"ITEM#{item.id}", "CLAIM"),
                    UpdateExpression="REMOVE pending, gsi3pk, gsi3sk",
                    # Only this version's mark: a newer claim's message is still to be sent.
                    ConditionExpression="content_hash = :hash",
                    ExpressionAttributeValues={":hash": {"S": item.content_hash}},
                )
            except ClientError as exc:
                if not _is_conditional_failure(exc):
                    raise

    def unqueued_claims(self, *, claimed_before: datetime, limit: int) -> list[ItemMessage]:
        response = self._table.client.query(
            TableName=self._table.table_name,
            IndexName=UNQUEUED,
            KeyConditionExpression="gsi3pk = :p AND gsi3sk < :before",
            ExpressionAttributeValues={
                ":p": {"S": UNQUEUED_PARTITION},
                ":before": {"S": claimed_before.astimezone(UTC).isoformat()},
            },
            Limit=limit,
        )
        return [
            ItemMessage.model_validate_json(zlib.decompress(row["pending"]["B"]))
            for row in response["Items"]
            if "pending" in row
        ]

    def release(self, items: Sequence[FeedItem]) -> None:
        for item in items:
            self._table.client.delete_item(
                TableName=self._table.table_name, Key=_key(f"ITEM#{item.id}", "CLAIM")
            )
            try:
                self._table.client.delete_item(
                    TableName=self._table.table_name,
                    Key=_url_key(item),
                    ConditionExpression="item_id = :id",
                    ExpressionAttributeValues={":id": {"S": item.id}},
                )
            except ClientError as exc:
                if not _is_conditional_failure(exc):
                    raise


def _url_key(item: FeedItem) -> dict[str, Any]:
    digest = hashlib.sha256(item.url.encode()).hexdigest()[:32]
    return _key(f"URL#{item.feed_id}#{digest}", "CLAIM")


def _pending(message: ItemMessage) -> dict[str, Any]:
    """The message a claim waits to have queued (compressed: it is at most an SQS body)."""
    claimed = message.item.first_seen.astimezone(UTC).isoformat()
    return {
        "pending": {"B": zlib.compress(message.model_dump_json().encode())},
        "gsi3pk": {"S": UNQUEUED_PARTITION},
        "gsi3sk": {"S": f"{claimed}#{message.item.id}"},
    }


class DynamoFeedStateStore:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def load_states(self, feed_ids: Iterable[str]) -> dict[str, FeedState]:
        rows = self._table.batch_get([_key(f"FEED#{feed_id}", "STATE") for feed_id in feed_ids])
        states = [FeedState.model_validate_json(row["doc"]["S"]) for row in rows]
        return {state.feed_id: state for state in states}

    def save_state(self, state: FeedState) -> None:
        self._table.client.put_item(
            TableName=self._table.table_name,
            Item={
                **_key(f"FEED#{state.feed_id}", "STATE"),
                "doc": {"S": state.model_dump_json()},
                "error_streak": {"N": str(state.error_streak)},
            },
        )


def article_item(article: Article) -> dict[str, Any]:
    """The table item of an article: its document and the attributes its indexes read."""
    item: dict[str, Any] = {
        **article_key(article.id),
        "doc": {"S": article.model_dump_json()},
        "status": {"S": article.status.value},
        "feed_id": {"S": article.item.feed_id},
        "content_hash": {"S": article.item.content_hash},
        "published": {"S": article.published.isoformat()},
        "importance": {"N": str(article.importance)},
        "category": {"S": article.analysis.category.value},
    }
    if article.status.is_public:  # sparse index: only public articles are listed
        item["gsi1pk"] = {"S": PUBLIC_PARTITION}
        item["gsi1sk"] = {"S": f"{article.published.astimezone(UTC).isoformat()}#{article.id}"}
        item["gsi4pk"] = {"S": PUBLIC_PARTITION}
        item["gsi4sk"] = {"S": listing_token(article)}
    if article.status in ATTENTION_PARTITIONS:  # hidden or withdrawn: listed for operators
        item["gsi2pk"] = {"S": ATTENTION_PARTITIONS[article.status]}
        item["gsi2sk"] = {"S": f"{article.updated_at.astimezone(UTC).isoformat()}#{article.id}"}
    elif article.needs_reanalysis:
        item["gsi2pk"] = {"S": WAITING_PARTITION}  # sparse: only articles that wait
        item["gsi2sk"] = {"S": f"{article.created_at.astimezone(UTC).isoformat()}#{article.id}"}
    # The version: a different content seen earlier than the stored one is stale.
    seen_at = (article.seen_at or article.item.first_seen).astimezone(UTC).isoformat()
    item["seen_at"] = {"S": seen_at}
    return item


class DynamoArticleRepository:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def get(self, article_id: str) -> Article | None:
        response = self._table.client.get_item(
            TableName=self._table.table_name,
            Key=_key(f"ARTICLE#{article_id}", "ARTICLE"),
            ConsistentRead=True,
        )
        row = response.get("Item")
        return Article.model_validate_json(row["doc"]["S"]) if row else None

    def save(self, article: Article) -> bool:
        item = article_item(article)
        seen_at = item["seen_at"]["S"]
        try:
            self._table.client.put_item(
                TableName=self._table.table_name,
                Item=item,
                # Same content and same result already stored: do not write (no stream event).
                ConditionExpression=(
                    "attribute_not_exists(pk) OR (#doc <> :doc AND (content_hash = :hash "
                    "OR attribute_not_exists(seen_at) OR seen_at < :seen))"
                ),
                ExpressionAttributeNames={"#doc": "doc"},
                ExpressionAttributeValues={
                    ":doc": item["doc"],
                    ":hash": item["content_hash"],
                    ":seen": item["seen_at"],
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not _is_conditional_failure(exc):
                raise
            response: dict[str, Any] = dict(exc.response)
            stored: dict[str, Any] = response.get("Item") or {}
            mine = item["content_hash"]["S"]
            if stored.get("content_hash", {}).get("S", mine) != mine:
                raise StaleVersion(
                    f"article {article.id}: a version seen at {stored.get('seen_at', {}).get('S')}"
                    f" is stored; this one was seen at {seen_at}"
                ) from exc
            return False
        return True

    def list_public(self, limit: int | None = None) -> list[Article]:
        return self._query_index(BY_PUBLISHED, "gsi1pk", PUBLIC_PARTITION, limit, newest_first=True)

    def list_public_of_source(self, feed_id: str) -> list[Article]:
        """Every public article of one source: reads the whole ByPublished index, so only a
        publisher's opt-out asks (once per source)."""
        articles: list[Article] = []
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "IndexName": BY_PUBLISHED,
            "KeyConditionExpression": "gsi1pk = :p",
            "FilterExpression": "feed_id = :f",
            "ExpressionAttributeValues": {":p": {"S": PUBLIC_PARTITION}, ":f": {"S": feed_id}},
        }
        while True:
            response = self._table.client.query(**request)
            articles += [Article.model_validate_json(row["doc"]["S"]) for row in response["Items"]]
            if "LastEvaluatedKey" not in response:
                return articles
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def list_newest(self, limit: int) -> list[Article]:
        return self._query_index(BY_LISTING, "gsi4pk", PUBLIC_PARTITION, limit, newest_first=True)

    def index_listing_order(self) -> int:
        """Put every public article stored before ByListing existed into that index (sets
        gsi4pk/gsi4sk where missing; run once after deploying it). Returns how many."""
        indexed = 0
        for article in self.list_public():
            try:
                self._table.client.update_item(
                    TableName=self._table.table_name,
                    Key=_key(f"ARTICLE#{article.id}", "ARTICLE"),
                    UpdateExpression="SET gsi4pk = :p, gsi4sk = :s",
                    ConditionExpression="attribute_exists(gsi1pk) AND attribute_not_exists(gsi4sk)",
                    ExpressionAttributeValues={
                        ":p": {"S": PUBLIC_PARTITION},
                        ":s": {"S": listing_token(article)},
                    },
                )
            except ClientError as exc:
                if not _is_conditional_failure(exc):
                    raise
                continue  # indexed already, or no longer public
            indexed += 1
        return indexed

    def list_needing_analysis(self, limit: int) -> list[Article]:
        return self._query_index(
            NEEDS_ANALYSIS, "gsi2pk", WAITING_PARTITION, limit, newest_first=False
        )

    def _query_index(
        self, index: str, key: str, partition: str, limit: int | None, *, newest_first: bool
    ) -> list[Article]:
        articles: list[Article] = []
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "IndexName": index,
            "KeyConditionExpression": f"{key} = :p",
            "ExpressionAttributeValues": {":p": {"S": partition}},
            "ScanIndexForward": not newest_first,
        }
        while True:
            if limit is not None:
                request["Limit"] = limit - len(articles)
            response = self._table.client.query(**request)
            articles += [Article.model_validate_json(row["doc"]["S"]) for row in response["Items"]]
            cursor = response.get("LastEvaluatedKey")
            if not cursor or (limit is not None and len(articles) >= limit):
                return articles
            request["ExclusiveStartKey"] = cursor


class DynamoSpendLedger:
    """USAGE#<JST day> / COUNTER: cost and tokens added atomically; expires after a year."""

    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def spent_on(self, day: date) -> float:
        row = self._table.client.get_item(
            TableName=self._table.table_name,
            Key=_key(f"USAGE#{day.isoformat()}", "COUNTER"),
            ConsistentRead=True,
        ).get("Item")
        return float(row["cost_usd"]["N"]) if row else 0.0

    def record(
        self, day: date, cost_usd: float, usage: Usage, *, charge_id: str | None = None
    ) -> None:
        """Add one call's cost; with `charge_id`, once: the charge's own item is written in the
        same transaction, conditional on its absence. Throttled writes are retried."""
        expires = datetime(day.year, day.month, day.day, tzinfo=UTC) + USAGE_RETENTION
        counter: dict[str, Any] = {
            "TableName": self._table.table_name,
            "Key": _key(f"USAGE#{day.isoformat()}", "COUNTER"),
            "UpdateExpression": (
                "ADD cost_usd :c, input_tokens :i, output_tokens :o, cache_read_tokens :cr, "
                "cache_write_tokens :cw, calls :one SET expires_at = :e"
            ),
            "ExpressionAttributeValues": {
                ":c": {"N": f"{cost_usd:.8f}"},
                ":i": {"N": str(usage.input_tokens)},
                ":o": {"N": str(usage.output_tokens)},
                ":cr": {"N": str(usage.cache_read_tokens)},
                ":cw": {"N": str(usage.cache_write_tokens)},
                ":one": {"N": "1"},
                ":e": {"N": _epoch(expires)},
            },
        }
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                if charge_id is None:
                    self._table.client.update_item(**counter)
                else:
                    self._charge_once(charge_id, day, cost_usd, counter, expires)
                return
            except ClientError as exc:
                if _is_conditional_failure(exc) or _already_charged(exc):
                    return  # this call was counted by an earlier attempt
                if _code(exc) not in _THROTTLED and not _throttled_transaction(exc):
                    raise
                if attempt == _WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(min(0.1 * 2**attempt, 2.0))

    def _charge_once(
        self,
        charge_id: str,
        day: date,
        cost_usd: float,
        counter: dict[str, Any],
        expires: datetime,
    ) -> None:
        charge = {
            **_key(f"CHARGE#{charge_id}", "CHARGE"),
            "day": {"S": day.isoformat()},
            "cost_usd": {"N": f"{cost_usd:.8f}"},
            "expires_at": {"N": _epoch(expires)},
        }
        self._table.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self._table.table_name,
                        "Item": charge,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Update": counter},  # type: ignore[typeddict-item]
            ]
        )


def _cancellation_codes(exc: ClientError) -> list[str]:
    reasons = exc.response.get("CancellationReasons") or []
    return [str(reason.get("Code", "None")) for reason in reasons]


def _already_charged(exc: ClientError) -> bool:
    codes = _cancellation_codes(exc)
    return _code(exc) == "TransactionCanceledException" and codes[:1] == ["ConditionalCheckFailed"]


def _throttled_transaction(exc: ClientError) -> bool:
    codes = _cancellation_codes(exc)
    return _code(exc) == "TransactionCanceledException" and any(
        code in {"ThrottlingError", "TransactionConflict", "ProvisionedThroughputExceeded"}
        for code in codes
    )


class DynamoAnalysisClaims:
    """ITEM#<id> / ANALYSIS: the analysis lease (holder, until) and the recorded answer."""

    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def lease(self, item_id: str, *, holder: str, now: datetime, until: datetime) -> bool:
        try:
            self._table.client.update_item(
                TableName=self._table.table_name,
                Key=_key(f"ITEM#{item_id}", "ANALYSIS"),
                UpdateExpression="SET lease_holder = :h, lease_until = :u, expires_at = :e",
                ConditionExpression=(
                    "attribute_not_exists(lease_until) OR lease_until < :now OR lease_holder = :h"
                ),
                ExpressionAttributeValues={
                    ":h": {"S": holder},
                    ":u": {"N": _epoch(until)},
                    ":now": {"N": _epoch(now)},
                    ":e": {"N": _epoch(now + ANSWER_RETENTION)},
                },
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False
            raise
        return True

    def release(self, item_id: str, *, holder: str) -> None:
        try:
            self._table.client.update_item(
                TableName=self._table.table_name,
                Key=_key(f"ITEM#{item_id}", "ANALYSIS"),
                UpdateExpression="REMOVE lease_holder, lease_until",
                ConditionExpression="lease_holder = :h",
                ExpressionAttributeValues={":h": {"S": holder}},
            )
        except ClientError as exc:
            if not _is_conditional_failure(exc):  # taken over after expiry: not ours to free
                raise

    def answer_for(self, item_id: str, content_hash: str) -> AnalysisResult | None:
        row = self._table.client.get_item(
            TableName=self._table.table_name,
            Key=_key(f"ITEM#{item_id}", "ANALYSIS"),
            ConsistentRead=True,
        ).get("Item")
        if not row or row.get("answer_hash", {}).get("S") != content_hash:
            return None
        return AnalysisResult(
            analysis=Analysis.model_validate_json(row["answer_doc"]["S"]),
            provider=row["answer_provider"]["S"],
            model_id=row["answer_model_id"]["S"] or None,
            usage=Usage(
                int(row["answer_input_tokens"]["N"]), int(row["answer_output_tokens"]["N"])
            ),
            translated=True,
            request_id=row["answer_request_id"]["S"] or None,
        )

    def record_answer(self, item_id: str, content_hash: str, result: AnalysisResult) -> None:
        values: dict[str, Any] = {
            ":a": {"S": result.analysis.model_dump_json()},
            ":hash": {"S": content_hash},
            ":p": {"S": result.provider},
            ":i": {"N": str(result.usage.input_tokens)},
            ":o": {"N": str(result.usage.output_tokens)},
            ":m": {"S": result.model_id or ""},
            ":r": {"S": result.request_id or ""},
        }
        self._table.client.update_item(
            TableName=self._table.table_name,
            Key=_key(f"ITEM#{item_id}", "ANALYSIS"),
            UpdateExpression=(
                "SET answer_doc = :a, answer_hash = :hash, answer_provider = :p, "
                "answer_input_tokens = :i, answer_output_tokens = :o, answer_model_id = :m, "
                "answer_request_id = :r"
            ),
            ExpressionAttributeValues=values,
        )


def article_changes(records: Sequence[dict[str, Any]]) -> list[ArticleChange]:
    """Stream records → the public versions of each changed article, before and after.

    A version that is not public (skipped, hidden) counts as absent: hiding an article is
    its removal from the site; publishing a skipped one is its arrival. Digest and feed
    state records change only site-wide pages (a digest's, the source health page), which
    every publish renders.
    """
    changes: list[ArticleChange] = []
    for record in records:
        images = record.get("dynamodb", {})
        key = images.get("Keys", {}).get("pk", {}).get("S", "")
        if not key.startswith("ARTICLE#"):
            continue
        before, after = (_public_article(images.get(side)) for side in ("OldImage", "NewImage"))
        if before is not None or after is not None:
            changes.append(ArticleChange(before=before, after=after))
    return changes


def _public_article(image: dict[str, Any] | None) -> Article | None:
    if not image or "doc" not in image:
        return None
    article = Article.model_validate_json(image["doc"]["S"])
    return article if article.status.is_public else None
