"""Claim, then queue, then mark: nothing claimed is lost when queueing fails or the run dies.

Faults are injected with botocore event hooks on a real SQS client against moto; the table
is the template's, with its sparse Unqueued index.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from frontline.adapters.dynamodb import DynamoFeedStateStore, DynamoItemLedger, DynamoTable
from frontline.adapters.sqs import SqsWorkQueue
from frontline.domain.feed_poller import CLAIM_DEADLINE, FeedPoller
from frontline.domain.models import ItemMessage
from frontline.domain.ports import FetchResult
from infra.local.template_resources import LocalResources
from tests.factories import NOW, make_source
from tests.unit.fakes import FakeFetcher

SOURCE = make_source(url="https://ai-wire.example/feed.xml")


def feed(*entries: tuple[str, str, str]) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
        "<pubDate>Thu, 26 Nov 2026 10:00:00 GMT</pubDate></item>"
        for guid, title, link in entries
    )
    return f'<rss version="2.0"><channel><title>W</title>{items}</channel></rss>'.encode()


TWELVE = feed(*((f"g{n}", f"Story {n}", f"https://ai-wire.example/{n}") for n in range(12)))


class ProcessKilled(BaseException):
    """The function's process dying (timeout, OOM): nothing in it gets to clean up."""


class Stack:
    def __init__(self, resources: LocalResources) -> None:
        self.sqs = boto3.client("sqs")
        self.queue_url = resources["ItemQueue"]
        table = DynamoTable(boto3.client("dynamodb"), resources["Table"])
        self.ledger = DynamoItemLedger(table)
        self.states = DynamoFeedStateStore(table)
        self.queue = SqsWorkQueue(self.sqs, self.queue_url, backoff_s=0)

    def poll(self, body: bytes, *, minutes_later: int = 0) -> dict[str, Any]:
        fetcher = FakeFetcher({SOURCE.url: FetchResult(status=200, url=SOURCE.url, body=body)})
        poller = FeedPoller(fetcher, self.states, self.ledger, self.queue, first_poll_cutoff=None)
        now = NOW + timedelta(minutes=minutes_later)
        return asyncio.run(poller.poll([SOURCE], now=now)).summary()

    def queued_messages(self) -> list[ItemMessage]:
        messages: list[ItemMessage] = []
        while batch := self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10
        ).get("Messages", []):
            messages += [ItemMessage.model_validate_json(m["Body"]) for m in batch]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)
                ],
            )
        return messages


@pytest.fixture
def stack(local_aws: LocalResources) -> Stack:
    return Stack(local_aws)


def fail_send(exc: BaseException):
    def hook(**_: Any) -> None:
        raise exc

    return hook


def test_send_message_batch_raising_loses_nothing(stack: Stack) -> None:
    # Given SendMessageBatch failing past the SDK's retries
    throttled = ClientError(
        {"Error": {"Code": "RequestThrottled", "Message": "slow down"}}, "SendMessageBatch"
    )
    hook = fail_send(throttled)
    stack.sqs.meta.events.register("before-call.sqs.SendMessageBatch", hook)
    # When the feed is polled
    failed = stack.poll(TWELVE)
    # Then the run reports the failure, and nothing is queued yet
    assert (failed["errors"], failed["unqueued"], failed["queued"]) == (1, 12, 0)
    assert stack.queued_messages() == []
    # When SQS recovers and the next hourly poll runs
    stack.sqs.meta.events.unregister("before-call.sqs.SendMessageBatch", hook)
    healed = stack.poll(TWELVE, minutes_later=60)
    # Then every item is queued exactly once
    assert (healed["errors"], healed["queued"]) == (0, 12)
    assert sorted(m.item.title for m in stack.queued_messages()) == sorted(
        f"Story {n}" for n in range(12)
    )


def test_a_run_killed_between_claim_and_send_is_healed_by_the_sweep(stack: Stack) -> None:
    # Given a run that dies after claiming, before any message is sent
    hook = fail_send(ProcessKilled())
    stack.sqs.meta.events.register("before-call.sqs.SendMessageBatch", hook)
    with pytest.raises(ProcessKilled):
        stack.poll(TWELVE)
    stack.sqs.meta.events.unregister("before-call.sqs.SendMessageBatch", hook)
    # When the next run comes before the deadline, the claims count as in flight
    early = stack.poll(TWELVE, minutes_later=5)
    assert (early["requeued"], early["queued"], early["known"]) == (0, 0, 12)
    # When a run comes after the deadline
    later = stack.poll(TWELVE, minutes_later=int(CLAIM_DEADLINE.total_seconds() // 60) + 5)
    # Then the sweep queues every claim the dead run left behind, once
    assert later["requeued"] == 12
    assert sorted(m.item.title for m in stack.queued_messages()) == sorted(
        f"Story {n}" for n in range(12)
    )
    assert stack.poll(TWELVE, minutes_later=120)["requeued"] == 0


def test_the_sweep_is_bounded_per_run(stack: Stack) -> None:
    hook = fail_send(ProcessKilled())
    stack.sqs.meta.events.register("before-call.sqs.SendMessageBatch", hook)
    with pytest.raises(ProcessKilled):
        stack.poll(TWELVE)
    stack.sqs.meta.events.unregister("before-call.sqs.SendMessageBatch", hook)
    claimed_before = NOW + timedelta(hours=1)
    assert len(stack.ledger.unqueued_claims(claimed_before=claimed_before, limit=5)) == 5
    assert len(stack.ledger.unqueued_claims(claimed_before=NOW, limit=50)) == 0


def test_a_story_back_under_a_new_guid_is_not_a_second_article(stack: Stack) -> None:
    # Given a story queued once
    first = stack.poll(feed(("g1", "Lab ships model", "https://ai-wire.example/a?utm_source=x")))
    # When it reappears with a new guid and the same canonical link
    again = stack.poll(
        feed(("g1-republished", "Lab ships model", "https://ai-wire.example/a")), minutes_later=60
    )
    # And the next poll still carries it
    still = stack.poll(
        feed(
            ("g1-republished", "Lab ships model", "https://ai-wire.example/a"),
            ("g2", "Other story", "https://ai-wire.example/b"),
        ),
        minutes_later=120,
    )
    # Then it is recorded as a duplicate once and never queued again
    assert (first["queued"], again["queued"], again["duplicates"]) == (1, 0, 1)
    assert (still["queued"], still["duplicates"], still["known"]) == (1, 0, 1)
    assert [m.item.title for m in stack.queued_messages()] == ["Lab ships model", "Other story"]


def test_an_edit_of_the_same_item_is_an_update_not_a_duplicate(stack: Stack) -> None:
    stack.poll(feed(("g1", "Lab ships model", "https://ai-wire.example/a")))
    edited = stack.poll(
        feed(("g1", "Lab ships model, with weights", "https://ai-wire.example/a")),
        minutes_later=60,
    )
    assert (edited["updated"], edited["duplicates"], edited["queued"]) == (1, 0, 1)
    assert [m.reason for m in stack.queued_messages()] == ["new", "updated"]


def test_entries_that_all_link_to_the_home_page_are_each_an_article(stack: Stack) -> None:
    # Given a feed whose entries have their own guids but all link to the site's home page
    home = feed(*((f"g{n}", f"Note {n}", "https://ai-wire.example/") for n in range(3)))
    # Then the link does not identify them: each is its own item
    summary = stack.poll(home)
    assert (summary["queued"], summary["duplicates"]) == (3, 0)
