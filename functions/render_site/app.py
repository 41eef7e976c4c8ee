"""render_site: re-render the site and publish changed objects (DynamoDB stream, a drain
schedule for batches a burst left waiting, the nightly full rebuild, and a full publish for
each stream batch that failed every retry and waits in RenderFailureQueue)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from frontline.adapters.digest_store import digest_changes
from frontline.adapters.dynamodb import article_changes
from frontline.bootstrap import RenderSiteApp, render_site_app
from frontline.observability import MetricUnit, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def trigger_of(event: dict[str, Any]) -> str:
    """What asked for this publish: the table's stream, the drain schedule, the nightly
    rebuild, or a stream batch that failed every retry (RenderFailureQueue)."""
    records = event.get("Records", [])
    if event.get("full_rebuild"):
        return "full_rebuild"
    if records and records[0].get("eventSource") == "aws:sqs":
        return "lost_batch"
    if records:
        return "stream"
    return "drain" if event.get("drain") else "full_rebuild"


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(
    event: dict[str, Any], context: LambdaContext, app: RenderSiteApp | None = None
) -> dict[str, Any]:
    records = event.get("Records", [])
    trigger = trigger_of(event)
    if trigger == "lost_batch":
        # Lambda's on-failure record names the stream batch it gave up on (shard and
        # sequence numbers), not its changes: a full publish renders whatever they touched.
        # Failing here returns the message after the queue's visibility timeout (back-off).
        for record in records:
            logger.warning("re-driving a lost stream batch", record=record.get("body", "")[:2000])
    changes = article_changes(records) if trigger == "stream" else None
    stored = digest_changes(records) if trigger == "stream" else []
    report = (app or render_site_app()).run(
        now=datetime.now(UTC), changes=changes, drain=trigger == "drain", digest_changes=stored
    )
    summary = report.summary()
    metrics.add_metric(name="ObjectsUploaded", unit=MetricUnit.Count, value=summary["uploaded"])
    metrics.add_metric(name="ObjectsDeleted", unit=MetricUnit.Count, value=summary["deleted"])
    metrics.add_metric(name="PagesFailed", unit=MetricUnit.Count, value=summary["failed"])
    for failure in report.failed:  # kept out of the publish, rendered again when found missing
        logger.error(
            "page not rendered",
            family=failure.family,
            path=failure.path,
            article_id=failure.article_id,
            error=failure.error,
        )
    logger.info("site published", trigger=trigger, changed_records=len(records), **summary)
    return {"trigger": trigger, **summary}
