"""Lambda event source mappings from resources.EVENT_SOURCES: table streams and queues feeding consumers."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.messaging import encrypted_queue
from infra.nag import acknowledge
from infra.naming import construct_id
from shared import resources


class EventSources(Construct):
    """One mapping per EventSourceDef; a stream mapping also gets the queue its failed batches land in."""

    def __init__(self, scope: Construct, id: str, *, functions: Mapping[str, lambda_.IFunction],
                 tables: Mapping[str, dynamodb.Table], queues: Mapping[str, sqs.Queue],
                 naming: resources.Naming) -> None:
        super().__init__(scope, id)
        self._naming = naming
        self.mappings: list[lambda_.EventSourceMapping] = []
        self.failure_queues: dict[str, sqs.Queue] = {}
        for definition in resources.EVENT_SOURCES:
            _require_permission(definition)
            function = functions[definition.function]
            if definition.kind == "table_stream":
                self.mappings.append(self._stream(definition, function, tables[definition.source]))
            else:
                self.mappings.append(self._queue(definition, function, queues[definition.source]))

    def _stream(self, definition: resources.EventSourceDef, function: lambda_.IFunction,
                table: dynamodb.Table) -> lambda_.EventSourceMapping:
        if table.table_stream_arn is None:
            raise ValueError(f"event source on table {definition.source!r}, which has stream=False")
        failures = encrypted_queue(
            self, construct_id(definition.function, definition.source, "failures"),
            queue_name=definition.failure_queue_name_in(self._naming),
            retention_period=Duration.days(definition.failure_retention_days),
        )
        self.failure_queues[definition.failure_queue_name_in(self._naming)] = failures
        acknowledge(failures, "AwsSolutions-SQS3",
                    "This queue is the on-failure destination of a stream mapping: it is the dead-letter "
                    "queue, it only receives shard positions of batches that failed every retry.")
        acknowledge(failures, "Serverless-SQSRedrivePolicy",
                    "Dead-letter destination of a stream mapping; a redrive policy on it would have nowhere "
                    "further to send messages.")
        return lambda_.EventSourceMapping(
            self, construct_id(definition.function, definition.source, "stream"),
            target=function,
            event_source_arn=table.table_stream_arn,
            starting_position=lambda_.StartingPosition.LATEST,
            batch_size=definition.batch_size,
            max_batching_window=_window(definition),
            bisect_batch_on_error=definition.bisect_batch_on_function_error,
            retry_attempts=definition.retry_attempts,
            max_record_age=(Duration.seconds(definition.max_record_age_s)
                            if definition.max_record_age_s is not None else None),
            report_batch_item_failures=definition.report_batch_item_failures,
            # Grants the function's role sqs:SendMessage on exactly this queue.
            on_failure=event_sources.SqsDlq(failures),
        )

    def _queue(self, definition: resources.EventSourceDef, function: lambda_.IFunction,
               queue: sqs.Queue) -> lambda_.EventSourceMapping:
        queue_def = resources.queue(definition.source)
        if queue_def.visibility_timeout_s < resources.function(definition.function).timeout_s:
            raise ValueError(f"queue {definition.source!r} visibility timeout is shorter than the timeout of "
                             f"{definition.function!r}; messages would be delivered twice")
        mapping = lambda_.EventSourceMapping(
            self, construct_id(definition.function, definition.source, "queue"),
            target=function,
            event_source_arn=queue.queue_arn,
            batch_size=definition.batch_size,
            max_batching_window=_window(definition),
            report_batch_item_failures=definition.report_batch_item_failures,
        )
        acknowledge(mapping, "Serverless-LambdaEventSourceMappingDestination",
                    "SQS event sources take no on-failure destination; a message that keeps failing moves to "
                    "the queue's own dead-letter queue after maxReceiveCount receives.")
        return mapping


def _window(definition: resources.EventSourceDef) -> Duration | None:
    return Duration.seconds(definition.max_batching_window_s) if definition.max_batching_window_s else None


def _require_permission(definition: resources.EventSourceDef) -> None:
    """A mapping polls with the function's role, so the function must declare read access to its source."""
    kind = "table_stream" if definition.kind == "table_stream" else "queue_consume"
    declared = resources.function(definition.function).permissions
    if not any(p.kind == kind and p.resource == definition.source for p in declared):
        raise ValueError(f"function {definition.function!r} is fed by {definition.kind} {definition.source!r} "
                         f"but does not declare Permission({kind!r}, {definition.source!r})")
