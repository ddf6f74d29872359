"""The settings API's logic: PocketBase's masked view, and PATCH's merge, validation and conditional save."""

from __future__ import annotations

from typing import Any

from shared.app_settings import provider
from shared.app_settings.errors import SettingsConflictError, SettingsStorageError
from shared.app_settings.model import AppSettings
from shared.app_settings.patch import SubmittedDataError, merge, settings_json
from shared.app_settings.secrets import SECRET_FIELDS, get_path, seal, set_path
from shared.app_settings.source import StoredSettingsSource
from shared.app_settings.validation import validate
from shared.errors import BadRequestError, ServiceUnavailableError

LOADING_ERROR = "An error occurred while loading the submitted data."
SAVING_ERROR = "An error occurred while saving the new settings."
# Two PATCHes racing: the loser re-reads and merges its body again, so neither is lost.
SAVE_ATTEMPTS = 5


def public_view(settings: AppSettings) -> dict[str, Any]:
    """GET /api/settings's body: PocketBase leaves every secret out (it omits the keys, not only the values)."""
    view = settings_json(settings)
    for path in SECRET_FIELDS:
        parent = view
        for key in path[:-1]:
            parent = parent[key]
        parent.pop(path[-1], None)
    return view


def secrets_presence(source: StoredSettingsSource) -> dict[str, bool]:
    """Which secrets are stored, by dotted path, never their values: what a dashboard shows as set or not set.

    Read from the stored item's ciphertexts, so nothing is decrypted to answer.
    """
    stored = source.repository.load(consistent=True)
    value = stored.value if stored is not None else {}
    return {".".join(path): bool(get_path(value, path)) for path in SECRET_FIELDS}


def update_settings(source: StoredSettingsSource, body: object) -> AppSettings:
    """Merge a partial body into the stored settings, validate as PocketBase does, and save; a 400 saves nothing."""
    if not isinstance(body, dict):
        raise BadRequestError(LOADING_ERROR)
    for _ in range(SAVE_ATTEMPTS):
        settings, version = source.read(consistent=True)
        current = settings_json(settings)
        try:
            merged = merge(current, body)
        except SubmittedDataError as exc:
            raise BadRequestError(LOADING_ERROR) from exc
        errors = validate(merged)
        if errors:
            raise BadRequestError(SAVING_ERROR, errors)
        for path in SECRET_FIELDS:
            # As PocketBase: an empty secret is checked as empty, but saving keeps the one stored.
            if not get_path(merged, path):
                set_path(merged, path, get_path(current, path))
        updated = AppSettings.model_validate(merged)
        if source.cipher is None:
            raise SettingsStorageError()  # no key grant: the secrets could be neither kept nor written
        try:
            source.repository.save(seal(settings_json(updated), source.cipher), version)
        except SettingsConflictError:
            continue
        provider.invalidate()
        return updated
    raise ServiceUnavailableError()
