"""Lambda entry point of the scheduler: one crons queue message a batch, a minute's tick or a run-now request."""

from __future__ import annotations

from functools import cache
from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from shared import aws, settings
    from shared.observability import instrument, logger

    # The SDK models of the service its first event calls, parsed at init (see shared/aws.py).
    aws.prepare("dynamodb")

processor = BatchProcessor(event_type=EventType.SQS)


@cache
def _claims() -> Any:
    from shared.crons.claims import get_run_claims
    from shared.crons.queue import CronQueueSettings

    return get_run_claims(settings.load(CronQueueSettings).system_table)


def _record_handler(record: SQSRecord) -> None:
    from shared.crons.composition import cron_registry
    from shared.crons.messages import parse_message
    from shared.crons.runner import run_message

    # A body that is no crons message raises: after the redrive policy's receives it rests in the DLQ, visible.
    message = parse_message(record.body)
    logger.info("cron message", extra={"kind": message.kind,
                                       "receive_count": record.attributes.approximate_receive_count})
    run_message(message, cron_registry(), _claims())


def _handle(event: dict[str, Any], context: Any) -> Any:
    return process_partial_response(event=event, record_handler=_record_handler, processor=processor,
                                    context=context)


handler = instrument(_handle)
