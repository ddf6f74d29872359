"""Lambda entry point consuming the records table's stream: fan-out of record changes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from shared import settings
from shared.changes.model import decode_stream_record
from shared.changes.publisher import EventBridgePublisher
from shared.observability import MetricUnit, instrument, metrics

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _record_handler(record: DynamoDBRecord) -> None:
    change = decode_stream_record(record.raw_event)
    if change is None:
        return
    cfg = settings.load(settings.ChangesSettings)
    EventBridgePublisher(cfg.events_bus).publish([change])
    metrics.add_metric(name="RecordChanges", unit=MetricUnit.Count, value=1)


def _handle(event: dict[str, Any], context: Any) -> Any:
    return process_partial_response(event=event, record_handler=_record_handler, processor=processor,
                                    context=context)


handler = instrument(_handle)
