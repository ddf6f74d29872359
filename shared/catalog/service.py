"""Collections API logic: list, view, create, update, delete, import and truncate (superusers only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.catalog.layout import CollectionLayout, IndexLayout, plan_layout
from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.collections.indexes import try_parse_index
from shared.collections.model import Collection
from shared.collections.validate import validate_collection
from shared.errors import BadRequestError, NotFoundError
from shared.records.model import ReadMeter
from shared.records.planner import Plan
from shared.records.repository import RecordRepository
from shared.records.rules import check_rule, unknown_identifier
from shared.tools.filter import FilterError

_RULE_ATTRIBUTES = (("listRule", "list_rule"), ("viewRule", "view_rule"), ("createRule", "create_rule"),
                    ("updateRule", "update_rule"), ("deleteRule", "delete_rule"))
_AUTH_RULE_ATTRIBUTES = (("authRule", "auth_rule"), ("manageRule", "manage_rule"))


def check_rule_syntax(text: str) -> None:
    try:
        check_rule(text)
    except FilterError as exc:
        raise ValueError(str(exc)) from exc


def rule_reference_errors(collection: Collection, find: Callable[[str], Collection | None]) -> dict[str, Any]:
    """Rules that parse but name a field or collection that does not exist (PocketBase rejects them too)."""
    errors: dict[str, Any] = {}
    for key, attribute in _RULE_ATTRIBUTES + (_AUTH_RULE_ATTRIBUTES if collection.is_auth else ()):
        text = getattr(collection, attribute)
        if not text or not text.strip():
            continue
        try:
            problem = unknown_identifier(text, collection, find)
        except FilterError:
            continue  # a syntax error, already reported by validate_collection
        if problem:
            errors[key] = {"code": "validation_invalid_rule", "message": f"Invalid rule. Raw error: {problem}."}
    return errors


def _new_unique_indexes(layout: CollectionLayout, previous: CollectionLayout | None) -> list[IndexLayout]:
    """Unique indexes the previous layout did not enforce in the same way."""
    found = []
    for index in layout.indexes:
        old = previous.by_name(index.name) if previous else None
        if index.unique and not (old and old.unique and old.columns == index.columns and old.where == index.where):
            found.append(index)
    return found


class CollectionService:
    def __init__(self, collections: CollectionRepository, records: RecordRepository) -> None:
        self.collections = collections
        self.records = records

    def _find(self, id_or_name: str) -> Collection | None:
        found = self.collections.find(id_or_name)
        return found.collection if found else None

    def _has_records(self, collection_id: str) -> bool:
        scan = Plan(kind="scan", description="any record", collection_id=collection_id)
        return next(self.records.query(scan, ReadMeter(), want=1), None) is not None

    def list_json(self) -> list[dict[str, Any]]:
        """Every collection as the API shows it, in creation order (PocketBase's unsorted list order)."""
        ordered = sorted((s.collection for s in self.collections.all()), key=lambda c: (c.created, c.id))
        return [collection.to_api_json() for collection in ordered]

    def get(self, id_or_name: str) -> StoredCollection:
        found = self.collections.find(id_or_name)
        if found is None:
            raise NotFoundError()
        return found

    def create(self, body: dict[str, Any]) -> Collection:
        collection = validate_collection(body, existing=None, find_collection=self._find, check_rule=check_rule_syntax)
        errors = rule_reference_errors(collection, self._find)
        if errors:
            raise BadRequestError("Failed to create collection.", errors)
        self.records.init_counter(collection.id)
        self.collections.save(StoredCollection(collection=collection,
                                               layout=plan_layout(collection, None, has_records=False)))
        return collection

    def update(self, id_or_name: str, body: dict[str, Any]) -> Collection:
        stored = self.get(id_or_name)
        if isinstance(body, dict) and isinstance(body.get("id"), str) and body["id"] != stored.collection.id:
            raise NotFoundError()  # PocketBase looks the collection up again by the submitted id
        collection = validate_collection(body, existing=stored.collection, find_collection=self._find,
                                         check_rule=check_rule_syntax)
        errors = rule_reference_errors(collection, self._find)
        if errors:
            raise BadRequestError("Failed to update collection.", errors)
        self.save_with_layout(collection, stored.layout, "update")
        return collection

    def save_with_layout(self, collection: Collection, previous: CollectionLayout | None, action: str) -> None:
        """Save a collection; existing records get the keys of new indexes and claims of new unique ones."""
        has_records = previous is not None and self._has_records(collection.id)
        layout = plan_layout(collection, previous, has_records=has_records)
        new_unique = _new_unique_indexes(layout, previous) if has_records else []
        from shared.catalog.backfill import backfill_indexes, duplicate_values

        duplicated = duplicate_values(self.records, collection, new_unique)
        if duplicated is not None:
            positions = {spec.name: i for i, raw in enumerate(collection.indexes) if (spec := try_parse_index(raw))}
            raise BadRequestError(f"Failed to {action} collection.", {"indexes": {
                str(positions.get(duplicated.name, 0)): {
                    "code": "validation_invalid_index_expression",
                    "message": f"The unique index {duplicated.name} cannot be created: existing records have "
                               "duplicate values."}}})
        if previous is None:
            self.records.init_counter(collection.id)
        self.collections.save(StoredCollection(collection=collection, layout=layout))
        if new_unique or any(not i.ready for i in layout.indexes):
            backfill_indexes(self.collections, self.records, collection.id)

    def _references(self, collection: Collection) -> list[str]:
        return [other.collection.name for other in self.collections.all() if other.collection.id != collection.id
                and any(f.field_type == "relation" and getattr(f, "collection_id", "") == collection.id
                        for f in other.collection.fields)]

    def delete(self, id_or_name: str) -> None:
        stored = self.get(id_or_name)
        if stored.collection.system:
            raise BadRequestError("Failed to delete collection.", {})
        refs = self._references(stored.collection)
        if refs:
            raise BadRequestError(f"Failed to delete collection probably due to existing reference in {refs[0]}.", {})
        self.truncate(stored.collection.id, allow_system=True)
        self.collections.delete(stored.collection.id)

    def truncate(self, id_or_name: str, *, allow_system: bool = False) -> None:
        stored = self.get(id_or_name)
        from shared.records import indexing, links

        self.records.delete_collection_data(stored.collection.id, lambda record: indexing.unique_claims(
            stored.collection, stored.layout, record.data, record.id),
            lambda record: links.record_links(stored.collection, record.data))

    def import_collections(self, body: Any) -> None:
        """PUT /api/collections/import (see shared.catalog.importer)."""
        from shared.catalog.importer import import_collections

        import_collections(self, body)

    def remove(self, stored: StoredCollection) -> None:
        """Delete a collection and its records without dependency checks (an import replaces the whole set)."""
        self.truncate(stored.collection.id, allow_system=True)
        self.collections.delete(stored.collection.id)
