"""Records API over HTTP: CRUD, every field type's validation, JSON and multipart bodies, modifiers, ETags."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
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
    field_error,
    run,
)
from tests.support.records_world import create_blog, rid

pytestmark = pytest.mark.api

POSTS = "/api/collections/${posts}/records"



@pytest.fixture(scope="module")
def blog(api: Api) -> dict[str, str]:
    return create_blog(api)


def _invalid(field: str, code: str, **body: Any) -> dict[str, Any]:
    return {"expect": error(400, "Failed to create record.", {field: field_error(code)}),
            "body": {"title": "ok title", **body}, "status": 400}


def _valid(expect: dict[str, Any], **body: Any) -> dict[str, Any]:
    return {"expect": expect, "body": {"title": "ok title", **body}}


def _create(name: str, **kwargs: Any) -> Scenario:
    return Scenario(name, "POST", POSTS, **kwargs)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 15 and value.isalnum() and value == value.lower()


GENERATED_ID = Where(_is_id, "a 15-character [a-z0-9] id")
DATETIME = Where(lambda v: isinstance(v, str) and len(v) == 24 and v.endswith("Z"), "a datetime")

FIELD_VALIDATION = [
    _create("text: required", status=400, body={},
            expect=error(400, data={"title": field_error("validation_required")})),
    _create("text: min", **_invalid("title", "validation_min_text_constraint", title="a")),
    _create("text: max", **_invalid("title", "validation_max_text_constraint", title="x" * 21)),
    _create("text: pattern", **_invalid("slug", "validation_invalid_format", slug="Not A Slug")),
    _create("text: pattern ok", **_valid({"slug": "good-slug-1"}, slug="good-slug-1")),
    _create("number: min", **_invalid("score", "validation_min_number_constraint", score=-11)),
    _create("number: max", **_invalid("score", "validation_max_number_constraint", score=100.5)),
    _create("number: bounds are inclusive", **_valid({"score": 100}, score=100)),
    _create("number: onlyInt", **_invalid("count", "validation_only_int_constraint", count=1.5)),
    _create("number: numeric text is cast", **_valid({"score": 42, "count": 0}, score="42")),
    _create("bool: cast from text", **_valid({"done": True}, done="true")),
    _create("bool: default false", **_valid({"done": False})),
    _create("email: invalid", **_invalid("contact", "validation_is_email", contact="not-an-email")),
    _create("email: valid", **_valid({"contact": "a@example.com"}, contact="a@example.com")),
    _create("url: invalid", **_invalid("site", "validation_invalid_url", site="not a url")),
    _create("url: valid", **_valid({"site": "https://example.com/x"}, site="https://example.com/x")),
    _create("date: normalised", **_valid({"due": "2024-01-02 03:04:05.000Z"}, due="2024-01-02T03:04:05Z")),
    _create("date: unparsable is zeroed", **_valid({"due": ""}, due="yesterday")),
    _create("autodate: set by the server, not the client",
            **_valid({"created": Where(lambda v: v != "2000-01-01 00:00:00.000Z" and DATETIME.test(v),
                                       "a fresh datetime"), "updated": DATETIME},
                     created="2000-01-01 00:00:00.000Z")),
    _create("select: unknown value", **_invalid("status", "validation_invalid_value", status="nope")),
    _create("select: single", **_valid({"status": "live"}, status="live")),
    _create("select: single default", **_valid({"status": ""})),
    _create("select: maxSelect", **_invalid("tags", "validation_too_many_values", tags=["a", "b", "c", "d"])),
    _create("select: multi deduplicated", **_valid({"tags": ["a", "b"]}, tags=["a", "a", "b"])),
    _create("select: multi from one value", **_valid({"tags": ["b"]}, tags="b")),
    _create("select: multi default", **_valid({"tags": []})),
    _create("json: any value", **_valid({"meta": {"k": [1, 2, {"x": None}]}}, meta={"k": [1, 2, {"x": None}]})),
    _create("json: default null", **_valid({"meta": None})),
    _create("editor: html kept", **_valid({"body": "<p>Hi</p>"}, body="<p>Hi</p>")),
    _create("relation: missing record", **_invalid("author", "validation_missing_rel_records",
                                                   author="missing00000001")),
    _create("relation: single", **_valid({"author": "${ann}"}, author="${ann}")),
    _create("relation: multi", **_valid({"editors": ["${ann}", "${bob}"]}, editors=["${ann}", "${bob}"])),
    _create("relation: maxSelect", **_invalid("editors", "validation_too_many_values",
                                              editors=["${ann}", "${bob}", "${cid}"])),
    _create("password: min", **_invalid("secret", "validation_min_text_constraint", secret="abc")),
    _create("password: reads as \"\", never its hash", **_valid({"secret": ""}, secret="long-enough")),
    _create("geoPoint: longitude out of range", **_invalid("place", "validation_invalid_longitude",
                                                           place={"lon": 200, "lat": 0})),
    _create("geoPoint: latitude out of range", **_invalid("place", "validation_invalid_latitude",
                                                          place={"lon": 0, "lat": -91})),
    _create("geoPoint: valid", **_valid({"place": {"lon": 23.32, "lat": 42.69}}, place={"lon": 23.32, "lat": 42.69})),
    _create("geoPoint: default", **_valid({"place": {"lon": 0, "lat": 0}})),
    _create("unknown keys are ignored", **_valid({"nope": ABSENT, "title": "ok title"}, nope=1)),
    _create("every error at once", status=400, body={"title": "a", "score": 1000, "contact": "x"},
            expect=error(400, data={"title": ANY, "score": ANY, "contact": ANY})),
]


@pytest.mark.parametrize("scenario", FIELD_VALIDATION, ids=str)
def test_field_validation(api: Api, blog: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, blog)


BODIES = [
    _create("multipart: fields, repeated keys and casts", form={
        "title": "from form", "tags": ["a", "c"], "score": "7", "done": "true", "meta": '{"a": 1}'},
        expect={"title": "from form", "tags": ["a", "c"], "score": 7, "done": True, "meta": {"a": 1}}),
    _create("multipart: @jsonPayload merged with fields", form={
        "@jsonPayload": json.dumps({"title": "from json", "tags": ["b"], "meta": {"deep": [1]}}), "score": "3"},
        expect={"title": "from json", "tags": ["b"], "meta": {"deep": [1]}, "score": 3}),
    # PocketBase's JSONField reads form text as JSON when it parses, and as a plain string otherwise
    _create("multipart: text that is not JSON is a JSON string", form={"title": "ok title", "meta": "{bad"},
            expect={"meta": "{bad"}),
    _create("json: text that is JSON is parsed", body={"title": "ok title", "meta": "[1, 2]"},
            expect={"meta": [1, 2]}),
    _create("multipart: malformed @jsonPayload", form={"@jsonPayload": "{bad"}, status=400, expect=error(400)),
    _create("multipart: validation applies", form={"title": "x"}, status=400,
            expect=error(400, data={"title": field_error("validation_min_text_constraint")})),
    _create("urlencoded-like modifiers in multipart", form={"title": "mod form", "tags": "a", "tags+": "b"},
            expect={"tags": ["a", "b"]}),
    _create("malformed JSON", raw=b'{"title": ', status=400, expect=error(400)),
    _create("JSON that is not an object", raw=b'["title"]', status=400, expect=error(400)),
    _create("empty body is an empty object", raw=b"", status=400,
            expect=error(400, data={"title": field_error("validation_required")})),
]


@pytest.mark.parametrize("scenario", BODIES, ids=str)
def test_request_bodies(api: Api, blog: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, blog)


def test_record_crud(api: Api, blog: dict[str, str]) -> None:
    supplied = rid("crud", 1)
    one = f"{POSTS}/{supplied}"
    steps = [
        _create("supplied id", body={"id": supplied, "title": "crud"},
                expect={"id": supplied, "collectionName": "${posts}", "collectionId": "${posts_id}",
                        "title": "crud", "created": DATETIME}),
        _create("duplicate id", body={"id": supplied, "title": "again"}, status=400,
                expect=error(400, "Failed to create record.", {"id": field_error("validation_not_unique")})),
        _create("id too short", body={"id": "short", "title": "crud"}, status=400,
                expect=error(400, data={"id": ANY})),
        _create("id with uppercase", body={"id": "ABCDEFGHIJKLMNO", "title": "crud"}, status=400,
                expect=error(400, data={"id": ANY})),
        _create("generated id", body={"title": "generated"}, expect={"id": GENERATED_ID}),
        Scenario("view", "GET", one, 200, {"id": supplied, "title": "crud", "secret": ""},
                 response_headers={"etag": Where(lambda v: bool(v), "an ETag")}),
        Scenario("view unknown id", "GET", f"{POSTS}/missing00000000", 404, error(404)),
        Scenario("update", "PATCH", one, 200, {"id": supplied, "title": "renamed", "score": 5},
                 body={"title": "renamed", "score": 5}),
        Scenario("update keeps other fields", "PATCH", one, 200, {"title": "renamed", "score": 6},
                 body={"score": 6}),
        Scenario("update validates", "PATCH", one, 400, error(400, "Failed to update record.",
                                                               {"title": ANY}), body={"title": "x"}),
        Scenario("the id cannot change", "PATCH", one, 400, error(400, data={"id": ANY}),
                 body={"id": rid("crud", 2)}),
        Scenario("update unknown id", "PATCH", f"{POSTS}/missing00000000", 404, body={"title": "nope"}),
        Scenario("delete", "DELETE", one, 204),
        Scenario("deleted", "GET", one, 404),
        Scenario("delete again", "DELETE", one, 404),
        Scenario("supplied id is free again", "POST", POSTS, 200, {"id": supplied},
                 body={"id": supplied, "title": "reborn"}),
    ]
    for step in steps:
        run(api, step, blog)


UNKNOWN = [
    Scenario("list", "GET", "/api/collections/nope_missing/records", 404, error(404)),
    Scenario("view", "GET", "/api/collections/nope_missing/records/abc", 404, error(404)),
    Scenario("create", "POST", "/api/collections/nope_missing/records", 404, error(404), body={}),
    Scenario("update", "PATCH", "/api/collections/nope_missing/records/abc", 404, error(404), body={}),
    Scenario("delete", "DELETE", "/api/collections/nope_missing/records/abc", 404, error(404)),
    Scenario("as a guest too", "GET", "/api/collections/nope_missing/records", 404, error(404), role=GUEST),
]


@pytest.mark.parametrize("scenario", UNKNOWN, ids=str)
def test_unknown_collection(api: Api, scenario: Scenario) -> None:
    run(api, scenario)


def test_body_modifiers(api: Api, blog: dict[str, str]) -> None:
    record = api.create_record(blog["posts"], {"title": "mods", "tags": ["a"], "editors": [blog["ann"]],
                                               "score": 10, "count": 1})
    one = f"{POSTS}/{record['id']}"
    steps = [
        ("append to multi select", {"tags+": "b"}, 200, {"tags": ["a", "b"]}),
        ("prepend to multi select", {"+tags": ["c"]}, 200, {"tags": ["c", "a", "b"]}),
        ("remove from multi select", {"tags-": ["a"]}, 200, {"tags": ["c", "b"]}),
        ("append beyond maxSelect", {"tags+": ["a", "d"]}, 400, error(400, data={"tags": ANY})),
        ("append a relation", {"editors+": "${bob}"}, 200, {"editors": ["${ann}", "${bob}"]}),
        ("remove a relation", {"editors-": ["${ann}"]}, 200, {"editors": ["${bob}"]}),
        ("append a missing relation", {"editors+": "missing00000001"}, 400,
         error(400, data={"editors": field_error("validation_missing_rel_records")})),
        ("add to a number", {"score+": 2}, 200, {"score": 12}),
        ("subtract from a number", {"score-": 5}, 200, {"score": 7}),
        ("increment past max", {"score+": 500}, 400, error(400, data={"score": ANY})),
        ("set and modify in one body", {"count": 5, "count+": 2}, 200, {"count": 7}),
        ("modifiers keep other fields", {"tags-": "c"}, 200, {"tags": ["b"], "editors": ["${bob}"], "score": 7}),
    ]
    for name, body, status, expect in steps:
        run(api, Scenario(name, "PATCH", one, status, expect, body=body), blog)


def test_etag_and_if_match(api: Api, blog: dict[str, str]) -> None:
    record = api.create_record(blog["posts"], {"title": "etag"})
    url = f"/api/collections/{blog['posts']}/records/{record['id']}"
    first = api.request("GET", url)
    etag = first.headers["etag"]
    assert etag
    # When the record changes, then its ETag changes
    run(api, Scenario("update with the current ETag", "PATCH", url, 200, {"title": "etag 2"},
                      body={"title": "etag 2"}, headers={"If-Match": etag}))
    second = api.request("GET", url).headers["etag"]
    assert second != etag
    # And a write conditioned on the old ETag is refused and changes nothing
    run(api, Scenario("stale If-Match", "PATCH", url, 412, error(412), body={"title": "lost"},
                      headers={"If-Match": etag}))
    run(api, Scenario("stale If-Match on delete", "DELETE", url, 412, error(412), headers={"If-Match": etag}))
    run(api, Scenario("nothing changed", "GET", url, 200, {"title": "etag 2"}))
    run(api, Scenario("If-Match: * always matches", "PATCH", url, 200, {"title": "etag 3"},
                      body={"title": "etag 3"}, headers={"If-Match": "*"}))
    run(api, Scenario("delete with the current ETag", "DELETE", url, 204,
                      headers={"If-Match": api.request("GET", url).headers["etag"]}))


def test_concurrent_partial_updates_do_not_clobber(api: Api, blog: dict[str, str]) -> None:
    # Given a record
    record = api.create_record(blog["posts"], {"title": "race"})
    url = f"/api/collections/{blog['posts']}/records/{record['id']}"
    bodies: list[dict[str, Any]] = [{"slug": "race-slug"}, {"contact": "race@example.com"}, {"done": True},
                                    {"site": "https://x.io"}, {"tags": ["a"]}, {"score": 3}, {"meta": [1]}]
    # When many clients patch different fields at the same time
    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        statuses = list(pool.map(lambda b: api.request("PATCH", url, json=b).status_code, bodies))
    # Then every request succeeds and every change is there
    assert statuses == [200] * len(bodies)
    run(api, Scenario("all changes kept", "GET", url, 200, {
        "title": "race", "slug": "race-slug", "contact": "race@example.com", "done": True, "site": "https://x.io",
        "tags": ["a"], "score": 3, "meta": [1]}))


def test_concurrent_increments_are_atomic(api: Api, blog: dict[str, str]) -> None:
    # Given a record with a counter
    record = api.create_record(blog["posts"], {"title": "race", "count": 0})
    url = f"/api/collections/{blog['posts']}/records/{record['id']}"
    # When many clients increment it and change another field at the same time
    bodies: list[dict[str, Any]] = [{"count+": 1}] * 12 + [{"title": f"race {i}"} for i in range(4)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda b: api.request("PATCH", url, json=b).status_code, bodies))
    # Then no increment is lost
    assert statuses == [200] * len(bodies)
    run(api, Scenario("every increment counted", "GET", url, 200, {"count": 12}))


def test_cascade_delete_and_relation_cleanup(api: Api, blog: dict[str, str]) -> None:
    # Given a post with comments (cascadeDelete) and an author referenced by posts (no cascade)
    author = api.create_record(blog["authors"], {"name": "Temp"})
    post = api.create_record(blog["posts"], {"title": "doomed", "author": author["id"], "editors": [author["id"]]})
    keep = api.create_record(blog["posts"], {"title": "kept", "editors": [author["id"], blog["ann"]]})
    comments = [api.create_record(blog["comments"], {"post": post["id"], "message": f"m{i}"}) for i in range(2)]
    # When the post is deleted, then its comments go with it
    run(api, Scenario("delete post", "DELETE", f"{POSTS}/{post['id']}", 204), blog)
    for comment in comments:
        run(api, Scenario("comment gone", "GET", f"/api/collections/${{comments}}/records/{comment['id']}", 404),
            blog)
    # When the author is deleted, then relations to it are cleared, not the records
    run(api, Scenario("delete author", "DELETE", f"/api/collections/${{authors}}/records/{author['id']}", 204), blog)
    run(api, Scenario("relation unlinked", "GET", f"{POSTS}/{keep['id']}", 200, {"editors": ["${ann}"]}), blog)
