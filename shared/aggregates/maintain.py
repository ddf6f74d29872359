"""The change stream's upkeep of maintained aggregates: each record change moves its groups, exactly once.

A record contributes `{"n": 1, "sum_<field id>": value, ...}` to each group its values fall in (one, or one per
value of a multiple term). A change takes its old contribution away and adds its new one: an update that
moves no group-by value and no summed number writes nothing; one that moves a record from `north` to `south`
writes those two groups. Items per change, and per batch:

- ready: reads none; writes one conditional UpdateItem per group a batch moves (a group's contributions from
  the whole batch are summed first), retried after a read only on redelivery;
- building (the backfill job is counting, shared/jobs/aggregate_build.py): per changed record, one consistent
  GetItem of its marker and one transaction of its marker and the groups it moves (shared/aggregates/groups.py).

Which way a change is counted depends on when it happened (its stream record's approximate creation time), not
on when it is delivered: a change made before the job marked the aggregate ready, plus FLIP_S, is counted the
building way, even when it arrives late or again after the switch (the scan may have read its result); a later
one the ready way. FLIP_S covers the consumers' catalog age (a consumer that does not know `ready_at` yet only
sees changes made before it) and the second precision of the creation time, so one record's changes switch
once, in stream order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from itertools import product

import msgspec
from pydantic import BaseModel

from shared.aggregates.declarations import COUNT_SUM, MaintainedDefinition, definitions, sum_name
from shared.aggregates.grouping import keys_of
from shared.aggregates.groups import (
    CountedRecord,
    GroupStorageError,
    GroupStore,
    KeyText,
    Sums,
    group_partition,
    key_text,
)
from shared.aggregates.metrics import number_value
from shared.catalog.layout import MaintainedState
from shared.catalog.repository import CACHE_SECONDS, CollectionRepository, StoredCollection
from shared.changes.accumulators import SumsContribution, add_sums, apply_accumulators
from shared.changes.model import RecordChange
from shared.changes.record_events import stored_of
from shared.records.model import StoredRecord

# a catalog is at most CACHE_SECONDS old, and a creation time is whole seconds
FLIP_S = CACHE_SECONDS + 2.0
MARKER_ATTEMPTS = 5


class Maintained(msgspec.Struct, frozen=True):
    """A declared aggregate with its stored state: where its groups are, and whether it is still building."""

    definition: MaintainedDefinition
    state: MaintainedState

    @property
    def ready(self) -> bool:
        return self.state.ready_at is not None

    def building(self, changed_at: float) -> bool:
        """Whether a change made at `changed_at` (epoch seconds) is counted the building way."""
        return self.state.ready_at is None or changed_at < self.state.ready_at + FLIP_S


def maintained_of(stored: StoredCollection) -> list[Maintained]:
    """The collection's declared aggregates whose stored state matches their definition."""
    states = {m.name: m for m in stored.layout.maintained}
    found = []
    for definition in definitions(stored.collection):
        state = states.get(definition.name)
        if state is not None and state.digest == definition.digest:
            found.append(Maintained(definition, state))
    return found


def contribution(definition: MaintainedDefinition, record: StoredRecord | None) -> dict[KeyText, Sums]:
    """What one record adds to each group it falls in; nothing for no record."""
    if record is None:
        return {}
    keys = [keys_of(term, field, record.data.get(field.id)) for term, field in definition.terms]
    sums = {COUNT_SUM: 1.0, **{sum_name(f.id): number_value(f.from_stored(record.data.get(f.id)))
                               for f in definition.sum_fields}}
    return {key_text(key): dict(sums) for key in product(*keys)}


def deltas(before: dict[KeyText, Sums], after: dict[KeyText, Sums]) -> dict[KeyText, Sums]:
    """What moves each group from `before` to `after`; groups left as they were are left out."""
    out: dict[KeyText, Sums] = {}
    for key in dict.fromkeys([*before, *after]):
        moved = add_sums(dict(after.get(key, {})), before.get(key, {}), -1)
        if any(v != 0 for v in moved.values()):
            out[key] = moved
    return out


class MaintainedReport(BaseModel):
    """What a batch did to maintained aggregates, for logs and metrics."""

    groups: int = 0
    applied: int = 0
    skipped: int = 0
    records_counted: int = 0


def count_change(store: GroupStore, maintained: Maintained, change: RecordChange,
                 new: StoredRecord | None) -> bool:
    """Count one change of a building aggregate; False when it was counted before (by the scan or a delivery)."""
    cid, generation, rid = change.collection_id, maintained.state.generation, change.record_id
    target = contribution(maintained.definition, new)
    assert change.write_shard is not None
    for _ in range(MARKER_ATTEMPTS):
        current = store.marker(cid, generation, rid)
        if current is not None and current.sequence is not None and current.sequence >= change.sequence:
            return False  # a redelivery: this change, or a later one of the record, is counted
        if (current is not None and current.sequence is None and new is not None and current.version is not None
                and new.version <= current.version):
            return False  # the scan read this version or a newer one
        marker = CountedRecord(contribution=target, sequence=change.sequence, token=uuid.uuid4().hex)
        moved = deltas(current.contribution if current else {}, target)
        if store.count_record(cid, generation, rid, current, marker, moved, (change.write_shard, change.sequence)):
            return True
    raise GroupStorageError(f"the marker of {rid} kept changing")  # the batch is retried


def maintain_aggregates(changes: Iterable[RecordChange], collections: CollectionRepository,
                        store: GroupStore) -> MaintainedReport:
    """Apply a batch to every maintained aggregate it touches; raises (so the batch is retried) on storage errors."""
    batch = [c for c in changes if c.write_shard is not None]
    ids = {c.collection_id for c in batch}
    kept = {s.collection.id: m for s in collections.all() if s.collection.id in ids and (m := maintained_of(s))}
    if not kept:
        return MaintainedReport()
    ready: list[tuple[str, SumsContribution]] = []
    counted = 0
    for change in batch:
        old = stored_of(change, change.old_image) if change.action != "create" else None
        new = stored_of(change, change.new_image) if change.action != "delete" else None
        assert change.write_shard is not None
        for maintained in kept.get(change.collection_id, []):
            if maintained.building(change.changed_at):
                counted += count_change(store, maintained, change, new)
                continue
            definition, generation = maintained.definition, maintained.state.generation
            for key, sums in deltas(contribution(definition, old), contribution(definition, new)).items():
                ready.append((group_partition(change.collection_id, generation, key),
                              SumsContribution(change.write_shard, change.sequence, sums)))
    report = apply_accumulators(ready, store)
    return MaintainedReport(groups=report.accumulators, applied=report.applied, skipped=report.skipped,
                            records_counted=counted)
