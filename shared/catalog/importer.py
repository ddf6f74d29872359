"""PUT /api/collections/import as PocketBase's ImportCollections: the whole set is checked together, then saved.

Each imported collection is read on top of the stored one with the same id (or name), else as a new one.
Relations resolve against the whole import, whatever its order. Without deleteMissing, stored fields the
import leaves out are kept (appended); with it, only system fields are, and every non-system collection
not in the import is deleted with its records. Nothing is written unless every collection is valid; the
first invalid one is reported as PocketBase reports it, its errors in the message.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec

from shared.catalog.repository import StoredCollection
from shared.collections.collection_load import load_collection
from shared.collections.field_list import add_field
from shared.collections.model import Collection
from shared.collections.validate import validate_collection
from shared.errors import BadRequestError

if TYPE_CHECKING:
    from collections.abc import Callable

    from shared.catalog.collections_admin import CollectionsAdmin

LOAD_ERROR = "An error occurred while loading the submitted data."
VALIDATE_ERROR = "An error occurred while validating the submitted data."
IMPORT_FAILED = "Failed to import collections."
IMPORT_FAILURE_CODE = "validation_collections_import_failure"


class _Entry(msgspec.Struct):
    body: dict[str, Any]
    stored: StoredCollection | None
    collection: Collection


def parse_import_body(body: Any) -> tuple[list[dict[str, Any]], bool]:
    """The form's `collections` (a list of objects, required) and `deleteMissing` (a bool)."""
    if not isinstance(body, dict):
        raise BadRequestError(LOAD_ERROR, {})
    items, delete_missing = body.get("collections"), body.get("deleteMissing")
    if items is not None and (not isinstance(items, list) or not all(isinstance(i, dict) for i in items)):
        raise BadRequestError(LOAD_ERROR, {})
    if delete_missing is not None and not isinstance(delete_missing, bool):
        raise BadRequestError(LOAD_ERROR, {})
    if not items:
        # an empty import would delete everything with deleteMissing
        raise BadRequestError(VALIDATE_ERROR, {"collections": {"code": "validation_required",
                                                               "message": "Cannot be blank."}})
    return items, bool(delete_missing)


class ImportPlan(msgspec.Struct):
    """A validated import: the collections to delete, and each collection to save with its stored version."""

    removed: list[StoredCollection]
    validated: list[tuple[Collection, StoredCollection | None]]


def import_collections(service: CollectionsAdmin, body: Any) -> None:
    """Validate the whole import against itself, then delete what is missing (if asked) and save."""
    items, delete_missing = parse_import_body(body)
    plan = plan_import(service, items, delete_missing)
    for gone in plan.removed:
        service.remove(gone)
    for collection, previous in plan.validated:
        service.save_with_layout(collection, previous.layout if previous else None, "import")
    for collection, previous in plan.validated:  # once every source is saved
        if collection.is_view and (previous is None or previous.collection.view_query != collection.view_query):
            service.build_view(collection, clear=previous is not None)


def plan_import(service: CollectionsAdmin, items: list[dict[str, Any]], delete_missing: bool) -> ImportPlan:
    """Load and validate every collection of an import against the others and the stored ones; writes nothing.
    Raises the import's 400 on the first invalid collection (templates validate their collections here too)."""
    stored_all = {s.collection.id: s for s in service.collections.all(fresh=True)}
    entries = [_load(service, index, item, delete_missing) for index, item in enumerate(items)]
    imported_ids = {entry.collection.id for entry in entries}
    removed = [s for s in stored_all.values()
               if delete_missing and not s.collection.system and s.collection.id not in imported_ids]
    removed_ids = {s.collection.id for s in removed}
    validated = [(_validate(service, entry, entries, stored_all, removed_ids, delete_missing), entry.stored)
                 for entry in entries]
    return ImportPlan(removed, validated)


def _load(service: CollectionsAdmin, index: int, item: dict[str, Any], delete_missing: bool) -> _Entry:
    key = str(item.get("id") or item.get("name") or "")
    stored: StoredCollection | None = service.collections.find(key) if key else None
    body = dict(item)
    if stored is not None and body.get("fields") is None and delete_missing:
        body["fields"] = []  # the stored fields are cleared, system ones excepted
    existing = stored.collection if stored else None
    try:
        collection = load_collection(body, existing, lambda ref: _stored_by_ref(service, ref),
                                     extend_fields=_keep_stored_fields(existing, delete_missing))
    except BadRequestError as exc:
        raise _failure(f"Failed to import the collections configuration. Raw error:\ncollection {index}: "
                       f"{exc.message}") from exc
    return _Entry(body, stored, collection)


def _stored_by_ref(service: CollectionsAdmin, ref: str) -> Collection | None:
    found = service.collections.find(ref)
    return found.collection if found else None


def _keep_stored_fields(existing: Collection | None, delete_missing: bool) -> Callable[[Collection], None] | None:
    if existing is None:
        return None

    def extend(imported: Collection) -> None:
        for field in existing.fields:
            if (delete_missing and not field.system) or imported.field_by_id(field.id) is not None:
                continue
            same_name = imported.field_by_name(field.name)
            if same_name is not None and same_name.field_type == field.field_type:
                same_name.id = field.id  # the stored field (and its values) wins over a re-added namesake
            add_field(imported.fields, field.model_copy(deep=True))  # type: ignore[arg-type]

    return extend


def _validate(service: CollectionsAdmin, entry: _Entry, entries: list[_Entry],
              stored_all: dict[str, StoredCollection], removed_ids: set[str], delete_missing: bool) -> Collection:
    own_id = entry.collection.id
    others = [e.collection for e in entries if e.collection.id != own_id]
    others += [s.collection for s in stored_all.values()
               if s.collection.id not in removed_ids and s.collection.id != own_id
               and all(s.collection.id != o.id for o in others)]

    def find(ref: str) -> Collection | None:
        # the import's own version of a collection wins over the stored one
        return next((c for c in others if c.id == ref), None) or next(
            (c for c in others if c.name.lower() == ref.lower()), None)

    from shared.catalog.collections_admin import check_rule_syntax, rule_reference_errors
    from shared.collections.computed_graph import clock_reader_errors
    from shared.views.definition import view_fields

    existing = entry.stored.collection if entry.stored else None
    body = {**entry.body, "id": own_id}
    try:
        collection = validate_collection(body, existing=existing, find_collection=find, check_rule=check_rule_syntax,
                                         extend_fields=_keep_stored_fields(existing, delete_missing),
                                         infer_view_fields=lambda query: view_fields(query, find))
    except BadRequestError as exc:
        raise _validation_failure(entry.collection, exc.data) from exc
    from shared.aggregates.declarations import declaration_errors

    errors = {**rule_reference_errors(collection, find), **declaration_errors(collection)}
    clock = clock_reader_errors(collection, others)
    if clock:
        errors["fields"] = clock
    if errors:
        raise _validation_failure(collection, errors)
    return collection


def _validation_failure(collection: Collection, data: dict[str, Any]) -> BadRequestError:
    details = json.dumps(_messages(data), indent=2, sort_keys=True, ensure_ascii=False)
    return _failure(f'Data validations failed for collection "{collection.name}" ({collection.id}):\n{details}.')


def _messages(data: Any) -> Any:
    """Error data as ozzo serialises validation.Errors: each leaf is just its message."""
    if isinstance(data, dict) and isinstance(data.get("code"), str) and isinstance(data.get("message"), str):
        return getattr(data, "raw_message", "") or data["message"]
    if isinstance(data, dict):
        return {key: _messages(value) for key, value in data.items()}
    return data


def _failure(message: str) -> BadRequestError:
    return BadRequestError(IMPORT_FAILED, {"collections": {"code": IMPORT_FAILURE_CODE, "message": message}})
