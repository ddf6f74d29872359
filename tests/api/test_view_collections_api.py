"""View collections over HTTP: create/update answers, read-only records, rules, and rows kept fresh by the stream."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.records_api import GUEST, Api, unique

pytestmark = pytest.mark.api
C = "/api/collections"


@pytest.fixture(scope="module")
def shop(api: Api) -> dict[str, str]:
    """customers <- invoices (customer relation), with names unique to this module."""
    customers = api.create_collection({"name": unique("vcust"), "type": "base",
                                       "fields": [{"name": "name", "type": "text"}]})
    invoices = api.create_collection({"name": unique("vinv"), "type": "base", "fields": [
        {"name": "title", "type": "text", "max": 50}, {"name": "total", "type": "number"},
        {"name": "paid", "type": "bool"},
        {"name": "customer", "type": "relation", "collectionId": customers["id"], "maxSelect": 1}]})
    return {"customers": customers["name"], "invoices": invoices["name"]}


def _eventually(read: Callable[[], Any], expected: Any, timeout: float = 20.0) -> Any:
    """Poll until read() == expected (the stream and the jobs queue are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value == expected or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _items(api: Api, view: str, **params: Any) -> Callable[[], list[dict[str, Any]]]:
    def read() -> list[dict[str, Any]]:
        page = api.list_records(view, perPage=100, sort="id", **params)
        return [{k: v for k, v in item.items() if k not in ("collectionId", "collectionName")}
                for item in page["items"]]
    return read


def test_a_view_infers_its_fields_as_pocketbase(api: Api, shop: dict[str, str]) -> None:
    # Given a query with a cloned field, an expression, a relation id and an aggregate-free projection
    query = f"SELECT id, title, total * 2 AS dbl, customer, CAST(total AS INT) AS whole FROM {shop['invoices']}"
    # When the view is created
    view = api.create_collection({"name": unique("v_fields"), "type": "view", "viewQuery": query,
                                  "fields": [{"name": "ignored", "type": "text"}]})
    # Then its fields come from the query (submitted ones ignored), typed as PocketBase types them
    fields = {f["name"]: f for f in view["fields"]}
    assert list(fields) == ["id", "title", "dbl", "customer", "whole"]
    assert fields["id"]["id"] == "text3208210256"
    assert (fields["id"]["primaryKey"], fields["id"]["pattern"], fields["id"]["max"]) == (True, "^[a-z0-9]+$", 0)
    assert fields["title"]["type"] == "text" and fields["title"]["max"] == 50
    assert fields["title"]["id"].startswith("_clone_")
    assert (fields["dbl"]["type"], fields["dbl"]["maxSize"]) == ("json", 1)
    assert fields["customer"]["type"] == "relation" and fields["customer"]["maxSelect"] == 1
    assert (fields["whole"]["type"], fields["whole"]["onlyInt"]) == ("number", True)
    assert view["viewQuery"] == query and view["type"] == "view" and view["indexes"] == []


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT title FROM {inv}", "Invalid query - missing required id column"),
    ("SELECT id FROM {inv} UNION SELECT id FROM {cust}", "UNION is not supported"),
    ("SELECT i.id FROM {inv} i RIGHT JOIN {cust} c ON c.id = i.customer", "RIGHT JOIN is not supported"),
    ("SELECT id, title FROM {inv} ORDER BY title", "ORDER BY is not supported"),
    ("SELECT * FROM {inv}", "wildcard columns (*) are not supported"),
    ("SELECT id FROM nope_table", "no such table: nope_table"),
    ("SELECT id, nope AS x FROM {inv}", "no such column: nope"),
    ("SELECT title AS id, MIN(total) AS n FROM {inv} GROUP BY title", "MIN() in a view grouped by other than one"),
])
def test_unsupported_or_invalid_queries_answer_400_naming_the_problem(api: Api, shop: dict[str, str], query: str,
                                                                      message: str) -> None:
    # Given a query outside the maintained subset (or invalid)
    body = {"name": unique("v_bad"), "type": "view",
            "viewQuery": query.format(inv=shop["invoices"], cust=shop["customers"])}
    # When it is submitted
    response = api.request("POST", C, json=body)
    # Then 400 in PocketBase's shape, viewQuery naming the construct
    assert response.status_code == 400, response.text
    data = response.json()["data"]
    assert data["viewQuery"]["code"] == "validation_invalid_view_query"
    assert message in data["viewQuery"]["message"]


def test_write_rules_and_indexes_are_refused_as_pocketbase(api: Api, shop: dict[str, str]) -> None:
    # Given a view body with a create rule and an index
    body = {"name": unique("v_rules"), "type": "view", "viewQuery": f"SELECT id FROM {shop['invoices']}",
            "createRule": "", "indexes": ["CREATE INDEX x ON v (id)"]}
    # When it is created
    response = api.request("POST", C, json=body)
    # Then both are refused with PocketBase's codes
    assert response.status_code == 400
    assert response.json()["data"] == {
        "createRule": {"code": "validation_nil", "message": "Must be blank."},
        "indexes": {"code": "validation_indexes_not_supported", "message": "View collections don't support indexes."}}


def test_a_plain_view_is_backfilled_then_maintained(api: Api, shop: dict[str, str]) -> None:
    # Given invoices, one of them unpaid, created before the view
    cust = api.create_record(shop["customers"], {"name": "Ada"})
    paid = api.create_record(shop["invoices"], {"title": "a", "total": 3, "paid": True, "customer": cust["id"]})
    api.create_record(shop["invoices"], {"title": "b", "total": 5, "paid": False})
    query = (f"SELECT i.id, i.title, i.total * 2 AS dbl, c.name AS cname FROM {shop['invoices']} i "
             f"LEFT JOIN {shop['customers']} c ON c.id = i.customer WHERE i.paid = true")
    view = api.create_collection({"name": unique("v_plain"), "type": "view", "viewQuery": query})["name"]
    # Then the backfill materializes the paid invoice only, joined with its customer
    assert _eventually(_items(api, view), [{"id": paid["id"], "title": "a", "dbl": 6, "cname": "Ada"}]) == \
        [{"id": paid["id"], "title": "a", "dbl": 6, "cname": "Ada"}]
    # When a source record changes, a new one is paid, and the joined customer is renamed
    api.ok("PATCH", f"{C}/{shop['invoices']}/records/{paid['id']}", json={"total": 10})
    other = api.create_record(shop["invoices"], {"title": "c", "total": 1, "paid": True})
    api.ok("PATCH", f"{C}/{shop['customers']}/records/{cust['id']}", json={"name": "Grace"})
    expected = sorted([{"id": paid["id"], "title": "a", "dbl": 20, "cname": "Grace"},
                       {"id": other["id"], "title": "c", "dbl": 2, "cname": ""}], key=lambda r: r["id"])
    # Then the view converges on them
    assert _eventually(_items(api, view), expected) == expected
    # When the source record is deleted, its row goes
    api.ok("DELETE", f"{C}/{shop['invoices']}/records/{other['id']}", status=204)
    assert _eventually(_items(api, view), expected[:1] if expected[0]["id"] == paid["id"] else expected[1:]) \
        == [r for r in expected if r["id"] == paid["id"]]
    # And filter and sort work over the materialized rows
    assert [r["id"] for r in _items(api, view, filter="dbl > 5")()] == [paid["id"]]


def test_a_grouped_view_converges_on_totals_per_customer(api: Api, shop: dict[str, str]) -> None:
    # Given a view of invoice totals per customer
    query = (f"SELECT customer AS id, COUNT(*) AS n, SUM(total) AS total, MAX(total) AS top "
             f"FROM {shop['invoices']} GROUP BY customer")
    view = api.create_collection({"name": unique("v_group"), "type": "view", "viewQuery": query})
    assert {f["name"]: f["type"] for f in view["fields"]} == {"id": "text", "n": "number", "total": "json",
                                                              "top": "json"}
    ann = api.create_record(shop["customers"], {"name": "Ann"})
    bob = api.create_record(shop["customers"], {"name": "Bob"})
    # When invoices are created, one re-linked, one deleted
    first = api.create_record(shop["invoices"], {"title": "1", "total": 4, "customer": ann["id"]})
    api.create_record(shop["invoices"], {"title": "2", "total": 6, "customer": ann["id"]})
    moved = api.create_record(shop["invoices"], {"title": "3", "total": 7, "customer": ann["id"]})
    api.ok("PATCH", f"{C}/{shop['invoices']}/records/{moved['id']}", json={"customer": bob["id"]})
    api.ok("DELETE", f"{C}/{shop['invoices']}/records/{first['id']}", status=204)
    # Then each group's row converges on its members
    read = _items(api, view["name"], filter=f"id = '{ann['id']}' || id = '{bob['id']}'")
    expected = sorted([{"id": ann["id"], "n": 1, "total": 6, "top": 6},
                       {"id": bob["id"], "n": 1, "total": 7, "top": 7}], key=lambda r: r["id"])
    assert _eventually(read, expected) == expected


def test_view_records_are_read_only_and_follow_their_rules(api: Api, shop: dict[str, str]) -> None:
    # Given a view readable by anyone, over a paid invoice
    record = api.create_record(shop["invoices"], {"title": "ro", "total": 1, "paid": True})
    view = api.create_collection({"name": unique("v_ro"), "type": "view", "listRule": "", "viewRule": None,
                                  "viewQuery": f"SELECT id, title FROM {shop['invoices']} WHERE paid = true"})
    name = view["name"]
    _eventually(lambda: api.request("GET", f"{C}/{name}/records/{record['id']}").status_code, 200)
    # When anyone writes to it, then 400 as PocketBase, whatever the role
    for method, path in (("POST", f"{C}/{name}/records"), ("PATCH", f"{C}/{name}/records/{record['id']}"),
                         ("DELETE", f"{C}/{name}/records/{record['id']}")):
        for role in ("superuser", GUEST):
            response = api.request(method, path, role=role, json={"title": "x"})
            assert response.status_code == 400, (method, role, response.text)
            assert response.json() == {"status": 400, "message": "Unsupported collection type.", "data": {}}
    # And its rules apply: a guest lists it, but only a superuser views a record (viewRule null: 403)
    assert record["id"] in [r["id"] for r in api.list_records(name, role=GUEST, perPage=500)["items"]]
    assert api.request("GET", f"{C}/{name}/records/{record['id']}", role=GUEST).status_code == 403


def test_updating_the_query_rebuilds_the_rows(api: Api, shop: dict[str, str]) -> None:
    # Given a view over paid invoices
    record = api.create_record(shop["invoices"], {"title": "q", "total": 2, "paid": True})
    view = api.create_collection({"name": unique("v_upd"), "type": "view",
                                  "viewQuery": f"SELECT id, title FROM {shop['invoices']} WHERE paid = true"})
    # When its query changes to another column set
    updated = api.ok("PATCH", f"{C}/{view['id']}", json={
        "viewQuery": f"SELECT id, total FROM {shop['invoices']} WHERE id = '{record['id']}'"})
    # Then its fields follow and its rows are rebuilt under them
    assert [f["name"] for f in updated["fields"]] == ["id", "total"]
    assert _eventually(_items(api, view["name"]), [{"id": record["id"], "total": 2}]) == \
        [{"id": record["id"], "total": 2}]


def test_a_view_protects_its_sources_and_cannot_be_truncated(api: Api, shop: dict[str, str]) -> None:
    # Given a view selecting the invoices' total
    view = api.create_collection({"name": unique("v_guard"), "type": "view",
                                  "viewQuery": f"SELECT id, total FROM {shop['invoices']}"})
    invoices = api.ok("GET", f"{C}/{shop['invoices']}")
    # When the source loses the selected field, Then 400 naming a view it breaks (earlier tests' views read it
    # too), and nothing changed
    kept = [f for f in invoices["fields"] if f["name"] != "total"]
    response = api.request("PATCH", f"{C}/{shop['invoices']}", json={"fields": kept})
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert message.startswith("Failed to update collection. Raw error: the view ")
    # whichever view is checked first: one reads `total` bare, another through an alias (`i.total`)
    assert re.search(r"no such column: (\w+\.)?total\b", message), message
    assert "total" in [f["name"] for f in api.ok("GET", f"{C}/{shop['invoices']}")["fields"]]
    # And the source cannot be deleted while the view reads it (as PocketBase)
    assert api.request("DELETE", f"{C}/{shop['invoices']}").json() == {
        "status": 400, "message": "Failed to delete collection.", "data": {}}
    # And the view cannot be truncated, but it can be deleted
    assert api.request("DELETE", f"{C}/{view['name']}/truncate").json() == {
        "status": 400, "message": "View collections cannot be truncated since they don't store their own records.",
        "data": {}}
    api.ok("DELETE", f"{C}/{view['name']}", status=204)


def test_a_dry_run_answers_fields_and_sample_rows_and_stores_nothing(api: Api, shop: dict[str, str]) -> None:
    # Given a paid invoice
    record = api.create_record(shop["invoices"], {"title": "dry", "total": 8, "paid": True})
    before = len(api.ok("GET", C, params={"perPage": 500})["items"])
    # When a query is dry-run
    answer = api.ok("POST", f"{C}/meta/dry-run-view", json={
        "query": f"SELECT id, total * 2 AS dbl FROM {shop['invoices']} WHERE id = '{record['id']}'"})
    # Then its fields and rows come back as a temporary view's, and no collection was created
    assert [f["name"] for f in answer["fields"]] == ["id", "dbl"]
    assert [{k: v for k, v in r.items() if k != "collectionId"} for r in answer["sample"]] == [
        {"id": record["id"], "dbl": 16, "collectionName": answer["sample"][0]["collectionName"]}]
    assert answer["sample"][0]["collectionName"].startswith("temp_view_")
    assert len(api.ok("GET", C, params={"perPage": 500})["items"]) == before
    # And bad queries answer PocketBase's 400s, for superusers only
    assert api.request("POST", f"{C}/meta/dry-run-view", json={}).json()["data"] == {
        "query": {"code": "validation_required", "message": "Cannot be blank."}}
    bad = api.request("POST", f"{C}/meta/dry-run-view", json={"query": f"SELECT title FROM {shop['invoices']}"})
    assert bad.json()["message"].startswith("Invalid view query. Raw error: \nmissing required id column")
    assert api.request("POST", f"{C}/meta/dry-run-view", role=GUEST, json={"query": "x"}).status_code == 401


def test_a_view_grouped_by_columns_shows_its_build_then_follows_changes(api: Api, shop: dict[str, str]) -> None:
    # Given invoices already written (the build counts them)
    title = unique("t")
    for total, paid in ((4, True), (6, True), (1, False)):
        api.create_record(shop["invoices"], {"title": title, "total": total, "paid": paid})
    # When a view groups them by a bool, its id an expression over it
    query = (f"SELECT (CAST(paid AS TEXT) || 'x') AS id, paid, COUNT(*) AS n, SUM(total) AS sum, "
             f"AVG(total) AS avg FROM {shop['invoices']} WHERE title = '{title}' GROUP BY paid")
    view = api.create_collection({"name": unique("v_cols"), "type": "view", "viewQuery": query})
    # Then the collection shows the build under way, and no longer once it is done
    assert view["buildState"] == {"state": "building", "seen": 0}
    assert _eventually(lambda: api.ok("GET", f"{C}/{view['name']}").get("buildState"), None) is None
    expected = [{"id": "0x", "paid": False, "n": 1, "sum": 1, "avg": 1.0},
                {"id": "1x", "paid": True, "n": 2, "sum": 10, "avg": 5.0}]
    assert _eventually(_items(api, view["name"]), expected) == expected
    # When an invoice moves between groups, Then both groups follow
    moved = api.list_records(shop["invoices"], filter=f"title = '{title}' && total = 6")["items"][0]
    api.ok("PATCH", f"{C}/{shop['invoices']}/records/{moved['id']}", json={"paid": False})
    expected = [{"id": "0x", "paid": False, "n": 2, "sum": 7, "avg": 3.5},
                {"id": "1x", "paid": True, "n": 1, "sum": 4, "avg": 4.0}]
    assert _eventually(_items(api, view["name"]), expected) == expected
