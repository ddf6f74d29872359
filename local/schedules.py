"""EventBridge Scheduler on the local stack: each `resources.SCHEDULES` entry sends its message on the minute.

As on AWS, a schedule only puts its message on its target queue (moto's SQS); the queue poller hands it to
the consumer function like an event source mapping. `<aws.scheduler.scheduled-time>` is replaced by the
minute the schedule fired for, in Scheduler's format (`2026-12-01T13:05:00Z`), so a late or repeated
delivery names the same minute.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from local.cloud import queue_url
from shared import resources
from shared.aws import client
from shared.observability import logger


def scheduled_message(schedule: resources.ScheduleDef, fired_for: datetime) -> str:
    """The message body Scheduler would send for the firing at `fired_for`."""
    stamp = fired_for.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({k: v.replace(resources.SCHEDULED_TIME, stamp) for k, v in schedule.message.items()})


def next_firing(schedule: resources.ScheduleDef, now: datetime) -> datetime:
    """The first minute after `now` at second 0 whose minute is a multiple of `every_minutes`."""
    moment = now.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    while moment.minute % schedule.every_minutes:
        moment += timedelta(minutes=1)
    return moment


class ScheduleTimer(threading.Thread):
    """Fires one schedule on its minutes until stopped; a failed send is logged and the next minute comes."""

    def __init__(self, schedule: resources.ScheduleDef,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__(daemon=True, name=f"schedule-{schedule.key}")
        self.schedule = schedule
        self._clock = clock
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def fire(self, fired_for: datetime) -> None:
        """Send the schedule's message for the minute `fired_for`, as Scheduler does at that minute."""
        client("sqs").send_message(QueueUrl=queue_url(self.schedule.target_queue_physical_name),
                                   MessageBody=scheduled_message(self.schedule, fired_for))

    def run(self) -> None:
        while True:
            due = next_firing(self.schedule, self._clock())
            # Waits in short steps, so a clock set forward (or a laptop waking up) fires within seconds; the
            # minutes slept through are not replayed, as a stopped stack replays none.
            while (wait := (due - self._clock()).total_seconds()) > 0:
                if self._stop_event.wait(min(wait, 5.0)):
                    return
            if self._stop_event.is_set():
                return
            try:
                self.fire(due)
            except Exception:
                logger.exception(f"{self.name} failed", extra={"fired_for": due.isoformat()})


def start_schedules() -> list[ScheduleTimer]:
    """One timer per declared schedule (not yet started)."""
    return [ScheduleTimer(schedule) for schedule in resources.SCHEDULES]
