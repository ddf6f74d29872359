"""Computed fields under backfill, read as computed on read until the backfill job reaches the record.

A formula, lookup, rollup or count added to (or changed on) a collection with records is backfilled by a job
(shared/jobs/linked_backfill.py) that goes through the records in id order; the layout names the fields and
the last record done (`FieldBackfill.cursor`). Until the job passes a record, its stored value is stale (null
for a new field), so every read that presents records (view, list, expand, realtime, auth responses, batch)
shows the value computed now instead:

- a formula over the record's own fields: evaluated, as in a write;
- a lookup, rollup or count: from its linked records, read through the relation's ids (forward) or the reverse
  references (back-relation), never a scan; then the formulas over it, so a chained formula follows.

Bounded: one request reads at most `ON_READ_LINKED_MAX` linked records for this (besides what its query reads,
and within its query budget). A field that would need more shows null with the marker
`"<name>:error": "Still being computed ..."`, as an evaluation error shows, until the job stores it.

Filters and sorts cannot use values computed on read (they are planned on stored values and indexes), so a
list that filters or sorts by a field under backfill answers 400 `validation_field_backfilling`
(`list_error`); rules and saved views' filters read the stored value meanwhile (docs/computed-fields.md).
"""

from __future__ import annotations

from typing import Any

from shared.catalog.layout import FieldBackfill
from shared.collections.fields.computed import error_key
from shared.collections.fields.lookup import LinkedField
from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.records.computed import recompute
from shared.records.linked_values import LinkedSpec, value_from_linked
from shared.records.model import StoredRecord
from shared.records.record_loader import RecordLoader

# Linked records one request may read to compute fields under backfill (its list page, expands, ...): a page
# of 30 parents with 60 children each; more than that waits for the job.
ON_READ_LINKED_MAX = 2_000
STILL_COMPUTING = ("Still being computed: more than {limit} linked records to read on read; the backfill job "
                   "stores this value when it reaches the record.")


class BackfillReads:
    """One request's reads of fields under backfill: values computed on read, within one linked-reads bound."""

    def __init__(self, loader: RecordLoader) -> None:
        self.loader = loader
        self.linked_read = 0

    def pending(self, collection: Collection) -> list[FieldBackfill]:
        """The collection's fields a backfill job is still computing (from the cached catalog)."""
        stored = self.loader.collections.find(collection.id)
        return list(stored.layout.backfills) if stored is not None else []

    def apply(self, collection: Collection, record: StoredRecord) -> StoredRecord:
        """The record with the fields the backfill has not reached yet computed now (itself when none)."""
        fields = [b.field_id for b in self.pending(collection) if record.id > b.cursor]
        if not fields:
            return record
        data = dict(record.data)
        for field_id in fields:
            field = collection.field_by_id(field_id)
            if isinstance(field, LinkedField):
                self._linked_value(collection, field, record, data)
        # every formula, in dependency order: one under backfill, and those over a linked value computed above
        data = recompute(collection, data, changed=None)
        return StoredRecord(record.collection_id, record.id, data, record.version)

    def _linked_value(self, collection: Collection, field: LinkedField, record: StoredRecord,
                      data: dict[str, Any]) -> None:
        def find(key: str) -> Collection | None:
            found = self.loader.collections.find(key)
            return found.collection if found is not None else None

        link = field.link(collection, find)
        marker = error_key(field.id)
        if link is None:
            return  # its relation is gone: the stored value is all there is
        spec = LinkedSpec(collection, field, link)
        linked = self._linked_records(spec, record)
        if linked is None:
            data[field.id] = None
            data[marker] = STILL_COMPUTING.format(limit=ON_READ_LINKED_MAX)
            return
        data[field.id] = value_from_linked(spec, linked)
        if marker in data:
            data[marker] = None

    def _linked_records(self, spec: LinkedSpec, record: StoredRecord) -> list[StoredRecord] | None:
        """The records linked to `record` (in the link's order), or None past the request's bound."""
        left = ON_READ_LINKED_MAX - self.linked_read
        source, relation = spec.link.source, spec.link.relation
        if spec.link.kind == "forward":
            value = record.data.get(relation.id)
            ids = list(dict.fromkeys(i for i in (value if isinstance(value, list) else [value])
                                     if isinstance(i, str) and i))
            if len(ids) > left:
                return None
            linked = self.loader.many(source, ids) if ids else []
        else:
            linked = self.loader.referencing(source, relation.name, spec.parent.id, [record.id], limit=left + 1)
            if len(linked) > left:
                return None
        self.linked_read += len(linked)
        return linked


def list_error(pending: list[FieldBackfill], filter_names: set[str], sort_names: set[str]) -> BadRequestError | None:
    """The 400 for a list filtering or sorting by a field still being backfilled (storage cannot select or order
    by values computed on read), naming the field and the job's progress."""
    for param, names, message in (("filter", filter_names, "Invalid filter parameters."),
                                  ("sort", sort_names, "Invalid sort parameter.")):
        for backfill in pending:
            if backfill.name in names:
                return BadRequestError(message, {param: {
                    "code": "validation_field_backfilling",
                    "message": f"The field {backfill.name} is still being computed for existing records "
                               f"({backfill.seen} done, see the collection's computedStates): {param} by it once "
                               "that is done."}})
    return None
