"""Maintained aggregate groups: the store's interface and an in-memory fake (DynamoDB: dynamo_groups.py).

A group item holds one group's sums (`n`, the records counted, and `sum_<field id>` per summed field) under
`(collection, generation, key)`; one aggregate's groups share a partition, read in O(groups). Two ways write it:

- **Ready** (the stream's normal case): a batch's contributions summed per group and applied exactly once per
  stream record with the counters' write-shard marks (shared/changes/exactly_once.py, the accumulators' types):
  one conditional write per group a batch moves, no read.
- **Building** (while the backfill job scans, and a short while after): each record's counted state is kept
  in a marker item (what it contributes, and the scan's version or the stream's sequence number that set it),
  written in one transaction with the group deltas that move the groups from the marker's contribution to the
  new one. The scan counts a record only where no marker exists; the stream replaces a marker only as it read
  it. So a record is counted once, as of the newest change either side saw, whatever the interleaving.
  The stream's transactions also set the groups' shard marks, so a batch redelivered after the aggregate turned
  ready changes nothing twice.
"""

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.changes.accumulators import (
    AccumulatorState,
    AccumulatorStore,
    AccumulatorUpdate,
    InMemoryAccumulatorStore,
)
from shared.records.model import ReadMeter

Sums = dict[str, float]
# a group's key, as its JSON list text: ["north", "2026-01-01"]
KeyText = str
# the longest key kept as a sort key; a longer one is stored under its digest (and its text in `k`)
MAX_KEY_BYTES = 1000


def key_text(key: tuple[Any, ...]) -> KeyText:
    return json.dumps(list(key), separators=(",", ":"), ensure_ascii=False)


def group_sort_key(text: KeyText) -> str:
    return text if len(text.encode()) <= MAX_KEY_BYTES else "#" + hashlib.sha256(text.encode()).hexdigest()


def group_partition(collection_id: str, generation: str, key: KeyText) -> str:
    """The accumulator-store partition of one group: collection, generation and key text."""
    return f"{collection_id}#{generation}#{key}"


def split_partition(partition: str) -> tuple[str, str, KeyText]:
    collection_id, generation, key = partition.split("#", 2)
    return collection_id, generation, key


class CountedRecord(BaseModel):
    """A building aggregate's marker: what one record is counted as, and who counted it.

    `version` is the record version the scan read (None when the stream wrote it); `sequence` the stream record
    that wrote it (None when the scan did); `token` changes with every write, for conditional replacement.
    """

    model_config = ConfigDict(frozen=True)

    contribution: dict[KeyText, Sums]
    version: int | None = None
    sequence: int | None = None
    token: str


class GroupStorageError(Exception):
    """The group store failed, or kept conflicting; the batch (or job step) is retried."""


class GroupStore(AccumulatorStore, ABC):
    """Ready-mode group writes are the accumulator store's (partitions from `group_partition`); the rest here."""

    def replace(self, partition: str, read: AccumulatorState, sums: dict[str, float]) -> bool:
        raise NotImplementedError("maintained groups are built by markers, never replaced")

    @abstractmethod
    def marker(self, collection_id: str, generation: str, record_id: str) -> CountedRecord | None:
        """The record's marker as stored now (consistent), or None."""

    @abstractmethod
    def count_record(self, collection_id: str, generation: str, record_id: str, expected: CountedRecord | None,
                     marker: CountedRecord, deltas: dict[KeyText, Sums], mark: tuple[int, int] | None) -> bool:
        """In one transaction: replace the marker if it is still `expected` (absent for None) and add `deltas`
        to their groups, setting each group's write-shard mark `mark` (shard, sequence) when given. False when
        the marker changed (nothing written); True, writing nothing, when a group's mark already covers `mark`
        (the change was applied in ready mode)."""

    @abstractmethod
    def groups(self, collection_id: str, generation: str, meter: ReadMeter) -> Iterator[tuple[KeyText, Sums]]:
        """Every group of one aggregate generation with its sums, each item read metered."""

    @abstractmethod
    def delete_items(self, collection_id: str, generation: str, *, groups: bool, limit: int) -> int:
        """Delete up to `limit` of a generation's markers (and its groups too with `groups`); how many."""


class InMemoryGroupStore(InMemoryAccumulatorStore, GroupStore):
    """The accumulators' fake for ready-mode writes, plus markers."""

    def __init__(self) -> None:
        super().__init__()
        self.markers: dict[tuple[str, str, str], CountedRecord] = {}

    def marker(self, collection_id: str, generation: str, record_id: str) -> CountedRecord | None:
        with self._lock:
            return self.markers.get((collection_id, generation, record_id))

    def count_record(self, collection_id: str, generation: str, record_id: str, expected: CountedRecord | None,
                     marker: CountedRecord, deltas: dict[KeyText, Sums], mark: tuple[int, int] | None) -> bool:
        with self._lock:
            if self.markers.get((collection_id, generation, record_id)) != expected:
                return False
            partitions = [group_partition(collection_id, generation, key) for key in deltas]
            if mark is not None and any((self.items.get(p, AccumulatorState()).seq or {}).get(mark[0], -1) >= mark[1]
                                        for p in partitions):
                return True
            self.markers[(collection_id, generation, record_id)] = marker
            for partition, sums in zip(partitions, deltas.values(), strict=True):
                self._put(partition, self.items.get(partition, AccumulatorState()),
                          AccumulatorUpdate(sums=sums, seq=dict([mark]) if mark is not None else {}))
            return True

    def groups(self, collection_id: str, generation: str, meter: ReadMeter) -> Iterator[tuple[KeyText, Sums]]:
        prefix = group_partition(collection_id, generation, "")
        with self._lock:
            found = [(split_partition(p)[2], dict(s.sums)) for p, s in sorted(self.items.items())
                     if p.startswith(prefix)]
        meter.add(len(found))
        yield from found

    def delete_items(self, collection_id: str, generation: str, *, groups: bool, limit: int) -> int:
        with self._lock:
            markers = [k for k in self.markers if k[:2] == (collection_id, generation)][:limit]
            for k in markers:
                del self.markers[k]
            prefix = group_partition(collection_id, generation, "")
            items = [p for p in self.items if p.startswith(prefix)][:limit - len(markers)] if groups else []
            for p in items:
                del self.items[p]
            return len(markers) + len(items)


@cache
def get_group_store(table_name: str) -> GroupStore:
    """The DynamoDB group store over the records table, one per table name."""
    from shared.aggregates.dynamo_groups import DynamoGroupStore  # it builds on this module's interface

    return DynamoGroupStore(table_name)
