"""Backfill of a new index: writes its keys onto every existing record, then marks the index ready."""

from __future__ import annotations

from shared.catalog.repository import CollectionRepository
from shared.records import indexing
from shared.records.bulk import all_records
from shared.records.model import RecordConflictError, RecordWrite, StoredRecord
from shared.records.repository import RecordRepository


def backfill_indexes(collections: CollectionRepository, records: RecordRepository, collection_id: str) -> int:
    """Rewrite the index keys of every record of the collection; returns how many records were touched.

    Each record is updated conditionally on its version, so a concurrent write (which computes the keys
    itself) wins and is simply skipped here.
    """
    stored = collections.get(collection_id)
    collection, layout = stored.collection, stored.layout
    touched = 0
    for record in all_records(records, collection_id):
        attrs = indexing.index_attributes(collection, layout, record.data, record.id)
        write = RecordWrite(kind="update", record=StoredRecord(collection.id, record.id, record.data),
                            expected_version=record.version, index_attrs=attrs)
        try:
            records.write([write])
            touched += 1
        except RecordConflictError:
            continue
    for index in layout.indexes:
        index.ready = True
    collections.save(stored)
    return touched
