"""Lambda entry point of the jobs queue: one job step per message, partial batch failures reported."""

from __future__ import annotations

from functools import cache
from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from shared import aws, settings
    from shared.observability import MetricUnit, instrument, logger, metrics

    # The SDK models of the services its first event calls, parsed at init (see shared/aws.py).
    aws.prepare("dynamodb", "sqs")


processor = BatchProcessor(event_type=EventType.SQS)


@cache
def _context() -> Any:
    """The job context, built once per cold start from the function's settings."""
    from shared.aggregates.groups import get_group_store
    from shared.catalog.repository import get_collection_repository
    from shared.changes.accumulators import get_accumulator_store
    from shared.jobs.checkpoints import get_checkpoint_store
    from shared.jobs.context import JobContext
    from shared.jobs.queue import JobSettings, get_job_queue
    from shared.records.repository import get_record_repository

    config = settings.load(JobSettings)
    return JobContext(collections=get_collection_repository(config.system_table),
                      records=get_record_repository(config.records_table, config.system_table), queue=get_job_queue(),
                      checkpoints=get_checkpoint_store(config.system_table),
                      accumulators=get_accumulator_store(config.records_table),
                      groups=get_group_store(config.records_table))


def _record_handler(record: SQSRecord) -> None:
    from shared.jobs.messages import parse_message
    from shared.jobs.runner import run_job

    # A body that is no job message raises: after the redrive policy's receives it rests in the DLQ, visible.
    message = parse_message(record.body)
    logger.info("job step", extra={"kind": message.kind, "job": message.job_id, "step": message.step,
                                   "receive_count": record.attributes.approximate_receive_count})
    run_job(_context(), message)
    metrics.add_metric(name="JobSteps", unit=MetricUnit.Count, value=1)


def _handle(event: dict[str, Any], context: Any) -> Any:
    return process_partial_response(event=event, record_handler=_record_handler, processor=processor,
                                    context=context)


handler = instrument(_handle)
