"""Each instance's view of the app settings: loaded from the store, cached for a few seconds, then re-read.

A change saved by one function reaches every other instance within `CACHE_TTL_S` (docs/admin-api.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from shared.app_settings.model import AppSettings

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
        self._source = source
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._value: AppSettings | None = None
        self._read_at = 0.0

    def get(self) -> AppSettings:
        with self._lock:
            now = self._clock()
            if self._value is None or now - self._read_at >= self._ttl_s:
                self._value = self._source.load()
                self._read_at = now
            return self._value

    def invalidate(self) -> None:
        """Forget the cached value: the instance that saved a change reads it back at once."""
        with self._lock:
            self._value = None


_cache: CachedSettings | None = None
_default_source: Callable[[], SettingsSource] | None = None


def set_default_source(factory: Callable[[], SettingsSource]) -> None:
    """The composition root names the real store (DynamoDB); it is built on first use, never at import."""
    global _default_source, _cache
    _default_source = factory
    _cache = None


def use_source(source: SettingsSource | None) -> None:
    """Tests and the composition root: read settings from this source from now on (None: the default)."""
    global _cache
    _cache = CachedSettings(source) if source is not None else None


def current() -> AppSettings:
    """The settings this instance acts on now (at most `CACHE_TTL_S` old)."""
    global _cache
    if _cache is None:
        source = _default_source() if _default_source is not None else MemorySettingsSource()
        _cache = CachedSettings(source)
    return _cache.get()


def invalidate() -> None:
    """Drop this instance's cached settings."""
    if _cache is not None:
        _cache.invalidate()
