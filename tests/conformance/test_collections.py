"""Conformance of /api/collections: create with every field type and option, defaults, list, view, update,
delete, truncate, import, and the errors of each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance import deliberate
from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

WEBHOOKS = deliberate.WEBHOOKS_COLLECTION
ROLES = deliberate.ROLES_COLLECTION
VIEWS = deliberate.VIEWS_COLLECTION

C = "/api/collections"

EVERY_FIELD: list[dict[str, Any]] = [
    {"name": "title", "type": "text", "required": True, "min": 2, "max": 50, "pattern": "^[A-Za-z ]+$"},
    {"name": "slug", "type": "text", "autogeneratePattern": "[a-z]{8}", "presentable": True},
    {"name": "count", "type": "number", "min": 0, "max": 100, "onlyInt": True},
    {"name": "flag", "type": "bool"},
    {"name": "contact", "type": "email", "onlyDomains": ["example.com"]},
    {"name": "site", "type": "url", "exceptDomains": ["bad.example"]},
    {"name": "body", "type": "editor", "maxSize": 2000, "convertURLs": True},
    {"name": "when", "type": "date", "min": "2020-01-01 00:00:00.000Z", "max": "2030-01-01 00:00:00.000Z"},
    {"name": "stamp", "type": "autodate", "onCreate": True, "onUpdate": True},
    {"name": "color", "type": "select", "values": ["red", "green", "blue"], "maxSelect": 2},
    {"name": "meta", "type": "json", "maxSize": 1000},
    {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1, "cascadeDelete": True},
    {"name": "doc", "type": "file", "maxSelect": 2, "maxSize": 1024, "mimeTypes": ["text/plain"]},
    {"name": "where", "type": "geoPoint"},
    {"name": "secretText", "type": "text", "hidden": True},
]


def base(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "base", **extra}


CREATE = cases(
    Case("create a minimal base collection", "POST", C, body=base("colc_min")),
    Case("create a base collection with every field type", "POST", C, body=base("colc_every", fields=EVERY_FIELD)),
    Case("create with one field of each default", "POST", C, body=base("colc_defaults", fields=[
        {"name": n, "type": n} for n in ("text", "number", "bool", "email", "url", "editor", "date", "json")])),
    Case("create with a select without maxSelect", "POST", C, body=base("colc_sel", fields=[
        {"name": "s", "type": "select", "values": ["a", "b"]}])),
    Case("create with rules", "POST", C, body=base("colc_rules", listRule="", viewRule="title != ''",
         createRule="@request.auth.id != ''", updateRule=None, deleteRule=None,
         fields=[{"name": "title", "type": "text"}])),
    Case("create with an index", "POST", C, body=base("colc_idx", fields=[{"name": "code", "type": "text"}],
         indexes=["CREATE UNIQUE INDEX idx_code ON colc_idx (code)"])),
    Case("create a minimal auth collection", "POST", C, body={"name": "colc_members", "type": "auth"}),
    Case("create an auth collection with options", "POST", C, body={
        "name": "colc_staff", "type": "auth", "fields": [{"name": "nick", "type": "text"}],
        "passwordAuth": {"enabled": True, "identityFields": ["email"]}, "authToken": {"duration": 3600},
        "manageRule": None, "authRule": "verified = true"}),
    Case("create with the type omitted", "POST", C, body={"name": "colc_notype"}),
    Case("create with a relation to a base collection", "POST", C, body=base("colc_rel", fields=[
        {"name": "target", "type": "relation", "collectionId": "${col_colw_a}", "maxSelect": 3}])),
)

CREATE_ERRORS = cases(
    Case("create as guest", "POST", C, role=GUEST, body=base("colc_guest")),
    Case("create as a user", "POST", C, role="alice", body=base("colc_user")),
    Case("create with a duplicate name", "POST", C, body=base("colw_a")),
    Case("create with a duplicate name in other case", "POST", C, body=base("COLW_A")),
    Case("create with the name of a system collection", "POST", C, body=base("users")),
    Case("create without a name", "POST", C, body={"type": "base"}),
    Case("create with an invalid name", "POST", C, body=base("bad name!")),
    Case("create with a name starting with a digit", "POST", C, body=base("1abc")),
    Case("create with an unknown type", "POST", C, body={"name": "colc_badtype", "type": "table"}),
    Case("create with an unknown field type", "POST", C, body=base("colc_badfield", fields=[
        {"name": "x", "type": "blob"}])),
    Case("create with duplicate field names", "POST", C, body=base("colc_dupfield", fields=[
        {"name": "x", "type": "text"}, {"name": "x", "type": "number"}])),
    Case("create with a field without a name", "POST", C, body=base("colc_noname", fields=[{"type": "text"}])),
    Case("create with an invalid field name", "POST", C, body=base("colc_badname", fields=[
        {"name": "has space", "type": "text"}])),
    Case("create with a select without values", "POST", C, body=base("colc_novalues", fields=[
        {"name": "s", "type": "select"}])),
    Case("create with a relation to a missing collection", "POST", C, body=base("colc_badrel", fields=[
        {"name": "r", "type": "relation", "collectionId": "pbc_0000000000"}])),
    Case("create with text min above max", "POST", C, body=base("colc_minmax", fields=[
        {"name": "t", "type": "text", "min": 10, "max": 2}])),
    Case("create with a negative text max", "POST", C, body=base("colc_negmax", fields=[
        {"name": "t", "type": "text", "max": -1}])),
    Case("create with an invalid text pattern", "POST", C, body=base("colc_badpattern", fields=[
        {"name": "t", "type": "text", "pattern": "(["}]), deliberate=deliberate.COLLECTION_CREATE_FAILED),
    Case("create with a rule of bad syntax", "POST", C, body=base("colc_badrule", listRule="title = "),
         deliberate=deliberate.COLLECTION_CREATE_FAILED),
    Case("create with a rule on an unknown field", "POST", C, body=base("colc_unknownrule", listRule="nope = 1"),
         deliberate=deliberate.COLLECTION_CREATE_FAILED),
    Case("create with several invalid parts", "POST", C, body={"name": "", "type": "base", "listRule": "x =",
                                                                "fields": [{"name": "a", "type": "nope"}]}),
    Case("create with an invalid index", "POST", C, body=base("colc_badidx", fields=[{"name": "a", "type": "text"}],
         indexes=["CREATE INDEX nonsense"])),
    Case("create with an index on a missing column", "POST", C, body=base("colc_idxcol",
         indexes=["CREATE INDEX idx_x ON colc_idxcol (nope)"])),
    Case("create with fields not a list", "POST", C, body=base("colc_fieldsobj", fields={"a": 1})),
)

LIST = cases(
    Case("list filtered by name prefix", "GET", C, params={"filter": "name ~ 'colw_'", "sort": "name"}),
    Case("list with fields", "GET", C, params={"filter": "name ~ 'colw_'", "sort": "name", "fields": "id,name,type"}),
    Case("list sorted descending", "GET", C, params={"filter": "name ~ 'colw_'", "sort": "-name", "fields": "name"}),
    Case("list one per page", "GET", C, params={"filter": "name ~ 'colw_'", "sort": "name", "perPage": 1,
                                                "page": 2, "fields": "name"}),
    Case("list with skipTotal", "GET", C, params={"filter": "name ~ 'colw_'", "sort": "name", "skipTotal": 1,
                                                  "fields": "name"}),
    Case("list filtered by type", "GET", C, params={"filter": "type = 'auth' && name ~ 'colw_'", "fields": "name"}),
    # `_webhooks`, `_roles` and `_views` are Lambdabase's own system collections (deliberate.py): left out here
    Case("list filtered by system flag", "GET", C, params={"filter": f"system = true && name != '{WEBHOOKS}'"
                                                           f" && name != '{ROLES}' && name != '{VIEWS}'",
                                                           "fields": "name", "sort": "name"}),
    # system collections included; views are not supported yet (test_view_collections_are_not_supported_yet)
    Case("list every collection's name", "GET", C, params={"fields": "name", "sort": "name", "perPage": 100,
                                                           "filter": f"type != 'view' && name != '{WEBHOOKS}'"
                                                                     f" && name != '{ROLES}' && name != '{VIEWS}'"}),
    Case("list with a bad filter", "GET", C, params={"filter": "name ~"}),
    Case("list with an unknown sort field", "GET", C, params={"sort": "nope"}),
    Case("list as guest", "GET", C, role=GUEST),
    Case("list as a user", "GET", C, role="alice"),
)

VIEW = cases(
    Case("view by name", "GET", C + "/colw_a"),
    Case("view by id", "GET", C + "/${col_colw_a}"),
    Case("view an auth collection", "GET", C + "/colw_people"),
    Case("view the users collection", "GET", C + "/users"),
    Case("view the superusers collection", "GET", C + "/_superusers"),
    Case("view with fields", "GET", C + "/colw_a", params={"fields": "name,listRule"}),
    Case("view a missing collection", "GET", C + "/nope"),
    Case("view as guest", "GET", C + "/colw_a", role=GUEST),
    Case("view as a user", "GET", C + "/colw_a", role="alice"),
)

UPDATE = cases(
    Case("update rules", "PATCH", C + "/colw_upd", body={"listRule": "", "viewRule": "@request.auth.id != ''"}),
    Case("update: add a field", "PATCH", C + "/colw_upd2", body={"fields": [
        {"name": "title", "type": "text"}, {"name": "extra", "type": "number"}]}),
    Case("update: rename", "PATCH", C + "/colw_ren", body={"name": "colw_renamed"}),
    Case("update: remove a field", "PATCH", C + "/colw_upd3", body={"fields": [{"name": "keep", "type": "text"}]}),
    Case("update: change select values", "PATCH", C + "/colw_upd4", body={"fields": [
        {"name": "s", "type": "select", "values": ["x", "y", "z"], "maxSelect": 2}]}),
    Case("update: change a field's type", "PATCH", C + "/colw_upd5", body={"fields": [
        {"name": "keep", "type": "number"}]}),
    Case("update: drop the id field", "PATCH", C + "/colw_upd6", body={"fields": []}),
    Case("update with a bad rule", "PATCH", C + "/colw_a", body={"listRule": "title ="},
         deliberate=deliberate.COLLECTION_UPDATE_FAILED),
    Case("update to a taken name", "PATCH", C + "/colw_b", body={"name": "colw_a"}),
    Case("update the type", "PATCH", C + "/colw_b", body={"type": "auth"}),
    Case("update a missing collection", "PATCH", C + "/nope", body={"listRule": ""}),
    Case("update as a user", "PATCH", C + "/colw_a", role="alice", body={"listRule": ""}),
    Case("update the superusers collection's name", "PATCH", C + "/_superusers", body={"name": "admins"}),
)

DELETE = cases(
    Case("delete a collection", "DELETE", C + "/colw_del"),
    Case("delete a collection referenced by a relation", "DELETE", C + "/colw_target"),
    Case("delete a missing collection", "DELETE", C + "/nope"),
    Case("delete a system collection", "DELETE", C + "/_superusers"),
    Case("delete as guest", "DELETE", C + "/colw_a", role=GUEST),
    Case("truncate a collection", "DELETE", C + "/colw_trunc/truncate"),
    Case("truncate a missing collection", "DELETE", C + "/nope/truncate"),
    Case("truncate as a user", "DELETE", C + "/colw_a/truncate", role="alice"),
)

IMPORT = cases(
    Case("import a new collection", "PUT", C + "/import", body={"collections": [
        base("colw_imported", fields=[{"name": "title", "type": "text"}])], "deleteMissing": False}),
    Case("the imported collection", "GET", C + "/colw_imported", params={"fields": "name,type"}),
    Case("import an invalid collection", "PUT", C + "/import", body={"collections": [
        {"name": "colw_badimport", "type": "nope"}]}),
    Case("import an empty list", "PUT", C + "/import", body={"collections": []}),
    Case("import without collections", "PUT", C + "/import", body={}),
    Case("import as a user", "PUT", C + "/import", role="alice", body={"collections": []}),
)


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    paired.create_collection(base("colw_a", fields=[{"name": "title", "type": "text"}]))
    paired.create_collection(base("colw_b"))
    paired.create_collection({"name": "colw_people", "type": "auth", "fields": [{"name": "nick", "type": "text"}]})
    for name in ("colw_upd", "colw_ren", "colw_del", "colw_trunc"):
        paired.create_collection(base(name))
    paired.create_collection(base("colw_upd2", fields=[{"name": "title", "type": "text"}]))
    paired.create_collection(base("colw_upd3", fields=[{"name": "keep", "type": "text"},
                                                       {"name": "drop", "type": "text"}]))
    paired.create_collection(base("colw_upd4", fields=[{"name": "s", "type": "select", "values": ["x"]}]))
    paired.create_collection(base("colw_upd5", fields=[{"name": "keep", "type": "text"}]))
    paired.create_collection(base("colw_upd6", fields=[{"name": "keep", "type": "text"}]))
    paired.create_collection(base("colw_target"))
    paired.create_collection(base("colw_source", fields=[
        {"name": "t", "type": "relation", "collectionId": "${col_colw_target}"}]))
    paired.create_record("colw_trunc", "trunc1", {})
    yield


@pytest.mark.parametrize("case", CREATE)
def test_create(paired: PairedClient, case: Case) -> None:
    # Given a world of collections, When the same create goes to both, Then the created collections agree
    check(paired, case)


@pytest.mark.parametrize("case", CREATE_ERRORS)
def test_create_errors(paired: PairedClient, case: Case) -> None:
    check(paired, case)


@pytest.mark.parametrize("case", LIST)
def test_list(paired: PairedClient, case: Case) -> None:
    check(paired, case)


@pytest.mark.parametrize("case", VIEW)
def test_view(paired: PairedClient, case: Case) -> None:
    check(paired, case)


@pytest.mark.parametrize("case", UPDATE)
def test_update(paired: PairedClient, case: Case) -> None:
    check(paired, case)


@pytest.mark.parametrize("case", DELETE)
def test_delete_and_truncate(paired: PairedClient, case: Case) -> None:
    check(paired, case)


@pytest.mark.parametrize("case", IMPORT)
def test_import(paired: PairedClient, case: Case) -> None:
    check(paired, case)


def test_truncate_then_list(paired: PairedClient) -> None:
    # Given a collection with records on both sides
    paired.create_collection(base("colw_trunc2", listRule=""))
    for n in range(2):
        paired.create_record("colw_trunc2", f"trunc2_{n}", {})
    # When it is truncated, and Lambdabase's counter-backed total has caught up
    paired.ok("DELETE", C + "/colw_trunc2/truncate")
    paired.settle("colw_trunc2")
    # Then both list it as empty
    check(paired, Case("list after truncate", "GET", C + "/colw_trunc2/records", role=GUEST))


def test_view_collections_are_not_supported_yet(paired: PairedClient) -> None:
    """docs/compatibility.md: view collections come with computed fields and views; until then they are a 400."""
    # Given a base collection to select from
    body = {"name": "colc_view", "type": "view", "viewQuery": "SELECT id, title FROM colw_a"}
    # When a view collection over it is created on both sides
    pair = paired.send("POST", C, json=body)
    # Then PocketBase creates it, and Lambdabase refuses the type in PocketBase's validation shape
    assert pair.pb.status_code == 200, pair.pb.text
    assert pair.lb.status_code == 400, pair.lb.text
    assert pair.lb.json() == {"status": 400, "message": "Failed to create collection.", "data": {
        "type": {"code": "validation_in_invalid", "message": "Must be a valid value."}}}
