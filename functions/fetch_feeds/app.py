"""fetch_feeds: poll the feed catalogue and queue the new items (EventBridge Scheduler)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from frontline.bootstrap import FetchFeedsApp, fetch_feeds_app
from frontline.observability import MetricUnit, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(
    event: dict[str, Any], context: LambdaContext, app: FetchFeedsApp | None = None
) -> dict[str, Any]:
    poller = app or fetch_feeds_app()
    report = poller.run(now=datetime.now(UTC))
    for feed in report.feeds:
        if feed.outcome == "error":
            logger.warning(
                "feed failed",
                feed=feed.feed_id,
                status=feed.http_status,
                error=feed.error,
                failing=feed.failing,
            )
            metrics.add_metric(name="FeedErrors", unit=MetricUnit.Count, value=1)
        elif feed.unqueued:
            logger.error("items could not be queued", feed=feed.feed_id, unqueued=feed.unqueued)
    if report.sweep_error:
        logger.error("unqueued claims could not be swept", error=report.sweep_error)
    if report.withdraw_error:
        logger.error(
            "opted-out sources' articles could not be withdrawn", error=report.withdraw_error
        )
    summary = report.summary()
    for name, key in (
        ("FeedsPolled", "feeds"),
        ("Feeds200", "ok"),
        ("Feeds304", "not_modified"),
        ("FeedsUnchanged", "unchanged"),
        ("NewItems", "new"),
        ("UpdatedItems", "updated"),
        ("OldItems", "old"),
        ("FilteredItems", "filtered"),
        ("KnownItems", "known"),
        ("QueuedItems", "queued"),
        ("DuplicateItems", "duplicates"),
        ("UnqueuedItems", "unqueued"),
        ("RequeuedItems", "requeued"),
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=summary[key])
    metrics.add_metric(name="BytesReceived", unit=MetricUnit.Bytes, value=summary["bytes"])
    logger.info("feeds polled", **summary)
    return summary
