"""Exporting collections with their saved views (and, if asked, their records as sample data) as a template."""

from __future__ import annotations

from typing import Any

from shared.catalog.repository import CollectionRepository
from shared.collections.fields.computed import ComputedField
from shared.collections.model import Collection
from shared.collections.system import VIEWS_COLLECTION_NAME
from shared.errors import BadRequestError
from shared.records.scope import RecordScope
from shared.templates.model import (
    MAX_COLLECTIONS,
    MAX_SAMPLE_RECORDS,
    SAMPLE_KEY,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    TemplateView,
    parse_template,
)
from shared.templates.rename import without_prefix

FAILED = "Failed to export template."
# server-set keys of a collection, and record keys every record answers
_COLLECTION_SERVER_KEYS = ("id", "created", "updated")
_RECORD_KEYS = ("id", "collectionId", "collectionName", "expand")
# field types whose values a template cannot carry (files live in S3) or the server sets
_SKIPPED_VALUE_TYPES = ("file", "autodate", "password")
_VIEW_KEYS = tuple(TemplateView.model_fields)


def _error(message: str, key: str = "collections") -> BadRequestError:
    return BadRequestError(FAILED, {key: {"code": "validation_invalid_export", "message": message}})


class TemplateExporter:
    """Reads as the caller of `scope` (a superuser)."""

    def __init__(self, collections: CollectionRepository, scope: RecordScope) -> None:
        self.collections, self.scope = collections, scope

    def export(self, names: Any, *, strip_prefix: str = "", records: bool = False,
               meta: dict[str, str] | None = None) -> dict[str, Any]:
        chosen = self._chosen(names)
        ids = {c.id for c in chosen}
        data: dict[str, Any] = {"format": TEMPLATE_FORMAT, "version": TEMPLATE_VERSION, **(meta or {}),
                                "collections": [self._collection(c) for c in chosen],
                                "views": [view for c in chosen for view in self._views(c)]}
        if records:
            data["sampleData"] = self._records(chosen, ids)
        try:
            template = parse_template(data)
        except BadRequestError as exc:  # e.g. a name too long for the file, or a view holding what it cannot
            raise BadRequestError(FAILED, exc.data) from exc
        return without_prefix(template, strip_prefix).model_dump(mode="json")

    def _chosen(self, names: Any) -> list[Collection]:
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise _error("A list of collection names or ids.")
        if len(names) > MAX_COLLECTIONS:
            raise _error(f"At most {MAX_COLLECTIONS} collections.")
        chosen: list[Collection] = []
        for name in names:
            stored = self.collections.find(name)
            if stored is None:
                raise _error(f"Unknown collection {name!r}.")
            if stored.collection.system:
                raise _error(f"{stored.collection.name} is a system collection.")
            if all(c.id != stored.collection.id for c in chosen):
                chosen.append(stored.collection)
        return chosen

    def _name_of(self, collection_id: str) -> str:
        stored = self.collections.find(collection_id)
        return stored.collection.name if stored else collection_id

    def _collection(self, collection: Collection) -> dict[str, Any]:
        body = {k: v for k, v in collection.to_api_json().items() if k not in _COLLECTION_SERVER_KEYS}
        for field in body.get("fields", []):
            if field.get("type") == "relation":
                field["collectionId"] = self._name_of(str(field.get("collectionId") or ""))
        return body

    def _views(self, collection: Collection) -> list[dict[str, Any]]:
        page = self.scope.reader.list_page(VIEWS_COLLECTION_NAME, {
            "filter": f"collection = '{collection.id}'", "perPage": "500", "skipTotal": "1", "sort": "created"})
        views = []
        for item in page["items"]:
            view = {key: item.get(key) for key in _VIEW_KEYS if item.get(key) not in (None, "")}
            view["collection"] = collection.name
            for rule in ("viewRule", "manageRule"):
                view[rule] = item.get(rule)  # null (superusers only) and "" (everyone) differ
            views.append(view)
        return views

    def _records(self, chosen: list[Collection], ids: set[str]) -> dict[str, list[dict[str, Any]]]:
        """Each base collection's records, their ids as keys; links to records outside the export are dropped."""
        sample: dict[str, list[dict[str, Any]]] = {}
        exported: dict[str, set[str]] = {}
        left = MAX_SAMPLE_RECORDS
        for collection in chosen:
            if collection.type != "base":
                continue  # auth records need passwords, a view's rows are its query's
            page = self.scope.reader.list_page(collection.id, {"perPage": str(min(left + 1, 1000)),
                                                               "skipTotal": "1", "sort": "id"})
            if len(page["items"]) > left:
                raise _error(f"More than {MAX_SAMPLE_RECORDS} records: export them another way.", "records")
            left -= len(page["items"])
            sample[collection.name] = page["items"]
            exported[collection.id] = {item["id"] for item in page["items"]}
        return {name: [self._record(_collection_named(chosen, name), item, exported) for item in items]
                for name, items in sample.items()}

    @staticmethod
    def _record(collection: Collection, item: dict[str, Any], exported: dict[str, set[str]]) -> dict[str, Any]:
        record: dict[str, Any] = {SAMPLE_KEY: item["id"]}
        for field in collection.fields:
            if field.system or field.field_type in _SKIPPED_VALUE_TYPES or isinstance(field, ComputedField) \
                    or field.name not in item or field.name in _RECORD_KEYS:
                continue
            value = item[field.name]
            if field.field_type == "relation":
                kept = exported.get(str(getattr(field, "collection_id", "")), set())
                value = [v for v in value if v in kept] if isinstance(value, list) else (value if value in kept else "")
            record[field.name] = value
        return record


def _collection_named(chosen: list[Collection], name: str) -> Collection:
    return next(c for c in chosen if c.name == name)
