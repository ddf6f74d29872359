"""The check of a form view on save: a `_views` record of type form must hold a valid `options.form`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from shared.catalog.repository import CollectionRepository
from shared.forms.definition import FormOptionsError, check_against, parse_definition
from shared.forms.lookup import FORM_TYPE, VIEWS_COLLECTION
from shared.records.hooks import RecordEvent, RecordHooks


def _value(event: RecordEvent, name: str) -> Any:
    """The value the write leaves: the body's when sent, else the stored one."""
    if name in event.body:
        return event.body[name]
    field = event.collection.field_by_name(name)
    if field is None or event.existing is None:
        return None
    return field.from_stored(event.existing.data.get(field.id))


def form_options_errors(event: RecordEvent, collections: CollectionRepository) -> dict[str, Any]:
    """PocketBase-shaped field errors on `options` (or `collection`) naming the bad form option; {} if valid."""
    if not event.request.is_superuser:
        return {}  # only superusers create views or change their type, collection or options (403 otherwise)
    if _value(event, "type") != FORM_TYPE:
        return {}
    options = _value(event, "options")
    if isinstance(options, str):  # a multipart body carries the json field as text
        try:
            options = json.loads(options)
        except ValueError:
            return {}  # the json field reports it
    target = collections.find(str(_value(event, "collection") or ""))
    if target is None:
        return {}  # the collection field reports a missing or unknown collection
    try:
        check_against(parse_definition(options), target.collection)
    except FormOptionsError as exc:
        return {"options": {"code": "validation_invalid_form_options", "message": str(exc)}}
    return {}


def register_form_hooks(hooks: RecordHooks, collections: Callable[[], CollectionRepository]) -> None:
    """Check every form view a create or update saves."""
    hooks.on("validate", lambda event: form_options_errors(event, collections()), actions=("create", "update"),
             collections=(VIEWS_COLLECTION,))
