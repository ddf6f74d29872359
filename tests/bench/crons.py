"""Crons benchmark on moto: what one minute's tick costs the scheduler function, and runs per minute when every
tick is delivered twice (Scheduler and SQS deliver at least once).

Ticks go the whole local path: the schedule's message on the crons queue, the queue poller, the real scheduler
handler, claims in the system table. `LB_BENCH_CRON_TICKS` sets the number of minutes (default 60: one hour).
Figures are wall times on moto on this shared machine; they bound the function's duration from above.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from local.invoke import invoke
from local.pollers import QueuePoller
from local.schedules import ScheduleTimer
from shared import resources
from tests.bench import goals

TICKS = int(os.environ.get("LB_BENCH_CRON_TICKS", "60"))
START = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def _deliver(timer: ScheduleTimer, minutes: list[datetime], copies: int) -> list[float]:
    """Fire each minute `copies` times, then hand every message to the scheduler; wall seconds per invocation."""
    for minute in minutes:
        for copy in range(copies):
            timer.fire(minute + timedelta(seconds=copy))
    times: list[float] = []

    def timed(name: str, event: dict[str, Any]) -> Any:
        start = time.perf_counter()
        try:
            return invoke(name, event)
        finally:
            times.append(time.perf_counter() - start)

    poller = QueuePoller(next(s for s in resources.EVENT_SOURCES if s.function == "scheduler"), timed)
    while poller.poll_once():
        pass
    return times


def measure() -> dict[str, Any]:
    """Idle ticks (no job due), then the same hour with a job due every minute and every tick sent twice."""
    from shared.crons.composition import cron_registry

    timer = ScheduleTimer(resources.CRONS_SCHEDULE)
    # Minutes 1..59 of an hour: none of the built-in jobs is due (they run on the hour).
    idle_minutes = [START + timedelta(minutes=1 + i % 59, hours=i // 59) for i in range(TICKS)]
    idle = _deliver(timer, idle_minutes, copies=1)
    runs: list[str] = []
    registry = cron_registry()
    registry.add("bench", "* * * * *", lambda: runs.append("bench"))
    try:
        due_minutes = [START + timedelta(days=1, minutes=i) for i in range(TICKS)]
        due = _deliver(timer, due_minutes, copies=2)
    finally:
        cron_registry.cache_clear()
    return {"ticks": TICKS, "idle_ms": statistics.median(idle) * 1000, "idle_n": len(idle),
            "due_ms": statistics.median(due) * 1000, "deliveries": len(due), "runs": len(runs)}


def report() -> None:
    from tests.support.moto_cloud import running_cloud

    with running_cloud():
        figures = measure()
    print(f"crons: {figures}")
    goals.record("crons", "tick, no job due (median, moto)", "informational", f"{figures['idle_ms']:.1f} ms", None)
    goals.record("crons", "tick with a job due (median, moto)", "informational", f"{figures['due_ms']:.1f} ms",
                 None)
    goals.record("crons", "runs per due minute, ticks sent twice", "1",
                 f"{figures['runs']}/{figures['ticks']} ({figures['deliveries']} deliveries)",
                 figures["runs"] == figures["ticks"] and figures["deliveries"] == 2 * figures["ticks"])


if __name__ == "__main__":
    report()
    goals.print_table()
