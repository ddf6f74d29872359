"""Lambda entry point of the log writer: stores the request logs a CloudWatch Logs subscription delivers."""

from __future__ import annotations

from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from shared import aws
    from shared.observability import MetricUnit, instrument, logger, metrics

    # The SDK models of the service its first event calls, parsed at init (see shared/aws.py).
    aws.prepare("dynamodb")


def _handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    from shared.logs.dynamo_repository import log_repository
    from shared.logs.ingest import store_batch

    result = store_batch(event, log_repository())
    metrics.add_metric(name="RequestLogsStored", unit=MetricUnit.Count, value=result["stored"])
    if result["skipped"]:
        logger.warning("lines that are no request log were skipped", extra=result)
    return result


handler = instrument(_handle)
