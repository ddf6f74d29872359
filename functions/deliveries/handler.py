"""Lambda entry point consuming record events that EventBridge routed to the events queue."""

from __future__ import annotations

import json
from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from shared.changes.model import RecordChange
    from shared.observability import MetricUnit, instrument, logger, metrics


processor = BatchProcessor(event_type=EventType.SQS)


def _record_handler(record: SQSRecord) -> None:
    envelope = json.loads(record.body)
    change = RecordChange.model_validate(envelope["detail"])
    logger.info("record event received", extra={"action": change.action, "collection": change.collection_id,
                                                "record": change.record_id, "event_id": envelope.get("id")})
    metrics.add_metric(name="RecordEventsReceived", unit=MetricUnit.Count, value=1)


def _handle(event: dict[str, Any], context: Any) -> Any:
    return process_partial_response(event=event, record_handler=_record_handler, processor=processor,
                                    context=context)


handler = instrument(_handle)
