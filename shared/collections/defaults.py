"""New collections with PocketBase's defaults, and the normalisation applied to every saved collection."""

from __future__ import annotations

from shared.collections.fields import (
    BaseField,
    BoolField,
    EmailField,
    PasswordField,
    TextField,
)
from shared.collections.ids import (
    RECORD_ID_AUTOGENERATE_PATTERN,
    RECORD_ID_PATTERN,
    default_field_id,
    new_collection_id,
    random_string,
)
from shared.collections.indexes import find_single_column_unique_index
from shared.collections.model import TOKEN_OPTION_KEYS, Collection

TOKEN_SECRET_LENGTH = 50
TOKEN_KEY_AUTOGENERATE_PATTERN = "[a-zA-Z0-9]{50}"
_MAX_INDEX_NAME_LENGTH = 64


def new_collection(collection_type: str, name: str, collection_id: str = "") -> Collection:
    """A collection as PocketBase's NewCollection makes it: system fields, indexes and, for auth, fresh secrets."""
    collection = Collection(type=collection_type, name=name, id=collection_id or new_collection_id(
        collection_type, name))
    if collection.is_auth:
        reset_token_secrets(collection)
    ensure_system_fields(collection)
    return collection


def reset_token_secrets(collection: Collection, only: tuple[str, ...] = TOKEN_OPTION_KEYS) -> None:
    """Give the named token options new random secrets (which invalidates tokens signed with the old ones)."""
    for key in only:
        token = getattr(collection, _snake(key))
        token.secret = random_string(TOKEN_SECRET_LENGTH)


def assign_field_ids(collection: Collection) -> None:
    """Give fields without an id PocketBase's default one (type + crc32 of the name)."""
    taken = {field.id for field in collection.fields if field.id}
    for field in collection.fields:
        if not field.id:
            field.id = default_field_id(field.field_type, field.name, taken)
            taken.add(field.id)


def ensure_system_fields(collection: Collection) -> None:
    """Add missing system fields and enforce their flags, like PocketBase's initDefaultFields."""
    assign_field_ids(collection)
    _ensure_id_field(collection)
    if not collection.is_auth:
        return
    _ensure_field(collection, PasswordField(name="password", system=True, hidden=True, required=True, min=8),
                  system=True, hidden=True, required=True)
    _ensure_field(collection, TextField(name="tokenKey", system=True, hidden=True, required=True, min=30, max=60,
                                        autogenerate_pattern=TOKEN_KEY_AUTOGENERATE_PATTERN),
                  system=True, hidden=True, required=True)
    _ensure_unique_index(collection, "tokenKey", where="")
    _ensure_field(collection, EmailField(name="email", system=True, required=True), system=True, hidden=False)
    _ensure_unique_index(collection, "email", where="`email` != ''")
    _ensure_field(collection, BoolField(name="emailVisibility", system=True), system=True)
    _ensure_field(collection, BoolField(name="verified", system=True), system=True)


def field_index_name(collection: Collection, field_name: str) -> str:
    """PocketBase's generated index name, e.g. "idx_email__pb_users_auth_"."""
    name = f"idx_{field_name}_{collection.id or collection.name}"
    return name[:_MAX_INDEX_NAME_LENGTH]


def _ensure_id_field(collection: Collection) -> None:
    field = collection.field_by_name("id")
    if isinstance(field, TextField):
        field.system, field.required, field.primary_key, field.hidden = True, True, True, False
        field.pattern = field.pattern or RECORD_ID_PATTERN
        return
    id_field = TextField(name="id", system=True, primary_key=True, required=True, min=15, max=15,
                         pattern=RECORD_ID_PATTERN, autogenerate_pattern=RECORD_ID_AUTOGENERATE_PATTERN)
    id_field.id = default_field_id("text", "id", {f.id for f in collection.fields})
    collection.fields.insert(0, id_field)


def _ensure_field(collection: Collection, default: BaseField, **enforced: bool) -> None:
    existing = collection.field_by_name(default.name)
    if isinstance(existing, type(default)):
        for option, value in enforced.items():
            setattr(existing, option, value)
        return
    if existing is not None:
        return  # a wrongly typed field is left for validation to report
    default.id = default_field_id(default.field_type, default.name, {f.id for f in collection.fields})
    collection.fields.append(default)  # type: ignore[arg-type]


def _ensure_unique_index(collection: Collection, field_name: str, *, where: str) -> None:
    if find_single_column_unique_index(collection.indexes, field_name) is not None:
        return
    index = f"CREATE UNIQUE INDEX `{field_index_name(collection, field_name)}` ON `{collection.name}` (`{field_name}`)"
    collection.indexes.append(index + (f" WHERE {where}" if where else ""))


def _snake(camel: str) -> str:
    return "".join("_" + char.lower() if char.isupper() else char for char in camel)
