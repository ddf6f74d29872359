"""Backfill of new indexes: writes their keys and unique claims onto every existing record, then marks them ready."""

from __future__ import annotations

from shared.catalog.layout import IndexLayout
from shared.catalog.repository import CollectionRepository
from shared.collections.model import Collection
from shared.records import indexing, keys
from shared.records.model import ReadMeter, RecordConflictError, RecordWrite, StoredRecord
from shared.records.repository import RecordRepository


def duplicate_values(records: RecordRepository, collection: Collection, unique: list[IndexLayout]
                     ) -> IndexLayout | None:
    """The first of these unique indexes that existing records already violate, if any."""
    if not unique:
        return None
    seen: set[str] = set()
    for record in records.scan(collection.id, ReadMeter()):
        for index in unique:
            if index.where and not indexing.index_applies(index, collection, record.data, record.id):
                continue
            values = [indexing.column_value(collection, record.data, record.id, c) for c in index.columns]
            claim = keys.unique_pk(collection.id, index.name, values)
            if claim in seen:
                return index
            seen.add(claim)
    return None


def backfill_indexes(collections: CollectionRepository, records: RecordRepository, collection_id: str) -> int:
    """Rewrite the index keys and unique claims of every record; returns how many records were touched.

    Each record is updated conditionally on its version, so a concurrent write (which computes the keys
    itself) wins and is simply skipped here. Claims are idempotent for the record that holds them.
    """
    stored = collections.get(collection_id)
    collection, layout = stored.collection, stored.layout
    touched = 0
    for record in records.scan(collection_id, ReadMeter()):
        attrs = indexing.index_attributes(collection, layout, record.data, record.id)
        write = RecordWrite(kind="update", record=StoredRecord(collection.id, record.id, record.data),
                            expected_version=record.version, index_attrs=attrs,
                            claims=indexing.unique_claims(collection, layout, record.data, record.id))
        try:
            records.write([write])
            touched += 1
        except RecordConflictError:
            continue
    for index in layout.indexes:
        index.ready = True
    collections.save(stored)
    return touched
