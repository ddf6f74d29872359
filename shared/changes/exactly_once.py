"""Applying stream contributions exactly once per stream record: per-write-shard high-water marks.

Extracted from the counters (shared/changes/counters.py), which keep their worked example; the linked computed
fields (shared/changes/accumulators.py) use the same mechanism for their sums and counts.

A maintained item keeps, for each write shard `k` whose records contributed to it, `s<k>`: the highest stream
sequence number of that shard already applied. Records of one write shard share a partition key, so their
sequence numbers grow, and Lambda redelivers only suffixes of what it sent: a contribution at or below the
mark was applied and is skipped.

One batch makes one conditional write per item, without reading it first, conditioned on every mark of its
shards being below the batch's lowest sequence number of that shard (`since`): none of it applied yet. Only
when that fails (a redelivery) is the item read, and the part not yet applied written, conditioned on the
marks read; a conflict with another writer is retried with jittered backoff.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

MAX_ATTEMPTS = 5
BACKOFF_BASE_S = 0.05
# Stream sequence numbers have at most 40 digits; stored zero-padded, strings compare in numeric order.
SEQUENCE_DIGITS = 40

Sleep = Callable[[float], None]


class ShardMarked(Protocol):
    """A contribution: the write shard and stream sequence number of the stream record it comes from."""

    @property
    def shard(self) -> int: ...

    @property
    def sequence(self) -> int: ...


C = TypeVar("C", bound=ShardMarked)
State = TypeVar("State")
Update = TypeVar("Update")


def unapplied(contributions: Iterable[C], applied: Mapping[int, int] | None) -> list[C]:
    """The contributions above their shard's mark: what an item with these marks has not applied yet."""
    applied = applied or {}
    return [c for c in contributions if c.sequence > applied.get(c.shard, -1)]


def shard_marks(contributions: Iterable[ShardMarked]) -> tuple[dict[int, int], dict[int, int]]:
    """(highest, lowest) sequence number per write shard: the marks to set, and the `since` to condition on."""
    seq: dict[int, int] = {}
    since: dict[int, int] = {}
    for c in contributions:
        seq[c.shard] = max(seq.get(c.shard, c.sequence), c.sequence)
        since[c.shard] = min(since.get(c.shard, c.sequence), c.sequence)
    return seq, since


def padded_mark(sequence: int) -> str:
    """A mark as stored: zero-padded so that DynamoDB's string order is the numeric order."""
    return str(sequence).zfill(SEQUENCE_DIGITS)


class ConflictError(Exception):
    """The item's marks changed between read and write: another consumer updated it first."""


class MarkedStore(Protocol):
    """The storage side of one kind of maintained item (the counters' or the accumulators')."""

    def apply_new(self, partition: str, update: Any) -> bool:
        """Apply `update` if none of it is applied yet, in one write without a read; False when not."""
        ...

    def read(self, partition: str) -> Any:
        """The item as stored now (its marks included)."""
        ...

    def apply(self, partition: str, read: Any, update: Any) -> None:
        """Apply `update` conditioned on the marks of its shards being those of `read`; ConflictError else."""
        ...


def apply_exactly_once(store: MarkedStore, partition: str, contributions: Sequence[C], *,
                       pending: Callable[[Sequence[C], State | None], tuple[Update, int] | None],
                       unsettled: Callable[[State], Update | None] = lambda _s: None,
                       conflict: type[Exception] = ConflictError, sleep: Sleep,
                       max_attempts: int = MAX_ATTEMPTS) -> tuple[int, int, int]:
    """Apply one item's share of a batch exactly once; returns (contributions applied, skipped, conflicts).

    `pending(contributions, state)` builds the update of what `state` has not applied yet (all of it for None)
    and how many contributions it applies, None when nothing is left; `unsettled(state)` is an empty update
    when the item must be written even so (the counters' older mark format, which a write converts).
    """
    whole = pending(contributions, None)
    if whole is None:
        return 0, 0, 0
    # The common case, a batch seen for the first time: one conditional write, no read.
    if store.apply_new(partition, whole[0]):
        return whole[1], 0, 0
    conflicts = 0
    for attempt in range(max_attempts):
        state = store.read(partition)
        left = pending(contributions, state)
        if left is None:
            empty = unsettled(state)
            if empty is None:
                return 0, len(contributions), conflicts
            left = (empty, 0)
        try:
            store.apply(partition, state, left[0])
        except conflict:
            conflicts += 1
            if attempt + 1 == max_attempts:
                raise
            # Full jitter, so two consumers that collided do not collide again on the same beat.
            sleep(random.uniform(0, BACKOFF_BASE_S * 2 ** attempt))
            continue
        return left[1], len(contributions) - left[1], conflicts
    raise conflict(partition)  # unreachable: the last attempt returns or raises
