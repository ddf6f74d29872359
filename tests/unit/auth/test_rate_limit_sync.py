"""Per-instance tallies: each limiter adds its requests to the shared count once per sync step, not per request."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from shared.ratelimit.limiter import RateLimiter, RequestInfo
from shared.ratelimit.repository import InMemoryRateLimitCounterRepository, RateLimitStorageError
from shared.ratelimit.rules import DEFAULT_RULES, RateLimitRule
from shared.ratelimit.settings import RateLimitSettings

START = 1_750_000_000.0  # a multiple of 10: windows of 10 s start here
GUEST = RequestInfo(method="GET", path="/api/x", ip="203.0.113.1")


def rule(max_requests: int, duration: int = 10) -> RateLimitRule:
    return RateLimitRule.model_validate({"label": "/api/", "maxRequests": max_requests, "duration": duration})


class CountingRepository(InMemoryRateLimitCounterRepository):
    """The shared counter, counting the writes it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def increment(self, key: str, window_start: int, expires_at: int, amount: int = 1) -> int:
        self.writes += 1
        return super().increment(key, window_start, expires_at, amount)


def test_the_sync_step_is_a_share_of_the_limit_and_small_limits_stay_exact() -> None:
    fraction = RateLimitSettings().rate_limits_sync_fraction
    limiter = RateLimiter(DEFAULT_RULES, InMemoryRateLimitCounterRepository(), sync_fraction=fraction)
    assert {r.label: limiter.sync_step(r) for r in DEFAULT_RULES} == {
        "*:auth": 1, "*:create": 2, "/api/batch": 1, "/api/": 30}
    assert RateLimiter(DEFAULT_RULES, InMemoryRateLimitCounterRepository()).sync_step(DEFAULT_RULES[3]) == 1


def test_one_instance_writes_once_per_step_and_decides_exactly() -> None:
    # Given one instance, a limit of 100 per window and a step of 10
    repo = CountingRepository()
    limiter = RateLimiter([rule(100)], repo, clock=lambda: START, sync_fraction=0.1)
    # When a client sends 120 requests in one window
    decisions = [limiter.check(GUEST) for _ in range(120)]
    # Then exactly 100 are allowed, and the shared counter was written once per 10 requests
    assert sum(1 for d in decisions if d and d.allowed) == 100
    assert repo.writes == 12
    assert [d.remaining for d in decisions[:3] if d] == [99, 98, 97]


def test_two_instances_together_stay_within_the_stated_tolerance() -> None:
    # Given two instances sharing one counter, a limit of 100 and a step of 10
    repo = CountingRepository()
    a, b = (RateLimiter([rule(100)], repo, clock=lambda: START, sync_fraction=0.1) for _ in range(2))
    step = a.sync_step(rule(100))
    rng = random.Random(7)
    # When one client's 400 requests land on either, at random
    allowed = sum(1 for _ in range(400) if (d := rng.choice((a, b)).check(GUEST)) and d.allowed)
    # Then at least the limit and at most limit + (instances - 1) x (step - 1) requests were allowed
    assert 100 <= allowed <= 100 + (2 - 1) * (step - 1)
    assert repo.writes <= 400 // step + 2


def test_a_new_window_starts_from_zero_without_writing_the_last_one() -> None:
    now = [START]
    repo = CountingRepository()
    limiter = RateLimiter([rule(100)], repo, clock=lambda: now[0], sync_fraction=0.1)
    for _ in range(5):
        limiter.check(GUEST)
    # When the window ends with 5 unsynced requests, Then they are not written, and the next window is fresh
    now[0] += 10
    fresh = limiter.check(GUEST)
    assert fresh is not None and fresh.remaining == 99 and repo.writes == 0


def test_flush_adds_what_an_instance_still_holds() -> None:
    repo = CountingRepository()
    a = RateLimiter([rule(100)], repo, clock=lambda: START, sync_fraction=0.1)
    b = RateLimiter([rule(100)], repo, clock=lambda: START, sync_fraction=0.1)
    for _ in range(7):
        a.check(GUEST)
    # When a flushes its 7 unsynced requests, Then b's next sync sees them
    a.flush()
    for _ in range(9):
        b.check(GUEST)
    last = b.check(GUEST)
    assert last is not None and last.remaining == 100 - 17


def test_a_failed_sync_lets_the_request_through_and_is_retried_with_the_next() -> None:
    class FlakyOnce(CountingRepository):
        failed = False

        def increment(self, key: str, window_start: int, expires_at: int, amount: int = 1) -> int:
            if not self.failed:
                self.failed = True
                raise RateLimitStorageError("throttled")
            return super().increment(key, window_start, expires_at, amount)

    repo = FlakyOnce()
    limiter = RateLimiter([rule(100)], repo, clock=lambda: START, sync_fraction=0.1)
    decisions = [limiter.check(GUEST) for _ in range(11)]
    # Then the 10th request (its sync failed) is let through undecided, and the 11th carries all 11
    assert decisions[9] is None
    assert decisions[10] is not None and decisions[10].remaining == 89


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_the_sync_fraction_is_a_share(fraction: float, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LB_RATE_LIMITS_SYNC_FRACTION", str(fraction))
    with pytest.raises(ValidationError):
        RateLimitSettings()
