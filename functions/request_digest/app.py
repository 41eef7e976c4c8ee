"""request_digest: queue the request for yesterday's AI日報 or last week's 週報; analyze_item
writes it (EventBridge Scheduler, 07:00 JST; the weekly one on Mondays)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from frontline.bootstrap import RequestDigestApp, request_digest_app
from frontline.domain.digests import DigestKind
from frontline.observability import MetricUnit, logger, metrics


class DigestSchedule(BaseModel):
    """The schedule's input: `{"kind": "daily"}` or `{"kind": "weekly"}`."""

    model_config = ConfigDict(extra="ignore")

    kind: DigestKind


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(
    event: dict[str, Any], context: LambdaContext, app: RequestDigestApp | None = None
) -> dict[str, Any]:
    schedule = DigestSchedule.model_validate(event)
    message = (app or request_digest_app()).run(schedule.kind, now=datetime.now(UTC))
    metrics.add_metric(name="DigestsRequested", unit=MetricUnit.Count, value=1)
    logger.info("digest requested", kind=message.kind.value, period=message.period)
    return {"kind": message.kind.value, "period": message.period}
