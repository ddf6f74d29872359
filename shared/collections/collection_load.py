"""Turn a create/update request body into a normalised Collection, as PocketBase does before validating."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from shared.collections.datetime import now_string
from shared.collections.defaults import ensure_system_fields, new_collection, reset_token_secrets
from shared.collections.field_list import MalformedFieldsError, read_field_list
from shared.collections.ids import new_collection_id
from shared.collections.model import AUTH_OPTION_KEYS, Collection
from shared.errors import BadRequestError

FindCollection = Callable[[str], Collection | None]
# adjusts the submitted fields before system fields are ensured (an import re-adds existing ones)
ExtendFields = Callable[[Collection], None]

# set by the server, never taken from a request body
_SERVER_OWNED_KEYS = ("created", "updated")
# the collection keys Go holds as pointers, where null is a value of its own
NULLABLE_KEYS = frozenset({"listRule", "viewRule", "createRule", "updateRule", "deleteRule", "authRule",
                           "manageRule"})
TYPE_DATA_ERROR = "Failed to load the collection type data due to invalid formatting."
SUBMITTED_DATA_ERROR = "Failed to load the submitted data due to invalid formatting."


def load_collection(body: Any, existing: Collection | None, find_collection: FindCollection,
                    now: str | None = None, extend_fields: ExtendFields | None = None) -> Collection:
    """Apply body on top of existing (or on top of a fresh default collection) and normalise the result.

    Like Go's json.Unmarshal onto a struct, nested objects merge key by key while lists are replaced, and
    a value of the wrong JSON type is a 400 (never coerced); `fields` is read as PocketBase's FieldsList.
    """
    if existing is None:
        _check_type_data(body)
        base = new_collection(str(body.get("type") or "base"), str(body.get("name") or ""),
                              str(body.get("id") or "")).to_storage_json()
    else:
        if not isinstance(body, dict) or has_lone_surrogate(body):
            raise BadRequestError(SUBMITTED_DATA_ERROR, {})
        base = existing.to_storage_json()
        if not existing.is_auth:
            base.update(_zero_auth_options())  # a stored base collection has no auth options, not defaults
    patch = {key: value for key, value in body.items() if key not in _SERVER_OWNED_KEYS}
    try:
        fields = read_field_list(patch.pop("fields")) if "fields" in patch else None
        merged = _deep_merge(base, patch)
        if existing is not None:
            _keep_provider_secrets(merged, existing)
        collection = Collection.model_validate(merged)
    except (ValidationError, MalformedFieldsError) as exc:
        raise BadRequestError(SUBMITTED_DATA_ERROR, {}) from exc
    if fields is not None:
        collection.fields = fields  # type: ignore[assignment]
    if extend_fields is not None:
        extend_fields(collection)
    _normalize(collection, existing, find_collection, now or now_string(), id_was_generated=not body.get("id"))
    return collection


def _normalize(collection: Collection, existing: Collection | None, find_collection: FindCollection,
               now: str, *, id_was_generated: bool) -> None:
    collection.type = collection.type or "base"
    if existing is None:
        if id_was_generated:
            _make_generated_id_unique(collection, find_collection)
        collection.created = now
    collection.updated = now
    ensure_system_fields(collection)
    if collection.is_auth:
        _unset_missing_mapped_fields(collection)
        if existing is not None and (existing.auth_rule or "") != (collection.auth_rule or ""):
            # a new auth rule must not honour tokens issued under the old one
            reset_token_secrets(collection, only=("authToken",))


def _make_generated_id_unique(collection: Collection, find_collection: FindCollection) -> None:
    class _Taken:
        def __contains__(self, candidate: object) -> bool:
            found = find_collection(str(candidate))
            return found is not None and found.id == candidate

    old_id = collection.id
    collection.id = new_collection_id(collection.type, collection.name, _Taken())
    if collection.id != old_id:
        # the generated index names embed the id
        collection.indexes = [index.replace(old_id, collection.id) for index in collection.indexes]


def _unset_missing_mapped_fields(collection: Collection) -> None:
    mapped = collection.oauth2.mapped_fields
    for option in ("id", "name", "username", "avatar_url"):
        name = getattr(mapped, option)
        if name and collection.field_by_name(name) is None:
            setattr(mapped, option, "")


def _keep_provider_secrets(merged: dict[str, Any], existing: Collection) -> None:
    # responses omit client secrets, so a resubmitted provider without one keeps the stored secret
    stored = {provider.name: provider.client_secret for provider in existing.oauth2.providers}
    providers = merged.get("oauth2", {}).get("providers") or []
    for provider in providers:
        if isinstance(provider, dict) and not provider.get("clientSecret"):
            provider["clientSecret"] = stored.get(str(provider.get("name")), "")


def _check_type_data(body: Any) -> None:
    """PocketBase first reads only `type` and `name` (to pick the scaffold); failing that is its own 400."""
    if (not isinstance(body, dict) or not isinstance(body.get("type") or "", str)
            or not isinstance(body.get("name") or "", str) or has_lone_surrogate(body)):
        raise BadRequestError(TYPE_DATA_ERROR, {})


def has_lone_surrogate(value: Any) -> bool:
    """Whether any text in a decoded JSON value holds an unpaired UTF-16 surrogate (which cannot be stored)."""
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(has_lone_surrogate(key) or has_lone_surrogate(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(item) for item in value)
    return False


def _zero_auth_options() -> dict[str, Any]:
    defaults = new_collection("auth", "zero").to_storage_json()
    return {key: None if key in NULLABLE_KEYS else _zero(defaults[key]) for key in AUTH_OPTION_KEYS}


def _zero(value: Any) -> Any:
    """Go's zero value of a decoded JSON value's type."""
    if isinstance(value, dict):
        return {key: _zero(item) for key, item in value.items()}
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return 0
    if isinstance(value, str):
        return ""
    if isinstance(value, list):
        return []
    return None


def _deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None and key in merged:
            # PocketBase reads a null as the zero value: a rule (a pointer) null, a list empty, an object blank
            merged[key] = None if key in NULLABLE_KEYS else _zero(merged[key])
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
