"""Sign-in throttling: growing delays and hourly caps per account and per IP, never a permanent lockout."""

import hashlib
import math
import time
import unicodedata
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from shared.auth.settings import ThrottleRules
from shared.auth.throttle_repository import HOUR_S, FailureCounters, SignInThrottleRepository
from shared.errors import TooManyRequestsError

Clock = Callable[[], float]
ThrottleReason = Literal["", "account_delay", "account_hourly", "ip_hourly"]


# Reservations lost to concurrent attempts before one gives up; each loss means another attempt was counted.
MAX_RESERVE_TRIES = 8


class ThrottleDecision(BaseModel):
    allowed: bool
    retry_after_s: int = 0
    reason: ThrottleReason = ""


class BurstRule(BaseModel):
    """A fixed cap on top of the growing delays: after `max_attempts` consecutive failures, no attempt for
    `window_s` seconds from the last one (PocketBase's extra OTP rule is 5 per 180 s)."""

    max_attempts: int
    window_s: int


class SignInAttempt(BaseModel):
    """An attempt counted as a failure in advance (begin_attempt); `succeeded` takes the count back."""

    collection: str
    identity: str
    ip: str = ""
    at: int


def normalise_identity(identity: str) -> str:
    """The form an identity is counted under: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", identity).strip().casefold()


def account_key(collection: str, identity: str) -> str:
    """Key of an account's counters. Built from the identity as typed, whether or not such an account
    exists, so throttling behaves identically for unknown identities (no enumeration); hashed so the
    system table holds no email addresses."""
    digest = hashlib.sha256(normalise_identity(identity).encode()).hexdigest()
    return f"th#a#{collection}#{digest}"


def ip_key(ip: str) -> str:
    return f"th#i#{ip}"


def sliding_hour_count(hourly: dict[int, int], now: int) -> float:
    """Failures in the last rolling hour, estimated from the current and previous fixed-hour buckets."""
    hour = now - now % HOUR_S
    elapsed = (now - hour) / HOUR_S
    return hourly.get(hour, 0) + hourly.get(hour - HOUR_S, 0) * (1 - elapsed)


def _hourly_retry_after(hourly: dict[int, int], now: int, limit: int) -> int:
    """Seconds until the rolling estimate drops below `limit` again."""
    hour = now - now % HOUR_S
    current, previous = hourly.get(hour, 0), hourly.get(hour - HOUR_S, 0)
    if current < limit:
        # previous * (1 - e/H) + current < limit  <=>  e > H * (1 - (limit - current) / previous)
        threshold = HOUR_S * (1 - (limit - current) / previous) if previous else 0
        return max(1, math.floor(threshold) + 1 - (now - hour))
    # The current bucket alone is over the limit: it has to decay as next hour's "previous" bucket.
    threshold = HOUR_S * (1 - limit / current)
    return (hour + HOUR_S - now) + math.floor(threshold) + 1


def _wall_clock() -> float:
    # looked up at each call, not bound at construction: a test may move the module's clock (tests/support)
    return time.time()


class SignInThrottle:
    """Decide whether a password sign-in may be attempted, and count its outcome."""

    def __init__(self, repository: SignInThrottleRepository, rules: ThrottleRules | None = None,
                 clock: Clock | None = None) -> None:
        self._repo = repository
        self._rules = rules or ThrottleRules()
        self._clock = clock or _wall_clock

    def _now(self) -> int:
        return int(self._clock())

    def delay_s(self, consecutive: int) -> int:
        """Wait imposed after `consecutive` failures: none for the first few, then doubling up to a cap."""
        free = self._rules.throttle_free_failures
        if consecutive < free:
            return 0
        return min(2 ** min(consecutive - free, 30), self._rules.throttle_max_delay_s)

    def check(self, collection: str, identity: str, ip: str = "") -> ThrottleDecision:
        """May this account (and IP) try a password now? Reads two partitions, writes nothing."""
        return self._decide(collection, identity, ip, self._now())[0]

    def begin_attempt(self, collection: str, identity: str, ip: str = "", *,
                      burst: BurstRule | None = None) -> SignInAttempt:
        """Decide and count one password attempt atomically (as a failure until `succeeded`), or raise 429.

        Deciding on a read and counting later let a parallel burst through on the same stale count; here the
        count is a conditional write on the value decided on, so N parallel guesses are counted one by one.
        """
        for _ in range(MAX_RESERVE_TRIES):
            now = self._now()
            decision, consecutive, ip_cap = self._decide(collection, identity, ip, now, burst)
            if not decision.allowed:
                raise TooManyRequestsError(headers={"Retry-After": str(decision.retry_after_s)})
            if self._repo.reserve(account_key(collection, identity), ip_key(ip) if ip else None, now,
                                  expected_consecutive=consecutive, ip_cap=ip_cap,
                                  state_ttl=self._rules.throttle_failure_memory_s):
                return SignInAttempt(collection=collection, identity=identity, ip=ip, at=now)
        # Fail closed: this many concurrent attempts on one account are a burst, which the throttle is for.
        raise TooManyRequestsError(headers={"Retry-After": "1"})

    def failed(self, attempt: SignInAttempt) -> None:
        """The attempt's password was wrong: it is counted already; its delay runs from now, when that is known."""
        self._repo.mark_failure_time(account_key(attempt.collection, attempt.identity), self._now())

    def succeeded(self, attempt: SignInAttempt) -> None:
        """The attempt's password was right: take back its failure counts and end the growing delay."""
        self._repo.refund(account_key(attempt.collection, attempt.identity),
                          ip_key(attempt.ip) if attempt.ip else None, attempt.at)
        self.record_success(attempt.collection, attempt.identity)

    def _decide(self, collection: str, identity: str, ip: str, now: int, burst: BurstRule | None = None
                ) -> tuple[ThrottleDecision, int, int]:
        """The decision, the account's consecutive-failure count it was made on, and the count the IP's current
        hour bucket must stay below for the IP's rolling estimate to stay under its cap."""
        rules = self._rules
        account = self._repo.read(account_key(collection, identity))
        waits: list[tuple[int, ThrottleReason]] = []
        if wait := self._delay_left(account, now):
            waits.append((wait, "account_delay"))
        last = account.last_failure
        if burst and last is not None and account.consecutive >= burst.max_attempts and now - last < burst.window_s:
            waits.append((last + burst.window_s - now, "account_delay"))
        if sliding_hour_count(account.hourly, now) >= rules.throttle_account_max_failures_per_hour:
            waits.append((_hourly_retry_after(account.hourly, now, rules.throttle_account_max_failures_per_hour),
                          "account_hourly"))
        ip_cap = 0
        if ip:
            by_ip = self._repo.read(ip_key(ip))
            hour = now - now % HOUR_S
            weighted = by_ip.hourly.get(hour - HOUR_S, 0) * (1 - (now - hour) / HOUR_S)
            ip_cap = max(0, math.ceil(rules.throttle_ip_max_failures_per_hour - weighted))
            if sliding_hour_count(by_ip.hourly, now) >= rules.throttle_ip_max_failures_per_hour:
                waits.append((_hourly_retry_after(by_ip.hourly, now, rules.throttle_ip_max_failures_per_hour),
                              "ip_hourly"))
        if not waits:
            return ThrottleDecision(allowed=True), account.consecutive, ip_cap
        wait, reason = max(waits)
        return ThrottleDecision(allowed=False, retry_after_s=wait, reason=reason), account.consecutive, ip_cap

    def enforce(self, collection: str, identity: str, ip: str = "") -> None:
        """Raise 429 with Retry-After when the attempt is not allowed yet."""
        decision = self.check(collection, identity, ip)
        if not decision.allowed:
            raise TooManyRequestsError(headers={"Retry-After": str(decision.retry_after_s)})

    def _delay_left(self, counters: FailureCounters, now: int) -> int:
        last = counters.last_failure
        if last is None or now - last > self._rules.throttle_failure_memory_s:
            return 0
        return max(0, last + self.delay_s(counters.consecutive) - now)

    def record_failure(self, collection: str, identity: str, ip: str = "") -> None:
        """Count a failed sign-in for the account and the IP."""
        now = self._now()
        memory = self._rules.throttle_failure_memory_s
        self._repo.add_failure(account_key(collection, identity), now, consecutive=True, state_ttl=memory)
        if ip:
            self._repo.add_failure(ip_key(ip), now, consecutive=False, state_ttl=memory)

    def record_success(self, collection: str, identity: str) -> None:
        """A successful sign-in ends the account's growing delay; the hourly cap keeps counting."""
        self._repo.reset_consecutive(account_key(collection, identity))

    def clear(self, collection: str, identity: str) -> None:
        """Superuser action: forget all failures of an account."""
        self._repo.clear(account_key(collection, identity))

    def clear_ip(self, ip: str) -> None:
        """Superuser action: forget all failures counted for an IP."""
        self._repo.clear(ip_key(ip))
