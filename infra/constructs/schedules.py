"""EventBridge Scheduler schedules from resources.SCHEDULES: each sends its message to its queue on the minute."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, TimeZone
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.naming import construct_id
from shared import resources

# A tick is only worth its minute: Scheduler retries a failed send for a few minutes, then the message goes
# to the queue's DLQ, where the missed minute stays visible.
_RETRY_ATTEMPTS = 3
_MAX_EVENT_AGE = Duration.minutes(5)


class Schedules(Construct):
    """One schedule per ScheduleDef, its target role allowed to send to that queue only."""

    def __init__(self, scope: Construct, id: str, *, queues: Mapping[str, sqs.Queue],
                 dead_letter_queues: Mapping[str, sqs.Queue], naming: resources.Naming) -> None:
        super().__init__(scope, id)
        self.schedules: dict[str, scheduler.Schedule] = {}
        for definition in resources.SCHEDULES:
            try:
                queue = queues[definition.target_queue]
            except KeyError:
                raise KeyError(f"schedule {definition.key!r} names an undeclared queue "
                               f"{definition.target_queue!r}") from None
            self.schedules[definition.key] = scheduler.Schedule(
                self, construct_id(definition.key, "schedule"),
                schedule_name=definition.name_in(naming),
                description=f"Sends {definition.key} ticks to {definition.target_queue}",
                # UTC, the zone PocketBase's cron runs in.
                schedule=scheduler.ScheduleExpression.expression(definition.expression, TimeZone.ETC_UTC),
                target=targets.SqsSendMessage(
                    queue,
                    input=scheduler.ScheduleTargetInput.from_object(definition.message),
                    dead_letter_queue=dead_letter_queues[definition.target_queue],
                    retry_attempts=_RETRY_ATTEMPTS,
                    max_event_age=_MAX_EVENT_AGE,
                ),
            )
