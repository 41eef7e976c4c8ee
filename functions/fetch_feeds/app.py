"""fetch_feeds: poll the feed catalogue and queue the new items; on the digest schedules,
queue the request for yesterday's AI日報 or last week's 週報 (EventBridge Scheduler)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from frontline.bootstrap import FetchFeedsApp, fetch_feeds_app
from frontline.domain.digests import DigestKind
from frontline.observability import MetricUnit, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

DIGEST_JOBS = {"daily_digest": DigestKind.DAILY, "weekly_digest": DigestKind.WEEKLY}


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(
    event: dict[str, Any], context: LambdaContext, app: FetchFeedsApp | None = None
) -> dict[str, Any]:
    poller = app or fetch_feeds_app()
    if event.get("job") == "reanalyse":  # the daily schedule after the budget resets
        queued = poller.reanalyse()
        metrics.add_metric(name="ReanalysisQueued", unit=MetricUnit.Count, value=queued)
        logger.info("articles re-queued for full analysis", queued=queued)
        return {"job": "reanalyse", "queued": queued}
    if event.get("job") in DIGEST_JOBS:  # 07:00 JST: yesterday's 日報; Mondays: last week's 週報
        job = str(event["job"])
        message = poller.request_digest(DIGEST_JOBS[job], now=datetime.now(UTC))
        logger.info("digest requested", kind=message.kind.value, period=message.period)
        return {"job": job, "period": message.period}
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
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=summary[key])
    metrics.add_metric(name="BytesReceived", unit=MetricUnit.Bytes, value=summary["bytes"])
    logger.info("feeds polled", **summary)
    return summary
