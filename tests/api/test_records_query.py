"""Listing records over HTTP: the filter language, sort, paging, totals, expand and fields."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.records_api import (
    ABSENT,
    ANY,
    GUEST,
    Api,
    Scenario,
    Where,
    error,
    length,
    run,
    unique,
)
from tests.support.records_world import OPEN_RULES, create_blog, rid

pytestmark = pytest.mark.api

THINGS = "/api/collections/${things}/records"
T = {n: rid("thing", n) for n in range(1, 6)}



@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, str]:
    """A read-only `things` collection of five records with known values, next to the blog collections."""
    names = create_blog(api)
    things = unique("things")
    api.create_collection({"name": things, "type": "base", **OPEN_RULES, "fields": [
        {"name": "title", "type": "text"},
        {"name": "n", "type": "number"},
        {"name": "active", "type": "bool"},
        {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
        {"name": "kind", "type": "select", "values": ["x", "y"], "maxSelect": 1},
        {"name": "meta", "type": "json"},
        {"name": "author", "type": "relation", "collectionId": names["authors_id"], "maxSelect": 1},
        {"name": "due", "type": "date"},
        {"name": "loc", "type": "geoPoint"},
        {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1}]})
    user = api.users["user"]["id"]
    rows: list[dict[str, Any]] = [
        {"title": "Alpha", "n": 1, "active": True, "tags": ["a"], "kind": "x", "meta": {"level": 1, "tags": ["red"]},
         "author": names["ann"], "due": "2020-01-01 00:00:00.000Z", "loc": {"lon": 23.32, "lat": 42.69},
         "owner": user},
        {"title": "beta", "n": 5, "active": False, "tags": ["a", "b"], "kind": "y", "meta": {"level": 2},
         "author": names["bob"], "due": "2999-01-01 00:00:00.000Z", "loc": {"lon": -0.12, "lat": 51.5}},
        {"title": "Gamma ray", "n": 10, "active": True, "tags": ["b", "c"], "kind": "x", "meta": {},
         "author": names["ann"], "loc": {"lon": 2.35, "lat": 48.85}, "owner": user},
        {"title": "delta", "n": -3, "active": False, "tags": [], "kind": ""},
        {"title": "Epsilon", "n": 7.5, "active": True, "tags": ["a", "b", "c"], "kind": "y",
         "author": names["bob"], "due": "2998-12-31 00:00:00.000Z"},
    ]
    for n, row in enumerate(rows, start=1):
        api.create_record(things, {"id": T[n], **row})
    api.wait_total(things, len(rows))
    return {**names, "things": things}


def ids_are(*numbers: int) -> Where:
    """The page's items are exactly these things, in any order."""
    wanted = sorted(T[n] for n in numbers)
    return Where(lambda items: sorted(i["id"] for i in items) == wanted, f"the things {list(numbers)}")


def ids_in_order(*numbers: int) -> Where:
    wanted = [T[n] for n in numbers]
    return Where(lambda items: [i["id"] for i in items] == wanted, f"the things {list(numbers)} in order")


def _filter(name: str, text: str, *numbers: int, role: str = "superuser", **extra: Any) -> Scenario:
    params = {"filter": text, "perPage": 100, **extra.pop("params", {})}
    return Scenario(f"filter: {name}", "GET", THINGS, 200, {"items": ids_are(*numbers)}, params=params, role=role,
                    **extra)


def _bad_filter(name: str, text: str) -> Scenario:
    return Scenario(f"filter rejected: {name}", "GET", THINGS, 400,
                    error(400, data={"filter": {"code": "validation_invalid_filter", "message": ANY}}),
                    params={"filter": text})


FILTERS = [
    _filter("=", "kind = 'x'", 1, 3),
    _filter("!=", "kind != 'x'", 2, 4, 5),
    _filter("> on numbers", "n > 4", 2, 3, 5),
    _filter(">= and < together", "n >= 5 && n < 10", 2, 5),
    _filter("<= with a negative", "n <= -3", 4),
    _filter("~ is a case-insensitive contains", "title ~ 'ALP'", 1),
    _filter("!~", "title !~ 'a'", 5),
    _filter("~ with a wildcard", "title ~ 'G%ray'", 3),
    _filter("bool", "active = true", 1, 3, 5),
    _filter("?= any-of on multi select items", "tags:each ?= 'c'", 3, 5),
    _filter(":length", "tags:length > 1", 2, 3, 5),
    _filter(":length of zero", "tags:length = 0", 4),
    _filter(":each", "tags:length > 0 && tags:each != 'c'", 1, 2),
    _filter(":lower", "title:lower = 'gamma ray'", 3),
    _filter("&& binds tighter than ||", "kind = 'x' || n > 7 && active = true", 1, 3, 5),
    _filter("parentheses", "(kind = 'x' || kind = 'y') && n < 6", 1, 2),
    _filter("nested parentheses", "((n > 0 && n < 2) || (n > 9)) && active = true", 1, 3),
    _filter("relation field", "author.name = 'Ann'", 1, 3),
    _filter("empty relation", "author = ''", 4),
    _filter("json path", "meta.level = 2", 2),
    _filter("json path compare", "meta.level > 0", 1, 2),
    _filter("json array path", "meta.tags.0 = 'red'", 1),
    _filter("id", f"id = '{T[2]}'", 2),
    _filter("datetime macro in the past", "due != '' && due < @now", 1),
    _filter("datetime macro in the future", "due > @now", 2, 5),
    _filter("@yearStart", "due >= @yearStart", 2, 5),
    _filter("empty date", "due = ''", 3, 4),
    _filter("geoDistance", "geoDistance(loc.lon, loc.lat, 23.32, 42.69) < 25", 1),
    _filter("geoDistance range", "geoDistance(loc.lon, loc.lat, 2.35, 48.85) < 400", 2, 3),
    _filter("no match", "n > 4 && n < 2"),
    _filter("@request.auth.id as a superuser", "@request.auth.id != ''", 1, 2, 3, 4, 5),
    Scenario("filter: @request.* is superusers-only", "GET", THINGS, 403,
             error(403, "Only superusers can filter by @request."), params={"filter": "@request.auth.id != ''"},
             role=GUEST),
    _filter("@request.auth.id against a relation", "owner != @request.auth.id && owner != ''", 1, 3),
    _filter("@request.auth.collectionName", "@request.auth.collectionName = '_superusers'", 1, 2, 3, 4, 5),
    _filter("@request.query.*", "@request.query.want = kind", 2, 5, params={"want": "y"}),
    _filter("@request.headers.*", "@request.headers.x_kind = kind", 1, 3, headers={"X-Kind": "x"}),
    _filter("@request.method", "@request.method = 'GET' && n = 1", 1),
    _filter("@collection join with an alias",
            "@collection.${authors}:a.name ?= 'Bob' && @collection.${authors}:a.id ?= author", 2, 5),
    _filter("@collection without ?= holds for every row", "@collection.${authors}.name != 'Zed' && n = 1", 1),
    _filter("comments", "n = 1 // only the first", 1),
    _bad_filter("syntax", "n >"),
    _bad_filter("unknown operator", "n === 1"),
    _bad_filter("unknown field", "nope = 1"),
    _bad_filter("sub-field of a plain field", "title.x = 1"),
    _bad_filter("longer than 3500 characters", "title = '" + "x" * 3500 + "'"),
    _bad_filter("more than 200 expressions", " || ".join(["n = 1"] * 201)),
]


@pytest.mark.parametrize("scenario", FILTERS, ids=str)
def test_filters(api: Api, world: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, world)


def _list(name: str, expect: dict[str, Any], status: int = 200, **params: Any) -> Scenario:
    return Scenario(name, "GET", THINGS, status, expect, params=params)


SORT_AND_PAGES = [
    _list("sort descending", {"items": ids_in_order(3, 5, 2, 1, 4)}, sort="-n"),
    _list("sort ascending with +", {"items": ids_in_order(4, 1, 2, 5, 3)}, sort="+n"),
    _list("sort by two keys", {"items": ids_in_order(2, 4, 3, 5, 1)}, sort="active,-n"),
    _list("sort text is binary, as SQLite", {"items": ids_in_order(1, 5, 3, 2, 4)}, sort="title"),
    _list("sort by a relation's field", {"items": Where(
        lambda items: [i["id"] for i in items][-2:] in ([T[2], T[5]], [T[5], T[2]]), "Bob's last")},
        sort="author.name"),
    _list("sort @random", {"items": ids_are(1, 2, 3, 4, 5)}, sort="@random"),
    _list("sort by id", {"items": ids_in_order(1, 2, 3, 4, 5)}, sort="id"),
    _list("sort by an unknown field", error(400), 400, sort="nope"),
    _list("default page", {"page": 1, "perPage": 30, "totalItems": 5, "totalPages": 1, "items": length(5)}),
    _list("a page of two", {"page": 2, "perPage": 2, "totalItems": 5, "totalPages": 3,
                            "items": ids_in_order(2, 5)}, sort="n", page=2, perPage=2),
    _list("the last, partial page", {"page": 3, "items": ids_in_order(3)}, sort="n", page=3, perPage=2),
    _list("past the last page", {"page": 9, "totalItems": 5, "items": []}, page=9, perPage=2),
    _list("filtered totals are exact", {"totalItems": 3, "totalPages": 2, "items": length(2)},
          filter="active = true", perPage=2),
    _list("skipTotal", {"totalItems": -1, "totalPages": -1, "items": length(2)}, perPage=2, skipTotal=1),
    _list("skipTotal with a filter", {"totalItems": -1, "items": ids_are(2, 5)}, filter="kind = 'y'",
          skipTotal="true"),
    _list("perPage above 1000 is capped", {"perPage": 1000, "items": length(5)}, perPage=5000),
    _list("perPage 0 means the default", {"perPage": 30}, perPage=0),
    _list("page 0 means the first", {"page": 1}, page=0),
    _list("perPage must be a number", error(400), 400, perPage="many"),
    _list("fields: a subset", {"items": [{"id": T[1], "title": "Alpha", "n": ABSENT, "collectionId": ABSENT}]},
          fields="id,title", filter="n = 1"),
    _list("fields: *", {"items": [{"id": T[1], "n": 1, "collectionName": "${things}"}]}, fields="*",
          filter="n = 1"),
    _list("fields: json sub-keys", {"items": [{"meta": {"level": 1, "tags": ABSENT}, "n": ABSENT}]},
          fields="meta.level", filter="n = 1"),
    _list("fields: an excerpt", {"items": [{"title": "Gamma...", "id": ABSENT}]}, fields="title:excerpt(5,true)",
          filter="n = 10"),
    _list("fields: page keys are kept", {"page": 1, "perPage": 30, "items": [{"id": T[1], "n": ABSENT}]},
          fields="id", filter="n = 1"),
]


@pytest.mark.parametrize("scenario", SORT_AND_PAGES, ids=str)
def test_sort_pages_and_fields(api: Api, world: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, world)


def test_default_and_maximum_page_sizes(api: Api) -> None:
    # Given 35 records in a collection
    name = unique("bulk")
    api.create_collection({"name": name, "type": "base", **OPEN_RULES, "fields": [{"name": "n", "type": "number"}]})
    requests = [{"method": "POST", "url": f"/api/collections/{name}/records", "body": {"n": i}} for i in range(35)]
    api.ok("POST", "/api/batch", json={"requests": requests})
    # Then the counter-backed total settles, and pages are 30 by default
    assert api.wait_total(name, 35)["totalItems"] == 35
    run(api, Scenario("default perPage", "GET", f"/api/collections/{name}/records", 200,
                      {"perPage": 30, "totalItems": 35, "totalPages": 2, "items": length(30)}))
    run(api, Scenario("second page", "GET", f"/api/collections/{name}/records", 200, {"items": length(5)},
                      params={"page": 2}))
    run(api, Scenario("max perPage", "GET", f"/api/collections/{name}/records", 200,
                      {"perPage": 1000, "totalPages": 1, "items": length(35)}, params={"perPage": 1000}))
    # And the total follows deletes
    first = api.list_records(name, perPage=1)["items"][0]
    api.ok("DELETE", f"/api/collections/{name}/records/{first['id']}", status=204)
    assert api.wait_total(name, 34)["totalItems"] == 34


POSTS = "/api/collections/${posts}/records"
COMMENTS = "/api/collections/${comments}/records"
ANN = {"id": "${ann}", "name": "Ann", "collectionName": "${authors}"}
BOB = {"id": "${bob}", "name": "Bob"}
CID = {"id": "${cid}", "name": "Cid"}

EXPAND = [
    Scenario("single relation", "GET", f"{POSTS}/${{p1}}", 200, {"author": "${cid}", "expand": {"author": CID}},
             params={"expand": "author"}),
    Scenario("multiple relation", "GET", f"{POSTS}/${{p1}}", 200, {"expand": {"editors": [ANN, BOB]}},
             params={"expand": "editors"}),
    Scenario("two at once", "GET", f"{POSTS}/${{p1}}", 200, {"expand": {"editors": length(2), "author": CID}},
             params={"expand": "author,editors"}),
    Scenario("nested", "GET", f"{COMMENTS}/${{c1}}", 200,
             {"expand": {"post": {"id": "${p1}", "expand": {"author": CID, "editors": length(2)}}}},
             params={"expand": "post.author,post.editors"}),
    Scenario("back-relation", "GET", f"{POSTS}/${{p1}}", 200,
             {"expand": {"${comments}_via_post": Where(
                 lambda v: sorted(c["message"] for c in v) == ["hello there", "nice"], "the two comments")}},
             params={"expand": "${comments}_via_post"}),
    Scenario("back-relation then forward", "GET", f"{POSTS}/${{p2}}", 200,
             {"expand": {"${comments}_via_post": [{"id": "${c3}", "expand": {"post": {"id": "${p2}"}}}]}},
             params={"expand": "${comments}_via_post.post"}),
    Scenario("on a list", "GET", POSTS, 200, {"items": [{"id": "${p1}", "expand": {"author": CID}},
                                                        {"id": "${p2}", "expand": {"author": ANN}}]},
             params={"expand": "author", "filter": "id = '${p1}' || id = '${p2}'", "sort": "id"}),
    Scenario("an empty relation expands to {}", "GET", f"{POSTS}/${{p2}}", 200, {"expand": {}},
             params={"expand": "editors"}),
    Scenario("the related viewRule applies: superuser sees it", "GET", f"{POSTS}/${{p1}}", 200,
             {"expand": {"hidden": {"label": "classified"}}}, params={"expand": "hidden"}),
    Scenario("the related viewRule applies: a guest does not", "GET", f"{POSTS}/${{p1}}", 200,
             {"hidden": "${hidden1}", "expand": ABSENT}, params={"expand": "hidden"}, role=GUEST),
    Scenario("the related viewRule applies: a user does not", "GET", f"{POSTS}/${{p1}}", 200,
             {"expand": {"author": CID, "hidden": ABSENT}}, params={"expand": "hidden,author"}, role="user"),
    Scenario("an unknown relation is ignored", "GET", f"{POSTS}/${{p1}}", 200, {"expand": ABSENT},
             params={"expand": "nope"}),
    Scenario("six levels are fine", "GET", f"{COMMENTS}/${{c1}}", 200, {"expand": {"post": ANY}},
             params={"expand": ".".join(["post", "${comments}_via_post"] * 3)}),
    Scenario("levels past six are ignored, as in PocketBase", "GET", f"{COMMENTS}/${{c1}}", 200,
             {"expand": {"post": ANY}}, params={"expand": ".".join(["post", "${comments}_via_post"] * 3 + ["post"])}),
    Scenario("an invalid level drops the whole path", "GET", f"{COMMENTS}/${{c1}}", 200, {"expand": ABSENT},
             params={"expand": "post.author.a"}),
    Scenario("expand with fields", "GET", f"{POSTS}/${{p1}}", 200,
             {"id": "${p1}", "title": ABSENT, "expand": {"author": {"name": "Cid", "id": ABSENT}}},
             params={"expand": "author", "fields": "id,expand.author.name"}),
    Scenario("an excerpt of an editor field", "GET", f"{POSTS}/${{p1}}", 200,
             {"body": "Hello world, a...", "title": "First"},
             params={"fields": "*,body:excerpt(14,true)"}),
    Scenario("expand on create", "POST", POSTS, 200, {"expand": {"author": ANN}},
             body={"title": "expanded", "author": "${ann}"}, params={"expand": "author"}),
    Scenario("a password field cannot be filtered by a guest", "GET", POSTS, 400, error(400),
             params={"filter": "secret ~ '$argon2id$%'"}, role=GUEST),
    Scenario("nor by a superuser", "GET", POSTS, 400, error(400), params={"filter": "secret != ''"}),
    Scenario("filter through a back-relation", "GET", POSTS, 200, {"items": [{"id": "${p1}"}]},
             params={"filter": "${comments}_via_post.message ?~ 'hello'"}),
]


@pytest.mark.parametrize("scenario", EXPAND, ids=str)
def test_expand(api: Api, world: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, {**world, "hidden1": rid("hidden", 1)})
