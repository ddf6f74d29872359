"""Sign-in throttling: growing delays, hourly caps per account and IP, recovery, and no enumeration."""

from __future__ import annotations

from typing import Any

import pytest

from shared.auth.settings import ThrottleRules
from shared.auth.throttle import BurstRule, SignInThrottle, account_key, sliding_hour_count
from shared.auth.throttle_repository import InMemorySignInThrottleRepository
from shared.errors import TooManyRequestsError

USERS = "pbc_users"


@pytest.fixture
def throttle(clock: Any) -> SignInThrottle:
    return SignInThrottle(InMemorySignInThrottleRepository(), ThrottleRules(), clock=clock)


def _fail(throttle: SignInThrottle, times: int, identity: str = "alice@example.com", ip: str = "") -> None:
    for _ in range(times):
        throttle.record_failure(USERS, identity, ip)


def test_the_first_failures_cost_nothing(throttle: SignInThrottle) -> None:
    _fail(throttle, 4)

    assert throttle.check(USERS, "alice@example.com").allowed


def test_delays_double_after_five_failures_up_to_the_cap(throttle: SignInThrottle, clock: Any) -> None:
    waits = []
    for _ in range(16):
        throttle.record_failure(USERS, "alice@example.com")
        decision = throttle.check(USERS, "alice@example.com")
        waits.append(decision.retry_after_s if not decision.allowed else 0)
        clock.advance(decision.retry_after_s)  # the attacker waits exactly as told

    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]


def test_the_delay_passes_and_a_success_resets_it(throttle: SignInThrottle, clock: Any) -> None:
    _fail(throttle, 8)
    decision = throttle.check(USERS, "alice@example.com")
    assert not decision.allowed and decision.reason == "account_delay" and decision.retry_after_s == 8

    clock.advance(8)
    assert throttle.check(USERS, "alice@example.com").allowed

    throttle.record_success(USERS, "alice@example.com")
    throttle.record_failure(USERS, "alice@example.com")
    assert throttle.check(USERS, "alice@example.com").allowed  # back to the free failures


def test_hourly_cap_per_account_is_rolling_and_never_permanent(clock: Any) -> None:
    throttle = SignInThrottle(InMemorySignInThrottleRepository(),
                              ThrottleRules(throttle_free_failures=1000), clock=clock)
    clock.now = 1_750_000_000 - 1_750_000_000 % 3600  # start of an hour
    for _ in range(100):
        throttle.record_failure(USERS, "alice@example.com")
        clock.advance(30)  # 100 failures over 50 minutes

    decision = throttle.check(USERS, "alice@example.com")
    assert not decision.allowed and decision.reason == "account_hourly"

    clock.advance(decision.retry_after_s)
    assert throttle.check(USERS, "alice@example.com").allowed
    assert throttle.check(USERS, "bob@example.com").allowed  # other accounts never affected


def test_hourly_cap_per_ip_spans_accounts(clock: Any) -> None:
    rules = ThrottleRules(throttle_ip_max_failures_per_hour=20)
    throttle = SignInThrottle(InMemorySignInThrottleRepository(), rules, clock=clock)
    for i in range(20):  # credential stuffing: one attempt per account from one address
        throttle.record_failure(USERS, f"user{i}@example.com", "203.0.113.9")

    blocked = throttle.check(USERS, "fresh@example.com", "203.0.113.9")

    assert not blocked.allowed and blocked.reason == "ip_hourly" and blocked.retry_after_s > 0
    assert throttle.check(USERS, "fresh@example.com", "198.51.100.2").allowed


def test_identities_are_normalised_and_unknown_ones_behave_the_same(throttle: SignInThrottle) -> None:
    _fail(throttle, 6, identity="  Alice@Example.COM ")
    _fail(throttle, 6, identity="nobody-has-this@example.com")

    known = throttle.check(USERS, "alice@example.com")
    unknown = throttle.check(USERS, "NOBODY-has-this@example.com")

    assert not known.allowed and not unknown.allowed
    assert known.retry_after_s == unknown.retry_after_s
    assert "alice" not in account_key(USERS, "alice@example.com")  # no emails in the table
    assert throttle.check("pbc_other", "alice@example.com").allowed  # counted per collection


def test_superuser_clear_unblocks_an_account(throttle: SignInThrottle) -> None:
    _fail(throttle, 12)
    assert not throttle.check(USERS, "alice@example.com").allowed

    throttle.clear(USERS, "ALICE@example.com")

    assert throttle.check(USERS, "alice@example.com").allowed


def test_enforce_raises_429_with_retry_after(throttle: SignInThrottle) -> None:
    _fail(throttle, 7)

    with pytest.raises(TooManyRequestsError) as err:
        throttle.enforce(USERS, "alice@example.com")

    assert err.value.status == 429
    assert err.value.body() == {"status": 429, "message": "Too Many Requests.", "data": {}}
    assert err.value.headers == {"Retry-After": "4"}


def test_old_failures_are_forgotten(throttle: SignInThrottle, clock: Any) -> None:
    _fail(throttle, 12)
    clock.advance(ThrottleRules().throttle_failure_memory_s + 1)

    assert throttle.check(USERS, "alice@example.com").allowed


def test_sliding_hour_weights_the_previous_bucket() -> None:
    hour = 3600 * 1000
    counts = {hour - 3600: 100, hour: 10}

    assert sliding_hour_count(counts, hour) == 110
    assert sliding_hour_count(counts, hour + 1800) == 60
    assert sliding_hour_count(counts, hour + 3599) == pytest.approx(10.03, abs=0.01)


def test_a_parallel_burst_gets_only_the_free_attempts(throttle: SignInThrottle) -> None:
    # Given 50 sign-in attempts on one account at the same instant, each on its own thread
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_: int) -> str:
        try:
            throttle.begin_attempt(USERS, "alice@example.com", "203.0.113.7")
        except TooManyRequestsError:
            return "429"
        return "tried"

    # When they all decide and count at once
    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))

    # Then exactly the free failures were tried: deciding and counting is one step
    assert outcomes.count("tried") == ThrottleRules().throttle_free_failures
    assert outcomes.count("429") == 45


def test_a_successful_attempt_takes_its_count_back(clock: Any) -> None:
    # Given four counted failures and a fifth attempt that turns out right
    repo = InMemorySignInThrottleRepository()
    throttle = SignInThrottle(repo, ThrottleRules(), clock=clock)
    for _ in range(4):
        throttle.begin_attempt(USERS, "alice@example.com", "203.0.113.7")
    attempt = throttle.begin_attempt(USERS, "alice@example.com", "203.0.113.7")

    # When it succeeds
    throttle.succeeded(attempt)

    # Then the delay is over and the hourly counts hold only the four failures
    counters = repo.read(account_key(USERS, "alice@example.com"))
    assert counters.consecutive == 0 and sum(counters.hourly.values()) == 4
    assert throttle.check(USERS, "alice@example.com").allowed


def test_the_delay_runs_from_when_the_failure_is_known(throttle: SignInThrottle, clock: Any) -> None:
    # Given the five free attempts, counted as they started
    attempts = [throttle.begin_attempt(USERS, "alice@example.com") for _ in range(5)]
    # When the last password check takes long and then fails
    clock.advance(10)
    assert throttle.check(USERS, "alice@example.com").allowed  # the 1 s delay from its start is over
    throttle.failed(attempts[-1])

    # Then the delay counts from the failure, not from the start of the attempt
    decision = throttle.check(USERS, "alice@example.com")
    assert not decision.allowed and decision.retry_after_s == 1


def test_a_burst_rule_holds_its_window_after_the_free_attempts(throttle: SignInThrottle, clock: Any) -> None:
    # Given five failed attempts under PocketBase's OTP rule (5 per 180 s), the growing delay long over
    burst = BurstRule(max_attempts=5, window_s=180)
    for _ in range(5):
        throttle.failed(throttle.begin_attempt(USERS, "otp:rec1", burst=burst))
    clock.advance(10)

    # When a sixth comes, Then the burst rule refuses it for the rest of its window, where the delay alone would not
    with pytest.raises(TooManyRequestsError) as refused:
        throttle.begin_attempt(USERS, "otp:rec1", burst=burst)
    assert refused.value.headers == {"Retry-After": "170"}
    assert throttle.check(USERS, "otp:rec1").allowed

    # When the window has passed, Then the next attempt is let through
    clock.advance(170)
    throttle.begin_attempt(USERS, "otp:rec1", burst=burst)
