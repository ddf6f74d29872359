"""SQS queues with their dead-letter queues, EventBridge buses, and rules forwarding events to queues."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge
from infra.naming import construct_id
from shared import resources

# EventBridge retries a failed delivery to SQS (throttling, a policy mistake) for up to a day, then
# hands the event to the target queue's own DLQ, so a misrouted event is kept next to failed messages.
_RULE_RETRY_ATTEMPTS = 185
_RULE_MAX_EVENT_AGE = Duration.hours(24)


def encrypted_queue(scope: Construct, id: str, **kwargs: Any) -> sqs.Queue:
    """An SQS queue with SSE (SQS-managed keys, which EventBridge can write to) that refuses plain HTTP."""
    return sqs.Queue(scope, id, encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True, **kwargs)


class Messaging(Construct):
    """resources.QUEUES (each with a DLQ), resources.BUSES and resources.RULES."""

    def __init__(self, scope: Construct, id: str, *, naming: resources.Naming) -> None:
        super().__init__(scope, id)
        self._naming = naming
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.buses: dict[str, events.EventBus] = {}
        self.rules: dict[str, events.Rule] = {}
        for queue in resources.QUEUES:
            self._queue(queue)
        for bus in resources.BUSES:
            self.buses[bus.key] = events.EventBus(self, construct_id(bus.key, "bus"),
                                                  event_bus_name=bus.name_in(naming))
        for rule in resources.RULES:
            self._rule(rule)

    def _queue(self, definition: resources.QueueDef) -> None:
        dlq = encrypted_queue(
            self, construct_id(definition.key, "dlq"),
            queue_name=definition.dlq_name_in(self._naming),
            retention_period=Duration.days(definition.dlq_retention_days),
        )
        acknowledge(dlq, "Serverless-SQSRedrivePolicy",
                    f"This is the dead-letter queue of {definition.key}; messages end here for "
                    "inspection and redrive, there is no further queue to send them to.")
        self.dead_letter_queues[definition.key] = dlq
        self.queues[definition.key] = encrypted_queue(
            self, construct_id(definition.key, "queue"),
            queue_name=definition.name_in(self._naming),
            visibility_timeout=Duration.seconds(definition.visibility_timeout_s),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=definition.max_receive_count, queue=dlq),
        )

    def _rule(self, definition: resources.RuleDef) -> None:
        try:
            bus = self.buses[definition.bus]
            queue = self.queues[definition.target_queue]
        except KeyError as exc:
            raise KeyError(f"rule {definition.key!r} names an undeclared bus or queue: {exc}") from None
        self.rules[definition.key] = events.Rule(
            self, construct_id(definition.key, "rule"),
            rule_name=definition.name_in(self._naming),
            event_bus=bus,
            event_pattern=event_pattern(definition.event_pattern),
            targets=[targets.SqsQueue(
                queue,
                dead_letter_queue=self.dead_letter_queues[definition.target_queue],
                retry_attempts=_RULE_RETRY_ATTEMPTS,
                max_event_age=_RULE_MAX_EVENT_AGE,
            )],
        )


def event_pattern(pattern: dict[str, object]) -> events.EventPattern:
    """EventBridge's JSON pattern (`detail-type`, ...) as CDK's EventPattern (`detail_type`, ...)."""
    fields: dict[str, Any] = {key.replace("-", "_"): value for key, value in pattern.items()}
    return events.EventPattern(**fields)
