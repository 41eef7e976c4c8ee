"""The story index in DynamoDB (moto, table from template.yaml): membership written once,
recent stories by window, and one story when two workers place one event at the same time."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.core.models import botocore_stubber

from frontline.adapters.dynamodb import DynamoTable
from frontline.adapters.story_index import DynamoStoryIndex
from frontline.config import REPO_CONFIG_DIR, load_vocabulary
from frontline.domain.stories import Story, StoryDesk, StoryInput
from frontline.domain.stories.ports import AlreadyPlaced

T0 = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 21, tzinfo=UTC)
ENTITIES = load_vocabulary(REPO_CONFIG_DIR).entities


def report(n: int, title: str, hours: float = 0) -> StoryInput:
    return StoryInput(
        id=f"{n:032x}",
        outlet=f"Outlet {n}",
        url=f"https://news.example/{n}",
        published=T0 + timedelta(hours=hours),
        title=title,
    )


class SlowReads(DynamoStoryIndex):
    """Reads recent stories, then dawdles: two placements side by side both read nothing."""

    def recent(self, around: datetime, window: timedelta) -> list[Story]:
        found = super().recent(around, window)
        time.sleep(0.3)
        return found


EMULATOR = threading.Lock()


def atomic_client() -> Any:
    """A DynamoDB client whose requests moto serves one at a time: each DynamoDB request is
    atomic, but moto's conditional writes are not when two threads race."""
    client = boto3.client("dynamodb")
    client.meta.events.unregister("before-send", botocore_stubber)

    def one_at_a_time(**kwargs: Any) -> Any:
        with EMULATOR:
            return botocore_stubber(**kwargs)

    client.meta.events.register_first("before-send", one_at_a_time)
    return client


def index(local_aws, kind: type[DynamoStoryIndex] = DynamoStoryIndex) -> DynamoStoryIndex:
    return kind(DynamoTable(atomic_client(), local_aws["Table"]))


def test_membership_is_written_once_and_recent_stories_cross_day_partitions(local_aws) -> None:
    stories = index(local_aws)
    lead = report(1, "Kinetica raises $1.2 billion")
    stories.create(Story(id=lead.id, published=lead.published, members=(lead,)))
    story = stories.recent(T0 + timedelta(hours=5), timedelta(hours=72))[0]  # the next day
    joined = stories.join(story, report(2, "SoftBank backs Kinetica", hours=2))
    assert [m.id for m in joined.members] == [lead.id, f"{2:032x}"]
    assert stories.story_of(f"{2:032x}") == lead.id
    with pytest.raises(AlreadyPlaced):
        stories.join(joined, report(2, "SoftBank backs Kinetica", hours=2))
    assert stories.recent(T0 + timedelta(hours=80), timedelta(hours=72)) == []
    [again] = stories.recent(T0, timedelta(hours=1))
    assert [m.id for m in again.members] == [lead.id, f"{2:032x}"]


def test_two_workers_placing_one_event_at_once_make_one_story(local_aws) -> None:
    desks = [StoryDesk(index(local_aws, SlowReads), ENTITIES) for _ in range(2)]
    reports = [
        report(1, "SoftBank leads $1.2 billion round for humanoid robot start-up Kinetica"),
        report(2, "Kinetica raises $1.2B to mass-produce humanoid robots", hours=1),
    ]
    start = threading.Barrier(2)
    placed: dict[str, str] = {}

    def work(desk: StoryDesk, item: StoryInput) -> None:
        start.wait()
        placed[item.id] = desk.place(item, now=NOW).story_id

    threads = [
        threading.Thread(target=work, args=pair) for pair in zip(desks, reports, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(placed.values())) == 1  # one story, led by whichever came first
    [story] = index(local_aws).recent(T0, timedelta(hours=72))
    assert {m.id for m in story.members} == {r.id for r in reports}


def test_the_story_lease_has_one_holder_until_it_expires(local_aws) -> None:
    stories = index(local_aws)
    assert stories.lease("s1", holder="a", now=NOW, until=NOW + timedelta(minutes=16))
    assert not stories.lease("s1", holder="b", now=NOW, until=NOW + timedelta(minutes=16))
    later = NOW + timedelta(minutes=17)
    assert stories.lease("s1", holder="b", now=later, until=later + timedelta(minutes=16))
    stories.release("s1", holder="a")  # no longer a's: nothing happens
    assert not stories.lease("s1", holder="c", now=later, until=later + timedelta(minutes=1))
