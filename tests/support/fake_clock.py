"""A clock run ahead, or stopped, for chosen modules: expiry and delay tests without sleeping or racing.

`ahead(monkeypatch, 11, shared.accounts.otp)` makes `time.time()`, as those modules call it, answer 11 s later
than the wall clock, while everything else (moto, the pollers, the tokens, the rate limiters) keeps real time:
to the module that judges an expiry, what was created now is then 11 s old, which is what a sleep of 11 s
gave, without the wait. The modules must call `time.time()` through their `time` import; a module that moves
to another clock stops seeing the offset, and its expiry test then fails rather than passes unchecked.
"""

from __future__ import annotations

import time
from types import ModuleType
from typing import Any

import pytest


class _AheadTime:
    """The `time` module, with `time()` (the one call expiry checks make) `offset_s` ahead."""

    def __init__(self, offset_s: float) -> None:
        self.offset_s = offset_s

    def time(self) -> float:
        return time.time() + self.offset_s

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def ahead(monkeypatch: pytest.MonkeyPatch, offset_s: float, *modules: ModuleType) -> None:
    """Run `modules`' clock `offset_s` seconds ahead until `monkeypatch` undoes it."""
    for module in modules:
        assert getattr(module, "time", None) is time, f"{module.__name__} does not read time.time()"
        monkeypatch.setattr(module, "time", _AheadTime(offset_s))


class FrozenTime:
    """The `time` module, with `time()` standing still until `advance` moves it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def frozen(monkeypatch: pytest.MonkeyPatch, *modules: ModuleType, at: float | None = None) -> FrozenTime:
    """Stop `modules`' clock at `at`, or now (a delay in whole seconds then never runs out between two requests
    of a loaded machine), until `monkeypatch` undoes it; the test moves it with `advance`."""
    clock = FrozenTime(time.time() if at is None else at)
    for module in modules:
        assert getattr(module, "time", None) is time, f"{module.__name__} does not read time.time()"
        monkeypatch.setattr(module, "time", clock)
    return clock


def early_next_hour(offset_s: float = 60) -> float:
    """`offset_s` into the next wall-clock hour: a test of hourly buckets frozen there never sees its failures
    split across two buckets, nor the rolling estimate decay because the test ran in an hour's last minute."""
    now = time.time()
    return now - now % 3600 + 3600 + offset_s
