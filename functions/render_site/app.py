"""render_site: re-render the site and publish changed objects (DynamoDB stream, nightly)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from frontline.adapters.dynamodb import article_changes
from frontline.bootstrap import RenderSiteApp, render_site_app
from frontline.observability import MetricUnit, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(
    event: dict[str, Any], context: LambdaContext, app: RenderSiteApp | None = None
) -> dict[str, Any]:
    records = event.get("Records", [])
    trigger = "full_rebuild" if event.get("full_rebuild") or not records else "stream"
    changes = None if trigger == "full_rebuild" else article_changes(records)
    report = (app or render_site_app()).run(now=datetime.now(UTC), changes=changes)
    summary = report.summary()
    metrics.add_metric(name="ObjectsUploaded", unit=MetricUnit.Count, value=summary["uploaded"])
    metrics.add_metric(name="ObjectsDeleted", unit=MetricUnit.Count, value=summary["deleted"])
    logger.info("site published", trigger=trigger, changed_records=len(records), **summary)
    return {"trigger": trigger, **summary}
