"""Rate-limit settings: the runtime rules from the app settings, and the per-deployment env (prefix LB_).

The rules, on/off and exempt IPs are runtime settings (`rateLimits` of PATCH /api/settings). LB_RATE_LIMITS*
only seed a deployment that never saved settings (tests raise limits that way); the sync fraction is per
deployment and stays env.
"""

import msgspec
from pydantic import Field, field_validator

from shared.app_settings.provider import current
from shared.ratelimit.rules import DEFAULT_RULES, RateLimitRule
from shared.tools.env_settings import EnvSettings


class RateLimitSettings(EnvSettings):
    """LB_RATE_LIMITS holds a JSON list like [{"label": "*:auth", "maxRequests": 2, "duration": 3}]: the rules a
    fresh deployment's settings start from (shared/app_settings/defaults.py)."""


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


class RateLimitConfig(msgspec.Struct, frozen=True):
    """What the limiter decides with on a request: on/off, the rules and the exempt addresses."""

    enabled: bool
    rules: tuple[RateLimitRule, ...]
    excluded_ips: frozenset[str]


_last: tuple[object, RateLimitConfig] | None = None


def runtime_rate_limits() -> RateLimitConfig:
    """The app settings' `rateLimits` now (PATCH /api/settings changes them at runtime, within the settings
    cache's TTL); converted once per settings object, so a request pays an identity check, not a rebuild."""
    global _last
    try:
        limits = current().rate_limits
    except Exception:
        # A cold instance that cannot read the settings item still limits, with the deployment's rules,
        # rather than failing every request (a warm one keeps its last settings: shared/app_settings/provider.py).
        from shared.app_settings.defaults import deployment_defaults
        from shared.observability import logger

        logger.warning("app settings unavailable; rate limiting with the deployment's rules", exc_info=True)
        limits = deployment_defaults().rate_limits
    last = _last
    if last is not None and last[0] is limits:
        return last[1]
    config = RateLimitConfig(limits.enabled, tuple(limits.rules), frozenset(limits.excluded_ips))
    _last = (limits, config)
    return config
