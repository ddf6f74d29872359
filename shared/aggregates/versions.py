"""Collection data versions for the aggregate cache: the changes function bumps a collection's version once
per stream batch that changes its records; an answer cached under a version is stale once it moves.

The version item (records table, `pk = aggv#<collection id>`, `sk = version`, `v` a number) is outside the
record key space, so the stream ignores its own writes (shared/changes/model.py decodes `r#` keys only). A bump
redelivered with its batch only moves the version once more: a spurious cache miss, never a stale answer.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable
from functools import cache

from shared.changes.model import RecordChange
from shared.records.model import ReadMeter

VERSION_PREFIX = "aggv#"
VERSION_SK = "version"


class VersionStore(ABC):
    @abstractmethod
    def bump(self, collection_id: str) -> None:
        """Move the collection's version forward."""

    @abstractmethod
    def read(self, collection_id: str, meter: ReadMeter) -> int:
        """The collection's version now (0 before any bump); one metered read."""


class InMemoryVersionStore(VersionStore):
    def __init__(self) -> None:
        self.versions: dict[str, int] = {}
        self._lock = threading.Lock()

    def bump(self, collection_id: str) -> None:
        with self._lock:
            self.versions[collection_id] = self.versions.get(collection_id, 0) + 1

    def read(self, collection_id: str, meter: ReadMeter) -> int:
        meter.add(1)
        with self._lock:
            return self.versions.get(collection_id, 0)


def bump_versions(changes: Iterable[RecordChange], store: VersionStore) -> int:
    """Bump the version of every collection the batch changes, once each; how many were bumped."""
    touched = list(dict.fromkeys(change.collection_id for change in changes))
    for collection_id in touched:
        store.bump(collection_id)
    return len(touched)


@cache
def get_version_store(table_name: str) -> VersionStore:
    from shared.aggregates.dynamo_versions import DynamoVersionStore  # it builds on this module's interface

    return DynamoVersionStore(table_name)
