"""Writing a parent's linked field values: from its accumulators, or recomputed from its linked records.

A derived write is an update of the parent that sets only the derived fields, conditioned on the version read,
and stamped `{"kind": "system", "derived": "<field ids>"}` so the stream's consumers tell it apart (it reaches
realtime and webhooks as an update of the parent, attributed to the system). It reads the parent before the
values, so the write that wins a race always carries values read after every change applied before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.changes.accumulators import AccumulatorKey, AccumulatorStore
from shared.changes.linked_fields import DERIVED_KEY
from shared.records import indexing, links
from shared.records.computed import recomputed_changes
from shared.records.linked_values import LinkedSpec, parent_ids, value_from_linked
from shared.records.model import ReadMeter, RecordConflictError, RecordWrite, StoredRecord
from shared.records.repository import RecordRepository

# Re-reads of a parent that another writer changed meanwhile (a client, or another stream shard's refresh).
MAX_ATTEMPTS = 8
# Formulas over linked values: the parent's data with what they compute from the derived fields (by id; None:
# every formula, as a backfill of a new or changed formula needs).
Recompute = Callable[[StoredCollection, dict[str, Any], set[str] | None], dict[str, Any]]


def formulas_after(stored: StoredCollection, data: dict[str, Any], changed: set[str] | None) -> dict[str, Any]:
    """The data with the formulas reading the derived fields recomputed, in the same write (chaining)."""
    return {**data, **recomputed_changes(stored.collection, data, changed=changed)}


class LinkedRefresher:
    """Computes and writes the linked fields of parents; counts what it reads and writes (the bench's figures)."""

    def __init__(self, collections: CollectionRepository, records: RecordRepository, accumulators: AccumulatorStore,
                 specs: list[LinkedSpec], recompute: Recompute = formulas_after) -> None:
        self.collections = collections
        self.records = records
        self.accumulators = accumulators
        self.specs = {(s.parent.id, s.field.id): s for s in specs}
        self.recompute = recompute
        self.meter = ReadMeter()
        self.accumulator_reads = 0
        self.writes = 0

    def value(self, spec: LinkedSpec, parent: StoredRecord) -> Any:
        """The field's value for this parent, as it should be stored now."""
        if spec.incremental:
            self.accumulator_reads += 1
            sums = self.accumulators.read(AccumulatorKey(spec.parent.id, parent.id, spec.field.id).partition).sums
            return spec.field.from_sums(sums)  # type: ignore[attr-defined]
        return value_from_linked(spec, self.linked_records(spec, parent))

    def linked_records(self, spec: LinkedSpec, parent: StoredRecord) -> list[StoredRecord]:
        """The records linked to `parent`: by its relation's ids in their order, or through the reverse index."""
        source = spec.link.source
        if spec.link.kind == "forward":
            value = parent.data.get(spec.link.relation.id)
            ids = [i for i in (value if isinstance(value, list) else [value]) if isinstance(i, str) and i]
            found = self.records.get_many(source.id, list(dict.fromkeys(ids)), self.meter) if ids else {}
            return [found[i] for i in dict.fromkeys(ids) if i in found]
        ids = list(self.records.referencing(spec.parent.id, parent.id, source.id, spec.link.relation.id, self.meter))
        found = self.records.get_many(source.id, sorted(set(ids)), self.meter) if ids else {}
        # A reverse item may outlive the link (it is removed after the write): the record decides.
        return [r for _, r in sorted(found.items()) if parent.id in parent_ids(spec, r)]

    def refresh(self, collection_id: str, record_id: str, field_ids: set[str], *, all_formulas: bool = False) -> bool:
        """Bring these linked fields of one parent up to date (and every formula too with `all_formulas`); True
        when something was written."""
        for _ in range(MAX_ATTEMPTS):
            stored = self.collections.find(collection_id)
            if stored is None:
                return False
            parent = self.records.get(collection_id, record_id, self.meter)
            if parent is None:
                return False  # deleted meanwhile: nothing to keep fresh
            specs = [self.specs[(collection_id, f)] for f in sorted(field_ids) if (collection_id, f) in self.specs]
            data = dict(parent.data)
            for spec in specs:
                data[spec.field.id] = self.value(spec, parent)
            data = self.recompute(stored, data, None if all_formulas else {s.field.id for s in specs})
            changed = {k: v for k, v in data.items() if parent.data.get(k) != v}
            if not changed:
                return False
            try:
                self.records.write([self._write(stored, parent, data, changed)])
            except RecordConflictError:
                continue
            self.writes += 1
            return True
        raise RecordConflictError(stale=[(collection_id, record_id)])

    @staticmethod
    def _write(stored: StoredCollection, parent: StoredRecord, data: dict[str, Any],
               changed: dict[str, Any]) -> RecordWrite:
        collection = stored.collection
        added, removed = links.link_changes(collection, parent.data, data)
        return RecordWrite(kind="update", record=StoredRecord(collection.id, parent.id, data, parent.version + 1),
                           changed=changed, expected_version=parent.version,
                           index_attrs=indexing.index_attributes(collection, stored.layout, data, parent.id),
                           links_added=added, links_removed=removed,
                           actor={"kind": "system", DERIVED_KEY: " ".join(sorted(changed))})
