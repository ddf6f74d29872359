"""`lambdabase run` ticks every minute: its schedule timer reaches the scheduler function through the crons queue."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


def _handled_ticks(stack: StackProcess) -> list[dict[str, object]]:
    lines = []
    for line in stack.logs().splitlines():
        if "cron message handled" not in line or not line.startswith("{"):
            continue
        lines.append(json.loads(line))
    return lines


def test_the_running_stack_delivers_a_tick_each_minute(stack: StackProcess) -> None:
    # Given the session's running stack / When the next minute starts (the wait is at most a minute)
    started = datetime.now(UTC)
    deadline = time.monotonic() + 75
    while not _handled_ticks(stack) and time.monotonic() < deadline:
        time.sleep(0.5)
    # Then the scheduler function handled a tick for a minute at or after the test began, as Scheduler's would be
    ticks = _handled_ticks(stack)
    assert ticks, "no tick reached the scheduler function within 75 s"
    occasion = str(ticks[-1]["occasion"])
    assert occasion >= started.strftime("%Y-%m-%dT%H:%M") and ticks[-1]["service"] == "scheduler"
