"""Validation of collection create/update requests, with PocketBase's rules, codes and messages.

Records store their values keyed by field **id**, never by name, so the storage layer stays lazy:
renaming a field needs no rewrite, a removed field's values are simply ignored when read, and an added
field reads as its default until written. plan_schema_change() tells storage what changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from shared.collections.auth_options_checks import auth_option_errors
from shared.collections.collection_load import ExtendFields, FindCollection, load_collection
from shared.collections.computed_graph import cycle_errors, time_dependent_index_errors, with_collection
from shared.collections.field_errors import (
    FieldError,
    bad_request,
    check_length,
    in_error,
    match_error,
    required_error,
    values_mismatch_error,
)
from shared.collections.fields import BaseField, BoolField, EmailField, PasswordField, SettingsContext, TextField
from shared.collections.fields.base import check_no_via
from shared.collections.index_checks import index_errors
from shared.collections.model import Collection
from shared.collections.schema_change import FieldRename, SchemaChange, plan_schema_change

__all__ = ["FieldRename", "SchemaChange", "plan_schema_change", "validate_collection"]

COLLECTION_TYPES = ("base", "auth")
# Go's \w is ASCII-only
_COLLECTION_NAME_REGEX = re.compile(r"^[A-Za-z0-9_]+$")
# internal tables of PocketBase that are not collections
_RESERVED_COLLECTION_NAMES = ("_collections", "_params")
RESERVED_AUTH_FIELD_NAMES = ("passwordConfirm", "oldPassword")
_RULE_KEYS = ("listRule", "viewRule", "createRule", "updateRule", "deleteRule")


def validate_collection(body: Any, *, existing: Collection | None, find_collection: FindCollection,
                        check_rule: Callable[[str], None], now: str | None = None,
                        extend_fields: ExtendFields | None = None) -> Collection:
    """Apply a create (existing=None) or update body and return the normalised, valid Collection.

    find_collection looks a collection up by id or name (case-insensitively); check_rule raises on a
    syntactically invalid filter. Raises a 400 "Failed to create/update collection." listing every problem.
    """
    collection = load_collection(body, existing, find_collection, now, extend_fields)
    errors = _CollectionChecks(collection, existing, find_collection, check_rule).run()
    if errors:
        action = "create" if existing is None else "update"
        raise bad_request(f"Failed to {action} collection.", errors)
    return collection


class _CollectionChecks:
    def __init__(self, new: Collection, original: Collection | None, find_collection: FindCollection,
                 check_rule: Callable[[str], None]) -> None:
        self.new, self.original = new, original
        self.find_collection, self.check_rule = find_collection, check_rule

    def run(self) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        for key, check in (("id", self._id), ("system", self._system), ("type", self._type),
                           ("name", self._name), ("fields", self._fields), ("indexes", self._indexes)):
            try:
                check()
            except FieldError as error:
                errors[key] = error.as_data()
            except _NestedError as nested:
                errors[key] = nested.data
        for key in _RULE_KEYS:
            attribute = _snake(key)
            rule_error = self.rule_error(getattr(self.new, attribute),
                                         getattr(self.original, attribute) if self.original else None)
            if rule_error:
                errors[key] = rule_error.as_data()
        if self.new.is_auth:
            errors.update(auth_option_errors(self.new, self.original, self.rule_error))
        return errors

    def rule_error(self, rule: str | None, original_rule: str | None) -> FieldError | None:
        """A rule must parse, and a system collection's rules can't change."""
        if rule:
            try:
                self.check_rule(rule)
            except Exception as exc:  # the filter package's errors are not known here
                return FieldError("validation_invalid_rule", f"Invalid rule. Raw error: {exc}")
        if self.original is not None and self.original.system and rule != original_rule:
            return FieldError("validation_collection_system_rule_change",
                              "System collection API rule cannot be changed.")
        return None

    def _id(self) -> None:
        if not self.new.id:
            raise required_error()
        if self.original is not None:
            if self.new.id != self.original.id:
                raise values_mismatch_error()
            return
        check_length(self.new.id, 1, 100)
        if not _COLLECTION_NAME_REGEX.match(self.new.id):
            raise match_error()
        found = self.find_collection(self.new.id)
        if found is not None and found.id == self.new.id:
            raise FieldError("validation_invalid_or_existing_id", "The model id is invalid or already exists.")

    def _system(self) -> None:
        if self.original is not None and self.new.system != self.original.system:
            raise FieldError("validation_collection_system_flag_change", "System collection state cannot be changed.")

    def _type(self) -> None:
        if not self.new.type:
            raise required_error()
        if self.new.type not in COLLECTION_TYPES:
            raise in_error()
        if self.original is not None and self.new.type != self.original.type:
            raise FieldError("validation_collection_type_change", "Collection type cannot be changed.")

    def _name(self) -> None:
        name = self.new.name
        if not name:
            raise required_error()
        check_length(name, 1, 255)
        check_no_via(name)
        if not _COLLECTION_NAME_REGEX.match(name):
            raise match_error()
        if self.original is not None and self.original.system and name != self.original.name:
            raise FieldError("validation_collection_system_name_change", "System collection name cannot be changed.")
        found = self.find_collection(name)
        own_id = self.original.id if self.original else None
        if found is not None and found.id != own_id and found.name.lower() == name.lower():
            raise FieldError("validation_collection_name_exists",
                             "Collection name must be unique (case insensitive).")
        if found is not None and found.id == name and found.id != own_id:
            raise FieldError("validation_collection_name_id_duplicate",
                             "The name must not match an existing collection id.")
        if name.lower() in _RESERVED_COLLECTION_NAMES:
            raise FieldError("validation_collection_name_invalid",
                             "The name shouldn't match with an existing internal table.")

    def _fields(self) -> None:
        fields = self.new.fields
        _check_duplicates(fields)
        _check_minimum_fields(self.new)
        if self.original is not None:
            for old in self.original.fields:
                kept = self.new.field_by_id(old.id)
                if old.system and (kept is None or kept.name != old.name):
                    raise FieldError("validation_system_field_change", "System fields cannot be deleted or renamed.")
            retyped = {str(i): FieldError("validation_field_type_change", "Field type cannot be changed.").as_data()
                       for i, field in enumerate(fields) if self._type_changed(field)}
            if retyped:
                raise _NestedError(retyped)
        if self.new.is_auth:
            reserved = {str(i): {"name": FieldError("validation_reserved_field_name",
                                                    "The field name is reserved and cannot be used.").as_data()}
                        for i, field in enumerate(fields) if field.name in RESERVED_AUTH_FIELD_NAMES}
            if reserved:
                raise _NestedError(reserved)
        settings_errors = {}
        find_saved = with_collection(self.new, self.find_collection)
        for i, field in enumerate(fields):
            context = SettingsContext(
                collection_id=self.new.id, sibling_fields=fields,
                original_field=self.original.field_by_id(field.id) if self.original else None,
                collection_exists=self._collection_exists, find_collection=find_saved)
            field_errors = field.validate_settings(context)
            if field_errors:
                settings_errors[str(i)] = {key: error.as_data() for key, error in field_errors.items()}
        if settings_errors:
            raise _NestedError(settings_errors)
        cycle = cycle_errors(self.new, self.find_collection)  # computed fields: before anything is saved
        if cycle:
            raise _NestedError(cycle)

    def _type_changed(self, field: BaseField) -> bool:
        old_field = self.original.field_by_id(field.id) if self.original else None
        return old_field is not None and old_field.field_type != field.field_type

    def _collection_exists(self, collection_id: str) -> bool:
        if collection_id == self.new.id:
            return True  # a relation to itself
        found = self.find_collection(collection_id)
        return found is not None and found.id == collection_id

    def _indexes(self) -> None:
        error = index_errors(self.new, self.original) or time_dependent_index_errors(self.new)
        if isinstance(error, FieldError):
            raise error
        if error:
            raise _NestedError(error)


class _NestedError(Exception):
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        super().__init__(str(data))


def _check_duplicates(fields: Sequence[BaseField]) -> None:
    ids: set[str] = set()
    names: set[str] = set()
    for i, field in enumerate(fields):
        if field.id in ids:
            raise _NestedError({str(i): {"id": FieldError(
                "validation_duplicated_field_id", f'Duplicated or invalid field id "{field.id}"').as_data()}})
        # names become attribute keys and are compared case-insensitively, as SQLite columns are
        if field.name.lower() in names:
            raise _NestedError({str(i): {"name": FieldError(
                "validation_duplicated_field_name", "Duplicated or invalid field name {{.fieldName}}",
                {"fieldName": field.name}).as_data()}})
        ids.add(field.id)
        names.add(field.name.lower())


_SYSTEM_AUTH_FIELDS: tuple[tuple[str, type[BaseField], bool], ...] = (
    ("password", PasswordField, True),
    ("tokenKey", TextField, True),
    ("email", EmailField, False),
    ("emailVisibility", BoolField, False),
    ("verified", BoolField, False),
)


def _check_minimum_fields(collection: Collection) -> None:
    if not collection.fields:
        raise required_error()
    id_field = collection.field_by_name("id")
    if not isinstance(id_field, TextField) or not id_field.primary_key:
        raise FieldError("validation_missing_primary_key", 'Missing or invalid "id" PK field.')
    if not collection.is_auth:
        return
    for name, field_class, must_be_hidden in _SYSTEM_AUTH_FIELDS:
        field = collection.field_by_name(name)
        if not isinstance(field, field_class):
            raise FieldError(f"validation_missing_{name}_field", f'System "{name}" field is required.')
        if not field.system or (must_be_hidden and not field.hidden):
            error = (FieldError("validation_must_be_system_and_hidden",
                                'The field must be marked as "System" and "Hidden".') if must_be_hidden
                     else FieldError("validation_must_be_system", 'The field must be marked as "System".'))
            raise _NestedError({name: error.as_data()})


def _snake(camel: str) -> str:
    return "".join("_" + char.lower() if char.isupper() else char for char in camel)
