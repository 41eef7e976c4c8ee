"""The registry of fault schedules: each is a name, what it does to the pipeline, and how
many items it may leave in the dead-letter queue. A new kind of fault is one more entry.

Survived today (each stays survived: tests/faults/test_fault_schedules.py):
- s3-throttling, dynamodb-throttling, crash-mid-batch, redelivery,
  partial-send-batch-failures, and all of them at once.

Still to be added, as the fixes for them land (one entry each):
- send-batch-raises: SendMessageBatch raises past the SDK's retries (or the process dies)
  between claiming items and queueing them; every claim is released or re-queued by the
  sweep, so nothing is counted as known and lost.
- stale-version-last: an item's v2 is stored before its v1 (SQS does not keep order); the
  older message is acknowledged and dropped, the site shows v2.
- poison-article: rendering one article raises; the rest of the publish succeeds, the failure
  is recorded with the article id, and the article is retried until it renders.
- same-url-new-guid: a published story reappears with a new guid and the same link; one
  article per canonical URL.
- concurrent-delivery: two deliveries of one message analyse at the same time (and a failure
  after the model answered, and a throttled spend-counter write); the model is called once
  per version of an item and spend is counted once (the census already compares the tokens
  recorded with the tokens the stubbed model billed; this entry adds model calls per item).
- uploads-keep-failing: every upload fails for a while; the publish is retried until the site
  equals a full render, without waiting for a new article or the nightly rebuild.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tests.faults.harness import DropEntries, Faults, Throttle

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
        FaultSchedule("everything", "all of the above at once", _everything),
    )
}


def random_schedule(rng: random.Random) -> list[FaultSchedule]:
    """One to three schedules, each armed with the same seeded generator."""
    names = sorted(name for name in SCHEDULES if name != "everything")
    return [SCHEDULES[name] for name in rng.sample(names, rng.randint(1, 3))]
