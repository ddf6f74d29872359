"""Data access for the app settings: the interface, an in-memory fake and the DynamoDB implementation.

The settings are one item of the system table, `pk = "settings"`, `sk = "app"`: the settings JSON with each
secret replaced by its ciphertext (`value`), and a `version` that every save increments under a condition on
the version it read, so that of two concurrent PATCHes the second fails instead of silently losing the first.
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from functools import cache
from typing import Any

import msgspec
from botocore.exceptions import BotoCoreError, ClientError

from shared import aws
from shared.app_settings.errors import SettingsConflictError, SettingsStorageError
from shared.dynamo_values import from_item, to_item
from shared.observability import logger

SETTINGS_PK = "settings"
SETTINGS_SK = "app"
ENTITY = "appSettings"


class StoredSettings(msgspec.Struct, frozen=True):
    """The stored settings JSON (secrets sealed) and the version a save must name to replace it."""

    value: dict[str, Any]
    version: int


class SettingsRepository(ABC):
    """Where the one settings item lives."""

    @abstractmethod
    def load(self, *, consistent: bool = False) -> StoredSettings | None:
        """The stored settings, or None when none were ever saved."""

    @abstractmethod
    def save(self, value: dict[str, Any], expected_version: int) -> int:
        """Replace the settings if their version is still `expected_version` (0: none saved yet); return the new
        version, or raise SettingsConflictError."""


class InMemorySettingsRepository(SettingsRepository):
    """A thread-safe fake with the same compare-and-set, for unit tests."""

    def __init__(self) -> None:
        self._stored: StoredSettings | None = None
        self._lock = threading.Lock()

    def load(self, *, consistent: bool = False) -> StoredSettings | None:
        with self._lock:
            return self._stored

    def save(self, value: dict[str, Any], expected_version: int) -> int:
        with self._lock:
            current = self._stored.version if self._stored else 0
            if current != expected_version:
                raise SettingsConflictError()
            self._stored = StoredSettings(json.loads(json.dumps(value)), current + 1)
            return current + 1


def _storage_error(exc: Exception, operation: str) -> SettingsStorageError:
    logger.warning("settings storage failure", extra={"operation": operation, "error": str(exc)})
    return SettingsStorageError()


class DynamoSettingsRepository(SettingsRepository):
    """The settings item in the system table."""

    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def load(self, *, consistent: bool = False) -> StoredSettings | None:
        try:
            item = aws.client("dynamodb").get_item(
                TableName=self._table, Key=to_item({"pk": SETTINGS_PK, "sk": SETTINGS_SK}),
                ConsistentRead=consistent,
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise _storage_error(exc, "settings.load") from exc
        if item is None:
            return None
        values = from_item(item)
        try:
            return StoredSettings(json.loads(values["value"]), int(values["version"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise _storage_error(exc, "settings.decode") from exc

    def save(self, value: dict[str, Any], expected_version: int) -> int:
        version = expected_version + 1
        item = to_item({"pk": SETTINGS_PK, "sk": SETTINGS_SK, "entity": ENTITY, "value": json.dumps(value),
                        "version": version, "updated": int(time.time())})
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"} if expected_version == 0 else {
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": to_item({":expected": expected_version}),
            })
        try:
            aws.client("dynamodb").put_item(TableName=self._table, Item=item, **condition)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise SettingsConflictError() from exc
            raise _storage_error(exc, "settings.save") from exc
        except BotoCoreError as exc:
            raise _storage_error(exc, "settings.save") from exc
        return version


@cache
def get_settings_repository(table_name: str) -> SettingsRepository:
    """The DynamoDB repository of this table, built once per process."""
    return DynamoSettingsRepository(table_name)
