"""Conformance of records CRUD on every field type: defaults, values, modifiers, hidden fields and list params."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance import deliberate
from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

ALL = "/api/collections/rec_all/records"
LIST = "/api/collections/rec_list/records"
PUBLIC = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}

FIELDS: list[dict[str, Any]] = [
    {"name": "title", "type": "text"},
    {"name": "num", "type": "number"},
    {"name": "flag", "type": "bool"},
    {"name": "mail", "type": "email"},
    {"name": "site", "type": "url"},
    {"name": "body", "type": "editor"},
    {"name": "when", "type": "date"},
    {"name": "color", "type": "select", "values": ["red", "green", "blue"], "maxSelect": 1},
    {"name": "colors", "type": "select", "values": ["red", "green", "blue"], "maxSelect": 3},
    {"name": "meta", "type": "json"},
    {"name": "tag", "type": "relation", "collectionId": "${col_rec_tags}", "maxSelect": 1},
    {"name": "tags", "type": "relation", "collectionId": "${col_rec_tags}", "maxSelect": 5},
    {"name": "where", "type": "geoPoint"},
    {"name": "hush", "type": "text", "hidden": True},
    {"name": "created", "type": "autodate", "onCreate": True},
    {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
]
FULL = {"title": "Full", "num": 12.5, "flag": True, "mail": "a@example.com", "site": "https://example.com/x",
        "body": "<p>Hi</p>", "when": "2024-05-06 07:08:09.123Z", "color": "green", "colors": ["red", "blue"],
        "meta": {"a": [1, 2, {"b": None}]}, "tag": "${tag1}", "tags": ["${tag1}", "${tag2}"],
        "where": {"lon": 23.5, "lat": 42.25}, "hush": "s3"}

CREATE = cases(
    Case("create empty: every field's zero value", "POST", ALL, body={}),
    Case("create with every field set", "POST", ALL, body=FULL),
    Case("create as guest", "POST", ALL, role=GUEST, body={"title": "from guest"}),
    Case("create with a chosen id", "POST", ALL, body={"id": "chosenid0000001", "title": "chosen"}),
    Case("create with a duplicate id", "POST", ALL, body={"id": "${full}", "title": "dup"}),
    Case("create with a too short id", "POST", ALL, body={"id": "short"}),
    Case("create with an id of bad characters", "POST", ALL, body={"id": "UPPER_CASE_ID!!"}),
    Case("create: number given as a string", "POST", ALL, body={"num": "42"}),
    Case("create: number given as an empty string", "POST", ALL, body={"num": ""}),
    Case("create: bool given as a string", "POST", ALL, body={"flag": "true"}),
    Case("create: bool given as 1", "POST", ALL, body={"flag": 1}),
    Case("create: text given a number", "POST", ALL, body={"title": 5}),
    Case("create: date without time", "POST", ALL, body={"when": "2024-05-06"}),
    Case("create: date in RFC 3339", "POST", ALL, body={"when": "2024-05-06T07:08:09Z"}),
    Case("create: date with an offset", "POST", ALL, body={"when": "2024-05-06T07:08:09+02:00"}),
    Case("create: single select given a list", "POST", ALL, body={"color": ["blue"]}),
    Case("create: multi select given a string", "POST", ALL, body={"colors": "green"}),
    Case("create: multi select with duplicates", "POST", ALL, body={"colors": ["red", "red"]}),
    Case("create: single relation given a list", "POST", ALL, body={"tag": ["${tag2}"]}),
    Case("create: multi relation given a string", "POST", ALL, body={"tags": "${tag3}"}),
    Case("create: json string value", "POST", ALL, body={"meta": "just text"}),
    Case("create: json number value", "POST", ALL, body={"meta": 7}),
    Case("create: json null", "POST", ALL, body={"meta": None}),
    Case("create: unknown fields are ignored", "POST", ALL, body={"nope": 1, "title": "t"}),
    Case("create: system fields in the body", "POST", ALL, body={"collectionId": "x", "collectionName": "y",
                                                                  "created": "2001-01-01 00:00:00.000Z"}),
    Case("create with fields param", "POST", ALL, body={"title": "f"}, params={"fields": "title"}),
    Case("create with expand param", "POST", ALL, body={"tag": "${tag1}"}, params={"expand": "tag"}),
)

READ = cases(
    Case("view a full record", "GET", ALL + "/${full}"),
    Case("view a full record as guest (hidden field hidden)", "GET", ALL + "/${full}", role=GUEST),
    Case("view with fields", "GET", ALL + "/${full}", params={"fields": "id,title,num"}),
    Case("view with fields and a wildcard", "GET", ALL + "/${full}", params={"fields": "*"}),
    Case("view with an excerpt modifier", "GET", ALL + "/${full}", params={"fields": "body:excerpt(3,true)"}),
    Case("view with expand of both relations", "GET", ALL + "/${full}", params={"expand": "tag,tags"}),
    Case("view with expand and fields", "GET", ALL + "/${full}",
         params={"expand": "tags", "fields": "title,expand.tags.name"}),
    Case("view with an unknown expand", "GET", ALL + "/${full}", params={"expand": "nope"}),
    Case("view a missing record", "GET", ALL + "/zzzzzzzzzzzzzzz"),
    Case("view a record of another collection", "GET", ALL + "/${tag1}"),
    Case("view the hidden field filtered by a guest", "GET", ALL, role=GUEST, params={"filter": "hush = 's3'"},
         deliberate=deliberate.INVALID_FILTER),
)

UPDATE = cases(
    Case("update text and number", "PATCH", ALL + "/${upd}", body={"title": "changed", "num": 3}),
    Case("update: number plus", "PATCH", ALL + "/${mod}", body={"num+": 5}),
    Case("update: number minus", "PATCH", ALL + "/${mod2}", body={"num-": 2.5}),
    Case("update: relation append", "PATCH", ALL + "/${mod3}", body={"tags+": "${tag3}"}),
    Case("update: relation prepend", "PATCH", ALL + "/${mod4}", body={"+tags": ["${tag3}"]}),
    Case("update: relation remove", "PATCH", ALL + "/${mod5}", body={"tags-": ["${tag1}"]}),
    Case("update: select append", "PATCH", ALL + "/${mod6}", body={"colors+": "green"}),
    Case("update: select remove", "PATCH", ALL + "/${mod7}", body={"colors-": "red"}),
    Case("update: set and modify the same field", "PATCH", ALL + "/${mod8}", body={"num": 1, "num+": 1}),
    Case("update: clear fields with null", "PATCH", ALL + "/${clr}", body={"title": None, "tags": None,
                                                                           "meta": None, "when": None}),
    Case("update: clear fields with empty values", "PATCH", ALL + "/${clr2}", body={"title": "", "tags": [],
                                                                                    "color": "", "num": ""}),
    Case("update: modifier on an unknown field", "PATCH", ALL + "/${upd2}", body={"nope+": 1}),
    Case("update: change the id", "PATCH", ALL + "/${upd3}", body={"id": "newid0000000001"}),
    Case("update a missing record", "PATCH", ALL + "/zzzzzzzzzzzzzzz", body={"title": "x"}),
    Case("update with an empty body", "PATCH", ALL + "/${upd4}", body={}),
)

DELETE = cases(
    Case("delete a record", "DELETE", ALL + "/${del}"),
    Case("view a deleted record", "GET", ALL + "/${del}"),
    Case("delete it again", "DELETE", ALL + "/${del}"),
    Case("delete a missing record", "DELETE", ALL + "/zzzzzzzzzzzzzzz"),
    Case("delete a cascade parent", "DELETE", "/api/collections/rec_parents/records/${parent1}"),
    Case("its cascade child is gone", "GET", "/api/collections/rec_children/records/${child1}"),
    Case("delete a parent a required relation holds", "DELETE", "/api/collections/rec_parents/records/${parent2}"),
    Case("the holding child is kept", "GET", "/api/collections/rec_children/records/${child2}"),
    Case("delete a record other records reference", "DELETE", "/api/collections/rec_tags/records/${tag4}"),
    Case("the referencing record after its target's delete", "GET", ALL + "/${refd}"),
)

LISTS = cases(
    Case("list everything", "GET", LIST, params={"sort": "n"}),
    Case("list default order", "GET", LIST),
    Case("list page 2 of 2 per page", "GET", LIST, params={"sort": "n", "page": 2, "perPage": 2}),
    Case("list the last partial page", "GET", LIST, params={"sort": "n", "page": 3, "perPage": 2}),
    Case("list sorted descending", "GET", LIST, params={"sort": "-n"}),
    Case("list sorted by two keys", "GET", LIST, params={"sort": "cat,-n"}),
    Case("list sorted by a relation's field", "GET", LIST, params={"sort": "-main.name,n"}),
    Case("list sorted by created", "GET", LIST, params={"sort": "-created", "fields": "title"}),
    Case("list filtered", "GET", LIST, params={"filter": "n > 2", "sort": "n"}),
    Case("list with fields", "GET", LIST, params={"sort": "n", "fields": "id,title"}),
    Case("list with skipTotal", "GET", LIST, params={"sort": "n", "skipTotal": "true", "perPage": 2}),
    Case("list with skipTotal=false", "GET", LIST, params={"sort": "n", "skipTotal": "false", "perPage": 2}),
    Case("list with expand", "GET", LIST, params={"sort": "n", "expand": "main", "fields": "title,expand"}),
    Case("list with perPage 1000", "GET", LIST, params={"sort": "n", "perPage": 1000, "fields": "n"}),
    Case("list with a negative perPage", "GET", LIST, params={"sort": "n", "perPage": -5, "fields": "n"}),
    Case("list with an unknown fields entry", "GET", LIST, params={"sort": "n", "fields": "nope", "perPage": 2}),
    Case("list sorted with a leading plus", "GET", LIST, params={"sort": "+n", "fields": "n"}),
    Case("list sorted by id", "GET", LIST, params={"sort": "-id", "fields": "n"}, unordered=("items",)),
    Case("list with a float perPage", "GET", LIST, params={"perPage": "2.5", "sort": "n", "fields": "n"},
         deliberate=deliberate.INVALID_PER_PAGE),
    Case("list filtered to nothing", "GET", LIST, params={"filter": "n > 100"}),
    Case("list filtered with skipTotal", "GET", LIST, params={"filter": "n > 2", "sort": "n", "skipTotal": 1}),
    Case("list with expand and field wildcards", "GET", LIST,
         params={"sort": "n", "expand": "main", "fields": "*,expand.main.name"}),
    Case("list as guest hides the hidden field", "GET", LIST, role=GUEST, params={"sort": "n", "perPage": 2}),
    Case("list as guest with a locked listRule", "GET", "/api/collections/rec_tags/records", role=GUEST),
    Case("list with a sort on a hidden field as guest", "GET", LIST, role=GUEST, params={"sort": "hush"},
         deliberate=deliberate.INVALID_FILTER),
    Case("list with sort by @random is allowed", "GET", LIST, params={"sort": "@random", "fields": "n"},
         unordered=("items",)),
)


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    paired.create_collection({"name": "rec_tags", "type": "base", "fields": [{"name": "name", "type": "text"}]})
    for n in (1, 2, 3, 4):
        paired.create_record("rec_tags", f"tag{n}", {"name": f"tag {n}"})
    paired.create_collection({"name": "rec_all", "type": "base", **PUBLIC, "fields": FIELDS})
    paired.create_record("rec_all", "full", FULL)
    for name in ("upd", "upd2", "upd3", "upd4", "clr", "clr2", "del"):
        paired.create_record("rec_all", name, {"title": name, "tags": ["${tag1}"], "meta": {"k": 1},
                                               "when": "2024-01-01 00:00:00.000Z", "color": "red", "num": 4})
    paired.create_record("rec_all", "refd", {"tag": "${tag4}", "tags": ["${tag4}", "${tag2}"]})
    for name in ("mod", "mod2", "mod3", "mod4", "mod5", "mod6", "mod7", "mod8"):
        paired.create_record("rec_all", name, {"num": 10, "tags": ["${tag1}", "${tag2}"], "colors": ["red"]})
    paired.create_collection({"name": "rec_list", "type": "base", "listRule": "", "viewRule": "", "fields": [
        {"name": "title", "type": "text"}, {"name": "n", "type": "number"},
        {"name": "cat", "type": "select", "values": ["a", "b"], "maxSelect": 1},
        {"name": "main", "type": "relation", "collectionId": "${col_rec_tags}", "maxSelect": 1},
        {"name": "hush", "type": "text", "hidden": True},
        {"name": "created", "type": "autodate", "onCreate": True}]})
    for n, cat, tag in ((1, "a", "tag2"), (2, "b", "tag1"), (3, "a", "tag3"), (4, "b", "tag2"), (5, "a", "tag1")):
        paired.create_record("rec_list", f"item{n}", {"title": f"item {n}", "n": n, "cat": cat, "main": f"${{{tag}}}",
                                                      "hush": f"x{n}"})
    paired.settle("rec_list")
    paired.create_collection({"name": "rec_parents", "type": "base"})
    paired.create_record("rec_parents", "parent1", {})
    paired.create_record("rec_parents", "parent2", {})
    paired.create_collection({"name": "rec_children", "type": "base", "fields": [
        {"name": "up", "type": "relation", "collectionId": "${col_rec_parents}", "cascadeDelete": True},
        {"name": "held", "type": "relation", "collectionId": "${col_rec_parents}", "required": True}]})
    paired.create_record("rec_children", "child1", {"up": "${parent1}", "held": "${parent2}"})
    paired.create_record("rec_children", "child2", {"held": "${parent2}"})
    yield


@pytest.mark.parametrize("case", CREATE)
def test_create(paired: PairedClient, case: Case) -> None:
    # Given public collections of every field type, When the same create goes to both, Then both agree
    check(paired, case)


@pytest.mark.parametrize("case", READ)
def test_read(paired: PairedClient, case: Case) -> None:
    check(paired, case)


@pytest.mark.parametrize("case", UPDATE)
def test_update(paired: PairedClient, case: Case) -> None:
    check(paired, case)


@pytest.mark.parametrize("case", DELETE)
def test_delete(paired: PairedClient, case: Case) -> None:
    check(paired, case)


@pytest.mark.parametrize("case", LISTS)
def test_list(paired: PairedClient, case: Case) -> None:
    check(paired, case)
