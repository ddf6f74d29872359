"""The rate limiter: pick the request's rule, count it in its fixed window, and decide.

Counting every request in DynamoDB costs a write per request. Instead each instance keeps a tally per client
and window: the shared count its last sync returned, plus its own requests since. It adds them to the shared
counter (one `ADD`) once they reach a rule's sync step, `max(1, floor(maxRequests x sync fraction))`, and
decides on shared + own. Between syncs an instance misses only the other instances' unsynced requests, each
fewer than a step, so across I instances serving one client a window admits from maxRequests up to
maxRequests + (I - 1) x (step - 1) requests (the reasoning is in docs/security.md). A step of 1 is exact.
"""

import hashlib
import math
import threading
import time
from collections.abc import Callable, Sequence
from functools import lru_cache

import msgspec
from pydantic import BaseModel

from shared.observability import logger
from shared.ratelimit.repository import (
    RateLimitCounterRepository,
    RateLimitStorageError,
    get_rate_limit_repository,
)
from shared.ratelimit.rules import RateLimitRule, audiences_for, find_rule, request_labels
from shared.ratelimit.settings import RateLimitConfig, RateLimitSettings, runtime_rate_limits

Clock = Callable[[], float]
# Counters outlive their window a little so a late increment never recreates an expired item's count.
COUNTER_TTL_SLACK_S = 60
# Tallies of ended windows are dropped once an instance holds this many, so memory stays bounded.
MAX_TALLIES = 10_000


class RequestInfo(BaseModel):
    """What the limiter needs to know about a request."""

    method: str
    path: str
    ip: str = ""
    user_id: str | None = None
    is_superuser: bool = False


class RateLimitDecision(BaseModel):
    allowed: bool
    limit: int
    remaining: int
    reset_epoch: int
    retry_after_s: int
    rule: RateLimitRule


class _Tally(msgspec.Struct):
    """One client's requests in one window, as this instance knows them."""

    window_start: int
    ends: int
    expires_at: int
    synced: int = 0  # the shared count the last sync returned (every instance's synced requests)
    syncing: int = 0  # own requests being added right now
    pending: int = 0  # own requests not yet added

    @property
    def count(self) -> int:
        return self.synced + self.syncing + self.pending


class RateLimiter:
    """Fixed-window limits per rule and client (the user id when signed in, else the IP)."""

    def __init__(self, rules: Sequence[RateLimitRule], repository: RateLimitCounterRepository, *,
                 enabled: bool = True, excluded_ips: Sequence[str] = (), clock: Clock = time.time,
                 sync_fraction: float = 0.0, config: Callable[[], RateLimitConfig] | None = None) -> None:
        self._rules = tuple(rules)
        # When given, the rules, on/off and exempt IPs are read from it on each request (runtime settings).
        self._config = config
        self._repo = repository
        self._enabled = enabled
        self._excluded = frozenset(excluded_ips)
        self._clock = clock
        self._sync_fraction = sync_fraction
        self._tallies: dict[str, _Tally] = {}
        self._lock = threading.Lock()

    @property
    def may_limit(self) -> bool:
        """Whether any request could be limited: an inert limiter never needs the caller's address."""
        return self._config is not None or (self._enabled and bool(self._rules))

    def sync_step(self, rule: RateLimitRule) -> int:
        """How many of its own requests an instance counts before adding them to the shared count."""
        return max(1, math.floor(rule.max_requests * self._sync_fraction))

    def _resolve(self, info: RequestInfo) -> tuple[RateLimitRule, str] | None:
        if self._config is not None:
            config = self._config()
            enabled, excluded, rules = config.enabled, config.excluded_ips, config.rules
        else:
            enabled, excluded, rules = self._enabled, self._excluded, self._rules
        if not enabled or info.is_superuser or info.ip in excluded:
            return None
        labels = request_labels(info.method, info.path)
        rule = find_rule(rules, labels.labels, audiences_for(info.user_id is not None))
        return (rule, labels.scope) if rule is not None else None

    def rule_for(self, info: RequestInfo) -> RateLimitRule | None:
        """The rule that governs this request, or None (superusers, exempt IPs, no matching rule)."""
        resolved = self._resolve(info)
        return resolved[0] if resolved else None

    def check(self, info: RequestInfo) -> RateLimitDecision | None:
        """Count the request and decide; None when no limit applies to it."""
        resolved = self._resolve(info)
        if resolved is None:
            return None
        rule, scope = resolved
        client = f"u:{info.user_id}" if info.user_id is not None else f"ip:{info.ip}"
        if client == "ip:":
            return None  # no client address to count against, as PocketBase does
        now = self._clock()
        window_start = int(now // rule.duration) * rule.duration
        reset = window_start + rule.duration
        digest = hashlib.sha256(f"{rule.label}\x00{rule.audience}\x00{scope}".encode()).hexdigest()[:32]
        key = f"{digest}#{client}"
        try:
            count = self._count(key, window_start, reset, self.sync_step(rule), now)
        except RateLimitStorageError as exc:
            # Fail open: a counter outage must not take the whole API down; sign-in has its own throttle.
            logger.warning("rate limit counter unavailable", extra={"error": str(exc)})
            return None
        return RateLimitDecision(
            allowed=count <= rule.max_requests,
            limit=rule.max_requests,
            remaining=max(0, rule.max_requests - count),
            reset_epoch=reset,
            retry_after_s=max(1, math.ceil(reset - now)),
            rule=rule,
        )

    def _count(self, key: str, window_start: int, ends: int, step: int, now: float) -> int:
        """Count one request of `key` and return the window's count as this instance knows it."""
        with self._lock:
            tally = self._tallies.get(key)
            if tally is None or tally.window_start != window_start:
                if len(self._tallies) >= MAX_TALLIES:
                    self._prune(now)
                # An ended window's unsynced requests need no write: no decision depends on them any more.
                tally = self._tallies[key] = _Tally(window_start, ends, ends + COUNTER_TTL_SLACK_S)
            tally.pending += 1
            if tally.pending < step:
                return tally.count
            amount, tally.pending = tally.pending, 0
            tally.syncing += amount
        self._sync(key, tally, amount)
        with self._lock:
            return tally.count

    def _sync(self, key: str, tally: _Tally, amount: int) -> None:
        try:
            shared = self._repo.increment(key, tally.window_start, tally.expires_at, amount)
        except RateLimitStorageError:
            with self._lock:
                tally.syncing -= amount
                tally.pending += amount  # added with the next sync instead
            raise
        with self._lock:
            tally.syncing -= amount
            tally.synced = max(tally.synced, shared)

    def _prune(self, now: float) -> None:
        for key in [k for k, t in self._tallies.items() if t.ends <= now]:
            del self._tallies[key]
        if len(self._tallies) >= MAX_TALLIES:
            self._tallies.clear()  # every window still open: forgetting them only under-counts, never blocks

    def flush(self) -> None:
        """Add every open window's unsynced requests to the shared counts (tests, benchmarks, shutdown)."""
        with self._lock:
            due = [(k, t, t.pending) for k, t in self._tallies.items() if t.pending and t.ends > self._clock()]
            for _, tally, amount in due:
                tally.pending, tally.syncing = 0, tally.syncing + amount
        for key, tally, amount in due:
            self._sync(key, tally, amount)


@lru_cache(maxsize=1)
def default_rate_limiter() -> RateLimiter:
    """The limiter over the system table, deciding with the app settings' rate limits, built on first use."""
    from shared.settings import Tables

    settings = RateLimitSettings()
    return RateLimiter(
        settings.rate_limits,
        get_rate_limit_repository(Tables().system_table),
        sync_fraction=settings.rate_limits_sync_fraction,
        config=runtime_rate_limits,
    )
