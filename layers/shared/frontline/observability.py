"""The one place where Powertools Logger and Metrics are created.

They read POWERTOOLS_* environment variables when created; creating them opens no socket and
builds no client. Powertools Tracer is deliberately not used: importing the X-Ray SDK opens a
UDP socket and adds cold-start time, while `Tracing: Active` in template.yaml already records
each invocation's segment.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "frontline"
NAMESPACE = "Frontline"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

__all__ = ["MetricUnit", "logger", "metrics"]
