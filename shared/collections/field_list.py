"""A submitted `fields` list read as PocketBase's FieldsList reads it, duplicates and JSON nulls included.

Each entry becomes a new field (options not sent take their defaults, even on update). An entry without
an id gets the default one (type + crc32 of the name) and replaces an earlier entry of the same name in
place, keeping that entry's id; an entry with an id replaces an earlier entry with that id. So
`[{"name": "a", "type": "text"}, {"name": "a", "type": "number"}]` is one number field "a" whose id is
"text3904355907", exactly as PocketBase answers it.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import ValidationError

from shared.collections.fields import FIELD_CLASSES, BaseField, parse_field
from shared.collections.ids import default_field_id


class MalformedFieldsError(ValueError):
    """The list, or one of its entries, cannot be read as fields (wrong JSON types, unknown field type)."""


def read_field_list(raw: Any) -> list[BaseField]:
    """The fields that `raw` (the body's `fields` value) describes; null reads as no fields, as in Go."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise MalformedFieldsError("fields must be a list")
    fields: list[BaseField] = []
    for entry in raw:
        add_field(fields, _read_field(entry))
    return fields


def _read_field(entry: Any) -> BaseField:
    if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
        raise MalformedFieldsError("a field must be an object with a type")
    cls = FIELD_CLASSES.get(entry["type"])
    if cls is None:
        raise MalformedFieldsError(f"unknown field type {entry['type']!r}")
    try:
        return parse_field(without_go_nulls(cls, entry))
    except ValidationError as exc:
        raise MalformedFieldsError(str(exc)) from exc


def add_field(fields: list[BaseField], field: BaseField) -> None:
    """FieldsList.Add: replace the field with the same id (or, for a field without id, the same name) in place,
    else append."""
    named_only = not field.id
    if named_only:
        field.id = default_field_id(field.field_type, field.name, {f.id for f in fields})
    for position, current in enumerate(fields):
        same = (field.name and current.name == field.name) if named_only else current.id == field.id
        if same:
            if named_only:
                field.id = current.id  # a replacement by name keeps the replaced field's id
            fields[position] = field
            return
    fields.append(field)


def without_go_nulls(model: type[Any], data: dict[str, Any]) -> dict[str, Any]:
    """Go's json.Unmarshal of null: a list becomes empty, a pointer (a nullable option) nil, anything else
    keeps its current value, so the key is dropped."""
    result: dict[str, Any] = {}
    by_alias = {info.alias or name: info for name, info in model.model_fields.items()}
    for key, value in data.items():
        info = by_alias.get(key) or model.model_fields.get(key)
        if value is not None or info is None:
            result[key] = value
        elif type(None) in get_args(info.annotation) or info.annotation is None:
            result[key] = None
        elif getattr(info.annotation, "__origin__", None) is list:
            result[key] = []
    return result
