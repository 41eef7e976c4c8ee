"""analyze_item: analyse queued items and store them as articles (SQS, partial batch failures)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from frontline.bootstrap import analyze_item_app
from frontline.domain.item_analysis import ItemAnalyst
from frontline.domain.models import ItemMessage
from frontline.observability import MetricUnit, logger, metrics
from pydantic import Json


class ItemRecord(SqsRecordModel):
    body: Json[ItemMessage]  # type: ignore[assignment]


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(
    event: dict[str, Any], context: LambdaContext, app: ItemAnalyst | None = None
) -> dict[str, Any]:
    analyst = app or analyze_item_app()

    def record_handler(record: ItemRecord) -> str:
        item = record.body.item
        logger.append_keys(item_id=item.id, feed=item.feed_id, message_id=record.messageId)
        article = analyst.process(record.body, now=datetime.now(UTC))
        logger.info(
            "item analysed", status=article.status.value, provider=article.provenance.provider
        )
        metrics.add_metric(name=f"Articles_{article.status.value}", unit=MetricUnit.Count, value=1)
        return article.id

    processor = BatchProcessor(event_type=EventType.SQS, model=ItemRecord)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
