"""Schema change plans, field JSON shapes and the bootstrap system collections."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.collections.field_errors import FieldError
from shared.collections.fields import (
    AutodateField,
    BaseField,
    EmailField,
    NumberField,
    PasswordField,
    RelationField,
    SelectField,
    SettingsContext,
    TextField,
    parse_field,
)
from shared.collections.model import Collection
from shared.collections.system import superusers_collection, system_collections, users_collection
from shared.collections.validate import plan_schema_change

NOW = "2024-01-01 00:00:00.000Z"


def collection_with(*fields: BaseField, indexes: list[str] | None = None, name: str = "posts") -> Collection:
    return Collection(id="pbc_1", name=name, fields=list(fields), indexes=indexes or [])  # type: ignore[arg-type]


def test_plan_schema_change_matches_fields_by_id() -> None:
    # Given two versions / When planned / Then adds, removals, renames and multiplicity changes are listed
    old = collection_with(TextField(id="t1", name="title"), SelectField(id="s1", name="tags", values=["a"]),
                          NumberField(id="n1", name="views"), indexes=["CREATE INDEX a ON posts (title)"])
    new = collection_with(TextField(id="t1", name="headline"),
                          SelectField(id="s1", name="tags", values=["a", "b"], max_select=2),
                          TextField(id="t2", name="body"), indexes=["CREATE INDEX a ON renamed (title)"],
                          name="renamed")
    plan = plan_schema_change(old, new)
    assert plan.added_field_ids == ("t2",)
    assert plan.removed_field_ids == ("n1",)
    assert [(r.field_id, r.old_name, r.new_name) for r in plan.renamed_fields] == [("t1", "title", "headline")]
    assert plan.multiplicity_changed_field_ids == ("s1",)
    assert plan.collection_renamed
    assert plan.added_indexes == () and plan.removed_indexes == ()


def test_plan_for_identical_collections_is_empty() -> None:
    users = users_collection(NOW)
    assert plan_schema_change(users, users).is_empty


def test_plan_lists_index_changes() -> None:
    old = collection_with(indexes=["CREATE INDEX a ON posts (title)"])
    new = collection_with(indexes=["CREATE UNIQUE INDEX b ON posts (slug)"])
    plan = plan_schema_change(old, new)
    assert [spec.name for spec in plan.added_indexes] == ["b"]
    assert [spec.name for spec in plan.removed_indexes] == ["a"]


FIELD_JSON_CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"type": "number", "name": "n", "id": "number1", "min": 5},
     {"help": "", "hidden": False, "id": "number1", "max": None, "min": 5, "name": "n", "onlyInt": False,
      "presentable": False,
      "required": False, "system": False, "type": "number"}),
    ({"type": "select", "name": "s", "id": "select1", "values": ["a"]},
     {"help": "", "hidden": False, "id": "select1", "maxSelect": 0, "name": "s", "presentable": False,
      "required": False,
      "system": False, "type": "select", "values": ["a"]}),
    ({"type": "relation", "name": "r", "id": "relation1", "collectionId": "c"},
     {"cascadeDelete": False, "collectionId": "c", "help": "", "hidden": False, "id": "relation1", "maxSelect": 0,
      "minSelect": 0, "name": "r", "presentable": False, "required": False, "system": False, "type": "relation"}),
    ({"type": "date", "name": "d", "id": "date1", "min": "2024-01-01"},
     {"help": "", "hidden": False, "id": "date1", "max": "", "min": "2024-01-01 00:00:00.000Z", "name": "d",
      "presentable": False, "required": False, "system": False, "type": "date"}),
    ({"type": "json", "name": "j", "id": "json1"},
     {"help": "", "hidden": False, "id": "json1", "maxSize": 0, "name": "j", "presentable": False, "required": False,
      "system": False, "type": "json"}),
    ({"type": "editor", "name": "e", "id": "editor1", "convertURLs": True},
     {"convertURLs": True, "help": "", "hidden": False, "id": "editor1", "maxSize": 0, "name": "e",
      "presentable": False,
      "required": False, "system": False, "type": "editor"}),
    ({"type": "url", "name": "u", "id": "url1"},
     {"exceptDomains": [], "help": "", "hidden": False, "id": "url1", "name": "u", "onlyDomains": [],
      "presentable": False,
      "required": False, "system": False, "type": "url"}),
    ({"type": "geoPoint", "name": "g", "id": "geoPoint1"},
     {"help": "", "hidden": False, "id": "geoPoint1", "name": "g", "presentable": False, "required": False,
      "system": False,
      "type": "geoPoint"}),
    ({"type": "password", "name": "p", "id": "password1"},
     {"cost": 0, "help": "", "hidden": False, "id": "password1", "max": 0, "min": 0, "name": "p", "pattern": "",
      "presentable": False, "required": False, "system": False, "type": "password"}),
    ({"type": "email", "name": "e", "id": "email1", "onlyDomains": None, "help": "Work address"},
     {"exceptDomains": [], "help": "Work address", "hidden": False, "id": "email1", "name": "e", "onlyDomains": [],
      "presentable": False, "required": False, "system": False, "type": "email"}),
    ({"type": "file", "name": "f", "id": "file1", "thumbs": None},
     {"help": "", "hidden": False, "id": "file1", "maxSelect": 0, "maxSize": 0, "mimeTypes": [], "name": "f",
      "presentable": False, "protected": False, "required": False, "system": False, "thumbs": [], "type": "file"}),
    # the one field type PocketBase serialises without `help`
    ({"type": "autodate", "name": "a", "id": "autodate1", "onCreate": True, "help": "ignored"},
     {"hidden": False, "id": "autodate1", "name": "a", "onCreate": True, "onUpdate": False, "presentable": False,
      "system": False, "type": "autodate"}),
]


@pytest.mark.parametrize(("raw", "expected"), FIELD_JSON_CASES, ids=[c[0]["type"] for c in FIELD_JSON_CASES])
def test_field_json_round_trip(raw: dict[str, Any], expected: dict[str, Any]) -> None:
    field = parse_field(raw)
    assert field.to_json() == expected
    assert list(field.to_json()) == sorted(expected)
    assert parse_field(field.to_json()).to_json() == expected


SETTINGS_CASES: list[tuple[str, BaseField, str, str]] = [
    ("empty name", TextField(id="t", name=""), "name", "validation_required"),
    ("via in name", TextField(id="t", name="a_via_b"), "name", "validation_found_via"),
    ("max below min", TextField(id="t", name="t", min=5, max=2), "max",
     "validation_min_greater_equal_than_required"),
    ("invalid pattern", TextField(id="t", name="t", pattern="("), "pattern", "validation_invalid_regex"),
    ("autogenerate breaks limits", TextField(id="t", name="t", max=3, autogenerate_pattern="[a-z]{5}"),
     "autogeneratePattern", "validation_invalid_autogenerate_pattern_value"),
    ("pk not named id", TextField(id="t", name="key", primary_key=True, required=True, pattern="x"), "name",
     "validation_in_invalid"),
    ("number decimal bound with onlyInt", NumberField(id="n", name="n", only_int=True, min=1.5), "min",
     "validation_only_int_constraint"),
    ("email both domain lists", EmailField(id="e", name="e", only_domains=["a.com"], except_domains=["b.com"]),
     "exceptDomains", "validation_empty"),
    ("email invalid domain", EmailField(id="e", name="e", only_domains=["not a domain"]), "onlyDomains",
     "validation_is_domain"),
    ("autodate needs a trigger", AutodateField(id="a", name="a"), "onCreate", "validation_required"),
    ("relation min without max", RelationField(id="r", name="r", collection_id="pbc_1", min_select=2), "maxSelect",
     "validation_required"),
    ("password cost", PasswordField(id="p", name="p", cost=40), "cost", "validation_max_less_equal_than_required"),
]


@pytest.mark.parametrize(("name", "field", "option", "code"), SETTINGS_CASES, ids=[c[0] for c in SETTINGS_CASES])
def test_field_settings_errors(name: str, field: BaseField, option: str, code: str) -> None:
    context = SettingsContext(collection_id="pbc_1", sibling_fields=[field], collection_exists=lambda _: True)
    errors: dict[str, FieldError] = field.validate_settings(context)
    assert errors[option].code == code


def test_users_collection_matches_pocketbase() -> None:
    users = users_collection(NOW).to_api_json()
    assert users["id"] == "_pb_users_auth_"
    assert [(f["name"], f["id"]) for f in users["fields"]] == [
        ("id", "text3208210256"), ("password", "password901924565"), ("tokenKey", "text2504183744"),
        ("email", "email3885137012"), ("emailVisibility", "bool1547992806"), ("verified", "bool256245529"),
        ("name", "text1579384326"), ("avatar", "file376926767"), ("created", "autodate2990389176"),
        ("updated", "autodate3332085495"),
    ]
    assert users["listRule"] == users["viewRule"] == users["updateRule"] == users["deleteRule"] == (
        "id = @request.auth.id")
    assert users["createRule"] == "" and users["authRule"] == "" and users["manageRule"] is None
    assert users["indexes"] == [
        "CREATE UNIQUE INDEX `idx_tokenKey__pb_users_auth_` ON `users` (`tokenKey`)",
        "CREATE UNIQUE INDEX `idx_email__pb_users_auth_` ON `users` (`email`) WHERE `email` != ''",
    ]
    assert users["authToken"] == {"duration": 432000}
    assert users["oauth2"] == {"providers": [], "mappedFields": {"id": "", "name": "name", "username": "",
                                                                 "avatarURL": "avatar"}, "enabled": False}
    assert users["passwordAuth"] == {"enabled": True, "identityFields": ["email"]}
    assert users["otp"]["length"] == 8 and users["mfa"] == {"enabled": False, "duration": 600, "rule": ""}


def test_superusers_collection_matches_pocketbase() -> None:
    superusers = superusers_collection(NOW)
    data = superusers.to_api_json()
    assert data["id"] == "pbc_3142635823" and data["name"] == "_superusers" and data["system"] is True
    assert all(data[rule] is None for rule in ("listRule", "viewRule", "createRule", "updateRule", "deleteRule"))
    assert data["authToken"] == {"duration": 86400}
    assert [f.name for f in superusers.fields][-2:] == ["created", "updated"]
    assert all(len(superusers.to_storage_json()[key]["secret"]) == 50 for key in ("authToken", "fileToken"))


def test_system_collections_have_distinct_secrets() -> None:
    auth = [c for c in system_collections(NOW) if c.is_auth]
    assert len(auth) == 2
    assert auth[0].auth_token.secret != auth[1].auth_token.secret
    assert auth[0].id_field().name == "id"


POCKETBASE_SYSTEM_COLLECTIONS = json.loads(
    (Path(__file__).parent / "pocketbase_0_40_6_system_collections.json").read_text())


@pytest.mark.parametrize("expected", POCKETBASE_SYSTEM_COLLECTIONS,
ids=[c["name"] for c in POCKETBASE_SYSTEM_COLLECTIONS])
def test_bootstrap_collections_equal_what_pocketbase_answers(expected: dict[str, Any]) -> None:
    # Given the collections a fresh PocketBase 0.40.6 lists (captured from the real server, times removed)
    # When Lambdabase bootstraps its own
    ours = {c.name: c.to_api_json() for c in system_collections(NOW)}
    # Then each one serialises to the same JSON, key order included
    actual = {key: value for key, value in ours[expected["name"]].items() if key not in ("created", "updated")}
    assert actual == expected
    assert list(actual) == list(expected)


def test_bootstrap_collections_keep_pocketbase_creation_order() -> None:
    collections = system_collections(NOW)
    # PocketBase's, in its order, then Lambdabase's own `_webhooks`, `_roles` and `_views` (docs/compatibility.md)
    assert [c.name for c in collections] == [c["name"] for c in POCKETBASE_SYSTEM_COLLECTIONS] + [
        "_webhooks", "_roles", "_views"]
    assert [c.created for c in collections] == sorted({c.created for c in collections})


def test_a_catalog_from_before_the_auth_system_collections_gets_them_and_keeps_a_deleted_users() -> None:
    # Given a stored catalog with only `_superusers` (its `users` was deleted), as older versions bootstrapped
    from shared.catalog.layout import plan_layout
    from shared.catalog.repository import InMemoryCollectionRepository, StoredCollection

    repository = InMemoryCollectionRepository()
    superusers = superusers_collection(NOW)
    repository.save(StoredCollection(collection=superusers, layout=plan_layout(superusers, None, has_records=False)))
    # When the catalog is read
    names = {stored.collection.name for stored in repository.all()}
    # Then the missing system collections are created, and `users` (not system) is not brought back
    assert names == {"_mfas", "_otps", "_externalAuths", "_authOrigins", "_superusers", "_webhooks", "_roles",
                     "_views"}
    assert repository.get("_superusers").collection.auth_token.secret == superusers.auth_token.secret
