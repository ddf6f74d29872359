"""Collections API logic: list, view, create, update, delete, import and truncate (superusers only)."""

from __future__ import annotations

from typing import Any

from shared.catalog.layout import plan_layout
from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.collections.model import Collection
from shared.collections.validate import validate_collection
from shared.errors import BadRequestError, NotFoundError
from shared.records import keys
from shared.records.model import ReadMeter
from shared.records.repository import RecordRepository
from shared.records.rules import check_rule
from shared.tools.filter import FilterError


def _check_rule(text: str) -> None:
    try:
        check_rule(text)
    except FilterError as exc:
        raise ValueError(str(exc)) from exc


class CollectionService:
    def __init__(self, collections: CollectionRepository, records: RecordRepository) -> None:
        self.collections = collections
        self.records = records

    def _find(self, id_or_name: str) -> Collection | None:
        found = self.collections.find(id_or_name)
        return found.collection if found else None

    def _has_records(self, collection_id: str) -> bool:
        for shard in range(keys.RECORD_SHARDS):
            for page in self.records.query_pages(pk_attr="pk", pk_value=keys.record_pk(collection_id, shard),
                                                 index=None, forward=True, meter=ReadMeter(), page_size=1):
                if page:
                    return True
                break
        return False

    def get(self, id_or_name: str) -> StoredCollection:
        found = self.collections.find(id_or_name)
        if found is None:
            raise NotFoundError()
        return found

    def create(self, body: dict[str, Any]) -> Collection:
        collection = validate_collection(body, existing=None, find_collection=self._find, check_rule=_check_rule)
        self.collections.save(StoredCollection(collection=collection,
                                               layout=plan_layout(collection, None, has_records=False)))
        return collection

    def update(self, id_or_name: str, body: dict[str, Any]) -> Collection:
        stored = self.get(id_or_name)
        collection = validate_collection(body, existing=stored.collection, find_collection=self._find,
                                         check_rule=_check_rule)
        layout = plan_layout(collection, stored.layout, has_records=self._has_records(collection.id))
        new = StoredCollection(collection=collection, layout=layout)
        self.collections.save(new)
        if any(not i.ready for i in layout.indexes):
            from shared.catalog.backfill import backfill_indexes

            backfill_indexes(self.collections, self.records, collection.id)
        return collection

    def _references(self, collection: Collection) -> list[str]:
        return [other.collection.name for other in self.collections.all() if other.collection.id != collection.id
                and any(f.field_type == "relation" and getattr(f, "collection_id", "") == collection.id
                        for f in other.collection.fields)]

    def delete(self, id_or_name: str) -> None:
        stored = self.get(id_or_name)
        if stored.collection.system:
            raise BadRequestError("Failed to delete collection due to existing dependency.",
                                  {"system": {"code": "validation_system_collection",
                                              "message": "System collections cannot be deleted."}})
        refs = self._references(stored.collection)
        if refs:
            raise BadRequestError(f"The collection is referenced by {', '.join(refs)}; remove those relations first.")
        self.truncate(stored.collection.id, allow_system=True)
        self.collections.delete(stored.collection.id)

    def truncate(self, id_or_name: str, *, allow_system: bool = False) -> None:
        stored = self.get(id_or_name)
        from shared.records.bulk import delete_all_records

        delete_all_records(self.records, stored.collection.id)

    def import_collections(self, items: list[dict[str, Any]], delete_missing: bool) -> None:
        """Validate every given collection first, then save them all; with delete_missing, drop the others."""
        if not isinstance(items, list) or not items:
            raise BadRequestError("Failed to import collections.", {"collections": {
                "code": "validation_required", "message": "Cannot be blank."}})
        pending: dict[str, Collection] = {}

        def find(id_or_name: str) -> Collection | None:
            for c in pending.values():
                if id_or_name in (c.id, c.name) or c.name.lower() == id_or_name.lower():
                    return c
            return self._find(id_or_name)

        errors: dict[str, Any] = {}
        validated: list[tuple[Collection, StoredCollection | None]] = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                errors[str(i)] = {"code": "validation_invalid_value", "message": "Must be an object."}
                continue
            key = str(item.get("id") or item.get("name") or "")
            existing = self.collections.find(key) if key else None
            try:
                collection = validate_collection(item, existing=existing.collection if existing else None,
                                                 find_collection=find, check_rule=_check_rule)
            except BadRequestError as exc:
                errors[str(i)] = exc.data or {"code": "validation_invalid_collection", "message": exc.message}
                continue
            pending[collection.id] = collection
            validated.append((collection, existing))
        if errors:
            raise BadRequestError("Failed to import collections.", {"collections": errors})
        for collection, existing in validated:
            has_records = existing is not None and self._has_records(collection.id)
            layout = plan_layout(collection, existing.layout if existing else None, has_records=has_records)
            self.collections.save(StoredCollection(collection=collection, layout=layout))
            if any(not i.ready for i in layout.indexes):
                from shared.catalog.backfill import backfill_indexes

                backfill_indexes(self.collections, self.records, collection.id)
        if delete_missing:
            keep = set(pending)
            for other in self.collections.all(fresh=True):
                if not other.collection.system and other.collection.id not in keep:
                    self.delete(other.collection.id)
