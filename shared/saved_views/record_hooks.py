"""Record hooks of `_views`: a view is checked against its target collection on every save, and what only
superusers may change.

- validate create/update: a target collection given by name is stored as its id (which survives renames);
- before create/update: the target collection must exist (stored by id); the filter, sort, fields, layout,
  options and the view's own rules are checked (one 400 naming each bad one, nothing written);
- a non-superuser whom a view's manageRule admits may change how it shows records, never what it grants:
  its collection, type, slug, rules, filter or options (a form's options let guests create records).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.catalog.repository import CollectionRepository
from shared.collections.model import Collection
from shared.collections.system import VIEWS_COLLECTION_NAME
from shared.errors import BadRequestError, ForbiddenError
from shared.records.hooks import RecordEvent, RecordHooks
from shared.records.model import StoredRecord
from shared.saved_views.options import layout_errors, options_error, rule_error

# what a view grants rather than how it shows: superusers' to change (its filter, and the stack or date field its
# options name, are applied as a rule is, hidden fields included: in a manager's hands an oracle on them)
GRANTING_FIELDS = ("collection", "type", "slug", "viewRule", "manageRule", "filter", "options")


def view_values(collection: Collection, record: StoredRecord | None) -> dict[str, Any]:
    """A `_views` record's values by field name."""
    if record is None:
        return {}
    return {field.name: record.data.get(field.id) for field in collection.fields}


class ViewChecks:
    def __init__(self, collections: Callable[[], CollectionRepository]) -> None:
        self._collections = collections

    def _find(self, id_or_name: str) -> Collection | None:
        stored = self._collections().find(id_or_name)
        return stored.collection if stored else None

    def resolve_collection(self, event: RecordEvent) -> dict[str, Any]:
        """A target given by name is stored as its id: resolved in the body before the record is prepared from
        it, so the entry of the `collection` index is made of the id too (filters by id find the view)."""
        named = event.body.get("collection")
        target = self._find(named) if isinstance(named, str) and named else None
        if target is not None:
            event.body["collection"] = target.id
        return {}

    def before_save(self, event: RecordEvent) -> None:
        values = view_values(event.collection, event.record)
        if event.existing is not None and not event.request.is_superuser:
            self._forbid_granting_changes(values, view_values(event.collection, event.existing))
        target = self._find(str(values.get("collection") or ""))
        errors = view_errors(values, target, event.collection, self._find)
        if errors:
            raise BadRequestError(f"Failed to {event.action} record.", errors)

    @staticmethod
    def _forbid_granting_changes(values: dict[str, Any], before: dict[str, Any]) -> None:
        changed = [name for name in GRANTING_FIELDS if values.get(name) != before.get(name)]
        if changed:
            # a manager shapes a view; widening who sees it or turning it into a form is a superuser's decision
            raise ForbiddenError(f"Only superusers can change {', '.join(changed)} of a view.")


def view_errors(values: dict[str, Any], target: Collection | None, views: Collection,
                find: Callable[[str], Collection | None]) -> dict[str, Any]:
    """What is wrong with a view's values (by field name) against its target collection and its own rules, as
    PocketBase's field errors; {} when it may be saved. `find` resolves the collections filters name."""
    errors: dict[str, Any] = {}
    if target is None:
        errors["collection"] = {"code": "validation_invalid_collection", "message": "Unknown collection."}
    elif target.type == "view" and values.get("type") == "form":
        errors["type"] = {"code": "validation_invalid_view_type", "message": "A view collection takes no form."}
    else:
        errors.update(layout_errors(values, target, find))
        if problem := options_error(str(values.get("type") or ""), values.get("options"), target):
            errors["options"] = {"code": "validation_invalid_view_option", "message": problem}
    for name in ("viewRule", "manageRule"):
        errors.update(_own_rule_error(name, values.get(name), views, find))
    return errors


def _own_rule_error(name: str, text: Any, views: Collection,
                    find: Callable[[str], Collection | None]) -> dict[str, Any]:
    if text is None or text == "":
        return {}
    if not isinstance(text, str):
        return {name: {"code": "validation_invalid_rule", "message": "Must be null or a rule text."}}
    problem = rule_error(text, views, find)
    return {name: {"code": "validation_invalid_rule", "message": problem}} if problem else {}


def register_saved_view_hooks(hooks: RecordHooks, collections: Callable[[], CollectionRepository]) -> None:
    checks = ViewChecks(collections)
    hooks.on("validate", checks.resolve_collection, actions=("create", "update"), collections=(VIEWS_COLLECTION_NAME,))
    hooks.on("before", checks.before_save, actions=("create", "update"), collections=(VIEWS_COLLECTION_NAME,))
