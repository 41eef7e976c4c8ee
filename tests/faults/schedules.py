"""The registry of fault schedules: each is a name, what it does to the pipeline, and how
many items it may leave in the dead-letter queue. A new kind of fault is one more entry.

Each stays survived (tests/faults/test_fault_schedules.py):
- s3-throttling, dynamodb-throttling, crash-mid-batch, redelivery,
  partial-send-batch-failures, and all of them at once;
- send-batch-raises: SendMessageBatch raises past the SDK's retries, and a poll dies between
  claiming items and queueing them; every claim is released or queued by the sweep.
- stale-version-last: an item's v2 is stored before its v1 (SQS does not keep order); the
  older message is acknowledged and dropped, the site shows v2.
- poison-article: rendering one article raises; the rest of the publish succeeds, the failure
  is recorded with the article id, and the article is rendered once it can be.
- same-url-new-guid: a published story reappears with a new guid and the same link; one
  article per canonical URL.
- concurrent-delivery: two instances handle one message at the same moment; the model is
  called once per item (two paid calls: the answer and its repair) and spend counted once.
- uploads-keep-failing: every upload fails for several publishes; the drain schedule
  publishes until the site equals a full render, without a new article or the nightly
  rebuild.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.faults.harness import DropEntries, Faults, HoldOlder, Kill, Throttle

S3_WRITES = frozenset({"PutObject", "DeleteObjects", "ListObjectsV2"})
DYNAMODB_CALLS = frozenset({"GetItem", "PutItem", "UpdateItem", "BatchGetItem", "Query"})


@dataclass(frozen=True)
class FaultSchedule:
    name: str
    description: str
    arm: Callable[[Faults], None]
    max_dead_lettered: int = 0


def _s3_throttling(faults: Faults) -> None:
    faults.throttles.append(Throttle("s3", S3_WRITES, probability=0.3))


def _dynamodb_throttling(faults: Faults) -> None:
    faults.throttles.append(Throttle("dynamodb", DYNAMODB_CALLS, probability=0.3))


# Survivable faults stay within the retries the template grants: ItemQueue dead-letters a
# message on its fifth receive, so crashes plus lost deletes never fail one message more than
# four times (two of each, even when schedules are combined).


def _crash_mid_batch(faults: Faults) -> None:
    faults.crash_probability, faults.crash_limit = 0.25, 2


def _redelivery(faults: Faults) -> None:
    faults.drops.append(
        DropEntries("sqs", "DeleteMessageBatch", 0.3, report_as="Successful", limit=2)
    )


def _partial_send_batch(faults: Faults) -> None:
    # At most three entries fail in all: SqsWorkQueue retries each failed entry four times.
    faults.drops.append(DropEntries("sqs", "SendMessageBatch", 0.2, report_as="Failed", limit=3))


# Past the SDK's retries: every attempt of one call fails (the SDK makes five).
PAST_RETRIES = 5

# The demo item edited at its source, and the one that reappears under a new guid.
EDITED_FEED = "ai-wire.xml"
EDITED_URL = "https://ai-wire.example/news/2026/11/18/mistral-open-weight-reasoning-model"
EDIT = ("The Paris-based lab published the weights", "The Paris-based lab released the weights")
REPUBLISHED_GUID = "ai-wire-2026-1119-002"


def _edit_feed(old: str, new: str) -> Callable[[Path], None]:
    def edit(feeds: Path) -> None:
        path = feeds / EDITED_FEED
        text = path.read_text(encoding="utf-8")
        if new in text:  # two schedules of a run made the same edit
            return
        if old not in text:
            raise ValueError(f"{EDITED_FEED} no longer holds {old!r}")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def _send_batch_raises(faults: Faults) -> None:
    # The first poll's sends raise past the retries (the claims are released); the second
    # poll dies at its first send (the claims stay unmarked until the sweep queues them).
    faults.throttles.append(
        Throttle(
            "sqs",
            frozenset({"SendMessageBatch"}),
            probability=1.0,
            max_in_a_row=PAST_RETRIES,
            limit=3 * PAST_RETRIES,  # three calls fail, each after every one of its attempts
        )
    )
    faults.kills.append(Kill("sqs", "SendMessageBatch"))
    faults.feed_edits.append(_edit_feed(*EDIT))  # the second poll has something to send


def _stale_version_last(faults: Faults) -> None:
    faults.feed_edits.append(_edit_feed(*EDIT))
    faults.hold = HoldOlder(EDITED_URL)


def _poison_article(faults: Faults) -> None:
    faults.poison_limit = 1


def _same_url_new_guid(faults: Faults) -> None:
    faults.feed_edits.append(
        _edit_feed(f">{REPUBLISHED_GUID}<", f">{REPUBLISHED_GUID}-republished<")
    )


def _concurrent_delivery(faults: Faults) -> None:
    faults.twin_limit = 5


def _uploads_keep_failing(faults: Faults) -> None:
    # From the second poll on, every upload fails: the stream batches of the later
    # publishes fail through Lambda's retries; only the drain schedule is left to heal it.
    faults.throttles.append(
        Throttle(
            "s3",
            frozenset({"PutObject"}),
            probability=1.0,
            max_in_a_row=1_000_000,
            from_step="fetch again",
        )
    )
    faults.feed_edits.append(_edit_feed(*EDIT))  # an edit the failing publishes must carry


def _everything(faults: Faults) -> None:
    for arm in (_s3_throttling, _dynamodb_throttling, _crash_mid_batch, _redelivery):
        arm(faults)
    _partial_send_batch(faults)


SCHEDULES: dict[str, FaultSchedule] = {
    schedule.name: schedule
    for schedule in (
        FaultSchedule(
            "s3-throttling",
            "S3 answers SlowDown to up to two attempts in a row of PutObject, DeleteObjects "
            "and ListObjectsV2",
            _s3_throttling,
        ),
        FaultSchedule(
            "dynamodb-throttling",
            "DynamoDB answers ProvisionedThroughputExceeded to up to two attempts in a row",
            _dynamodb_throttling,
        ),
        FaultSchedule(
            "crash-mid-batch",
            "analyze_item dies after storing an article, before its batch is acknowledged",
            _crash_mid_batch,
        ),
        FaultSchedule(
            "redelivery",
            "DeleteMessageBatch reports success without deleting: messages come back",
            _redelivery,
        ),
        FaultSchedule(
            "partial-send-batch-failures",
            "SendMessageBatch reports some entries failed (InternalError)",
            _partial_send_batch,
        ),
        FaultSchedule(
            "send-batch-raises",
            "SendMessageBatch raises past the SDK's retries, and a poll dies between claiming "
            "and sending",
            _send_batch_raises,
        ),
        FaultSchedule(
            "stale-version-last",
            "an item edited at its source: v1 is delivered after v2",
            _stale_version_last,
        ),
        FaultSchedule(
            "poison-article",
            "one article's page raises on render while the faults last",
            _poison_article,
        ),
        FaultSchedule(
            "same-url-new-guid",
            "a published story reappears with a new guid and the same link",
            _same_url_new_guid,
        ),
        FaultSchedule(
            "concurrent-delivery",
            "two instances handle one message at the same moment",
            _concurrent_delivery,
        ),
        FaultSchedule(
            "uploads-keep-failing",
            "every S3 upload fails from the second poll until the faults stop",
            _uploads_keep_failing,
        ),
        FaultSchedule(
            "everything",
            "the survived faults of the first five schedules at once",
            _everything,
        ),
    )
}


def random_schedule(rng: random.Random) -> list[FaultSchedule]:
    """One to three schedules, each armed with the same seeded generator."""
    names = sorted(name for name in SCHEDULES if name != "everything")
    return [SCHEDULES[name] for name in rng.sample(names, rng.randint(1, 3))]
