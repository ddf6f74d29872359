"""Turn a create/update request body into a normalised Collection, as PocketBase does before validating."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from shared.collections.datetime import now_string
from shared.collections.defaults import ensure_system_fields, new_collection, reset_token_secrets
from shared.collections.ids import new_collection_id
from shared.collections.model import Collection
from shared.errors import BadRequestError

FindCollection = Callable[[str], Collection | None]

# set by the server, never taken from a request body
_SERVER_OWNED_KEYS = ("created", "updated")


def load_collection(body: dict[str, Any], existing: Collection | None, find_collection: FindCollection,
                    now: str | None = None) -> Collection:
    """Apply body on top of existing (or on top of a fresh default collection) and normalise the result.

    Like Go's json.Unmarshal onto a struct, nested objects merge key by key while lists are replaced.
    """
    if existing is None:
        base = new_collection(str(body.get("type") or "base"), str(body.get("name") or ""),
                              str(body.get("id") or "")).to_storage_json()
    else:
        base = existing.to_storage_json()
    patch = {key: value for key, value in body.items() if key not in _SERVER_OWNED_KEYS}
    merged = _deep_merge(base, patch)
    if existing is not None:
        _keep_provider_secrets(merged, existing)
    try:
        collection = Collection.model_validate(merged)
    except ValidationError as exc:
        raise BadRequestError("Failed to load the collection data.", {}) from exc
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


def _deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
