"""requeue_waiting_items: after the daily budget resets, queue the articles that got the
heuristic analysis for a full one (EventBridge Scheduler, 00:10 JST)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from frontline.bootstrap import RequeueWaitingItemsApp, requeue_waiting_items_app
from frontline.observability import MetricUnit, logger, metrics


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(
    event: dict[str, Any], context: LambdaContext, app: RequeueWaitingItemsApp | None = None
) -> dict[str, Any]:
    queued = (app or requeue_waiting_items_app()).run()
    metrics.add_metric(name="ReanalysisQueued", unit=MetricUnit.Count, value=queued)
    logger.info("articles re-queued for full analysis", queued=queued)
    return {"queued": queued}
