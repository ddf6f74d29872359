"""What deleting a record does to records that point at it: cascade, unlink, or refuse."""

from __future__ import annotations

from shared.catalog.repository import CollectionRepository
from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.records import indexing
from shared.records.model import RecordWrite, StoredRecord
from shared.records.resolver import RecordLoader, field_values

MAX_CASCADE_DEPTH = 6


def reference_writes(collections: CollectionRepository, loader: RecordLoader, collection: Collection,
                     record: StoredRecord, depth: int = 0, seen: set[str] | None = None) -> list[RecordWrite]:
    """Writes that keep relations valid once `record` is gone (run in the same transaction)."""
    seen = seen if seen is not None else {record.id}
    if depth >= MAX_CASCADE_DEPTH:
        return []
    writes: list[RecordWrite] = []
    for other in collections.all():
        ref = other.collection
        for field in ref.fields:
            if field.field_type != "relation" or getattr(field, "collection_id", "") != collection.id:
                continue
            for row in loader.all_rows(ref):
                ids, _ = field_values(ref, row, field.name)
                if record.id not in ids or row.id in seen:
                    continue
                if getattr(field, "cascade_delete", False):
                    seen.add(row.id)
                    writes.append(RecordWrite(kind="delete", record=row, expected_version=row.version,
                                              releases=indexing.unique_claims(ref, other.layout, row.data, row.id)))
                    writes.extend(reference_writes(collections, loader, ref, row, depth + 1, seen))
                    continue
                remaining = [i for i in ids if i != record.id]
                if getattr(field, "required", False) and not remaining:
                    raise BadRequestError("The record cannot be deleted because it is part of a required "
                                          "reference in another record.")
                value = remaining if field.is_multiple() else ""
                data = {**row.data, field.id: value}
                writes.append(RecordWrite(
                    kind="update", record=StoredRecord(ref.id, row.id, data, row.version + 1),
                    changed={field.id: value}, expected_version=row.version,
                    index_attrs=indexing.index_attributes(ref, other.layout, data, row.id)))
    return writes
