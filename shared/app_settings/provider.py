"""Each instance's view of the app settings: loaded from the store, cached for a few seconds, then re-read.

A change saved by one function reaches every other instance within `CACHE_TTL_S` (docs/admin-api.md). The
default source is the settings item in the system table (shared/app_settings/store.py), built on first use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Protocol

from shared.app_settings.model import AppSettings
from shared.observability import logger

if TYPE_CHECKING:  # the store pulls in botocore: imported on first use, not with the rate limiter
    from shared.app_settings.source import StoredSettingsSource

CACHE_TTL_S = 5.0


class SettingsSource(Protocol):
    """Where the settings live; `load` returns the defaults when none were ever saved."""

    def load(self) -> AppSettings: ...


class MemorySettingsSource:
    """Settings held in memory: unit tests, and the fake behind `use_source`."""

    def __init__(self, settings: AppSettings | None = None) -> None:
        self.settings = settings or AppSettings()

    def load(self) -> AppSettings:
        return self.settings


class CachedSettings:
    """The settings of one instance, re-read from its source once they are older than `ttl_s`."""

    def __init__(self, source: SettingsSource, ttl_s: float = CACHE_TTL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        # One tuple, swapped whole: the fast path reads it without the lock (the rate limiter asks per request).
        self._entry: tuple[AppSettings, float] | None = None

    def get(self) -> AppSettings:
        entry = self._entry
        if entry is not None and self._clock() - entry[1] < self._ttl_s:
            return entry[0]
        with self._lock:
            entry = self._entry
            now = self._clock()
            if entry is None or now - entry[1] >= self._ttl_s:
                try:
                    entry = self._entry = (self.source.load(), now)
                except Exception:
                    if entry is None:
                        raise
                    # A store outage keeps the last settings (and retries after a TTL) rather than failing
                    # every request: the rate limiter asks on each one.
                    logger.warning("app settings not reloaded; keeping the last ones", exc_info=True)
                    entry = self._entry = (entry[0], now)
            return entry[0]

    def invalidate(self) -> None:
        """Forget the cached value: the instance that saved a change reads it back at once."""
        with self._lock:
            self._entry = None


_override: CachedSettings | None = None
_default_source: Callable[[], SettingsSource] | None = None


def set_default_source(factory: Callable[[], SettingsSource]) -> None:
    """Name the store `current()` reads when no test source is set; it is built on first use, never at import."""
    global _default_source
    _default_source = factory
    _instance_cache.cache_clear()


def use_source(source: SettingsSource | None) -> None:
    """Tests and the composition root: read settings from this source from now on (None: the default)."""
    global _override
    _override = CachedSettings(source) if source is not None else None


@cache
def default_source() -> StoredSettingsSource:
    """The settings item of the system table; secrets decrypted only where the function holds the key grant.

    One per process, so this instance's cache and the settings API share the KMS plaintexts it remembers.
    """
    from shared.app_settings.defaults import deployment_defaults
    from shared.app_settings.secrets import KmsSecretCipher
    from shared.app_settings.source import StoredSettingsSource
    from shared.app_settings.store import get_settings_repository
    from shared.settings import SettingsKey, Tables

    key = SettingsKey().settings_key
    return StoredSettingsSource(get_settings_repository(Tables().system_table),
                                KmsSecretCipher(key) if key else None, deployment_defaults)


@cache
def _instance_cache() -> CachedSettings:
    # An lru cache, so that a simulated cold start (tests/support/in_process.py) drops it with the others.
    return CachedSettings((_default_source or default_source)())


def current() -> AppSettings:
    """The settings this instance acts on now (at most `CACHE_TTL_S` old)."""
    return (_override or _instance_cache()).get()


def invalidate() -> None:
    """Drop this instance's cached settings."""
    (_override or _instance_cache()).invalidate()
