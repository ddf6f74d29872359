"""Lambda entry point consuming the records table's stream: exact counters, then fan-out of record changes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from shared import settings
from shared.changes.counters import apply_counters, get_counter_store
from shared.changes.model import decode_stream_record
from shared.changes.publisher import EventBridgePublisher
from shared.observability import MetricUnit, instrument, logger, metrics

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _record_handler(record: DynamoDBRecord) -> None:
    change = decode_stream_record(record.raw_event)
    if change is None:
        return
    cfg = settings.load(settings.ChangesSettings)
    EventBridgePublisher(cfg.events_bus).publish([change])
    metrics.add_metric(name="RecordChanges", unit=MetricUnit.Count, value=1)


def _handle(event: dict[str, Any], context: Any) -> Any:
    cfg = settings.load(settings.ChangesSettings)
    # Counters go first, for the whole batch: they are idempotent, so when they raise the invocation fails
    # and the retried batch (or the suffix a partial failure resumes from) re-applies only what is missing.
    report = apply_counters(event.get("Records", []), get_counter_store(cfg.records_table))
    if report.applied:
        metrics.add_metric(name="CounterContributionsApplied", unit=MetricUnit.Count, value=report.applied)
    if report.conflicts:
        metrics.add_metric(name="CounterConflicts", unit=MetricUnit.Count, value=report.conflicts)
    logger.debug("counters applied", extra=report.model_dump())
    return process_partial_response(event=event, record_handler=_record_handler, processor=processor,
                                    context=context)


handler = instrument(_handle)
