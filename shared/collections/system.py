"""The collections that exist from the start: `users` and `_superusers`, as PocketBase 0.28 creates them."""

from __future__ import annotations

from shared.collections.datetime import now_string
from shared.collections.defaults import new_collection
from shared.collections.fields import AutodateField, EmailField, FileField, TextField
from shared.collections.ids import default_field_id
from shared.collections.model import Collection

USERS_COLLECTION_ID = "_pb_users_auth_"
USERS_COLLECTION_NAME = "users"
SUPERUSERS_COLLECTION_NAME = "_superusers"
SUPERUSERS_COLLECTION_ID = "pbc_3142635823"  # "pbc_" + crc32("auth_superusers"), PocketBase's generated id
USERS_OWNER_RULE = "id = @request.auth.id"
AVATAR_MIME_TYPES = ["image/jpeg", "image/png", "image/svg+xml", "image/gif", "image/webp"]


def system_collections(now: str | None = None) -> list[Collection]:
    """Both bootstrap collections, with fresh token secrets and the given creation time."""
    return [superusers_collection(now), users_collection(now)]


def superusers_collection(now: str | None = None) -> Collection:
    """`_superusers`: a system auth collection whose API rules are all null (superusers only)."""
    collection = new_collection("auth", SUPERUSERS_COLLECTION_NAME, SUPERUSERS_COLLECTION_ID)
    collection.system = True
    _add(collection, AutodateField(name="created", system=True, on_create=True))
    _add(collection, AutodateField(name="updated", system=True, on_create=True, on_update=True))
    collection.auth_token.duration = 86400  # 1 day
    _stamp(collection, now)
    return collection


def users_collection(now: str | None = None) -> Collection:
    """`users`: the default auth collection, where each user manages only their own record."""
    collection = new_collection("auth", USERS_COLLECTION_NAME, USERS_COLLECTION_ID)
    collection.list_rule = USERS_OWNER_RULE
    collection.view_rule = USERS_OWNER_RULE
    collection.create_rule = ""
    collection.update_rule = USERS_OWNER_RULE
    collection.delete_rule = USERS_OWNER_RULE
    _add(collection, TextField(name="name", max=255))
    _add(collection, FileField(name="avatar", max_select=1, mime_types=list(AVATAR_MIME_TYPES)))
    _add(collection, AutodateField(name="created", on_create=True))
    _add(collection, AutodateField(name="updated", on_create=True, on_update=True))
    collection.oauth2.mapped_fields.name = "name"
    collection.oauth2.mapped_fields.avatar_url = "avatar"
    _stamp(collection, now)
    return collection


def _add(collection: Collection, field: TextField | FileField | AutodateField | EmailField) -> None:
    field.id = default_field_id(field.field_type, field.name, {f.id for f in collection.fields})
    collection.fields.append(field)


def _stamp(collection: Collection, now: str | None) -> None:
    collection.created = collection.updated = now or now_string()
