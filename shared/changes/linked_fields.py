"""What a batch of record changes does to lookup, rollup and count fields: contributions and parents to refresh.

Pure planning over the catalog and the stream's images; reads only the reverse references (through
`referencing`) to find the parents of a record linked by a forward relation. For each linked field whose
linked records' collection changed:
- back-relation (`items_via_invoice`), incremental aggregate: the change's old contribution is taken from the
  parents of its old image and its new one added to those of its new image (a re-link moves it, an unlink or
  delete takes it away), as SumsContribution values for the accumulators;
- otherwise (MIN, MAX, lookups, text, array and logic aggregates, or a forward relation): the parents are
  refreshed from their linked records.
A change that touches neither the link, nor the target field, nor a field the filter reads, affects nothing.
A parent whose own forward relation changed is refreshed too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import msgspec

from shared.changes.accumulators import AccumulatorKey, SumsContribution
from shared.changes.model import RecordChange
from shared.changes.record_events import stored_of
from shared.records.actor import decode_actor
from shared.records.linked_values import LinkedSpec, contribution_sums, parent_ids, selected
from shared.records.model import StoredRecord

# the actor stamp's key naming the fields a derived write set (shared/changes/linked_refresh.py)
DERIVED_KEY = "derived"


class LinkedWork(msgspec.Struct):
    """A batch's effect: accumulator contributions, and the (collection, record) parents to refresh, by field."""

    contributions: list[tuple[str, SumsContribution]] = msgspec.field(default_factory=list)
    refresh: dict[tuple[str, str], set[str]] = msgspec.field(default_factory=dict)

    def touch(self, collection_id: str, record_id: str, field_id: str) -> None:
        self.refresh.setdefault((collection_id, record_id), set()).add(field_id)


Referencing = Callable[[LinkedSpec, str], list[str]]


def is_derived(change: RecordChange) -> bool:
    """Whether the change is a linked field's own write to a parent (it never re-triggers that field)."""
    return DERIVED_KEY in (decode_actor(change.new_image) or {})


def plan_linked(changes: Iterable[RecordChange], specs: list[LinkedSpec], referencing: Referencing) -> LinkedWork:
    """What a batch does to linked fields; `referencing(spec, id)` names the parents linking `id` forward."""
    work = LinkedWork()
    by_source: dict[str, list[LinkedSpec]] = {}
    by_parent: dict[str, list[LinkedSpec]] = {}
    for spec in specs:
        by_source.setdefault(spec.link.source.id, []).append(spec)
        if spec.link.kind == "forward":
            by_parent.setdefault(spec.parent.id, []).append(spec)
    for change in changes:
        if change.write_shard is None:
            continue
        old = stored_of(change, change.old_image) if change.action != "create" else None
        new = stored_of(change, change.new_image) if change.action != "delete" else None
        changed = _changed_ids(old, new)
        for spec in by_source.get(change.collection_id, []):
            if change.action == "update" and not (changed & spec.read_ids()):
                continue
            _plan_source_change(work, spec, change, old, new, referencing)
        # a derived write sets no relation: only the fields reading what it derived (above) follow it
        for spec in ([] if is_derived(change) else by_parent.get(change.collection_id, [])):
            if new is not None and (change.action == "create" or spec.link.relation.id in changed):
                work.touch(spec.parent.id, change.record_id, spec.field.id)
    return work


def _changed_ids(old: StoredRecord | None, new: StoredRecord | None) -> set[str]:
    before, after = (old.data if old else {}), (new.data if new else {})
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


def _plan_source_change(work: LinkedWork, spec: LinkedSpec, change: RecordChange, old: StoredRecord | None,
                        new: StoredRecord | None, referencing: Referencing) -> None:
    fid, pid = spec.field.id, spec.parent.id
    if spec.link.kind == "forward":
        for parent in referencing(spec, change.record_id):
            work.touch(pid, parent, fid)
        return
    before = parent_ids(spec, old) if old is not None and selected(spec, old) else []
    after = parent_ids(spec, new) if new is not None and selected(spec, new) else []
    if not spec.incremental:
        for parent in dict.fromkeys([*parent_ids(spec, old), *parent_ids(spec, new)]):
            work.touch(pid, parent, fid)
        return
    assert change.write_shard is not None
    net: dict[str, dict[str, float]] = {}
    for parents, record, sign in ((before, old, -1), (after, new, 1)):
        if record is None:
            continue
        sums = contribution_sums(spec, record)
        for parent in dict.fromkeys(parents):
            into = net.setdefault(parent, {})
            for name, value in sums.items():
                into[name] = into.get(name, 0) + sign * value
    for parent, sums in net.items():
        key = AccumulatorKey(pid, parent, fid)
        # A zero net still advances the marks: a retry from mid-batch must not apply half of it.
        work.contributions.append((key.partition, SumsContribution(change.write_shard, change.sequence, sums)))
        work.touch(pid, parent, fid)
