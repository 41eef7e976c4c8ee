"""The work queue on SQS: SendMessageBatch in groups of ten (and under the batch size limit),
failed entries retried with back-off, the ones that still fail handed back to the caller.
A call that raises (an error past the SDK's own retries) hands back its whole group."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Final

from botocore.exceptions import BotoCoreError, ClientError

from frontline.domain.digests import DigestMessage
from frontline.domain.models import ItemMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchResultTypeDef

MAX_ENTRIES: Final = 10
MAX_BATCH_BYTES: Final = 250_000  # SQS allows 256 KiB per batch; leave room for attributes
ATTEMPTS: Final = 4


def batches(bodies: Sequence[str]) -> Iterator[list[int]]:
    """Indexes of `bodies` grouped so each group fits one SendMessageBatch call."""
    group: list[int] = []
    size = 0
    for index, body in enumerate(bodies):
        length = len(body.encode())
        if group and (len(group) == MAX_ENTRIES or size + length > MAX_BATCH_BYTES):
            yield group
            group, size = [], 0
        group.append(index)
        size += length
    if group:
        yield group


class SqsWorkQueue:
    def __init__(self, client: SQSClient, queue_url: str, *, backoff_s: float = 0.2) -> None:
        self._client = client
        self._queue_url = queue_url
        self._backoff_s = backoff_s

    def enqueue[M: (ItemMessage, DigestMessage)](self, messages: Sequence[M]) -> list[M]:
        """Items and digest requests share the queue; each carries its schema version."""
        bodies = [message.model_dump_json() for message in messages]
        unsent: list[M] = []
        for group in batches(bodies):
            pending = {str(index): bodies[index] for index in group}
            for attempt in range(ATTEMPTS):
                try:
                    response = self._send(pending, messages)
                except (BotoCoreError, ClientError):
                    break  # the SDK has retried already: the group goes back to the caller
                failed = {entry["Id"] for entry in response.get("Failed", [])}
                pending = {entry_id: pending[entry_id] for entry_id in failed}
                if not pending:
                    break
                time.sleep(self._backoff_s * 2**attempt)
            unsent += [messages[int(entry_id)] for entry_id in pending]
        return unsent

    def _send(
        self, pending: dict[str, str], messages: Sequence[ItemMessage | DigestMessage]
    ) -> SendMessageBatchResultTypeDef:
        return self._client.send_message_batch(
            QueueUrl=self._queue_url,
            Entries=[
                {
                    "Id": entry_id,
                    "MessageBody": body,
                    "MessageAttributes": {
                        "schema": {
                            "DataType": "String",
                            "StringValue": messages[int(entry_id)].schema_version,
                        }
                    },
                }
                for entry_id, body in pending.items()
            ],
        )


class SqsDeadLetters:
    """Parks a message that must not be retried in the DLQ, with its reason as attributes."""

    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def park(self, message: ItemMessage, *, reason: str, request_id: str | None) -> None:
        self._client.send_message(
            QueueUrl=self._queue_url,
            MessageBody=message.model_dump_json(),
            MessageAttributes={
                "schema": {"DataType": "String", "StringValue": message.schema_version},
                "reason": {"DataType": "String", "StringValue": reason[:1000] or "-"},
                "request_id": {"DataType": "String", "StringValue": request_id or "-"},
            },
        )
