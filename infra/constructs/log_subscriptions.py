"""CloudWatch Logs subscription filters from resources.log_subscriptions(): each HTTP function's request log
lines, delivered to the log writer, whose failed deliveries end in the log-failures queue."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as log_destinations
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.naming import construct_id
from shared import resources


class LogSubscriptions(Construct):
    """One subscription filter per declared subscription, and one asynchronous invocation policy per destination."""

    def __init__(self, scope: Construct, id: str, *, functions: Mapping[str, lambda_.Alias],
                 log_groups: Mapping[str, logs.LogGroup], queues: Mapping[str, sqs.Queue],
                 naming: resources.Naming) -> None:
        super().__init__(scope, id)
        self.filters: list[logs.SubscriptionFilter] = []
        configured: set[str] = set()
        for definition in resources.log_subscriptions():
            destination = functions[definition.destination]
            if definition.destination not in configured:
                # CloudWatch Logs invokes asynchronously: Lambda retries, then keeps the batch on the queue.
                destination.configure_async_invoke(
                    on_failure=destinations.SqsDestination(queues[resources.LOG_FAILURES_QUEUE.key]),
                    retry_attempts=definition.retry_attempts, max_event_age=Duration.hours(6))
                configured.add(definition.destination)
            self.filters.append(logs.SubscriptionFilter(
                self, construct_id(definition.filter_name),
                log_group=log_groups[definition.source_function],
                destination=log_destinations.LambdaDestination(destination),
                filter_pattern=logs.FilterPattern.literal(definition.filter_pattern),
                filter_name=naming.name(definition.filter_name),
            ))
