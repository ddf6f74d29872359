"""Collection create/update validation: normalisation and PocketBase's error payloads."""

from __future__ import annotations

from typing import Any

import pytest

from shared.collections.model import Collection
from shared.collections.system import superusers_collection, users_collection
from shared.collections.validate import validate_collection
from shared.errors import BadRequestError

NOW = "2024-01-01 00:00:00.000Z"


class FakeCollections:
    """In-memory lookup by id or name (case-insensitive), like the collection repository."""

    def __init__(self, *collections: Collection) -> None:
        self.collections = list(collections)

    def __call__(self, name_or_id: str) -> Collection | None:
        for collection in self.collections:
            if collection.id == name_or_id or collection.name.lower() == name_or_id.lower():
                return collection
        return None


def accept_rule(rule: str) -> None:
    if "!!" in rule:
        raise ValueError("unexpected token")


def create(body: dict[str, Any], *existing: Collection) -> Collection:
    return validate_collection(body, existing=None, find_collection=FakeCollections(*existing),
                               check_rule=accept_rule, now=NOW)


def update(original: Collection, body: dict[str, Any], *others: Collection) -> Collection:
    return validate_collection(body, existing=original, find_collection=FakeCollections(original, *others),
                               check_rule=accept_rule, now=NOW)


def errors_of(call: Any) -> dict[str, Any]:
    with pytest.raises(BadRequestError) as caught:
        call()
    return caught.value.data


def test_create_base_collection_fills_pocketbase_defaults() -> None:
    # Given a minimal body / When created / Then id, system id field and field ids are PocketBase's
    collection = create({"name": "posts", "fields": [{"type": "text", "name": "title"}]})
    assert collection.id == "pbc_1125843985"
    assert [f.name for f in collection.fields] == ["id", "title"]
    assert collection.fields[0].id == "text3208210256"
    assert collection.fields[1].id.startswith("text")
    assert collection.created == collection.updated == NOW
    assert "authToken" not in collection.to_api_json()


def test_create_auth_collection_adds_system_fields_indexes_and_secrets() -> None:
    collection = create({"name": "members", "type": "auth"})
    assert [f.name for f in collection.fields] == ["id", "password", "tokenKey", "email", "emailVisibility",
                                                   "verified"]
    assert len(collection.indexes) == 2
    assert len(collection.auth_token.secret) == 50
    assert "secret" not in collection.to_api_json()["authToken"]


def test_generated_id_is_made_unique() -> None:
    first = create({"name": "posts"})
    clash = Collection(id=first.id, name="other")
    assert create({"name": "posts"}, clash).id == first.id + "2"


CREATE_ERROR_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("missing name", {}, {"name": {"code": "validation_required", "message": "Cannot be blank."}}),
    ("bad name", {"name": "my posts"}, {"name": {"code": "validation_match_invalid",
                                                 "message": "Must be in a valid format."}}),
    ("unicode name", {"name": "postś"}, {"name": {"code": "validation_match_invalid",
                                                  "message": "Must be in a valid format."}}),
    # as PocketBase: a view needs its query, and without one it has no fields
    ("view without a query", {"name": "v", "type": "view"}, {
        "fields": {"code": "validation_required", "message": "Cannot be blank."},
        "viewQuery": {"code": "validation_required", "message": "Cannot be blank."}}),
    ("duplicate field names", {"name": "p", "fields": [{"type": "text", "name": "Title"},
                                                       {"type": "number", "name": "title"}]},
     {"fields": {"2": {"name": {"code": "validation_duplicated_field_name",
                                "message": "Duplicated or invalid field name title.",
                                "params": {"fieldName": "title"}}}}}),
    ("reserved field name", {"name": "p", "fields": [{"type": "text", "name": "expand"}]},
     {"fields": {"1": {"name": {"code": "validation_not_in_invalid", "message": "Must not be in list."}}}}),
    ("select without values", {"name": "p", "fields": [{"type": "select", "name": "s"}]},
     {"fields": {"1": {"values": {"code": "validation_required", "message": "Cannot be blank."}}}}),
    ("maxSelect beyond values", {"name": "p", "fields": [{"type": "select", "name": "s", "values": ["a"],
                                                          "maxSelect": 2}]},
     {"fields": {"1": {"maxSelect": {"code": "validation_max_less_equal_than_required",
                                     "message": "Must be no greater than 1.", "params": {"threshold": 1}}}}}),
    ("relation to missing collection", {"name": "p", "fields": [{"type": "relation", "name": "r",
                                                                 "collectionId": "nope"}]},
     {"fields": {"1": {"collectionId": {"code": "validation_field_relation_missing_collection",
                                        "message": "The relation collection doesn't exist."}}}}),
    ("invalid rule", {"name": "p", "listRule": "a !! b"},
     {"listRule": {"code": "validation_invalid_rule", "message": "Invalid rule. Raw error: unexpected token."}}),
    ("invalid index", {"name": "p", "indexes": ["nonsense"]},
     {"indexes": {"0": {"code": "validation_invalid_index_expression",
                        "message": "Invalid CREATE INDEX expression."}}}),
    ("reserved auth field", {"name": "m", "type": "auth", "fields": [{"type": "text", "name": "oldPassword"}]},
     {"fields": {"1": {"name": {"code": "validation_reserved_field_name",
                                "message": "The field name is reserved and cannot be used."}}}}),
    ("identity field without unique index", {"name": "m", "type": "auth",
                                             "fields": [{"type": "text", "name": "username"}],
                                             "passwordAuth": {"identityFields": ["email", "username"]}},
     {"passwordAuth": {"identityFields": {"code": "validation_missing_unique_constraint",
                                          "message": "The field username doesn't have a UNIQUE constraint.",
                                          "params": {"fieldName": "username"}}}}),
    ("short token duration", {"name": "m", "type": "auth", "authToken": {"duration": 5}},
     {"authToken": {"duration": {"code": "validation_min_greater_equal_than_required",
                                 "message": "Must be no less than 10.", "params": {"threshold": 10}}}}),
    ("mfa needs two methods", {"name": "m", "type": "auth", "mfa": {"enabled": True}},
     {"mfa": {"enabled": {"code": "validation_mfa_not_enough_auths",
                          "message": "MFA requires at least 2 auth methods to be enabled."}}}),
]


@pytest.mark.parametrize(("name", "body", "expected"), CREATE_ERROR_CASES, ids=[c[0] for c in CREATE_ERROR_CASES])
def test_create_errors(name: str, body: dict[str, Any], expected: dict[str, Any]) -> None:
    data = errors_of(lambda: create(body))
    for key, error in expected.items():
        assert data[key] == error


def test_failed_create_message() -> None:
    with pytest.raises(BadRequestError) as caught:
        create({})
    assert caught.value.message == "Failed to create collection."


def test_name_must_be_unique_case_insensitively() -> None:
    existing = create({"name": "Posts"})
    data = errors_of(lambda: create({"name": "posts"}, existing))
    assert data["name"]["code"] == "validation_collection_name_exists"


def test_update_keeps_field_ids_and_merges_nested_options() -> None:
    # Given a collection / When a field is renamed by id and an option partly updated / Then the rest is kept
    original = create({"name": "members", "type": "auth", "fields": [{"type": "text", "name": "nick"}]})
    nick = original.field_by_name("nick")
    assert nick is not None
    fields = [f.to_json() for f in original.fields]
    for field in fields:
        if field["id"] == nick.id:
            field["name"] = "nickname"
    updated = update(original, {"fields": fields, "authToken": {"duration": 3600}})
    renamed = updated.field_by_id(nick.id)
    assert renamed is not None and renamed.name == "nickname"
    assert updated.auth_token.duration == 3600
    assert updated.auth_token.secret == original.auth_token.secret


def test_auth_rule_change_rotates_auth_token_secret() -> None:
    original = create({"name": "members", "type": "auth"})
    updated = update(original, {"authRule": "verified = true"})
    assert updated.auth_token.secret != original.auth_token.secret
    assert updated.file_token.secret == original.file_token.secret


UPDATE_ERROR_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("type change", {"type": "auth"}, "type", "validation_collection_type_change"),
    ("id change", {"id": "other"}, "id", "validation_values_mismatch"),
    ("system flag change", {"system": True}, "system", "validation_collection_system_flag_change"),
]


@pytest.mark.parametrize(("name", "body", "key", "code"), UPDATE_ERROR_CASES, ids=[c[0] for c in UPDATE_ERROR_CASES])
def test_update_errors(name: str, body: dict[str, Any], key: str, code: str) -> None:
    original = create({"name": "posts", "fields": [{"type": "text", "name": "title"}]})
    assert errors_of(lambda: update(original, body))[key]["code"] == code


def test_field_type_cannot_change() -> None:
    original = create({"name": "posts", "fields": [{"type": "text", "name": "title"}]})
    fields = [f.to_json() for f in original.fields]
    fields[1]["type"] = "number"
    data = errors_of(lambda: update(original, {"fields": fields}))
    assert data["fields"] == {"1": {"code": "validation_field_type_change", "message": "Field type cannot be changed."}}


def test_removed_system_field_is_restored_like_pocketbase() -> None:
    # PocketBase re-adds missing system fields before validating, with the same derived id
    original = users_collection(NOW)
    fields = [f.to_json() for f in original.fields if f.name != "verified"]
    updated = update(original, {"fields": fields})
    assert updated.field_by_name("verified") is not None


def test_system_fields_cannot_be_renamed() -> None:
    original = users_collection(NOW)
    fields = [f.to_json() for f in original.fields]
    fields[5]["name"] = "checked"
    data = errors_of(lambda: update(original, {"fields": fields}))
    assert data["fields"]["code"] == "validation_system_field_change"


def test_system_collection_is_protected() -> None:
    original = superusers_collection(NOW)
    data = errors_of(lambda: update(original, {"name": "admins", "listRule": ""}))
    assert data["name"]["code"] == "validation_collection_system_name_change"
    assert data["listRule"]["code"] == "validation_collection_system_rule_change"


def test_unique_index_over_system_field_cannot_be_dropped() -> None:
    original = create({"name": "posts", "fields": [{"type": "text", "name": "slug"}],
                       "indexes": ["CREATE UNIQUE INDEX idx_pair ON posts (id, slug)"]})
    data = errors_of(lambda: update(original, {"indexes": []}))
    assert data["indexes"]["code"] == "validation_invalid_unique_system_field_index"
    assert data["indexes"]["params"] == {"fieldName": "id"}


def test_relation_to_existing_collection_and_to_itself() -> None:
    users = users_collection(NOW)
    posts = create({"name": "posts", "fields": [
        {"type": "relation", "name": "author", "collectionId": users.id},
        {"type": "relation", "name": "parent", "collectionId": "pbc_1125843985"},
    ]}, users)
    assert [f.name for f in posts.fields] == ["id", "author", "parent"]


def test_relation_target_cannot_change() -> None:
    users = users_collection(NOW)
    other = create({"name": "other"})
    posts = create({"name": "posts", "fields": [{"type": "relation", "name": "author", "collectionId": users.id}]},
                   users)
    fields = [f.to_json() for f in posts.fields]
    fields[1]["collectionId"] = other.id
    data = errors_of(lambda: update(posts, {"fields": fields}, users, other))
    assert data["fields"]["1"]["collectionId"]["code"] == "validation_field_relation_change"
