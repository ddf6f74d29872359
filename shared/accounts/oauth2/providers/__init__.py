"""Every OAuth2 provider, one module each: importing this package registers them all (adding one is one file)."""

from __future__ import annotations

import importlib
import pkgutil

from shared.accounts.oauth2.provider import PROVIDERS, ProviderClass


def catalogue() -> dict[str, ProviderClass]:
    """Provider classes by configuration name, every module of this package imported once."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return PROVIDERS
