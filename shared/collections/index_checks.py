"""Validation of a collection's indexes: well formed, unique names and definitions, system uniques kept."""

from __future__ import annotations

import re
from typing import Any

from msgspec.structs import replace

from shared.collections.field_errors import FieldError
from shared.collections.indexes import IndexSpec, build_index, find_single_column_unique_index, try_parse_index
from shared.collections.model import Collection

_REQUIRED_AUTH_UNIQUE_FIELDS = ("tokenKey", "email")
# expression columns (e.g. lower(name)) are left to the query layer
_PLAIN_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def index_errors(collection: Collection, original: Collection | None) -> FieldError | dict[str, Any] | None:
    """The first index problem: a FieldError for the whole list or {position: error} for one index."""
    names: set[str] = set()
    definitions: set[str] = set()
    for position, raw in enumerate(collection.indexes):
        spec = try_parse_index(raw)
        if spec is None:
            return {str(position): FieldError("validation_invalid_index_expression",
                                              "Invalid CREATE INDEX expression.").as_data()}
        if spec.name.lower() in names:
            return {str(position): FieldError("validation_duplicated_index_name",
                                              "The index name already exists.").as_data()}
        names.add(spec.name.lower())
        # the table name is ignored: indexes follow the collection through renames
        definition = build_index(replace(spec, name="validator", table="validator", schema="validator"))
        if definition in definitions:
            return {str(position): FieldError("validation_duplicated_index_definition",
                                              "The index definition already exists.").as_data()}
        definitions.add(definition)
        missing = _missing_column(collection, spec)
        if missing is not None:
            # PocketBase learns this from SQLite while creating the index, hence the wording
            return {str(position): FieldError(
                "validation_invalid_index_expression",
                f"Failed to create index {spec.name} - SQL logic error: no such column: {missing} (1).").as_data()}
    if original is not None:
        error = _system_unique_index_error(collection, original)
        if error:
            return error
    if collection.is_auth:
        for field_name in _REQUIRED_AUTH_UNIQUE_FIELDS:
            if find_single_column_unique_index(collection.indexes, field_name) is None:
                return FieldError("validation_missing_required_unique_index",
                                  'Missing required unique index for field "{{.fieldName}}".',
                                  {"fieldName": field_name})
    return None


def _missing_column(collection: Collection, spec: IndexSpec) -> str | None:
    """The first plain column that names no field (SQLite compares column names case-insensitively)."""
    names = {field.name.lower() for field in collection.fields}
    for column in spec.columns:
        name = column.name.strip().strip("`\"[]'")
        if _PLAIN_COLUMN.match(name) and name.lower() not in names:
            return name
    return None


def _system_unique_index_error(collection: Collection, original: Collection) -> FieldError | None:
    """Unique indexes over system fields must survive an update (names, sort and WHERE may change)."""
    new_shapes = {_unique_shape(spec) for raw in collection.indexes if (spec := try_parse_index(raw))}
    system_names = {field.name.lower() for field in original.fields if field.system}
    for raw in original.indexes:
        old = try_parse_index(raw)
        if old is None or not old.unique:
            continue
        system_column = next((c.name for c in old.columns if c.name.lower() in system_names), None)
        if system_column is not None and _unique_shape(old) not in new_shapes:
            return FieldError("validation_invalid_unique_system_field_index",
                              "Unique index definition on system fields ({{.fieldName}}) is invalid or missing.",
                              {"fieldName": _field_name(original, system_column)})
    return None


def _unique_shape(spec: IndexSpec) -> tuple[bool, tuple[str, ...]]:
    return spec.unique, tuple(column.name.lower() for column in spec.columns)


def _field_name(collection: Collection, column: str) -> str:
    return next((f.name for f in collection.fields if f.name.lower() == column.lower()), column)
