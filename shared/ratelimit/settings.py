"""Rate-limit settings (env prefix LB_): on/off, the rules as JSON, exempt IPs, and how often instances sync."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.ratelimit.rules import DEFAULT_RULES, RateLimitRule


class RateLimitSettings(BaseSettings):
    """LB_RATE_LIMITS holds a JSON list like [{"label": "*:auth", "maxRequests": 2, "duration": 3}]."""

    model_config = SettingsConfigDict(env_prefix="LB_", extra="ignore", frozen=True)

    # On by default, unlike PocketBase: a public endpoint on the internet should not start unprotected.
    rate_limits_enabled: bool = True
    rate_limits: tuple[RateLimitRule, ...] = DEFAULT_RULES
    rate_limits_excluded_ips: tuple[str, ...] = ()
    # Each instance adds its requests to the shared count once per this share of a rule's maxRequests (at
    # least every request): 0.1 syncs PocketBase's /api/ rule (300) every 30 requests and *:create (20) every
    # 2, and keeps *:auth and /api/batch exact. The tolerance this buys is in
    # docs/security.md#rate-limits-across-instances.
    rate_limits_sync_fraction: float = Field(default=0.1, ge=0, le=1)

    @field_validator("rate_limits")
    @classmethod
    def _unique(cls, rules: tuple[RateLimitRule, ...]) -> tuple[RateLimitRule, ...]:
        seen: set[tuple[str, str]] = set()
        for rule in rules:
            key = (rule.label, rule.audience)
            if key in seen:
                raise ValueError(f"duplicate rate limit rule {rule.label!r} for audience {rule.audience!r}")
            seen.add(key)
        return rules
