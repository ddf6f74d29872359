"""What deleting a record does to records that point at it: cascade, unlink, or refuse, as PocketBase does.

The referencing records are found through the reverse references (RecordLoader.referencing): reads grow with
the records that point at the deleted one, never with the size of their collections.
"""

from __future__ import annotations

from typing import Any

from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.records import indexing, links
from shared.records.computed import recompute
from shared.records.model import RecordWrite, StoredRecord
from shared.records.record_loader import RecordLoader
from shared.records.repository import MAX_TRANSACTION_ITEMS, TransactionTooLargeError

# Levels of cascade one delete may reach; the whole cascade is one transaction, so a deeper one is a 400.
MAX_CASCADE_DEPTH = 6
# PocketBase's answer (apis/record_crud.go) when a required relation would be left empty.
REQUIRED_REFERENCE = ("Failed to delete record. Make sure that the record is not part of a required relation "
                      "reference.")


def reference_writes(collections: CollectionRepository, loader: RecordLoader, collection: Collection,
                     record: StoredRecord) -> list[RecordWrite]:
    """Writes that keep relations valid once `record` is gone (run in the same transaction).

    A referencing record whose relation would be left empty is deleted when the field cascades (and its own
    references follow), refused with a 400 when the field is required, and otherwise has the id removed; a
    record reached through several fields gets one write.
    """
    plan = _Plan(collections, loader)
    plan.record_gone(collection, record, 0)
    root = (collection.id, record.id)
    return [*(w for key, w in plan.deletes.items() if key != root),
            *(plan.unlink_write(key) for key in plan.unlinked if key not in plan.deletes)]


class _Plan:
    def __init__(self, collections: CollectionRepository, loader: RecordLoader) -> None:
        self.collections = collections
        self.loader = loader
        self.deletes: dict[tuple[str, str], RecordWrite] = {}
        # records that lose ids: their stored collection, the record as read, and its values so far
        self.unlinked: dict[tuple[str, str], tuple[StoredCollection, StoredRecord, dict[str, Any]]] = {}

    def record_gone(self, collection: Collection, record: StoredRecord, depth: int) -> None:
        self.deletes.setdefault((collection.id, record.id), RecordWrite(kind="delete", record=record))
        for other in sorted(self.collections.all(), key=lambda s: s.collection.name):
            ref = other.collection
            if ref.type == "view":
                continue
            for field in ref.fields:
                if field.field_type != "relation" or getattr(field, "collection_id", "") != collection.id:
                    continue
                # Each referencing record is at least one item of the transaction: stop reading past what fits.
                rows = self.loader.referencing(ref, field.name, collection.id, [record.id],
                                               limit=MAX_TRANSACTION_ITEMS + 1)
                for row in rows:
                    if (ref.id, row.id) in self.deletes:
                        continue
                    if depth >= MAX_CASCADE_DEPTH:
                        raise BadRequestError(
                            f"Failed to delete record: the cascade goes deeper than {MAX_CASCADE_DEPTH} levels. "
                            "Delete the most deeply nested referencing records first.")
                    self._unlink_or_cascade(other, field, row, record.id, depth)
                if len(self.deletes) + len(self.unlinked) > MAX_TRANSACTION_ITEMS:
                    raise TransactionTooLargeError(len(self.deletes) + len(self.unlinked))

    def _unlink_or_cascade(self, other: StoredCollection, field: Any, row: StoredRecord, gone_id: str,
                           depth: int) -> None:
        ref = other.collection
        key = (ref.id, row.id)
        _, _, data = self.unlinked.get(key, (other, row, dict(row.data)))
        current = field.from_stored(data.get(field.id))
        ids = [i for i in (current if isinstance(current, list) else [current]) if i]
        remaining = [i for i in ids if i != gone_id]
        # as PocketBase: a multi-relation cascades only when no other id remains
        if getattr(field, "cascade_delete", False) and not remaining:
            self.deletes[key] = RecordWrite(kind="delete", record=row, expected_version=row.version,
                                            releases=indexing.unique_claims(ref, other.layout, row.data, row.id),
                                            links_removed=links.record_links(ref, row.data))
            self.record_gone(ref, row, depth + 1)
            return
        if getattr(field, "required", False) and not remaining:
            raise BadRequestError(REQUIRED_REFERENCE)
        data[field.id] = remaining if field.is_multiple() else ""
        data = recompute(ref, data, changed={field.id})  # formulas over the relation follow the unlink
        self.unlinked[key] = (other, row, data)

    def unlink_write(self, key: tuple[str, str]) -> RecordWrite:
        other, row, data = self.unlinked[key]
        ref = other.collection
        changed = {fid: value for fid, value in data.items() if row.data.get(fid) != value}
        added, removed = links.link_changes(ref, row.data, data)
        return RecordWrite(kind="update", record=StoredRecord(ref.id, row.id, data, row.version + 1),
                           changed=changed, expected_version=row.version,
                           index_attrs=indexing.index_attributes(ref, other.layout, data, row.id),
                           links_added=added, links_removed=removed)
