"""The local stack's EventBridge Scheduler: a schedule fires at second 0 of its minutes, with Scheduler's message."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from local.schedules import ScheduleTimer, next_firing, scheduled_message
from shared import resources


@pytest.mark.parametrize(("every", "now", "expected"), [
    (1, datetime(2026, 12, 1, 13, 4, 59, 900_000, tzinfo=UTC), datetime(2026, 12, 1, 13, 5, tzinfo=UTC)),
    (1, datetime(2026, 12, 1, 13, 5, tzinfo=UTC), datetime(2026, 12, 1, 13, 6, tzinfo=UTC)),
    (5, datetime(2026, 12, 1, 13, 6, 1, tzinfo=UTC), datetime(2026, 12, 1, 13, 10, tzinfo=UTC)),
    (1, datetime(2026, 12, 31, 23, 59, 30, tzinfo=UTC), datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
])
def test_the_next_firing_is_the_next_matching_minute_at_second_zero(every: int, now: datetime,
                                                                   expected: datetime) -> None:
    schedule = resources.ScheduleDef("t", target_queue="crons", message={}, every_minutes=every)
    assert next_firing(schedule, now) == expected


def test_the_message_carries_the_scheduled_time_as_scheduler_writes_it() -> None:
    # Given the crons schedule / When it fires for 15:05 at UTC+2 / Then Scheduler's UTC stamp of 13:05
    fired_for = datetime(2026, 12, 1, 15, 5, tzinfo=timezone(timedelta(hours=2)))
    body = json.loads(scheduled_message(resources.CRONS_SCHEDULE, fired_for))
    assert body == {"kind": "tick", "scheduledTime": "2026-12-01T13:05:00Z"}
    assert resources.CRONS_SCHEDULE.expression == "cron(* * * * ? *)"


class RecordingTimer(ScheduleTimer):
    """Fires into a list instead of SQS, and stops after `limit` firings."""

    def __init__(self, clock_values: list[datetime], limit: int) -> None:
        self._values = iter(clock_values)
        self._last = clock_values[0]
        super().__init__(resources.CRONS_SCHEDULE, clock=self._next)
        self.fired: list[datetime] = []
        self.limit = limit
        self.done = threading.Event()

    def _next(self) -> datetime:
        self._last = next(self._values, self._last)
        return self._last

    def fire(self, fired_for: datetime) -> None:
        self.fired.append(fired_for)
        if len(self.fired) >= self.limit:
            self.stop()
            self.done.set()


def test_the_timer_fires_each_minute_once_and_late_after_its_clock_jumps() -> None:
    # Given a clock just before 13:05, then past it, then (a laptop waking up) far past 13:06
    t = datetime(2026, 12, 1, 13, 4, 59, 990_000, tzinfo=UTC)
    clock = [t, t, t + timedelta(seconds=0.02), t + timedelta(seconds=0.03), t + timedelta(minutes=3)]
    timer = RecordingTimer(clock, limit=2)
    # When it runs
    timer.start()
    assert timer.done.wait(5)
    timer.join(5)
    # Then it fired for 13:05, then late for the 13:06 it was waiting for (the minutes slept through are not
    # replayed: the laptop was off, as a stopped stack), each once
    assert timer.fired == [datetime(2026, 12, 1, 13, 5, tzinfo=UTC), datetime(2026, 12, 1, 13, 6, tzinfo=UTC)]


def test_a_stopped_timer_ends_without_firing() -> None:
    timer = ScheduleTimer(resources.CRONS_SCHEDULE)
    timer.start()
    timer.stop()
    timer.join(6)
    assert not timer.is_alive()
