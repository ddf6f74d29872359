"""The one observability module: Powertools Logger, Tracer and Metrics, and the handler decorator."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from shared.resources import METRICS_NAMESPACE

logger = Logger(service="lambdabase")
tracer = Tracer(service="lambdabase")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="lambdabase")

# A request that records no business metric is normal, not a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish")

__all__ = ["MetricUnit", "instrument", "logger", "metrics", "tracer"]

Handler = Callable[[dict[str, Any], Any], Any]


def instrument(handler: Handler, *, correlation_id_path: str | None = None) -> Handler:
    """Wrap a Lambda entry point with structured logging, a correlation id, tracing and metrics."""
    wrapped = tracer.capture_lambda_handler(handler, capture_response=False)
    wrapped = metrics.log_metrics(wrapped, raise_on_empty_metrics=False)
    return logger.inject_lambda_context(wrapped, correlation_id_path=correlation_id_path, clear_state=True)
