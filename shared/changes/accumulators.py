"""Sums and counts behind incremental linked fields, applied exactly once per stream record.

One accumulator per (parent record, linked field) holds named sums, `records` (linked records counted),
`sum` (of their numbers), `numbers` (how many numbers) and `filled` (non-blank values), from which SUM,
AVERAGE, COUNT, COUNTA, COUNTALL and the count field are read (RollupField.from_sums). A child write adds its
new contribution and takes away its old one: one write to one accumulator per parent it moves, whatever
the number of children. The marks are the counters' (shared/changes/exactly_once.py), so a redelivered
stream record changes nothing twice.

Example: line item L (write shard 2, sequence 17) moves from invoice A to B with amount 5: A gets
{records: -1, sum: -5, numbers: -1, filled: -1} and B the opposite, each with the mark s2 = 17.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from shared.changes.exactly_once import Sleep, apply_exactly_once, shard_marks, unapplied

SUM_NAMES = ("records", "sum", "numbers", "filled")


class AccumulatorKey(NamedTuple):
    """One parent record's accumulator for one linked field."""

    collection_id: str
    record_id: str
    field_id: str

    @property
    def partition(self) -> str:
        return f"{self.collection_id}#{self.record_id}#{self.field_id}"

    @classmethod
    def of(cls, partition: str) -> AccumulatorKey:
        collection_id, record_id, field_id = partition.split("#", 2)
        return cls(collection_id, record_id, field_id)


class SumsContribution(NamedTuple):
    """What one stream record adds to one accumulator (negative for what it takes away)."""

    shard: int
    sequence: int
    sums: dict[str, float]


class AccumulatorState(BaseModel):
    model_config = ConfigDict(frozen=True)

    sums: dict[str, float] = {}
    seq: dict[int, int] | None = None


class AccumulatorUpdate(BaseModel):
    """Sums to add, and the new high-water mark of each write shard (`since`: the lowest one it applies)."""

    model_config = ConfigDict(frozen=True)

    sums: dict[str, float]
    seq: dict[int, int]
    since: dict[int, int] = {}


class AccumulatorConflictError(Exception):
    """The accumulator's marks changed between read and write."""


class AccumulatorStorageError(Exception):
    """The accumulator store failed; the batch is retried."""


def add_sums(into: dict[str, float], sums: Mapping[str, float], sign: int = 1) -> dict[str, float]:
    for name, value in sums.items():
        into[name] = into.get(name, 0) + sign * value
    return into


def pending(contributions: Sequence[SumsContribution], state: AccumulatorState | None
            ) -> tuple[AccumulatorUpdate, int] | None:
    """The part of a batch `state` has not applied, summed; None when all of it was."""
    left = unapplied(contributions, state.seq if state is not None else None)
    if not left:
        return None
    total: dict[str, float] = {}
    for c in left:
        add_sums(total, c.sums)
    seq, since = shard_marks(left)
    return AccumulatorUpdate(sums=total, seq=seq, since=since), len(left)


class AccumulatorStore(ABC):
    """Accumulator items: the counters' contract, plus a read of sums and a replacement for backfills."""

    @abstractmethod
    def apply_new(self, partition: str, update: AccumulatorUpdate) -> bool:
        """Apply `update` in one write if every mark of its shards is below `update.since`; False otherwise."""

    @abstractmethod
    def read(self, partition: str) -> AccumulatorState:
        """The accumulator as stored now (consistent); an empty one when it does not exist."""

    @abstractmethod
    def apply(self, partition: str, read: AccumulatorState, update: AccumulatorUpdate) -> None:
        """Add `update.sums`, conditioned on its shards' marks being those of `read`; conflict error else."""

    @abstractmethod
    def replace(self, partition: str, read: AccumulatorState, sums: dict[str, float]) -> bool:
        """Set the sums (a backfill's count from the linked records), keeping the marks; False when the item
        changed since `read`."""


class InMemoryAccumulatorStore(AccumulatorStore):
    def __init__(self) -> None:
        self.items: dict[str, AccumulatorState] = {}
        self.writes = 0
        self._lock = threading.Lock()

    def apply_new(self, partition: str, update: AccumulatorUpdate) -> bool:
        with self._lock:
            current = self.items.get(partition, AccumulatorState())
            marks = current.seq or {}
            if any(marks.get(k, -1) >= update.since.get(k, update.seq[k]) for k in update.seq):
                return False
            self._put(partition, current, update)
            return True

    def read(self, partition: str) -> AccumulatorState:
        with self._lock:
            return self.items.get(partition, AccumulatorState())

    def apply(self, partition: str, read: AccumulatorState, update: AccumulatorUpdate) -> None:
        with self._lock:
            current = self.items.get(partition, AccumulatorState())
            if any((current.seq or {}).get(k) != (read.seq or {}).get(k) for k in update.seq):
                raise AccumulatorConflictError(partition)
            self._put(partition, current, update)

    def replace(self, partition: str, read: AccumulatorState, sums: dict[str, float]) -> bool:
        with self._lock:
            current = self.items.get(partition, AccumulatorState())
            if current != read:
                return False
            self.items[partition] = AccumulatorState(sums=dict(sums), seq=current.seq)
            self.writes += 1
            return True

    def _put(self, partition: str, current: AccumulatorState, update: AccumulatorUpdate) -> None:
        self.items[partition] = AccumulatorState(sums=add_sums(dict(current.sums), update.sums),
                                                 seq={**(current.seq or {}), **update.seq})
        self.writes += 1


@cache
def get_accumulator_store(table_name: str) -> AccumulatorStore:
    """The DynamoDB accumulator store over the records table, one per table name."""
    from shared.changes.dynamo_accumulators import DynamoAccumulatorStore  # it builds on this interface

    return DynamoAccumulatorStore(table_name)


class AccumulatorsReport(NamedTuple):
    accumulators: int
    applied: int
    skipped: int


def apply_accumulators(contributions: Iterable[tuple[str, SumsContribution]], store: AccumulatorStore, *,
                       sleep: Sleep = time.sleep) -> AccumulatorsReport:
    """Apply a batch's contributions to every accumulator they touch, exactly once; raises so it is retried."""
    grouped: dict[str, list[SumsContribution]] = defaultdict(list)
    for partition, contribution in contributions:
        grouped[partition].append(contribution)
    applied = skipped = 0
    for partition, items in grouped.items():
        a, s, _ = apply_exactly_once(store, partition, items, pending=pending, conflict=AccumulatorConflictError,
                                     sleep=sleep)
        applied, skipped = applied + a, skipped + s
    return AccumulatorsReport(len(grouped), applied, skipped)
