"""`POST /api/batch` over HTTP: mixed operations, all-or-nothing rollback, limits and rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.records_api import ABSENT, ANY, GUEST, Api, Scenario, error, run, unique
from tests.support.records_world import OPEN_RULES, rid

pytestmark = pytest.mark.api



@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, str]:
    items, locked = unique("items"), unique("locked")
    api.create_collection({"name": items, "type": "base", **OPEN_RULES, "fields": [
        {"name": "title", "type": "text", "required": True}, {"name": "slug", "type": "text"},
        {"name": "n", "type": "number"}],
        "indexes": [f"CREATE UNIQUE INDEX idx_{items}_slug ON {items} (slug) WHERE slug != ''"]})
    api.create_collection({"name": locked, "type": "base", "fields": [{"name": "title", "type": "text"}]})
    for n in (1, 2, 3):
        api.create_record(items, {"id": rid("item", n), "title": f"seed {n}", "slug": f"seed-{n}"})
    return {"items": items, "locked": locked, **{f"item{n}": rid("item", n) for n in (1, 2, 3)}}


def op(method: str, url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"method": method, "url": url, **({"body": body} if body is not None else {})}


ITEMS = "/api/collections/${items}/records"


def batch(name: str, requests: list[dict[str, Any]], status: int, expect: Any, **kwargs: Any) -> Scenario:
    return Scenario(name, "POST", "/api/batch", status, expect, body={"requests": requests}, **kwargs)


def failed_at(index: int, status: int) -> dict[str, Any]:
    return error(400, data={"requests": {str(index): {"code": "batch_request_failed", "message": ANY,
                                                       "response": {"status": status}}}})


BATCHES = [
    batch("creates", [op("POST", ITEMS, {"title": "b1", "n": 1}), op("POST", ITEMS, {"title": "b2", "n": 2})], 200,
          [{"status": 200, "body": {"title": "b1", "n": 1, "id": ANY}}, {"status": 200, "body": {"title": "b2"}}]),
    batch("create, update, upsert both ways and delete", [
        op("POST", ITEMS, {"id": rid("mixed", 1), "title": "m1"}),
        op("PATCH", f"{ITEMS}/${{item1}}", {"title": "seed 1 updated"}),
        op("PUT", ITEMS, {"id": "${item2}", "title": "seed 2 upserted"}),
        op("PUT", ITEMS, {"id": rid("mixed", 2), "title": "m2 upserted"}),
        op("DELETE", f"{ITEMS}/${{item3}}")], 200, [
        {"status": 200, "body": {"id": rid("mixed", 1)}},
        {"status": 200, "body": {"id": "${item1}", "title": "seed 1 updated", "slug": "seed-1"}},
        {"status": 200, "body": {"id": "${item2}", "title": "seed 2 upserted", "slug": "seed-2"}},
        {"status": 200, "body": {"id": rid("mixed", 2), "title": "m2 upserted"}},
        {"status": 204, "body": None}]),
    Scenario("the deleted one is gone", "GET", f"{ITEMS}/${{item3}}", 404),
    Scenario("the upserted one was updated in place", "GET", f"{ITEMS}/${{item2}}", 200, {"title": "seed 2 upserted"}),
    batch("query parameters of each request apply", [
        op("POST", f"{ITEMS}?fields=title", {"title": "only title"})], 200,
        [{"status": 200, "body": {"title": "only title", "id": ABSENT}}]),
    batch("rollback when a later request is invalid", [
        op("POST", ITEMS, {"title": "rolled back"}), op("PATCH", f"{ITEMS}/${{item1}}", {"n": 99}),
        op("POST", ITEMS, {"n": 1})], 400, failed_at(2, 400)),
    batch("rollback when a later request is not found", [
        op("POST", ITEMS, {"title": "rolled back"}), op("DELETE", f"{ITEMS}/missing00000000")], 400,
        failed_at(1, 404)),
    batch("rollback when two creates claim one unique value", [
        op("POST", ITEMS, {"title": "rolled back", "slug": "twin"}),
        op("POST", ITEMS, {"title": "rolled back", "slug": "twin"})], 400, error(400)),
    batch("rollback when a create takes an existing unique value", [
        op("POST", ITEMS, {"title": "rolled back"}), op("POST", ITEMS, {"title": "rolled back", "slug": "seed-1"})],
        400, error(400)),
    Scenario("nothing of the failed batches was written", "GET", ITEMS, 200, {"totalItems": 0, "items": []},
             params={"filter": "title = 'rolled back' || n = 99"}),
    batch("rules apply to each request", [op("POST", "/api/collections/${locked}/records", {"title": "x"})], 400,
          failed_at(0, 403), role=GUEST),
    batch("an unknown collection", [op("POST", "/api/collections/nope_missing/records", {"title": "x"})], 400,
          failed_at(0, 404)),
    batch("an unsupported request", [op("GET", ITEMS)], 400, error(400)),
    batch("no requests", [], 400, error(400, data={"requests": ANY})),
    batch("more than maxRequests (50 by default)", [op("POST", ITEMS, {"title": f"t{i}"}) for i in range(51)], 400,
          error(400, data={"requests": ANY})),
    Scenario("multipart with @jsonPayload, as the JS SDK sends it", "POST", "/api/batch", 200,
             [{"status": 200, "body": {"title": "from sdk"}}],
             form={"@jsonPayload": json.dumps({"requests": [op("POST", ITEMS, {"title": "from sdk"})]})}),
    Scenario("malformed body", "POST", "/api/batch", 400, error(400), raw=b"{nope"),
]


@pytest.mark.parametrize("scenario", BATCHES, ids=str)
def test_batch(api: Api, world: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, world)


def test_batch_applies_requests_in_order_on_one_record(api: Api, world: dict[str, str]) -> None:
    # Given a record; when one batch changes it twice, then each request sees the one before, as in PocketBase
    record = api.create_record(world["items"], {"title": "in order", "n": 1})
    url = f"{ITEMS}/{record['id']}"
    run(api, batch("two increments of one record", [op("PATCH", url, {"n+": 1}), op("PATCH", url, {"n+": 1})], 200,
                   [{"status": 200, "body": {"n": 2}}, {"status": 200, "body": {"n": 3}}]), world)
    run(api, Scenario("both kept", "GET", url, 200, {"n": 3, "title": "in order"}), world)
    # When one batch updates and then deletes it, then it is gone
    run(api, batch("update then delete", [op("PATCH", url, {"n": 9}), op("DELETE", url)], 200,
                   [{"status": 200, "body": {"n": 9}}, {"status": 204, "body": None}]), world)
    run(api, Scenario("gone", "GET", url, 404), world)


def test_batch_creates_then_changes_and_references_new_records(api: Api) -> None:
    # Given a parent collection and a child collection with a required relation to it
    parents, children = unique("bparents"), unique("bchildren")
    created = api.create_collection({"name": parents, "type": "base", "fields": [{"name": "t", "type": "text"}]})
    api.create_collection({"name": children, "type": "base", "fields": [
        {"name": "parent", "type": "relation", "collectionId": created["id"], "maxSelect": 1, "required": True}]})
    parent_id, child_id, temp_id = "bparent00000001", "bchild000000001", "btemp0000000001"
    p_url, c_url = f"/api/collections/{parents}/records", f"/api/collections/{children}/records"
    # When one batch creates a parent, a child pointing at it, updates the parent, and creates and drops a third
    run(api, batch("create, reference, update", [
        op("POST", p_url, {"id": parent_id, "t": "v1"}),
        op("POST", c_url, {"id": child_id, "parent": parent_id}),
        op("PATCH", f"{p_url}/{parent_id}", {"t": "v2"}),
        op("POST", p_url, {"id": temp_id, "t": "temp"}),
        op("DELETE", f"{p_url}/{temp_id}"),
    ], 200, [{"status": 200, "body": {"t": "v1"}}, {"status": 200, "body": {"parent": parent_id}},
             {"status": 200, "body": {"t": "v2"}}, {"status": 200, "body": {"t": "temp"}},
             {"status": 204, "body": None}]))
    # Then the final state is stored, and the dropped record never existed
    run(api, Scenario("parent", "GET", f"{p_url}/{parent_id}", 200, {"t": "v2"}))
    run(api, Scenario("child", "GET", f"{c_url}/{child_id}", 200, {"parent": parent_id}))
    run(api, Scenario("temp", "GET", f"{p_url}/{temp_id}", 404))


def test_batch_refuses_a_change_after_a_delete(api: Api, world: dict[str, str]) -> None:
    record = api.create_record(world["items"], {"title": "deleted first"})
    url = f"{ITEMS}/{record['id']}"
    run(api, batch("delete then update", [op("DELETE", url), op("PATCH", url, {"n": 1})], 400,
                   failed_at(1, 404)), world)
    run(api, Scenario("still there", "GET", url, 200, {"title": "deleted first"}), world)


def test_batch_delete_cascades_in_order(api: Api) -> None:
    # Given a parent and a child that is deleted with it
    parents, children = unique("parents"), unique("children")
    created = api.create_collection({"name": parents, "type": "base", "fields": [{"name": "t", "type": "text"}]})
    api.create_collection({"name": children, "type": "base", "fields": [
        {"name": "parent", "type": "relation", "collectionId": created["id"], "maxSelect": 1, "cascadeDelete": True}]})
    parent = api.create_record(parents, {"t": "p"})
    child = api.create_record(children, {"parent": parent["id"]})
    # When one batch deletes the parent and then the child, then the child is already gone by the second
    # request (the cascade ran in the first), so, as in PocketBase, the batch fails and nothing changes
    child_url = f"/api/collections/{children}/records/{child['id']}"
    run(api, batch("parent then child", [op("DELETE", f"/api/collections/{parents}/records/{parent['id']}"),
                                         op("DELETE", child_url)], 400, failed_at(1, 404)))
    run(api, Scenario("child kept", "GET", child_url, 200))
    # When the batch deletes only the parent, then the cascade takes the child with it
    run(api, batch("parent", [op("DELETE", f"/api/collections/{parents}/records/{parent['id']}")], 200,
                   [{"status": 204, "body": None}]))
    run(api, Scenario("child gone", "GET", child_url, 404))
