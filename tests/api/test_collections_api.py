"""Collections API over HTTP: superuser-only CRUD, import, truncate, schema changes and unique indexes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.records_api import (
    ABSENT,
    ANY,
    GUEST,
    Api,
    Scenario,
    error,
    field_error,
    length,
    run,
    unique,
)

pytestmark = pytest.mark.api



def _base(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "base", "fields": [{"name": "title", "type": "text"}], **extra}


@pytest.fixture(scope="module")
def names(api: Api) -> dict[str, str]:
    """A collection shared by the access scenarios, and names free for them to create."""
    existing = unique("coll")
    created = api.create_collection(_base(existing))
    return {"existing": existing, "existing_id": created["id"], "fresh": unique("fresh")}


ACCESS = [
    Scenario("guest cannot list", "GET", "/api/collections", 401, error(401), role=GUEST),
    Scenario("user cannot list", "GET", "/api/collections", 403, error(403), role="user"),
    Scenario("guest cannot view", "GET", "/api/collections/${existing}", 401, role=GUEST),
    Scenario("user cannot view", "GET", "/api/collections/${existing}", 403, role="user"),
    Scenario("guest cannot create", "POST", "/api/collections", 401, body=_base("${fresh}"), role=GUEST),
    Scenario("user cannot create", "POST", "/api/collections", 403, body=_base("${fresh}"), role="user"),
    Scenario("user cannot update", "PATCH", "/api/collections/${existing}", 403, body={"listRule": ""},
             role="user"),
    Scenario("user cannot delete", "DELETE", "/api/collections/${existing}", 403, role="user"),
    Scenario("user cannot truncate", "DELETE", "/api/collections/${existing}/truncate", 403, role="user"),
    Scenario("guest cannot import", "PUT", "/api/collections/import", 401,
             body={"collections": [_base("${fresh}")]}, role=GUEST),
    Scenario("user cannot import", "PUT", "/api/collections/import", 403,
             body={"collections": [_base("${fresh}")]}, role="user"),
    Scenario("superuser lists with the list shape", "GET", "/api/collections", 200,
             {"page": 1, "perPage": 30, "totalItems": ANY, "totalPages": ANY, "items": ANY}),
    Scenario("superuser filters the list by name", "GET", "/api/collections", 200,
             {"totalItems": 1, "items": [{"name": "${existing}", "type": "base"}]},
             params={"filter": "name = '${existing}'"}),
    Scenario("view by name", "GET", "/api/collections/${existing}", 200,
             {"id": "${existing_id}", "name": "${existing}", "listRule": None, "fields": ANY, "indexes": []}),
    Scenario("view by id", "GET", "/api/collections/${existing_id}", 200, {"name": "${existing}"}),
    Scenario("view by name is case-insensitive", "GET", "/api/collections/${existing_upper}", 200,
             {"name": "${existing}"}),
    Scenario("view unknown", "GET", "/api/collections/nope_missing", 404, error(404)),
    Scenario("create with an invalid name", "POST", "/api/collections", 400,
             error(400, data={"name": ANY}), body=_base("bad name!")),
    Scenario("create with an existing name", "POST", "/api/collections", 400,
             error(400, data={"name": field_error("validation_collection_name_exists")}), body=_base("${existing}")),
    Scenario("create with an unknown field type", "POST", "/api/collections", 400, error(400),
             body={"name": "${fresh}", "type": "base", "fields": [{"name": "x", "type": "nope"}]}),
    Scenario("create with an invalid rule", "POST", "/api/collections", 400,
             error(400, data={"listRule": field_error("validation_invalid_rule")}),
             body=_base("${fresh}", listRule="title ==== 1")),
    Scenario("create with a rule on an unknown field", "POST", "/api/collections", 400,
             error(400, data={"listRule": ANY}), body=_base("${fresh}", listRule="missing = 1")),
    Scenario("create with a rule on an unknown @collection", "POST", "/api/collections", 400,
             error(400, data={"viewRule": field_error("validation_invalid_rule")}),
             body=_base("${fresh}", viewRule="@collection.nope_missing.title ?= title")),
    Scenario("update with a rule on a sub-field of a plain field", "PATCH", "/api/collections/${existing}", 400,
             error(400, data={"updateRule": field_error("validation_invalid_rule")}),
             body={"updateRule": "title.name = 'x'"}),
    Scenario("rules through relations, back-relations, json and geoPoint are accepted", "POST", "/api/collections",
             200, {"listRule": ANY, "viewRule": ANY}, body={"name": "${fresh}_ok", "type": "base", "fields": [
                 {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
                 {"name": "meta", "type": "json"}, {"name": "place", "type": "geoPoint"}],
                 "listRule": "owner.name ~ 'a' && owner.${fresh}_ok_via_owner.id != '' && meta.a.b = 1",
                 "viewRule": "geoDistance(place.lon, place.lat, 0, 0) < 10 && @collection.${existing}:e.title ?= "
                             "@request.body.x && @request.auth.anything = 1 && id != '' && collectionName != ''"}),
    Scenario("update unknown", "PATCH", "/api/collections/nope_missing", 404, body={"listRule": ""}),
    Scenario("delete unknown", "DELETE", "/api/collections/nope_missing", 404),
    Scenario("truncate unknown", "DELETE", "/api/collections/nope_missing/truncate", 404),
    Scenario("malformed JSON", "POST", "/api/collections", 400, error(400), raw=b"{nope"),
    Scenario("import nothing", "PUT", "/api/collections/import", 400, error(400), body={"collections": []}),
]


@pytest.mark.parametrize("scenario", ACCESS, ids=str)
def test_collections_access_and_validation(api: Api, names: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, {**names, "existing_upper": names["existing"].upper()})


def test_collection_lifecycle(api: Api) -> None:
    # Given a fresh collection name
    name = unique("life")
    steps = [
        Scenario("create", "POST", "/api/collections", 200,
                 {"name": name, "type": "base", "listRule": None, "viewRule": "",
                  "fields": [{"name": "id", "primaryKey": True}, {"name": "title", "type": "text", "max": 5}]},
                 body=_base(name, viewRule="", fields=[{"name": "title", "type": "text", "max": 5}])),
        Scenario("update rules and add a field", "PATCH", f"/api/collections/{name}", 200,
                 {"listRule": "", "fields": [ANY, ANY, {"name": "views", "type": "number"}]},
                 body={"listRule": "", "fields": [{"name": "title", "type": "text", "max": 5},
                                                  {"name": "views", "type": "number"}]}),
        Scenario("anyone may now list", "GET", f"/api/collections/{name}/records", 200, {"items": []}, role=GUEST),
        Scenario("delete", "DELETE", f"/api/collections/{name}", 204),
        Scenario("gone", "GET", f"/api/collections/{name}", 404),
        Scenario("its records API is gone too", "GET", f"/api/collections/{name}/records", 404, role=GUEST),
    ]
    for step in steps:
        run(api, step)


def test_referenced_collection_cannot_be_deleted(api: Api) -> None:
    # Given a collection that another one relates to
    target = api.create_collection(_base(unique("target")))
    api.create_collection({"name": unique("ref"), "type": "base", "fields": [
        {"name": "link", "type": "relation", "collectionId": target["id"], "maxSelect": 1}]})
    # When it is deleted, then it is refused and kept
    run(api, Scenario("delete referenced", "DELETE", f"/api/collections/{target['name']}", 400, error(400)))
    run(api, Scenario("still there", "GET", f"/api/collections/{target['id']}", 200))


def test_import_is_all_or_nothing(api: Api) -> None:
    # Given an import whose second collection is invalid
    good, bad, other = unique("imp"), unique("imp"), unique("imp")
    run(api, Scenario("invalid import", "PUT", "/api/collections/import", 400, error(400, data={"collections": ANY}),
                      body={"collections": [_base(good), {"name": bad, "type": "base", "fields": [
                          {"name": "x", "type": "nope"}]}]}))
    # Then nothing was created
    run(api, Scenario("first not created", "GET", f"/api/collections/{good}", 404))
    # When a valid import runs, with a relation between the imported collections
    run(api, Scenario("valid import", "PUT", "/api/collections/import", 204, body={"collections": [
        {**_base(good), "id": f"pbc_{good}"},
        {"name": other, "type": "base", "fields": [
            {"name": "link", "type": "relation", "collectionId": f"pbc_{good}", "maxSelect": 1}]}],
        "deleteMissing": False}))
    # Then both exist and the relation points at the first
    run(api, Scenario("first", "GET", f"/api/collections/{good}", 200, {"id": f"pbc_{good}"}))
    run(api, Scenario("second", "GET", f"/api/collections/{other}", 200,
                      {"fields": [ANY, {"name": "link", "collectionId": f"pbc_{good}"}]}))
    # And importing an existing collection updates it in place
    run(api, Scenario("re-import", "PUT", "/api/collections/import", 204,
                      body={"collections": [{**_base(good), "id": f"pbc_{good}", "listRule": "title != ''"}]}))
    run(api, Scenario("updated", "GET", f"/api/collections/{good}", 200, {"listRule": "title != ''"}))


def test_truncate_removes_every_record(api: Api) -> None:
    # Given a collection with records
    name = unique("trunc")
    api.create_collection(_base(name))
    for i in range(3):
        api.create_record(name, {"title": f"t{i}"})
    assert api.wait_total(name, 3)["totalItems"] == 3
    # When it is truncated
    run(api, Scenario("truncate", "DELETE", f"/api/collections/{name}/truncate", 204))
    # Then it is empty, and the collection remains
    run(api, Scenario("no items", "GET", f"/api/collections/{name}/records", 200, {"items": []},
                      params={"skipTotal": 1}))
    assert api.wait_total(name, 0)["totalItems"] == 0
    run(api, Scenario("still there", "GET", f"/api/collections/{name}", 200))


def test_schema_changes_keep_records_readable(api: Api) -> None:
    # Given a collection with a record
    name = unique("schema")
    created = api.create_collection({"name": name, "type": "base", "listRule": "", "viewRule": "", "fields": [
        {"name": "title", "type": "text"}, {"name": "old", "type": "text"}, {"name": "gone", "type": "number"},
        {"name": "level", "type": "select", "values": ["a", "b"], "maxSelect": 1}]})
    record = api.create_record(name, {"title": "hello world", "old": "kept", "gone": 5, "level": "a"})
    fields = {f["name"]: f for f in created["fields"]}
    # When a field is renamed, one is removed, one added, and options change
    run(api, Scenario("change schema", "PATCH", f"/api/collections/{name}", 200, body={"fields": [
        fields["id"],
        {**fields["title"], "max": 5},
        {**fields["old"], "name": "renamed"},
        {**fields["level"], "values": ["a", "b", "c"], "maxSelect": 2},
        {"name": "added", "type": "bool"}]}))
    # Then the record is still readable: renamed data kept, removed data gone, added at its default
    expected = {"id": record["id"], "title": "hello world", "renamed": "kept", "old": ABSENT, "gone": ABSENT,
                "added": False, "level": ["a"]}
    run(api, Scenario("view", "GET", f"/api/collections/{name}/records/{record['id']}", 200, expected, role=GUEST))
    run(api, Scenario("list", "GET", f"/api/collections/{name}/records", 200, {"items": [expected]}, role=GUEST))
    run(api, Scenario("filter on the renamed field", "GET", f"/api/collections/{name}/records", 200,
                      {"items": length(1)}, params={"filter": "renamed = 'kept' && added = false"}))
    run(api, Scenario("filter on the removed field", "GET", f"/api/collections/{name}/records", 400,
                      params={"filter": "gone = 5"}))
    # And a new write is validated against the new options
    run(api, Scenario("new max applies", "PATCH", f"/api/collections/{name}/records/{record['id']}", 400,
                      error(400, data={"title": field_error("validation_max_text_constraint")}),
                      body={"title": "much too long"}))
    # (as in PocketBase, a save validates the whole record, so the old title must be fixed alongside)
    run(api, Scenario("a valid save", "PATCH", f"/api/collections/{name}/records/{record['id']}",
                      200, {"title": "hi", "level": ["a", "c"], "renamed": "kept"},
                      body={"title": "hi", "level": ["a", "c"]}))


def test_unique_index_is_enforced_and_freed(api: Api) -> None:
    # Given a collection with a UNIQUE index on slug
    name = unique("uniq")
    api.create_collection({"name": name, "type": "base", "fields": [{"name": "slug", "type": "text"}],
                           "indexes": [f"CREATE UNIQUE INDEX idx_{name}_slug ON {name} (slug)"]})
    url = f"/api/collections/{name}/records"
    first = api.create_record(name, {"slug": "alpha"})
    taken = error(400, data={"slug": field_error("validation_not_unique")})
    steps = [
        Scenario("duplicate create", "POST", url, 400, taken, body={"slug": "alpha"}),
        Scenario("duplicate differs only in case", "POST", url, 400, taken, body={"slug": "ALPHA"}),
        Scenario("other value", "POST", url, 200, {"slug": "beta", "id": ANY}, body={"slug": "beta"}),
        Scenario("update onto a taken value", "PATCH", f"{url}/{first['id']}", 400, taken, body={"slug": "beta"}),
        Scenario("update frees the old value", "PATCH", f"{url}/{first['id']}", 200, {"slug": "gamma"},
                 body={"slug": "gamma"}),
        Scenario("the freed value can be taken", "POST", url, 200, {"slug": "alpha"}, body={"slug": "alpha"}),
        Scenario("saving the same value again is fine", "PATCH", f"{url}/{first['id']}", 200, {"slug": "gamma"},
                 body={"slug": "gamma"}),
        Scenario("delete frees the value", "DELETE", f"{url}/{first['id']}", 204),
        Scenario("gamma is free again", "POST", url, 200, {"slug": "gamma"}, body={"slug": "gamma"}),
    ]
    for step in steps:
        run(api, step)


def test_unique_index_added_to_existing_records(api: Api) -> None:
    # Given records with duplicate values, a UNIQUE index cannot be added; with distinct values it can
    name = unique("uniq")
    created = api.create_collection({"name": name, "type": "base", "fields": [{"name": "code", "type": "text"}]})
    api.create_record(name, {"code": "a"})
    api.create_record(name, {"code": "b"})
    index = f"CREATE UNIQUE INDEX u_{name} ON {name} (code)"
    run(api, Scenario("add index", "PATCH", f"/api/collections/{name}", 200, {"indexes": length(1)},
                      body={"fields": created["fields"], "indexes": [index]}))
    run(api, Scenario("then enforced on the old values", "POST", f"/api/collections/{name}/records", 400,
                      error(400, data={"code": field_error("validation_not_unique")}), body={"code": "a"}))
    # And a duplicate blocks a further unique index
    api.create_record(name, {"code": "c"})
    run(api, Scenario("duplicates block a unique index", "PATCH", f"/api/collections/{name}", 400,
                      error(400, data={"indexes": {"1": field_error("validation_invalid_index_expression")}}),
                      body={"fields": [*created["fields"], {"name": "other", "type": "text"}],
                            "indexes": [f"CREATE UNIQUE INDEX u_{name} ON {name} (code)",
                                        f"CREATE UNIQUE INDEX u2_{name} ON {name} (other)"]}))
