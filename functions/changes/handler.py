"""Lambda entry point consuming the records table's stream: exact counters, then fan-out of record changes."""

from __future__ import annotations

from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from shared import aws, settings
    from shared.changes.counters import apply_counters, get_counter_store
    from shared.changes.model import decode_stream_event
    from shared.changes.publisher import EventBridgePublisher
    from shared.observability import MetricUnit, instrument, logger, metrics

    # The SDK models of the services its first event calls, parsed at init (see shared/aws.py).
    aws.prepare("dynamodb", "events")


def _handle(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    cfg = settings.load(settings.ChangesSettings)
    # Decoded once: counters and the publisher read the same record changes.
    changes = decode_stream_event(event)
    # Counters go first, for the whole batch: they are idempotent, so when they raise the invocation fails
    # and the retried batch (or the suffix a partial failure resumes from) re-applies only what is missing.
    report = apply_counters(changes, get_counter_store(cfg.records_table))
    if report.applied:
        metrics.add_metric(name="CounterContributionsApplied", unit=MetricUnit.Count, value=report.applied)
    if report.conflicts:
        metrics.add_metric(name="CounterConflicts", unit=MetricUnit.Count, value=report.conflicts)
    logger.debug("counters applied", extra=report.model_dump())

    # Events go out ten per PutEvents call rather than one call per record (Powertools' per-record batch
    # processor would make one each); entries EventBridge rejects are reported as batch item failures, and
    # Lambda resumes from the earliest of them. Consumers may see an event twice, never miss one.
    rejected = EventBridgePublisher(cfg.events_bus).publish(changes) if changes else []
    metrics.add_metric(name="RecordChanges", unit=MetricUnit.Count, value=len(changes) - len(rejected))
    if rejected:
        logger.warning("record events rejected by EventBridge", extra={"count": len(rejected)})
    return {"batchItemFailures": [{"itemIdentifier": c.sequence_number} for c in rejected]}


handler = instrument(_handle)
