"""Domain errors of the settings store."""

from __future__ import annotations

from shared.errors import InternalError


class SettingsStorageError(InternalError):
    """The settings could not be read or written (DynamoDB or KMS failed)."""

    default_message = "Failed to load or save the app settings."


class SettingsConflictError(Exception):
    """Another save changed the settings since they were read; the caller re-reads and merges again."""
