"""The settings API's store: the settings item as stored, not this instance's cached view."""

from __future__ import annotations

from shared.app_settings.provider import default_source
from shared.app_settings.source import StoredSettingsSource


def settings_store() -> StoredSettingsSource:
    """The settings item, read fresh (not through this instance's cache): the API shows what is stored."""
    return default_source()
