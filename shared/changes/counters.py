"""Exact `totalItems` counters maintained from the records stream, applied exactly once per stream record.

A counter item `pk = n#<partition>, sk = count` holds `total` and, for each write shard `k`, `s<k>`: the highest
stream sequence number of that shard already counted. Records of one write shard `r#<coll>#<k>` share a
partition key, so their sequence numbers grow monotonically, and Lambda redelivers only suffixes of what it
already sent: every record at or below `s<k>` has been counted and is skipped on redelivery.

A batch makes one UpdateItem per counter partition, without reading it first: the update is conditioned on
each of its write shards' marks being below the batch's lowest sequence number of that shard, i.e. on none of
it having been counted. Only when that fails (a redelivery, or a counter still in the older `seq` map format)
is the counter read and the part not yet counted applied, conditioned on the marks read.

Partitions are the collection and every index partition (`gsi<N>pk`) of the record, except those the write
marked uncounted (`nc`, see shared/records/indexing.py): a single-column UNIQUE index holds one record per
partition, so its counters would cost a write per create and serve no read.

Counters read the batch as RecordChange values (shared/changes/model.py), decoded once by the changes function;
the DynamoDB store is in shared/changes/dynamo_counters.py.

Example of the item after two inserts on write shard 3 (marks are zero-padded to 40 digits, the most a stream
sequence number has, so that DynamoDB compares them as strings in their numeric order):
    {"pk": "n#pbc_1", "sk": "count", "total": 2, "s3": "0000...0001700000000000000000002"}
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from shared.changes.exactly_once import (
    MAX_ATTEMPTS,
    Sleep,
    apply_exactly_once,
    shard_marks,
    unapplied,
)
from shared.changes.model import RecordChange
from shared.observability import logger
from shared.records import keys
from shared.runtime_resources import RECORDS_TABLE

COUNTER_SK = "count"
# Partitions are independent items, so a batch touching many of them updates them in parallel.
MAX_WORKERS = 8

_INDEX_PK_ATTRS: tuple[str, ...] = tuple(index.partition_key for index in RECORDS_TABLE.indexes)


class CounterConflictError(Exception):
    """The counter's `seq` changed between read and write: another consumer updated it first."""


class CounterStorageError(Exception):
    """The counter store failed; the whole batch must be retried."""


class CounterState(BaseModel):
    """A counter as read: its total and its applied sequence numbers; `seq` is None when it has no marks yet.

    `legacy` is set when the marks were read from the older `seq` map, which the next write converts.
    """

    model_config = ConfigDict(frozen=True)

    total: int = 0
    seq: dict[int, int] | None = None
    legacy: bool = False


class CounterUpdate(BaseModel):
    """What one conditional write adds to a counter: a delta, and the new high-water mark of each write shard.

    `since` holds the lowest sequence number the update counts for each shard: the update is new (none of it
    applied) exactly when every shard's stored mark is below it.
    """

    model_config = ConfigDict(frozen=True)

    delta: int
    seq: dict[int, int]
    # contributions this update applies (one record contributes to each counter it moves)
    records: int
    since: dict[int, int] = {}

    def lowest(self, shard: int) -> int:
        """The lowest sequence number the update counts for the shard (its mark when `since` was not given)."""
        return self.since.get(shard, self.seq[shard])


class CountersReport(BaseModel):
    """What a batch did to counters, for logs and metrics; applied and skipped count contributions."""

    partitions: int = 0
    applied: int = 0
    skipped: int = 0
    conflicts: int = 0


class Contribution(NamedTuple):
    """One stream record's effect on one counter."""

    shard: int
    sequence: int
    delta: int


# pure logic ------------------------------------------------------------------------------------------------
def _index_values(image: Mapping[str, Any] | None) -> dict[str, str]:
    """The counted index partitions of a stored image: its gsi<N>pk values, less those the write left uncounted."""
    if not image:
        return {}
    uncounted = str(image.get(keys.UNCOUNTED_ATTR) or "").split()
    return {attr: image[attr] for attr in _INDEX_PK_ATTRS
            if isinstance(image.get(attr), str) and attr not in uncounted}


def record_contributions(change: RecordChange) -> list[tuple[str, Contribution]]:
    """The (counter partition, contribution) pairs of one record change."""
    if change.write_shard is None:
        # Never written by the repository; counting it would corrupt a total, failing would block the shard.
        logger.warning("stream record with a malformed record key skipped by counters",
                       extra={"collection": change.collection_id, "record": change.record_id})
        return []
    shard, sequence = change.write_shard, change.sequence
    old = _index_values(change.old_image) if change.action != "create" else {}
    new = _index_values(change.new_image) if change.action != "delete" else {}
    out: list[tuple[str, Contribution]] = []
    if change.action == "create":
        out.append((change.collection_id, Contribution(shard, sequence, 1)))
    elif change.action == "delete":
        out.append((change.collection_id, Contribution(shard, sequence, -1)))
    for attr in _INDEX_PK_ATTRS:
        before, after = old.get(attr), new.get(attr)
        if before == after:
            continue
        if before is not None:
            out.append((before, Contribution(shard, sequence, -1)))
        if after is not None:
            out.append((after, Contribution(shard, sequence, 1)))
    return out


def aggregate(changes: Iterable[RecordChange]) -> dict[str, list[Contribution]]:
    """Group a batch's contributions by counter partition, in stream order."""
    grouped: dict[str, list[Contribution]] = defaultdict(list)
    for change in changes:
        for partition, contribution in record_contributions(change):
            grouped[partition].append(contribution)
    return dict(grouped)


def pending_update(contributions: Iterable[Contribution], applied: Mapping[int, int] | None) -> CounterUpdate | None:
    """The part of a batch not yet applied to a counter, summed per write shard; None when all of it was.

    A zero net delta still advances `seq`: a retry starting mid-batch must not apply half of a pair that
    cancelled out (an insert and a delete of one record in one batch).
    """
    left = unapplied(contributions, applied)
    if not left:
        return None
    seq, since = shard_marks(left)
    return CounterUpdate(delta=sum(c.delta for c in left), seq=seq, records=len(left), since=since)


# data access ---------------------------------------------------------------------------------------------
class CounterStore(ABC):
    """Counter items: a write conditioned on nothing of it being counted yet, else a read and a write
    conditioned on the write shards' marks read."""

    @abstractmethod
    def apply_new(self, partition: str, update: CounterUpdate) -> bool:
        """Apply `update` if every mark of its shards is below `update.since`, in one write without a read;
        False (nothing written) when some mark is not, or the counter still has the older `seq` map."""

    @abstractmethod
    def read(self, partition: str) -> CounterState:
        """The counter as stored now; a zero state when it does not exist."""

    @abstractmethod
    def apply(self, partition: str, read: CounterState, update: CounterUpdate) -> None:
        """Add `update.delta` and set `seq` for its shards; CounterConflictError when those changed since `read`."""


class InMemoryCounterStore(CounterStore):
    def __init__(self) -> None:
        self.items: dict[str, CounterState] = {}
        self._lock = threading.Lock()

    def apply_new(self, partition: str, update: CounterUpdate) -> bool:
        with self._lock:
            current = self.items.get(partition, CounterState())
            marks = current.seq or {}
            if current.legacy or any(marks.get(k, -1) >= update.lowest(k) for k in update.seq):
                return False
            self.items[partition] = CounterState(total=current.total + update.delta, seq={**marks, **update.seq})
            return True

    def read(self, partition: str) -> CounterState:
        with self._lock:
            return self.items.get(partition, CounterState())

    def apply(self, partition: str, read: CounterState, update: CounterUpdate) -> None:
        with self._lock:
            current = self.items.get(partition, CounterState())
            if not _same_seq(current.seq, read.seq, update.seq):
                raise CounterConflictError(partition)
            self.items[partition] = CounterState(total=current.total + update.delta,
                                                 seq={**(current.seq or {}), **update.seq})

    def total(self, partition: str) -> int | None:
        item = self.items.get(partition)
        return item.total if item else None


def _same_seq(current: Mapping[int, int] | None, read: Mapping[int, int] | None, shards: Iterable[int]) -> bool:
    """Whether the marks of `shards` are what was read: only a counter's own shards decide a conflict."""
    return all((current or {}).get(k) == (read or {}).get(k) for k in shards)


@cache
def get_counter_store(table_name: str) -> CounterStore:
    """The DynamoDB counter store over the records table, one per table name."""
    from shared.changes.dynamo_counters import DynamoCounterStore  # it builds on this module's interface

    return DynamoCounterStore(table_name)


# the batch -------------------------------------------------------------------------------------------------
def _pending(contributions: Sequence[Contribution], state: CounterState | None) -> tuple[CounterUpdate, int] | None:
    update = pending_update(contributions, state.seq if state is not None else None)
    return None if update is None else (update, update.records)


def _convert_legacy(state: CounterState) -> CounterUpdate | None:
    return CounterUpdate(delta=0, seq={}, records=0) if state.legacy else None


def _apply_partition(store: CounterStore, partition: str, contributions: list[Contribution], sleep: Sleep,
                     max_attempts: int) -> tuple[int, int, int]:
    """Apply one counter's share of a batch; returns (records applied, records skipped, conflicts)."""
    return apply_exactly_once(
        store, partition, contributions, pending=_pending, conflict=CounterConflictError, sleep=sleep,
        max_attempts=max_attempts,
        # a counter in the older `seq` map is written even with nothing left: the write converts it
        unsettled=_convert_legacy)


def apply_counters(changes: Iterable[RecordChange], store: CounterStore, *, sleep: Sleep = time.sleep,
                   max_attempts: int = MAX_ATTEMPTS, max_workers: int = MAX_WORKERS) -> CountersReport:
    """Apply a batch's record changes to every counter they touch, exactly once; raises so it is retried."""
    grouped = aggregate(changes)
    report = CountersReport(partitions=len(grouped))
    if not grouped:
        return report
    applied = skipped = conflicts = 0

    def run(item: tuple[str, list[Contribution]]) -> tuple[int, int, int]:
        return _apply_partition(store, item[0], item[1], sleep, max_attempts)

    items = list(grouped.items())
    # The first partition runs alone: it creates the cached boto3 client before threads share it.
    results = [run(items[0])]
    if len(items) > 1 and max_workers > 1:
        with ThreadPoolExecutor(max_workers=min(max_workers, len(items) - 1)) as pool:
            results.extend(pool.map(run, items[1:]))
    else:
        results.extend(run(item) for item in items[1:])
    for a, s, c in results:
        applied, skipped, conflicts = applied + a, skipped + s, conflicts + c
    return report.model_copy(update={"applied": applied, "skipped": skipped, "conflicts": conflicts})
