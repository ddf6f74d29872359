"""A daemon thread that runs one task every interval until stopped, logging (not raising) its failures."""

from __future__ import annotations

import threading
from collections.abc import Callable

from shared.observability import logger


class PeriodicTask(threading.Thread):
    def __init__(self, name: str, interval_s: float, task: Callable[[], object]) -> None:
        super().__init__(daemon=True, name=name)
        self.interval_s = interval_s
        self.task = task
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval_s):
            try:
                self.task()
            except Exception:
                logger.exception(f"{self.name} failed")
