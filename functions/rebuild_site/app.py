"""rebuild_site: the steps of the partitioned full rebuild that the RebuildSite state machine
runs (nightly): plan the run's partitions, publish one partition (one Distributed Map item),
finish the run (delete the keys no partition produced)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from frontline.bootstrap import RebuildSiteApp, rebuild_site_app
from frontline.observability import MetricUnit, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def plan(event: dict[str, Any], app: RebuildSiteApp) -> dict[str, Any]:
    run = app.plan(run=str(event["run"]), now=datetime.now(UTC))
    logger.info("rebuild planned", run=run.run, partitions=len(run.partitions))
    return {"run": run.run, "partitions": list(run.partitions)}


def partition(event: dict[str, Any], app: RebuildSiteApp) -> dict[str, Any]:
    summary = app.partition(str(event["run"]), str(event["partition"])).summary()
    metrics.add_metric(name="ObjectsUploaded", unit=MetricUnit.Count, value=summary["uploaded"])
    metrics.add_metric(name="PagesFailed", unit=MetricUnit.Count, value=summary["failed"])
    logger.info("rebuild partition published", run=event["run"], **summary)
    return summary


def finish(event: dict[str, Any], app: RebuildSiteApp) -> dict[str, Any]:
    summary = app.finish(str(event["run"])).summary()
    metrics.add_metric(name="ObjectsDeleted", unit=MetricUnit.Count, value=summary["deleted"])
    logger.info("rebuild finished", run=event["run"], **summary)
    return {"run": event["run"], **summary}


STEPS: dict[str, Callable[[dict[str, Any], RebuildSiteApp], dict[str, Any]]] = {
    "plan": plan,
    "partition": partition,
    "finish": finish,
}


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(
    event: dict[str, Any], context: LambdaContext, app: RebuildSiteApp | None = None
) -> dict[str, Any]:
    step = STEPS.get(str(event.get("step")))
    if step is None:
        raise ValueError(f"unknown rebuild step {event.get('step')!r}")
    return step(event, app or rebuild_site_app())
