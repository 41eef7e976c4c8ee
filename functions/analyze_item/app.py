"""analyze_item: analyse queued items and store them as articles, and write the digests that
request_digest asks for (one SQS queue, partial batch failures). Each message schema has its
handler in HANDLERS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from pydantic import BaseModel, Field, Json

from frontline.bootstrap import AnalyzeItemApp, Parked, analyze_item_app
from frontline.domain.digests import DigestMessage
from frontline.domain.models import ItemMessage
from frontline.observability import MetricUnit, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

QueueMessage = Annotated[ItemMessage | DigestMessage, Field(discriminator="schema_version")]


class ItemRecord(BaseModel):
    """The parts of an SQS record the worker reads. (Powertools' SqsRecordModel would do,
    but importing it imports every event model Powertools has: about 60 ms of cold start.)"""

    messageId: str  # the name BatchProcessor reports failures by
    body: Json[QueueMessage]


def handle_item(worker: AnalyzeItemApp, message: ItemMessage, message_id: str) -> str:
    logger.append_keys(item_id=message.item.id, feed=message.item.feed_id, message_id=message_id)
    outcome = worker.handle(message, now=datetime.now(UTC))
    if isinstance(outcome, Parked):
        # Not retried: a bad request or missing access. AccessDenied needs an operator.
        logger.error(
            "item parked in the dead-letter queue",
            reason=outcome.reason,
            request_id=outcome.request_id,
            operator_action="AccessDenied" in outcome.reason,
        )
        metrics.add_metric(name="ItemsParked", unit=MetricUnit.Count, value=1)
        return message.item.id
    article = outcome
    provenance = article.provenance
    if article.id != message.item.id:  # a later report of a story: a source of its article
        reanalysed = bool(article.updates) and article.updates[-1].item_id == message.item.id
        logger.info(
            "item joined a story",
            story=article.id,
            sources=article.source_count,
            reanalysed=reanalysed,
        )
        metrics.add_metric(name="StorySourcesJoined", unit=MetricUnit.Count, value=1)
        if not reanalysed:
            return message.item.id
        metrics.add_metric(name="StoriesReanalysed", unit=MetricUnit.Count, value=1)
    logger.info(
        "item analysed",
        status=article.status.value,
        provider=provenance.provider,
        reason=article.status_reason,
    )
    metrics.add_metric(name=f"Articles_{article.status.value}", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="InputTokens", unit=MetricUnit.Count, value=provenance.input_tokens)
    metrics.add_metric(name="OutputTokens", unit=MetricUnit.Count, value=provenance.output_tokens)
    metrics.add_metric(name="CostMicroUsd", unit=MetricUnit.Count, value=provenance.cost_usd * 1e6)
    return article.id


def handle_digest(worker: AnalyzeItemApp, message: DigestMessage, message_id: str) -> str:
    logger.append_keys(digest=message.kind.value, period=message.period, message_id=message_id)
    digest = worker.handle_digest(message, now=datetime.now(UTC))
    provenance = digest.provenance
    logger.info(
        "digest written",
        generated_by=digest.generated_by,
        articles=digest.article_count,
        reason=digest.status_reason,
    )
    metrics.add_metric(name=f"Digests_{digest.generated_by}", unit=MetricUnit.Count, value=1)
    if provenance is not None:
        metrics.add_metric(
            name="CostMicroUsd", unit=MetricUnit.Count, value=provenance.cost_usd * 1e6
        )
    return f"{message.kind.value}/{message.period}"


# One handler per message schema: the queue carries items and digest requests.
HANDLERS: dict[str, Callable[[AnalyzeItemApp, Any, str], str]] = {
    "frontline.item/1": handle_item,
    "frontline.digest/1": handle_digest,
}


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(
    event: dict[str, Any], context: LambdaContext, app: AnalyzeItemApp | None = None
) -> dict[str, Any]:
    worker = app or analyze_item_app()

    def record_handler(record: ItemRecord) -> str:
        message = record.body
        return HANDLERS[message.schema_version](worker, message, record.messageId)

    # A batch that fails whole (throttling) is reported record by record rather than raised:
    # SQS redelivers the same way, and the Errors alarm keeps meaning "the code broke".
    processor = BatchProcessor(
        event_type=EventType.SQS, model=ItemRecord, raise_on_entire_batch_failure=False
    )
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
