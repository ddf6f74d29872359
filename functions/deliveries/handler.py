"""Lambda entry point consuming the events (EventEnvelope details) that EventBridge routed to the events queue."""

from __future__ import annotations

import json
from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from shared.events.envelope import EventEnvelope
    from shared.observability import MetricUnit, instrument, logger, metrics


processor = BatchProcessor(event_type=EventType.SQS)


def _record_handler(record: SQSRecord) -> None:
    event = EventEnvelope.model_validate(json.loads(record.body)["detail"])
    # A body over the inline cap is fetched with payload_of(event, S3PayloadStore(...)) by what delivers it.
    logger.info("event received", extra={"type": event.type, "collection": event.collection_id,
                                         "subject": event.subject, "event_id": event.id,
                                         "by_reference": event.payload_ref is not None})
    metrics.add_metric(name="EventsReceived", unit=MetricUnit.Count, value=1)


def _handle(event: dict[str, Any], context: Any) -> Any:
    return process_partial_response(event=event, record_handler=_record_handler, processor=processor,
                                    context=context)


handler = instrument(_handle)
