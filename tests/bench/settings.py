"""Settings benchmarks: how long a saved change takes to reach another instance, and what the per-request
read of the runtime rate limits costs the limiter.

Propagation runs on moto with the real TTL (`CACHE_TTL_S`): two caches over the one DynamoDB item, a save at a
random moment of the reader's TTL, and the delay until the reader acts on it. The limiter figure is paired
(A B A B, median of ratios): `check()` with the rules fixed at construction (before) and read per request from
the settings cache (after), with an in-memory counter store so only the limiter's own CPU is measured.
"""

from __future__ import annotations

import os
import random
import statistics
import time

from tests.bench import goals

ROUNDS = int(os.environ.get("LB_BENCH_SETTINGS_ROUNDS", "3"))
CHECKS = int(os.environ.get("LB_BENCH_SETTINGS_CHECKS", "20000"))


def propagation_delays(rounds: int = ROUNDS) -> list[float]:
    """Seconds from a save to the other instance acting on it, once per round."""
    from shared.app_settings.model import AppSettings
    from shared.app_settings.provider import CACHE_TTL_S, CachedSettings
    from shared.app_settings.service import update_settings
    from shared.app_settings.source import StoredSettingsSource
    from shared.app_settings.store import DynamoSettingsRepository
    from shared.resources import SYSTEM_TABLE
    from tests.support.moto_cloud import running_cloud

    delays: list[float] = []
    with running_cloud():
        # The settings function writes with its key; the reader (say records) has no key grant.
        from shared.app_settings.secrets import KmsSecretCipher
        from shared.settings import SettingsKey

        key = SettingsKey().settings_key
        assert key
        writer = StoredSettingsSource(DynamoSettingsRepository(SYSTEM_TABLE.physical_name), KmsSecretCipher(key),
                                      AppSettings)
        reader = CachedSettings(StoredSettingsSource(DynamoSettingsRepository(SYSTEM_TABLE.physical_name), None,
                                                     AppSettings))
        for n in range(rounds):
            reader.get()
            time.sleep(random.uniform(0, CACHE_TTL_S))
            saved_at = time.monotonic()
            update_settings(writer, {"meta": {"appName": f"round {n}"}})
            while reader.get().meta.app_name != f"round {n}":
                time.sleep(0.005)
            delays.append(time.monotonic() - saved_at)
    return delays


def _limiter_seconds(runtime: bool) -> float:
    from shared.app_settings import provider
    from shared.app_settings.model import AppSettings
    from shared.ratelimit.limiter import RateLimiter, RequestInfo
    from shared.ratelimit.repository import InMemoryRateLimitCounterRepository
    from shared.ratelimit.settings import runtime_rate_limits

    settings = AppSettings()
    provider.use_source(provider.MemorySettingsSource(settings))
    try:
        limiter = RateLimiter(settings.rate_limits.rules, InMemoryRateLimitCounterRepository(), sync_fraction=0.1,
                              config=runtime_rate_limits if runtime else None)
        info = RequestInfo(method="GET", path="/api/collections/posts/records", ip="203.0.113.7")
        start = time.perf_counter()
        for _ in range(CHECKS):
            limiter.check(info)
        return (time.perf_counter() - start) / CHECKS
    finally:
        provider.use_source(None)


def limiter_ratio(pairs: int = 6) -> tuple[float, float, float]:
    """(before µs, after µs, median after/before) of one limiter check."""
    before, after, ratios = [], [], []
    for n in range(pairs):
        # Alternating which runs first, so a warm-up or a neighbour's burst does not favour one side.
        if n % 2:
            b, a = _limiter_seconds(True), _limiter_seconds(False)
        else:
            a, b = _limiter_seconds(False), _limiter_seconds(True)
        before.append(a)
        after.append(b)
        ratios.append(b / a)
    return statistics.median(before) * 1e6, statistics.median(after) * 1e6, statistics.median(ratios)


def report() -> None:
    from shared.app_settings.provider import CACHE_TTL_S

    delays = propagation_delays()
    worst = max(delays)
    print(f"settings propagation to another instance: {', '.join(f'{d:.2f}' for d in delays)} s "
          f"(TTL {CACHE_TTL_S:g} s)")
    goals.record("settings", "change reaches another instance", f"<= {CACHE_TTL_S:g} s + 1 read",
                 f"max {worst:.2f} s of {len(delays)}", worst <= CACHE_TTL_S + 1.0)
    before, after, ratio = limiter_ratio()
    print(f"rate limiter check: {before:.1f} µs with fixed rules, {after:.1f} µs with runtime rules "
          f"(median ratio {ratio:.2f})")
    goals.record("settings", "limiter check with runtime rules", "ratio <= 1.10", f"{ratio:.2f}x ({after:.1f} µs)",
                 ratio <= 1.10)


if __name__ == "__main__":
    report()
    goals.print_table()
