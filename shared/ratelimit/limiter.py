"""The rate limiter: pick the request's rule, count it in its fixed window, and decide."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from functools import lru_cache

from pydantic import BaseModel

from shared.observability import logger
from shared.ratelimit.repository import (
    RateLimitCounterRepository,
    RateLimitStorageError,
    get_rate_limit_repository,
)
from shared.ratelimit.rules import RateLimitRule, audiences_for, find_rule, request_labels
from shared.ratelimit.settings import RateLimitSettings

Clock = Callable[[], float]
# Counters outlive their window a little so a late increment never recreates an expired item's count.
COUNTER_TTL_SLACK_S = 60


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


class RateLimiter:
    """Fixed-window limits per rule and client (the user id when signed in, else the IP)."""

    def __init__(self, rules: Sequence[RateLimitRule], repository: RateLimitCounterRepository, *,
                 enabled: bool = True, excluded_ips: Sequence[str] = (), clock: Clock = time.time) -> None:
        self._rules = tuple(rules)
        self._repo = repository
        self._enabled = enabled
        self._excluded = frozenset(excluded_ips)
        self._clock = clock

    def _resolve(self, info: RequestInfo) -> tuple[RateLimitRule, str] | None:
        if not self._enabled or info.is_superuser or info.ip in self._excluded:
            return None
        labels = request_labels(info.method, info.path)
        rule = find_rule(self._rules, labels.labels, audiences_for(info.user_id is not None))
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
        try:
            count = self._repo.increment(f"{digest}#{client}", window_start, reset + COUNTER_TTL_SLACK_S)
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


@lru_cache(maxsize=1)
def default_rate_limiter() -> RateLimiter:
    """The limiter from LB_RATE_LIMITS* settings over the system table, built on first use."""
    from shared.settings import Tables

    settings = RateLimitSettings()
    return RateLimiter(
        settings.rate_limits,
        get_rate_limit_repository(Tables().system_table),
        enabled=settings.rate_limits_enabled,
        excluded_ips=settings.rate_limits_excluded_ips,
    )
