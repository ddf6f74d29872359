"""Record validation: a create or update body checked and prepared for storage, and a stored record's API JSON.

Storage contract: records store values keyed by field id (see shared/collections/validate.py). prepare_record returns
what to write; record_to_json reads any stored map back, ignoring unknown ids and defaulting missing ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from shared.collections.datetime import epoch_ms, now_string
from shared.collections.field_errors import FieldError, bad_request
from shared.collections.fields import (
    AutodateField,
    BaseField,
    FileField,
    PasswordField,
    RelationField,
    TextField,
    hash_password,
)
from shared.collections.model import TOKEN_KEY_FIELD, Collection
from shared.records.auth_form import auth_form_errors
from shared.records.body import apply_body
from shared.records.computed import marker_changes, present_computed, recompute

# (related collection id, ids) -> whether every id exists there
RelationExists = Callable[[str, list[str]], bool]



class PreparedRecord(msgspec.Struct, frozen=True):
    """A validated create or update, ready for storage.

    values_by_field_id: on create every field; on update only the changed ones (password as its hash).
    increments: number fields changed only through "+"/"-" modifiers, as deltas; storage may apply them
    with an atomic ADD instead of the absolute value (which was validated against the read record).
    merged_by_field_id: the whole record after the change, for rule checks and the response.
    """

    record_id: str
    is_new: bool
    values_by_field_id: dict[str, Any]
    changed_field_ids: frozenset[str]
    increments: dict[str, int | float]
    merged_by_field_id: dict[str, Any]
    password_changed: bool = False


def prepare_record(collection: Collection, body: dict[str, Any], existing: dict[str, Any] | None, *,
                   is_superuser: bool, has_manage_access: bool = False, now: str | None = None,
                   relation_exists: RelationExists | None = None) -> PreparedRecord:
    """Apply and validate a records API body (existing=None means create, else the stored map by field id).

    has_manage_access: the collection's manageRule passed (superusers always have it); without it an
    auth record can't change email/verified directly and needs oldPassword to change its password.
    Raises a 400 "Failed to create record." / "Failed to update record." listing every failing field.
    """
    is_new = existing is None
    manage = is_superuser or has_manage_access
    original = record_values_by_name(collection, existing or {})
    applied = apply_body(collection, body, original, allow_hidden=is_superuser)
    values = applied.values
    _fill_generated_values(collection, values, applied.autogenerate_prefixes, is_new, now or now_string())

    password_field = _auth_password_field(collection)
    new_password = values.get("password", "") if password_field and "password" in applied.sent_names else ""
    action = "create" if is_new else "update"
    if collection.is_auth:
        form_errors = auth_form_errors(body, values, original, is_new=is_new, has_manage_access=manage,
                                       stored_password_hash=str(original.get("password") or ""))
        if form_errors:
            raise bad_request(f"Failed to {action} record.", dict(form_errors))

    errors = _field_errors(collection, values, original, applied.sent_names, is_new, relation_exists)
    if errors:
        raise bad_request(f"Failed to {action} record.", dict(errors))

    _hash_sent_passwords(collection, values, applied.sent_names)
    password_changed = bool(new_password) and not is_new
    token_key = collection.field_by_name(TOKEN_KEY_FIELD)
    if password_changed and isinstance(token_key, TextField) and TOKEN_KEY_FIELD not in applied.sent_names:
        values[TOKEN_KEY_FIELD] = token_key.autogenerate()  # a new password invalidates existing tokens

    merged = {field.id: values.get(field.name, field.default_value()) for field in collection.fields}
    merged = recompute(collection, merged, changed=None)  # formulas, in the same write (records/computed.py)
    if is_new:
        changed = {field.id for field in collection.fields}
    else:
        changed = {f.id for f in collection.fields if merged[f.id] != (existing or {}).get(f.id, f.default_value())}
    markers = marker_changes(merged, existing)
    merged.update(markers)
    changed |= set(markers)
    increments = {} if is_new else {
        field.id: applied.number_deltas[field.name] for field in collection.fields
        if field.name in applied.number_deltas and field.id in changed
    }
    return PreparedRecord(
        record_id=str(values.get("id", "")),
        is_new=is_new,
        values_by_field_id={field_id: merged[field_id] for field_id in changed},
        changed_field_ids=frozenset(changed),
        increments=increments,
        merged_by_field_id=merged,
        password_changed=password_changed or (is_new and bool(new_password)),
    )


def record_values_by_name(collection: Collection, stored_by_field_id: dict[str, Any]) -> dict[str, Any]:
    """Stored values (by field id) as values by field name, defaults filling the gaps."""
    return {field.name: field.from_stored(stored_by_field_id.get(field.id)) for field in collection.fields}


def record_to_json(collection: Collection, stored_by_field_id: dict[str, Any], *, can_see_hidden: bool = False,
                   show_email: bool) -> dict[str, Any]:
    """The record as PocketBase's API returns it (keys sorted, as Go serialises its map).

    An auth record's password and tokenKey never appear; other hidden fields only with can_see_hidden; a
    visible password field reads as "" (never its hash), as in PocketBase; an auth record's email only
    with show_email (emailVisibility, the owner or a superuser: the caller decides).
    """
    data: dict[str, Any] = {"collectionId": collection.id, "collectionName": collection.name}
    for field in collection.fields:
        if collection.is_auth and field.name in (TOKEN_KEY_FIELD, "password"):
            continue
        if field.hidden and not can_see_hidden:
            continue
        # a password's stored hash must never leave the server
        data[field.name] = "" if isinstance(field, PasswordField) else field.from_stored(
            stored_by_field_id.get(field.id))
    if collection.is_auth and not show_email:
        data.pop("email", None)
    present_computed(collection, stored_by_field_id, data)
    return {key: data[key] for key in sorted(data)}


def _fill_generated_values(collection: Collection, values: dict[str, Any], prefixes: dict[str, str],
                           is_new: bool, now: str) -> None:
    for field in collection.fields:
        if isinstance(field, TextField):
            if field.name in prefixes:
                values[field.name] = field.autogenerate(prefixes[field.name])
            elif is_new and not values.get(field.name) and field.autogenerate_pattern:
                # the id's time prefix and `created` from one instant: id order is then creation order
                values[field.name] = field.autogenerate(now_ms=epoch_ms(now))
        elif isinstance(field, AutodateField) and (field.on_create if is_new else field.on_update):
            values[field.name] = now


def _field_errors(collection: Collection, values: dict[str, Any], original: dict[str, Any], sent: set[str],
                  is_new: bool, relation_exists: RelationExists | None) -> dict[str, FieldError]:
    errors: dict[str, FieldError] = {}
    for field in collection.fields:
        try:
            _validate_field(field, values.get(field.name), original.get(field.name), field.name in sent, is_new,
                            relation_exists)
        except FieldError as error:
            errors[field.name] = error
    return errors


def _validate_field(field: BaseField, value: Any, old_value: Any, was_sent: bool, is_new: bool,
                    relation_exists: RelationExists | None) -> None:
    if isinstance(field, PasswordField):
        if was_sent or is_new or not old_value:
            field.validate(value if was_sent else "", is_new=is_new)
        return
    if isinstance(field, TextField) and field.primary_key and not is_new:
        if value != old_value:
            raise FieldError("validation_pk_change", "The record primary key cannot be changed.")
        return  # stored ids may predate the current id rules
    if isinstance(field, FileField) and was_sent and field.values_of(value):
        # uploads arrive separately; submitted names may only keep or reorder existing files
        field.check_new_names(field.values_of(value), field.values_of(old_value))
    field.validate(value, is_new=is_new)
    if isinstance(field, RelationField) and relation_exists is not None:
        ids = field.values_of(value)
        if ids and not relation_exists(field.collection_id, ids):
            raise FieldError("validation_missing_rel_records",
                             "Failed to find all relation records with the provided ids")


def _hash_sent_passwords(collection: Collection, values: dict[str, Any], sent: set[str]) -> None:
    for field in collection.fields:
        if isinstance(field, PasswordField) and field.name in sent and values.get(field.name):
            values[field.name] = hash_password(values[field.name])


def _auth_password_field(collection: Collection) -> PasswordField | None:
    field = collection.field_by_name("password")
    return field if collection.is_auth and isinstance(field, PasswordField) else None
