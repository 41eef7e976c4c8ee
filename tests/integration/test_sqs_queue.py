import boto3

from frontline.adapters.sqs import MAX_BATCH_BYTES, SqsWorkQueue, batches
from frontline.domain.models import ItemMessage
from tests.factories import make_item


def test_batches_respect_count_and_size() -> None:
    bodies = ["x" * 100] * 23 + ["y" * 200_000] * 3
    groups = list(batches(bodies))
    assert sorted(i for group in groups for i in group) == list(range(26))
    assert all(len(group) <= 10 for group in groups)
    assert all(sum(len(bodies[i]) for i in group) <= MAX_BATCH_BYTES for group in groups)


def test_every_message_arrives(local_aws) -> None:
    queue = SqsWorkQueue(boto3.client("sqs"), local_aws["ItemQueue"])
    messages = [ItemMessage(item=make_item(n)) for n in range(23)]
    assert queue.enqueue(messages) == []
    sqs = boto3.client("sqs")
    received = []
    while batch := sqs.receive_message(QueueUrl=local_aws["ItemQueue"], MaxNumberOfMessages=10).get(
        "Messages"
    ):
        received += [ItemMessage.model_validate_json(m["Body"]) for m in batch]
        sqs.delete_message_batch(
            QueueUrl=local_aws["ItemQueue"],
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in batch],
        )
    assert sorted(m.item.id for m in received) == sorted(m.item.id for m in messages)


class FlakyClient:
    """Fails the first entry of every call once: SendMessageBatch's partial failures."""

    def __init__(self) -> None:
        self.calls = 0
        self.delivered: list[str] = []

    def send_message_batch(self, QueueUrl, Entries):
        self.calls += 1
        failed = [Entries[0]["Id"]] if self.calls == 1 else []
        self.delivered += [e["Id"] for e in Entries if e["Id"] not in failed]
        return {
            "Failed": [{"Id": i, "SenderFault": False, "Code": "InternalError"} for i in failed]
        }


def test_failed_entries_are_retried() -> None:
    client = FlakyClient()
    queue = SqsWorkQueue(client, "https://queue", backoff_s=0)
    assert queue.enqueue([ItemMessage(item=make_item(n)) for n in range(3)]) == []
    assert sorted(client.delivered) == ["0", "1", "2"]
    assert client.calls == 2


def test_parked_messages_reach_the_dlq_with_their_reason(local_aws) -> None:
    from frontline.adapters.sqs import SqsDeadLetters

    message = ItemMessage(item=make_item(1))
    SqsDeadLetters(boto3.client("sqs"), local_aws["ItemDeadLetterQueue"]).park(
        message, reason="ValidationException: malformed input", request_id="req-1"
    )
    [parked] = boto3.client("sqs").receive_message(
        QueueUrl=local_aws["ItemDeadLetterQueue"], MessageAttributeNames=["All"]
    )["Messages"]
    assert ItemMessage.model_validate_json(parked["Body"]) == message
    assert (
        parked["MessageAttributes"]["reason"]["StringValue"]
        == "ValidationException: malformed input"
    )
    assert parked["MessageAttributes"]["request_id"]["StringValue"] == "req-1"
