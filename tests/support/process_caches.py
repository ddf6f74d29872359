"""Per-cold-start caches of shared/ dropped at once, as a new Lambda instance starts without them."""

from __future__ import annotations

import sys


def clear_process_caches() -> None:
    """Drop every `functools.cache`d value defined in shared/: settings, services, clients, keyrings, limiters.

    Settings are read once per cold start, so a suite that changes the environment (a new moto, new secrets)
    clears them, as a new deployment would start instances that never read the old values.
    """
    # a copy taken in one step: the pollers' threads may import a lazily loaded module meanwhile
    for name, module in sys.modules.copy().items():
        if module is None or not name.startswith("shared."):
            continue
        for value in vars(module).copy().values():
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name:
                value.cache_clear()
