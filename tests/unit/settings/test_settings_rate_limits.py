"""The rate limiter's runtime rules: read from the app settings, converted once, and safe when they are not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.app_settings import provider
from shared.app_settings.model import AppSettings, RateLimitsSettings
from shared.ratelimit.limiter import RateLimiter, RequestInfo
from shared.ratelimit.repository import InMemoryRateLimitCounterRepository
from shared.ratelimit.rules import RateLimitRule
from shared.ratelimit.settings import runtime_rate_limits

GUEST = RequestInfo(method="GET", path="/api/collections/posts/records", ip="203.0.113.9")


class Failing:
    def load(self) -> AppSettings:
        raise RuntimeError("settings store down")


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    yield
    provider.use_source(None)


def limits(*rules: RateLimitRule, enabled: bool = True, excluded: tuple[str, ...] = ()) -> AppSettings:
    return AppSettings(rate_limits=RateLimitsSettings(enabled=enabled, rules=rules, excluded_ips=excluded))


def test_the_limiter_follows_the_settings_it_reads_now() -> None:
    # Given a limiter reading its rules from the settings, with one request a minute allowed
    source = provider.MemorySettingsSource(limits(RateLimitRule.model_validate(
        {"label": "/api/", "maxRequests": 1, "duration": 60})))
    provider.use_source(source)
    limiter = RateLimiter((), InMemoryRateLimitCounterRepository(), config=runtime_rate_limits)
    first, second = limiter.check(GUEST), limiter.check(GUEST)
    assert first is not None and first.allowed and second is not None and not second.allowed
    # When the settings turn limits off, or exempt the address / Then the limiter stops limiting
    provider.use_source(provider.MemorySettingsSource(limits(enabled=False)))
    assert limiter.check(GUEST) is None
    provider.use_source(provider.MemorySettingsSource(limits(*source.settings.rate_limits.rules,
                                                             excluded=("203.0.113.9",))))
    assert limiter.check(GUEST) is None


def test_the_same_settings_are_converted_once() -> None:
    provider.use_source(provider.MemorySettingsSource(AppSettings()))
    assert runtime_rate_limits() is runtime_rate_limits()


def test_unreadable_settings_fall_back_to_the_deployments_rules() -> None:
    # Given a cold instance whose settings store fails / When the limiter asks / Then it gets the env's rules
    provider.use_source(Failing())
    config = runtime_rate_limits()
    assert config.enabled and config.rules
