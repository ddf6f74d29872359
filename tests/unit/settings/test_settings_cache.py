"""Each instance's settings cache: how long a change takes to reach another instance, and a cheap hit."""

from __future__ import annotations

from shared.app_settings.model import AppSettings, MetaSettings
from shared.app_settings.provider import CACHE_TTL_S, CachedSettings
from shared.app_settings.secrets import ReversedSecretCipher
from shared.app_settings.service import update_settings
from shared.app_settings.source import StoredSettingsSource
from shared.app_settings.store import InMemorySettingsRepository


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingSource:
    def __init__(self, inner: StoredSettingsSource) -> None:
        self.inner = inner
        self.loads = 0

    def load(self) -> AppSettings:
        self.loads += 1
        return self.inner.load()


def test_a_change_reaches_another_instance_within_the_ttl() -> None:
    # Given two instances (two caches) over one store, both warm
    repo, clock = InMemorySettingsRepository(), Clock()
    store = StoredSettingsSource(repo, ReversedSecretCipher(), AppSettings)
    a, b = CachedSettings(store, clock=clock), CachedSettings(store, clock=clock)
    assert a.get().meta.app_name == b.get().meta.app_name == "Acme"
    # When instance A saves a change
    update_settings(store, {"meta": {"appName": "Changed"}})
    a.invalidate()
    # Then A sees it at once, B keeps its copy until its TTL ends, and has it right after
    assert a.get().meta.app_name == "Changed"
    clock.now += CACHE_TTL_S - 0.01
    assert b.get().meta.app_name == "Acme"
    clock.now += 0.02
    assert b.get().meta.app_name == "Changed"


def test_a_hit_does_not_read_the_store() -> None:
    # Given a warm cache / When asked many times within the TTL / Then the store was read once
    clock = Clock()
    counting = CountingSource(StoredSettingsSource(InMemorySettingsRepository(), None, AppSettings))
    cache = CachedSettings(counting, clock=clock)
    for _ in range(1000):
        cache.get()
    assert counting.loads == 1


class FailingSource:
    def __init__(self) -> None:
        self.fail = False

    def load(self) -> AppSettings:
        if self.fail:
            raise RuntimeError("store down")
        return AppSettings(meta=MetaSettings(app_name="Last"))


def test_a_store_outage_keeps_the_last_settings() -> None:
    # Given a warm cache whose store then fails
    clock, source = Clock(), FailingSource()
    cache = CachedSettings(source, clock=clock)
    assert cache.get().meta.app_name == "Last"
    source.fail = True
    # When the TTL ends / Then the last settings are kept rather than failing the request
    clock.now += CACHE_TTL_S * 2
    assert cache.get().meta.app_name == "Last"
