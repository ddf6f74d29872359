"""Lambda entry point consuming the records table's stream: record changes fanned out to WebSocket subscribers."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from pydantic import Field

    from shared import aws, resources, settings
    from shared.auth.api_tokens_repository import get_api_token_repository
    from shared.auth.refresh_repository import get_refresh_family_repository
    from shared.changes.model import decode_stream_event
    from shared.observability import MetricUnit, instrument, logger, metrics
    from shared.realtime.deps import build_deps
    from shared.realtime.fanout import FanOut
    from shared.realtime.fanout_delivery import DEFAULT_WORKERS, Deliverer
    from shared.realtime.fanout_ledger import get_delivery_ledger
    from shared.realtime.protocol import close_connections
    from shared.realtime.sender import ApiGatewaySender
    from shared.records.repository import get_record_repository

    # The SDK models of the services its first event calls, parsed at init (see shared/aws.py).
    aws.prepare("dynamodb", "apigatewaymanagementapi")


class FanOutSettings(settings.Observability, settings.Tables, settings.Realtime):
    fanout_workers: int = Field(DEFAULT_WORKERS, gt=0, le=128)


@lru_cache(maxsize=1)
def fanout() -> FanOut:
    """The fan-out of this instance: its stores, its sender and its delivery pool, built on first event."""
    cfg = settings.load(FanOutSettings)
    if not cfg.ws_management_endpoint:
        # CDK sets it with the ws_manage grant; without it no post could reach API Gateway.
        raise RuntimeError("LB_WS_MANAGEMENT_ENDPOINT is not set")
    sender = ApiGatewaySender(cfg.ws_management_endpoint)
    deps = build_deps(cfg.system_table, cfg.records_table, sender)
    store = deps.store
    source = next(s for s in resources.EVENT_SOURCES if s.function == "realtime_fanout")
    # A connection found gone is closed as a disconnect closes it: its presence leaves are announced too.
    return FanOut(store, deps.collections, get_record_repository(cfg.records_table, cfg.system_table),
                  get_refresh_family_repository(cfg.system_table), sender,
                  Deliverer(sender, store, workers=cfg.fanout_workers,
                            close=lambda ids: close_connections(deps, ids)),
                  get_delivery_ledger(cfg.system_table), max_attempts=source.retry_attempts,
                  api_tokens=get_api_token_repository(cfg.system_table))


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    changes = decode_stream_event(event)
    if not changes:
        return {"batchItemFailures": []}
    report = fanout().handle(changes, lambda: context.get_remaining_time_in_millis() / 1000)
    if report.delivered:
        metrics.add_metric(name="RealtimePosts", unit=MetricUnit.Count, value=report.delivered)
    if report.gone:
        metrics.add_metric(name="RealtimeConnectionsGone", unit=MetricUnit.Count, value=report.gone)
    if report.abandoned:
        metrics.add_metric(name="RealtimeConnectionsAbandoned", unit=MetricUnit.Count, value=report.abandoned)
    logger.debug("realtime fan-out", extra={"changes": report.changes, "audiences": report.audiences,
                                            "posts": report.posts, "subscriptions_read": report.subscriptions_read})
    if report.failed_sequence is None:
        return {"batchItemFailures": []}
    # Lambda resumes from this change; the ledger says who is still owed it (shared/realtime/fanout.py).
    logger.warning("realtime deliveries to retry", extra={"sequence_number": report.failed_sequence,
                                                           "connections": len(report.owed)})
    return {"batchItemFailures": [{"itemIdentifier": report.failed_sequence}]}


handler = instrument(_handle)
