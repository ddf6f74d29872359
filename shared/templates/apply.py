"""Applying a template: every definition checked against the whole set before anything is written, then the
collections saved through the collections logic, the views and sample records through the records logic, and
whatever was created removed again if a later step fails."""

from __future__ import annotations

import re
import time
from typing import Any

import msgspec

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.importer import plan_import
from shared.collections.ids import new_collection_id
from shared.collections.model import Collection
from shared.collections.system import VIEW_ROW_HEIGHTS, VIEW_SLUG_PATTERN, VIEW_TYPES, VIEWS_COLLECTION_NAME
from shared.errors import BadRequestError
from shared.forms.definition import FormOptionsError, check_against, parse_definition
from shared.observability import logger
from shared.records.scope import RecordScope
from shared.saved_views.lookup import find_view_by_slug
from shared.saved_views.record_hooks import view_errors
from shared.templates.model import SAMPLE_KEY, TemplateFile, TemplateView, template_error
from shared.templates.rename import with_prefix

FAILED = "Failed to apply template."
# a prefix is the start of a collection name and, lower-cased, of a slug
PREFIX_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
_SLUG = re.compile(VIEW_SLUG_PATTERN)
# The writes must end well inside the function's 29 s, leaving time to undo them: past this the apply stops and
# undoes itself (a Lambda timeout would leave half a template, with no undo run).
WRITE_BUDGET_S = 18.0


class AppliedTemplate(msgspec.Struct):
    """What an apply created, in creation order (what an undo removes, last first)."""

    collections: list[Collection] = msgspec.field(default_factory=list)
    views: list[dict[str, str]] = msgspec.field(default_factory=list)
    records: dict[str, int] = msgspec.field(default_factory=dict)

    def to_json(self, template: TemplateFile) -> dict[str, Any]:
        return {"template": template.name, "collections": [{"id": c.id, "name": c.name, "type": c.type}
                                                          for c in self.collections],
                "views": self.views, "records": self.records}


class _Catalog:
    """The collections as they will be once the template is saved: its own, then the stored ones."""

    def __init__(self, admin: CollectionsAdmin, own: list[Collection]) -> None:
        self.admin, self.own = admin, own

    def find(self, ref: str) -> Collection | None:
        found = next((c for c in self.own if c.id == ref or c.name.lower() == ref.lower()), None)
        if found is not None:
            return found
        stored = self.admin.collections.find(ref)
        return stored.collection if stored else None


class TemplateApplier:
    """Applies templates as the caller of `scope` (a superuser), with the collections logic of `admin`."""

    def __init__(self, admin: CollectionsAdmin, scope: RecordScope) -> None:
        self.admin, self.scope = admin, scope

    def apply(self, template: TemplateFile, *, sample_data: bool, prefix: str = "") -> AppliedTemplate:
        if prefix and not PREFIX_PATTERN.fullmatch(prefix):
            raise BadRequestError(FAILED, {"prefix": {"code": "validation_invalid_prefix", "message":
                                  "A letter, then letters, digits or '_' (at most 40)."}})
        template = with_prefix(template, prefix)
        self._refuse_clashes(template)
        collections = self._validated(template)
        catalog = _Catalog(self.admin, collections)
        self._check_views(template.views, catalog)
        if sample_data:
            self._check_sample_data(template, catalog)
        applied = AppliedTemplate()
        try:
            self._write(template, collections, applied, sample_data=sample_data)
        except BaseException:
            self._undo(applied)
            raise
        return applied

    # -- checks: nothing is written until all of them pass

    def _refuse_clashes(self, template: TemplateFile) -> None:
        stored = {s.collection.name.lower() for s in self.admin.collections.all(fresh=True)}
        taken = [name for name in template.collection_names() if name.lower() in stored]
        if taken:
            raise BadRequestError(FAILED, {"collections": {"code": "validation_collection_exists", "message":
                                  f"Collections already exist: {', '.join(taken)} (apply with another prefix)."}})
        slugs = [view.slug for view in template.views if view.slug]
        if len(set(slugs)) != len(slugs):
            raise template_error("Two views have the same slug.", "views")
        taken = [slug for slug in slugs if _SLUG.fullmatch(slug)
                 and find_view_by_slug(self.admin.collections, self.admin.records, slug) is not None]
        if taken:
            raise BadRequestError(FAILED, {"views": {"code": "validation_slug_exists", "message":
                                  f"View slugs already taken: {', '.join(taken)} (apply with another prefix)."}})

    def _validated(self, template: TemplateFile) -> list[Collection]:
        """The template's collections checked together by the collections import logic (rules, indexes, the
        computed graph, view queries), each with a new id; relations name collections, turned into ids."""
        taken = {stored.collection.id for stored in self.admin.collections.all(fresh=True)}
        ids: dict[str, str] = {}
        for body in template.collections:
            name = str(body["name"])
            ids[name.lower()] = new_collection_id(str(body.get("type") or "base"), name, taken)
            taken.add(ids[name.lower()])
        bodies = []
        for body in template.collections:
            fields = body.get("fields")
            linked = {"fields": [self._linked(f, ids) for f in fields]} if isinstance(fields, list) else {}
            bodies.append({**body, "id": ids[str(body["name"]).lower()], **linked})
        try:
            plan = plan_import(self.admin, bodies, delete_missing=False)
        except BadRequestError as exc:
            raise BadRequestError(FAILED, exc.data) from exc
        return [collection for collection, _ in plan.validated]

    def _linked(self, field_body: Any, ids: dict[str, str]) -> Any:
        if not isinstance(field_body, dict) or field_body.get("type") != "relation":
            return field_body
        target = str(field_body.get("collectionId") or "")
        stored = self.admin.collections.find(target) if target.lower() not in ids else None
        resolved = ids.get(target.lower()) or (stored.collection.id if stored else target)
        return {**field_body, "collectionId": resolved}

    def _check_views(self, views: list[TemplateView], catalog: _Catalog) -> None:
        system_views = self.admin.collections.get(VIEWS_COLLECTION_NAME).collection
        errors: dict[str, Any] = {}
        for position, view in enumerate(views):
            values = view.model_dump()
            target = catalog.find(view.collection)
            found = view_errors(values, target, system_views, catalog.find)
            if view.type not in VIEW_TYPES:
                found["type"] = {"code": "validation_invalid_value", "message": f"Must be one of {VIEW_TYPES}."}
            if view.rowHeight and view.rowHeight not in VIEW_ROW_HEIGHTS:
                found["rowHeight"] = {"code": "validation_invalid_value",
                                      "message": f"Must be one of {VIEW_ROW_HEIGHTS}."}
            if view.slug and not _SLUG.fullmatch(view.slug):
                found["slug"] = {"code": "validation_invalid_format", "message": "Invalid value format."}
            if view.type == "form" and target is not None and "options" not in found:
                try:
                    check_against(parse_definition(view.options), target)
                except FormOptionsError as exc:
                    found["options"] = {"code": "validation_invalid_form_options", "message": str(exc)}
            if found:
                errors[str(position)] = found
        if errors:
            raise BadRequestError(FAILED, {"views": errors})

    def _check_sample_data(self, template: TemplateFile, catalog: _Catalog) -> None:
        own = {c.name.lower(): c for c in catalog.own}
        keys: dict[str, set[str]] = {}
        for name, records in template.sampleData.items():
            if name.lower() not in own:
                raise template_error(f"{name}: not a collection of the template.", "sampleData")
            found = [str(r[SAMPLE_KEY]) for r in records if r.get(SAMPLE_KEY) not in (None, "")]
            if len(set(found)) != len(found):
                raise template_error(f"{name}: two records have the same {SAMPLE_KEY}.", "sampleData")
            keys[own[name.lower()].id] = set(found)
        for name, records in template.sampleData.items():
            collection = own[name.lower()]
            for position, record in enumerate(records):
                for field_name, target_id in _relations(collection).items():
                    for key in _keys(record.get(field_name)):
                        if key not in keys.get(target_id, set()):
                            raise template_error(f"{name}.{position}.{field_name}: no sample record {key!r} in "
                                                 "the collection it links to.", "sampleData")

    # -- writes, each through the logic the API uses

    def _within_budget(self, deadline: float) -> None:
        if time.monotonic() > deadline:
            raise BadRequestError(FAILED, {"sampleData": {"code": "validation_template_too_large", "message":
                                  "The template could not be applied within one request; apply it with less "
                                  "sample data, and add the rest through the records API."}})

    def _write(self, template: TemplateFile, collections: list[Collection], applied: AppliedTemplate, *,
               sample_data: bool) -> None:
        deadline = time.monotonic() + WRITE_BUDGET_S
        for collection in collections:
            self.admin.save_with_layout(collection, None, "create")
            applied.collections.append(collection)
        for collection in collections:  # once every source is saved
            if collection.is_view:
                self.admin.build_view(collection, clear=False)
        ids = {c.name.lower(): c.id for c in collections}
        for view in template.views:
            self._within_budget(deadline)
            # by id, already known: the view's check need not look the name up again
            target = ids.get(view.collection.lower()) or self.admin.get(view.collection).collection.id
            record = self.scope.writer.create(VIEWS_COLLECTION_NAME, {**view.model_dump(), "collection": target}).record
            applied.views.append({"id": record.id, "name": view.name, "type": view.type,
                                  "collection": view.collection, "slug": view.slug})
        if sample_data:
            self._write_samples(template, collections, applied, deadline)

    def _write_samples(self, template: TemplateFile, collections: list[Collection], applied: AppliedTemplate,
                       deadline: float) -> None:
        """Records in template order; a link to a record created later is set by an update once all exist."""
        ids: dict[tuple[str, str], str] = {}
        later: list[tuple[Collection, str, dict[str, Any]]] = []
        samples = {name.lower(): records for name, records in template.sampleData.items()}
        for collection in collections:
            relations = _relations(collection)
            for record in samples.get(collection.name.lower(), []):
                self._within_budget(deadline)
                body = {k: v for k, v in record.items() if k != SAMPLE_KEY}
                deferred = {name: body.pop(name) for name, target in relations.items()
                            if name in body and any((target, key) not in ids for key in _keys(body[name]))}
                for name, target in relations.items():
                    if name in body:
                        body[name] = _resolved(body[name], target, ids)
                created = self.scope.writer.create(collection.id, body).record
                applied.records[collection.name] = applied.records.get(collection.name, 0) + 1
                if record.get(SAMPLE_KEY) not in (None, ""):
                    ids[(collection.id, str(record[SAMPLE_KEY]))] = created.id
                if deferred:
                    later.append((collection, created.id, deferred))
        for collection, record_id, links in later:
            self._within_budget(deadline)
            relations = _relations(collection)
            self.scope.writer.update(collection.id, record_id,
                                     {name: _resolved(value, relations[name], ids) for name, value in links.items()})

    def _undo(self, applied: AppliedTemplate) -> None:
        """Remove what a failed apply created, last first; a step that fails too is logged, and the rest go on."""
        for view in reversed(applied.views):
            try:
                self.scope.writer.delete(VIEWS_COLLECTION_NAME, view["id"])
            except Exception:
                logger.exception("template undo: view not removed", extra={"view": view["id"]})
        for collection in reversed(applied.collections):
            try:
                stored = self.admin.collections.find(collection.id)
                if stored is not None:
                    self.admin.remove(stored)
            except Exception:
                logger.exception("template undo: collection not removed", extra={"collection": collection.name})


def _relations(collection: Collection) -> dict[str, str]:
    """The relation fields of a collection by name, each with the id of the collection it links to."""
    return {f.name: str(getattr(f, "collection_id", "")) for f in collection.fields if f.field_type == "relation"}


def _keys(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    return []


def _resolved(value: Any, target: str, ids: dict[tuple[str, str], str]) -> Any:
    """Keys turned into the ids of the records made for them; anything else is left for the record's validation."""
    if isinstance(value, list):
        return [ids.get((target, key), key) for key in _keys(value)]
    return ids.get((target, value), value) if isinstance(value, str) else value
