"""Where logs are kept: the `LogRepository` interface, its in-memory fake, and the partition scheme they share.

Partitions: a log lives in the partition of its creation day (UTC) and of one of `WRITE_SHARDS` write shards,
which its id's last character picks; inside a partition its sort key is its id, which starts with the
creation time (shared/logs/model.py), so a partition reads in time order, either way, from any moment.
"""

from __future__ import annotations

import bisect
import heapq
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

import msgspec

from shared.logs.model import ID_ALPHABET, LogEntry, from_epoch_ms, id_epoch_ms, id_time_prefix

# One DynamoDB partition takes about 1,000 writes a second; with 4 shards a day's partitions take about 4,000
# logs a second, and a time-ordered read merges 4 queries a day (docs/admin-api.md, Logs).
WRITE_SHARDS = 4
DAY_MS = 86_400_000


class StoredLog(msgspec.Struct, frozen=True):
    """A log and the epoch second after which DynamoDB's TTL removes it (logs.maxDays after its creation)."""

    entry: LogEntry
    expires_at: int


def shard_of(log_id: str) -> int:
    return ID_ALPHABET.index(log_id[-1]) % WRITE_SHARDS


def day_of(epoch_ms: int) -> str:
    return from_epoch_ms(epoch_ms).strftime("%Y%m%d")


def partition_key(day: str, shard: int) -> str:
    return f"log#{day}#{shard}"


def day_start_ms(day: str) -> int:
    """The first epoch ms of a day partition (YYYYMMDD, UTC)."""
    return int(datetime.strptime(day, "%Y%m%d").replace(tzinfo=UTC).timestamp() * 1000)


def days_between(start_ms: int, end_ms: int, newest_first: bool) -> list[str]:
    """The day partitions a time range touches, in the order a scan visits them."""
    first = from_epoch_ms(start_ms).date()
    last = from_epoch_ms(end_ms).date()
    days = [(first + timedelta(days=n)).strftime("%Y%m%d") for n in range((last - first).days + 1)]
    return days[::-1] if newest_first else days


def sort_key_bounds(start_ms: int, end_ms: int) -> tuple[str, str]:
    """The id range of every log created in [start_ms, end_ms]: inclusive, as a DynamoDB BETWEEN."""
    return id_time_prefix(start_ms), id_time_prefix(end_ms) + "~"  # "~" sorts after every id character


class LogRepository(Protocol):
    def put_many(self, logs: Sequence[StoredLog]) -> None:
        """Store logs; storing one again (a redelivered batch) overwrites it with itself."""
        ...

    def get(self, log_id: str) -> LogEntry | None:
        """The log with this id, or None."""
        ...

    def scan(self, start_ms: int, end_ms: int, newest_first: bool) -> Iterator[LogEntry]:
        """Logs created in [start_ms, end_ms], in id order (time order), read lazily partition by partition."""
        ...

    def truncated_before(self) -> int:
        """Epoch ms before which every log counts as deleted (`DELETE /api/logs`); 0 when never truncated."""
        ...

    def count(self, start_ms: int, end_ms: int, now_ms: int, budget: int) -> int | None:
        """How many logs were created in [start_ms, end_ms]; None when counting them would read more than
        `budget` logs."""
        ...

    def truncate(self, before_ms: int) -> None:
        """Mark every log created before `before_ms` as deleted; TTL removes them later."""
        ...

    def delete_many(self, log_ids: Sequence[str]) -> None:
        """Delete these logs now (the cleanup job); deleting a missing one does nothing."""
        ...


class InMemoryLogRepository:
    """The fake for unit tests: the same partitions, sorted lists instead of DynamoDB."""

    def __init__(self) -> None:
        self._partitions: dict[str, list[tuple[str, LogEntry]]] = {}
        self._truncated_before = 0
        self._lock = threading.Lock()
        self.partition_reads = 0

    def put_many(self, logs: Sequence[StoredLog]) -> None:
        with self._lock:
            for stored in logs:
                entry = stored.entry
                rows = self._partitions.setdefault(partition_key(day_of(entry.created_ms), shard_of(entry.id)), [])
                at = bisect.bisect_left(rows, entry.id, key=lambda row: row[0])
                if at < len(rows) and rows[at][0] == entry.id:
                    rows[at] = (entry.id, entry)
                else:
                    rows.insert(at, (entry.id, entry))

    def get(self, log_id: str) -> LogEntry | None:
        created = id_epoch_ms(log_id)
        if created is None:
            return None
        rows = self._partitions.get(partition_key(day_of(created), shard_of(log_id)), [])
        return next((entry for key, entry in rows if key == log_id), None)

    def scan(self, start_ms: int, end_ms: int, newest_first: bool) -> Iterator[LogEntry]:
        low, high = sort_key_bounds(start_ms, end_ms)
        for day in days_between(start_ms, end_ms, newest_first):
            shards = [self._read(partition_key(day, s), low, high, newest_first) for s in range(WRITE_SHARDS)]
            yield from merge_by_id(shards, newest_first)

    def _read(self, pk: str, low: str, high: str, newest_first: bool) -> Iterator[LogEntry]:
        self.partition_reads += 1
        with self._lock:
            rows = [entry for key, entry in self._partitions.get(pk, []) if low <= key <= high]
        return iter(rows[::-1] if newest_first else rows)

    def truncated_before(self) -> int:
        return self._truncated_before

    def count(self, start_ms: int, end_ms: int, now_ms: int, budget: int) -> int | None:
        low, high = sort_key_bounds(start_ms, end_ms)
        with self._lock:
            total = sum(1 for rows in self._partitions.values() for key, _ in rows if low <= key <= high)
        return None if total > budget else total

    def truncate(self, before_ms: int) -> None:
        self._truncated_before = max(self._truncated_before, before_ms)

    def delete_many(self, log_ids: Sequence[str]) -> None:
        with self._lock:
            for log_id in log_ids:
                created = id_epoch_ms(log_id)
                if created is None:
                    continue
                rows = self._partitions.get(partition_key(day_of(created), shard_of(log_id)), [])
                rows[:] = [row for row in rows if row[0] != log_id]


def merge_by_id(streams: Iterable[Iterator[LogEntry]], newest_first: bool) -> Iterator[LogEntry]:
    """One time-ordered stream from the shards' time-ordered streams."""
    return heapq.merge(*streams, key=lambda entry: entry.id, reverse=newest_first)


def utc_now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)
