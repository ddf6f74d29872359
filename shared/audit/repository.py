"""The audit log's storage interface, its in-memory fake, and the key scheme both follow.

Entries are appended and expired, never updated or deleted through the API. Time order: month partitions
`audit#<YYYYMM>#<shard>` (shard 0-3 from the id's last character) sorted by id; a record's history:
`rec#<record id>` on gsi1, sorted by the zero-padded stream sequence number.
"""

from __future__ import annotations

import heapq
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from shared.audit.model import ID_ALPHABET, AuditEntry

WRITE_SHARDS = 4
SEQUENCE_DIGITS = 40


def month_of(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y%m")


def shard_of(audit_id: str) -> int:
    return ID_ALPHABET.index(audit_id[-1]) % WRITE_SHARDS if audit_id else 0


def partition_key(month: str, shard: int) -> str:
    return f"audit#{month}#{shard}"


def history_key(record_id: str) -> str:
    return f"rec#{record_id}"


def months_between(start_ms: int, end_ms: int, newest_first: bool) -> list[str]:
    """The months of a window, YYYYMM, in the order to read them."""
    months: list[str] = []
    year, month = int(month_of(start_ms)[:4]), int(month_of(start_ms)[4:])
    last = month_of(end_ms)
    while True:
        current = f"{year:04d}{month:02d}"
        months.append(current)
        if current >= last:
            break
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[::-1] if newest_first else months


def merge_by_id(streams: Iterable[Iterator[AuditEntry]], newest_first: bool) -> Iterator[AuditEntry]:
    return heapq.merge(*streams, key=lambda e: e.id, reverse=newest_first)


class AuditRepository(ABC):
    @abstractmethod
    def append(self, entries: list[AuditEntry], expires_at: int) -> None:
        """Store the entries (an entry written again is the same entry: appends are idempotent)."""

    @abstractmethod
    def get(self, audit_id: str) -> AuditEntry | None: ...

    @abstractmethod
    def scan(self, start_ms: int, end_ms: int, newest_first: bool) -> Iterator[AuditEntry]:
        """Entries created in [start_ms, end_ms], in id order."""

    @abstractmethod
    def history(self, record_id: str, newest_first: bool) -> Iterator[AuditEntry]:
        """Every entry of one record id (of any collection), in stream order."""


class InMemoryAuditRepository(AuditRepository):
    def __init__(self) -> None:
        self.entries: dict[str, AuditEntry] = {}
        self.expires: dict[str, int] = {}

    def append(self, entries: list[AuditEntry], expires_at: int) -> None:
        for entry in entries:
            self.entries[entry.id] = entry
            self.expires[entry.id] = expires_at

    def get(self, audit_id: str) -> AuditEntry | None:
        return self.entries.get(audit_id)

    def scan(self, start_ms: int, end_ms: int, newest_first: bool) -> Iterator[AuditEntry]:
        found = [e for e in self.entries.values() if start_ms <= e.created_ms <= end_ms]
        return iter(sorted(found, key=lambda e: e.id, reverse=newest_first))

    def history(self, record_id: str, newest_first: bool) -> Iterator[AuditEntry]:
        found = [e for e in self.entries.values() if e.record == record_id]
        return iter(sorted(found, key=lambda e: e.sequence.zfill(SEQUENCE_DIGITS), reverse=newest_first))
