"""The collections that exist from the start, as PocketBase 0.40 creates them: `_mfas`, `_otps`,
`_externalAuths`, `_authOrigins`, `_superusers` and `users`; and Lambdabase's own `_webhooks`, `_roles` and
`_views`."""

from __future__ import annotations

from datetime import timedelta

from shared.collections.datetime import format_datetime, now_string, parse_datetime
from shared.collections.defaults import new_collection
from shared.collections.fields import (
    AutodateField,
    BaseField,
    BoolField,
    DateField,
    FileField,
    JSONField,
    PasswordField,
    RelationField,
    SelectField,
    TextField,
    URLField,
)
from shared.collections.ids import default_field_id
from shared.collections.model import Collection

USERS_COLLECTION_ID = "_pb_users_auth_"
USERS_COLLECTION_NAME = "users"
SUPERUSERS_COLLECTION_NAME = "_superusers"
SUPERUSERS_COLLECTION_ID = "pbc_3142635823"  # "pbc_" + crc32("auth_superusers"), PocketBase's generated id
USERS_OWNER_RULE = "id = @request.auth.id"
AVATAR_MIME_TYPES = ["image/jpeg", "image/png", "image/svg+xml", "image/gif", "image/webp"]
MFAS_COLLECTION_NAME = "_mfas"
OTPS_COLLECTION_NAME = "_otps"
EXTERNAL_AUTHS_COLLECTION_NAME = "_externalAuths"
AUTH_ORIGINS_COLLECTION_NAME = "_authOrigins"
WEBHOOKS_COLLECTION_NAME = "_webhooks"
ROLES_COLLECTION_NAME = "_roles"
VIEWS_COLLECTION_NAME = "_views"
VIEW_TYPES = ["grid", "kanban", "calendar", "gallery", "form", "list"]
VIEW_ROW_HEIGHTS = ["short", "medium", "tall", "extra"]
# a slug is part of a public URL (/api/forms/{slug})
VIEW_SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
# Records that carry rules of their own, AND-ed with their collection's rules per action (null: superusers
# only), enforced by RequestRules.own_rule_allows: a `_views` record's viewRule and manageRule.
RECORD_RULE_FIELDS: dict[str, dict[str, str]] = {
    VIEWS_COLLECTION_NAME: {"list": "viewRule", "view": "viewRule", "update": "manageRule", "delete": "manageRule"},
}
# a role name is written in rules (`@request.auth.roles ?= "editor"`): PocketBase's field name pattern
ROLE_NAME_PATTERN = r"^[A-Za-z0-9_]+$"
# role names are no secrets, and a client needs them to render or expand its own roles; writes stay superusers'
ROLES_READ_RULE = "@request.auth.id != ''"
# the records of these auth helper collections belong to the auth record they reference
AUTH_REF_OWNER_RULE = ("@request.auth.id != '' && recordRef = @request.auth.id "
                       "&& collectionRef = @request.auth.collectionId")


def system_collections(now: str | None = None) -> list[Collection]:
    """Every bootstrap collection in PocketBase's creation order, one millisecond apart (so lists keep it)."""
    collections = [mfas_collection(), otps_collection(), external_auths_collection(), auth_origins_collection(),
                   superusers_collection(), users_collection(), webhooks_collection(), roles_collection(),
                   views_collection()]
    start = parse_datetime(now or now_string())
    for offset, collection in enumerate(collections):
        stamp = format_datetime(start + timedelta(milliseconds=offset)) if start else now_string()
        _stamp(collection, stamp)
    return collections


def mfas_collection(now: str | None = None) -> Collection:
    """`_mfas`: the first factors of sign-ins waiting for a second one."""
    collection = _auth_ref_collection(MFAS_COLLECTION_NAME, "method")
    collection.indexes.append(
        "CREATE INDEX `idx_mfas_collectionRef_recordRef` ON `_mfas` (collectionRef,recordRef)")
    _stamp(collection, now)
    return collection


def otps_collection(now: str | None = None) -> Collection:
    """`_otps`: one-time passwords, stored hashed, with where they were sent."""
    collection = _auth_ref_collection(OTPS_COLLECTION_NAME)
    # PocketBase hashes OTPs with a low bcrypt cost: they are short-lived
    _add(collection, PasswordField(name="password", system=True, hidden=True, required=True, cost=8),
         before_autodates=True)
    _add(collection, TextField(name="sentTo", system=True, hidden=True), before_autodates=True)
    collection.indexes.append(
        "CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` (collectionRef, recordRef)")
    _stamp(collection, now)
    return collection


def external_auths_collection(now: str | None = None) -> Collection:
    """`_externalAuths`: the OAuth2 identities linked to auth records."""
    collection = _auth_ref_collection(EXTERNAL_AUTHS_COLLECTION_NAME, "provider", "providerId")
    collection.delete_rule = AUTH_REF_OWNER_RULE
    collection.indexes += [
        "CREATE UNIQUE INDEX `idx_externalAuths_record_provider` ON `_externalAuths` "
        "(collectionRef, recordRef, provider)",
        "CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` "
        "(collectionRef, provider, providerId)",
    ]
    _stamp(collection, now)
    return collection


def auth_origins_collection(now: str | None = None) -> Collection:
    """`_authOrigins`: the devices (fingerprints) each auth record has signed in from."""
    collection = _auth_ref_collection(AUTH_ORIGINS_COLLECTION_NAME, "fingerprint")
    collection.delete_rule = AUTH_REF_OWNER_RULE
    collection.indexes.append("CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` "
                              "(collectionRef, recordRef, fingerprint)")
    _stamp(collection, now)
    return collection


def _auth_ref_collection(name: str, *required_texts: str) -> Collection:
    """A system base collection whose records point at an auth record by collectionRef + recordRef."""
    collection = new_collection("base", name)
    collection.system = True
    collection.list_rule = collection.view_rule = AUTH_REF_OWNER_RULE
    for field_name in ("collectionRef", "recordRef", *required_texts):
        _add(collection, TextField(name=field_name, system=True, required=True))
    _add(collection, AutodateField(name="created", system=True, on_create=True))
    _add(collection, AutodateField(name="updated", system=True, on_create=True, on_update=True))
    return collection


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


def webhooks_collection(now: str | None = None) -> Collection:
    """`_webhooks`: the webhook subscriptions (docs/api-webhooks.md), superusers only (every rule null).

    `secret` is hidden and stored empty: the signing secret lives in the webhook secret store, and the field
    carries it only in the create response (shared/webhooks/subscription_hooks.py).
    """
    collection = new_collection("base", WEBHOOKS_COLLECTION_NAME)
    collection.system = True
    _add(collection, URLField(name="url", system=True, required=True))
    _add(collection, JSONField(name="events", system=True, required=True, max_size=10_000))
    _add(collection, TextField(name="filter", system=True, max=3500))
    _add(collection, JSONField(name="headers", system=True, max_size=10_000))
    _add(collection, BoolField(name="enabled", system=True))
    _add(collection, TextField(name="description", system=True, max=1000))
    _add(collection, TextField(name="secret", system=True, hidden=True))
    _add(collection, TextField(name="disabledReason", system=True, max=1000))
    _add(collection, DateField(name="failingSince", system=True))
    _add(collection, AutodateField(name="created", system=True, on_create=True))
    _add(collection, AutodateField(name="updated", system=True, on_create=True, on_update=True))
    _stamp(collection, now)
    return collection


def roles_collection(now: str | None = None) -> Collection:
    """`_roles`: named roles that include other roles (docs/rules.md); superusers write, signed-in users read.

    Auth records get roles through a multiple relation field named `roles` to this collection, and rules
    read the effective names, inheritance resolved, as `@request.auth.roles` (shared/records/roles.py).
    """
    collection = new_collection("base", ROLES_COLLECTION_NAME)
    collection.system = True
    collection.list_rule = collection.view_rule = ROLES_READ_RULE
    _add(collection, TextField(name="name", system=True, required=True, max=100, pattern=ROLE_NAME_PATTERN))
    _add(collection, RelationField(name="includes", system=True, collection_id=collection.id, max_select=999))
    _add(collection, TextField(name="description", system=True, max=1000))
    _add(collection, AutodateField(name="created", system=True, on_create=True))
    _add(collection, AutodateField(name="updated", system=True, on_create=True, on_update=True))
    collection.indexes.append("CREATE UNIQUE INDEX `idx_roles_name` ON `_roles` (name)")
    _stamp(collection, now)
    return collection


def views_collection(now: str | None = None) -> Collection:
    """`_views`: saved views of a collection's records (docs/api-views.md), each with its own rules.

    A view's `viewRule` / `manageRule` (JSON: null for superusers only, "" for everyone, or a rule on
    `@request.*` and the view record) decide who may see and change it; creating one is superusers' only, since
    a form view lets guests create records (shared/saved_views/record_hooks.py checks what a view holds).
    """
    collection = new_collection("base", VIEWS_COLLECTION_NAME)
    collection.system = True
    collection.list_rule = collection.view_rule = collection.update_rule = collection.delete_rule = ""
    _add(collection, TextField(name="collection", system=True, required=True, max=100))
    _add(collection, TextField(name="name", system=True, required=True, max=255))
    _add(collection, SelectField(name="type", system=True, required=True, values=list(VIEW_TYPES), max_select=1))
    _add(collection, TextField(name="filter", system=True, max=3500))
    _add(collection, TextField(name="sort", system=True, max=1000))
    _add(collection, JSONField(name="fields", system=True, max_size=20_000))
    _add(collection, JSONField(name="columnWidths", system=True, max_size=20_000))
    _add(collection, SelectField(name="rowHeight", system=True, values=list(VIEW_ROW_HEIGHTS), max_select=1))
    _add(collection, TextField(name="groupBy", system=True, max=255))
    _add(collection, JSONField(name="colorRules", system=True, max_size=20_000))
    _add(collection, TextField(name="description", system=True, max=1000))
    _add(collection, JSONField(name="options", system=True, max_size=100_000))
    _add(collection, TextField(name="slug", system=True, max=100, pattern=VIEW_SLUG_PATTERN))
    _add(collection, JSONField(name="viewRule", system=True, max_size=10_000))
    _add(collection, JSONField(name="manageRule", system=True, max_size=10_000))
    _add(collection, AutodateField(name="created", system=True, on_create=True))
    _add(collection, AutodateField(name="updated", system=True, on_create=True, on_update=True))
    collection.indexes += ["CREATE UNIQUE INDEX `idx_views_slug` ON `_views` (slug) WHERE slug != ''",
                           "CREATE INDEX `idx_views_collection` ON `_views` (collection)"]
    _stamp(collection, now)
    return collection


def _add(collection: Collection, field: BaseField, *, before_autodates: bool = False) -> None:
    field.id = default_field_id(field.field_type, field.name, {f.id for f in collection.fields})
    position = len(collection.fields)
    if before_autodates:
        position = next((i for i, f in enumerate(collection.fields) if isinstance(f, AutodateField)), position)
    collection.fields.insert(position, field)  # type: ignore[arg-type]


def _stamp(collection: Collection, now: str | None) -> None:
    collection.created = collection.updated = now or now_string()
