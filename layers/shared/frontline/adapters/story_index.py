"""The story index on DynamoDB, beside the articles in the one table.

STORIES#<day of the lead's publication, UTC> / <published>#<story id>
                  a story: its members' reports (headline, summary, embedding) in `doc`,
                  their count in `member_count` (each join is conditional on it)
ITEM#<id>     / STORY   the item's story: written once, conditional on its absence, before
                        the story item (so an item is never in two stories)
STORY#<id>    / LEASE   who writes the story's article now (holder, until)
STORYLOCK     / ASSIGN  the assignment lease: one placement at a time across workers, so
                        two items of one event arriving together never make twin stories

"Recent stories" reads the day partitions the window touches (a few Query calls); every
story item expires a while after its window has passed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from botocore.exceptions import ClientError

from frontline.adapters.dynamodb import DynamoTable
from frontline.domain.ports import AnalysisInProgress
from frontline.domain.stories.model import Story
from frontline.domain.stories.ports import AlreadyPlaced
from frontline.domain.stories.signals import StoryInput

STORY_RETENTION: Final = timedelta(days=30)
ASSIGN_LEASE: Final = timedelta(seconds=20)
ASSIGN_WAIT: Final = timedelta(seconds=15)
MATCHED_MEMBERS: Final = 30  # members kept for matching; later ones join all the same


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _story_key(story: Story) -> dict[str, Any]:
    published = story.published.astimezone(UTC)
    return _key(f"STORIES#{published.date().isoformat()}", f"{published.isoformat()}#{story.id}")


def _millis(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _failed_condition(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoStoryIndex:
    def __init__(
        self,
        table: DynamoTable,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._table = table
        self._clock = clock
        self._sleep = sleep

    def story_of(self, item_id: str) -> str | None:
        row = self._table.client.get_item(
            TableName=self._table.table_name,
            Key=_key(f"ITEM#{item_id}", "STORY"),
            ConsistentRead=True,
        ).get("Item")
        return row["story_id"]["S"] if row else None

    def recent(self, around: datetime, window: timedelta) -> list[Story]:
        first, last = (around - window).astimezone(UTC), (around + window).astimezone(UTC)
        stories: list[Story] = []
        day = first.date()
        while day <= last.date():
            request: dict[str, Any] = {
                "TableName": self._table.table_name,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": f"STORIES#{day.isoformat()}"}},
                "ConsistentRead": True,
            }
            while True:
                response = self._table.client.query(**request)
                stories += [Story.model_validate_json(row["doc"]["S"]) for row in response["Items"]]
                if "LastEvaluatedKey" not in response:
                    break
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            day += timedelta(days=1)
        return [story for story in stories if first <= story.published <= last]

    def create(self, story: Story) -> None:
        expires = self._expiry(story)
        self._claim_membership(story.lead.id, story.id, expires)
        self._table.client.put_item(
            TableName=self._table.table_name,
            Item={
                **_story_key(story),
                "doc": {"S": story.model_dump_json()},
                "member_count": {"N": str(len(story.members))},
                "expires_at": {"N": expires},
            },
        )

    def join(self, story: Story, member: StoryInput) -> Story:
        self._claim_membership(member.id, story.id, self._expiry(story))
        if len(story.members) >= MATCHED_MEMBERS:
            return story
        joined = story.model_copy(update={"members": (*story.members, member)})
        try:
            self._table.client.update_item(
                TableName=self._table.table_name,
                Key=_story_key(story),
                UpdateExpression="SET #doc = :doc, member_count = :new",
                # The story as read: a write based on an older read is refused (the member
                # stays placed; the story's matching text just lacks it).
                ConditionExpression="member_count = :old",
                ExpressionAttributeNames={"#doc": "doc"},
                ExpressionAttributeValues={
                    ":doc": {"S": joined.model_dump_json()},
                    ":new": {"N": str(len(joined.members))},
                    ":old": {"N": str(len(story.members))},
                },
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
        return joined

    @contextmanager
    def assigning(self, *, now: datetime) -> Iterator[None]:
        holder = uuid.uuid4().hex
        started = time.monotonic()
        pause = 0.02
        while not self._take("STORYLOCK", "ASSIGN", holder, self._clock(), ASSIGN_LEASE):
            if time.monotonic() - started > ASSIGN_WAIT.total_seconds():
                raise AnalysisInProgress("another worker is placing items in stories")
            self._sleep(pause)
            pause = min(pause * 2, 0.5)
        try:
            yield
        finally:
            self._free("STORYLOCK", "ASSIGN", holder)

    def lease(self, story_id: str, *, holder: str, now: datetime, until: datetime) -> bool:
        return self._take(f"STORY#{story_id}", "LEASE", holder, now, until - now)

    def release(self, story_id: str, *, holder: str) -> None:
        self._free(f"STORY#{story_id}", "LEASE", holder)

    def _take(self, pk: str, sk: str, holder: str, now: datetime, length: timedelta) -> bool:
        try:
            self._table.client.update_item(
                TableName=self._table.table_name,
                Key=_key(pk, sk),
                UpdateExpression="SET lease_holder = :h, lease_until_ms = :u, expires_at = :e",
                ConditionExpression=(
                    "attribute_not_exists(lease_until_ms) OR lease_until_ms < :now "
                    "OR lease_holder = :h"
                ),
                ExpressionAttributeValues={
                    ":h": {"S": holder},
                    ":u": {"N": _millis(now + length)},
                    ":now": {"N": _millis(now)},
                    ":e": {"N": str(int((now + STORY_RETENTION).timestamp()))},
                },
            )
        except ClientError as exc:
            if _failed_condition(exc):
                return False
            raise
        return True

    def _free(self, pk: str, sk: str, holder: str) -> None:
        try:
            self._table.client.update_item(
                TableName=self._table.table_name,
                Key=_key(pk, sk),
                UpdateExpression="REMOVE lease_holder, lease_until_ms",
                ConditionExpression="lease_holder = :h",
                ExpressionAttributeValues={":h": {"S": holder}},
            )
        except ClientError as exc:
            if not _failed_condition(exc):  # taken over after expiry: not ours to free
                raise

    def _claim_membership(self, item_id: str, story_id: str, expires: str) -> None:
        """The item's one story, written first and only once: a second placement fails."""
        try:
            self._table.client.put_item(
                TableName=self._table.table_name,
                Item={
                    **_key(f"ITEM#{item_id}", "STORY"),
                    "story_id": {"S": story_id},
                    "expires_at": {"N": expires},
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if _failed_condition(exc):
                raise AlreadyPlaced(f"item {item_id} is already placed") from exc
            raise

    def _expiry(self, story: Story) -> str:
        """A while after the window has passed, or after now (for items dated long ago)."""
        latest = max(story.published, self._clock())
        return str(int((latest + STORY_RETENTION).timestamp()))
