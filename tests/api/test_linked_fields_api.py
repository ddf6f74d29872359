"""Lookup, rollup and count fields over HTTP: definition errors, and values kept fresh by the change stream."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import Api, unique

pytestmark = pytest.mark.api

AGGREGATES = ("SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA", "COUNTALL", "CONCATENATE", "ARRAYJOIN",
              "ARRAYUNIQUE")


def rollup(name: str, aggregate: str, field: str = "amount", **options: Any) -> dict[str, Any]:
    return {"name": name, "type": "rollup", "relation": "VIA", "field": field, "aggregate": aggregate, **options}


def create_pair(api: Api, parent_fields: list[dict[str, Any]]) -> tuple[str, str]:
    """An invoices collection and its line items (amount, label, paid, invoice); the parent's linked fields
    name the back-relation as `VIA`."""
    invoices, items = unique("invoices"), unique("items")
    api.create_collection({"name": invoices, "type": "base", "fields": [{"name": "title", "type": "text"}]})
    parent_id = api.ok("GET", f"/api/collections/{invoices}")["id"]
    api.create_collection({"name": items, "type": "base", "fields": [
        {"name": "amount", "type": "number"}, {"name": "label", "type": "text"}, {"name": "paid", "type": "bool"},
        {"name": "invoice", "type": "relation", "collectionId": parent_id, "maxSelect": 1}]})
    via = f"{items}_via_invoice"
    fields = [{**f, "relation": via} if f.get("relation") == "VIA" else f for f in parent_fields]
    api.ok("PATCH", f"/api/collections/{invoices}", json={"fields": [
        *api.ok("GET", f"/api/collections/{invoices}")["fields"], *fields]})
    return invoices, items


def eventually(read: Callable[[], Any], expected: Any, timeout: float = 15.0) -> Any:
    """Poll until `read()` equals `expected` (the stream consumer runs after the write answers)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value == expected or time.monotonic() > deadline:
            assert value == expected
            return value
        time.sleep(0.1)


def record(api: Api, collection: str, rid: str) -> dict[str, Any]:
    return dict(api.ok("GET", f"/api/collections/{collection}/records/{rid}"))


def test_sum_and_count_follow_creates_updates_relinks_and_deletes(api: Api) -> None:
    # Given invoices with a SUM rollup and a count of their line items
    invoices, items = create_pair(api, [rollup("total", "SUM"), {"name": "n", "type": "count", "relation": "VIA"}])
    a = api.create_record(invoices, {"title": "a"})["id"]
    b = api.create_record(invoices, {"title": "b"})["id"]

    def totals() -> list[Any]:
        ra, rb = record(api, invoices, a), record(api, invoices, b)
        return [ra["total"], ra["n"], rb["total"], rb["n"]]

    # When line items are created on A
    one = api.create_record(items, {"amount": 10.5, "invoice": a})["id"]
    api.create_record(items, {"amount": 4, "invoice": a})
    # Then A's total and count follow
    eventually(totals, [14.5, 2, 0, 0])
    # When one changes amount, then moves to B, then is unlinked and linked again, then deleted
    api.ok("PATCH", f"/api/collections/{items}/records/{one}", json={"amount": 20})
    eventually(totals, [24, 2, 0, 0])
    api.ok("PATCH", f"/api/collections/{items}/records/{one}", json={"invoice": b})
    eventually(totals, [4, 1, 20, 1])
    api.ok("PATCH", f"/api/collections/{items}/records/{one}", json={"invoice": ""})
    eventually(totals, [4, 1, 0, 0])
    api.ok("PATCH", f"/api/collections/{items}/records/{one}", json={"invoice": b})
    eventually(totals, [4, 1, 20, 1])
    api.ok("DELETE", f"/api/collections/{items}/records/{one}", status=204)
    # Then every total converges
    eventually(totals, [4, 1, 0, 0])


def test_each_aggregate(api: Api) -> None:
    # Given a rollup of every aggregate over amounts and labels, and AND/OR/XOR over `paid`
    fields = [rollup(f"r_{a.lower()}", a, "label" if a in ("CONCATENATE", "ARRAYJOIN", "COUNTA") else "amount")
              for a in AGGREGATES]
    fields += [rollup(f"r_{a.lower()}", a, "paid") for a in ("AND", "OR", "XOR")]
    fields.append({"name": "labels", "type": "lookup", "relation": "VIA", "field": "label"})
    invoices, items = create_pair(api, fields)
    inv = api.create_record(invoices, {"title": "x"})["id"]
    # When three line items link to it
    for amount, label, paid in ((3, "b", True), (7, "", True), (3, "a", False)):
        api.create_record(items, {"amount": amount, "label": label, "paid": paid, "invoice": inv})
    expected = {"r_sum": 13, "r_average": 13 / 3, "r_min": 3, "r_max": 7, "r_count": 3, "r_counta": 2,
                "r_countall": 3, "r_arrayunique": [3, 7], "r_and": False, "r_or": True, "r_xor": False}

    def values() -> dict[str, Any]:
        got = record(api, invoices, inv)
        return {k: got[k] for k in expected}

    # Then each aggregate holds Airtable's result
    eventually(values, expected)
    got = record(api, invoices, inv)
    # label values in id order: the concatenation depends on ids, so only its letters are checked
    assert sorted(got["r_concatenate"]) == ["a", "b"]
    assert sorted(got["r_arrayjoin"].split(", ")) == ["a", "b"]
    assert sorted(got["labels"]) == ["", "a", "b"]


def test_filter_option_selects_the_linked_records_that_count(api: Api) -> None:
    # Given a SUM and a count over paid line items only
    paid_count = {"name": "paid_n", "type": "count", "relation": "VIA", "filter": "paid = true"}
    invoices, items = create_pair(api, [rollup("paid_total", "SUM", filter="paid = true"), paid_count])
    inv = api.create_record(invoices, {"title": "x"})["id"]
    first = api.create_record(items, {"amount": 5, "paid": False, "invoice": inv})["id"]
    api.create_record(items, {"amount": 2, "paid": True, "invoice": inv})

    def paid() -> list[Any]:
        got = record(api, invoices, inv)
        return [got["paid_total"], got["paid_n"]]

    eventually(paid, [2, 1])
    # When the unpaid one is paid
    api.ok("PATCH", f"/api/collections/{items}/records/{first}", json={"paid": True})
    # Then it starts to count
    eventually(paid, [7, 2])


def test_forward_relation_lookup_and_max(api: Api) -> None:
    # Given tags and posts that hold tag ids, with a lookup of tag names and the highest tag weight
    tags = unique("tags")
    api.create_collection({"name": tags, "type": "base", "fields": [
        {"name": "label", "type": "text"}, {"name": "weight", "type": "number"}]})
    tags_id = api.ok("GET", f"/api/collections/{tags}")["id"]
    posts = unique("posts")
    api.create_collection({"name": posts, "type": "base", "fields": [
        {"name": "tags", "type": "relation", "collectionId": tags_id, "maxSelect": 5},
        {"name": "labels", "type": "lookup", "relation": "tags", "field": "label"},
        {"name": "heaviest", "type": "rollup", "relation": "tags", "field": "weight", "aggregate": "MAX"}]})
    t1 = api.create_record(tags, {"label": "one", "weight": 1})["id"]
    t2 = api.create_record(tags, {"label": "two", "weight": 2})["id"]
    post = api.create_record(posts, {"tags": [t2, t1]})["id"]

    def seen() -> list[Any]:
        got = record(api, posts, post)
        return [got["labels"], got["heaviest"]]

    # Then the lookup follows the relation's order
    eventually(seen, [["two", "one"], 2])
    # When a linked tag changes, and another is removed from the post
    api.ok("PATCH", f"/api/collections/{tags}/records/{t1}", json={"label": "uno", "weight": 9})
    eventually(seen, [["two", "uno"], 9])
    api.ok("PATCH", f"/api/collections/{posts}/records/{post}", json={"tags": [t2]})
    # Then the parent converges
    eventually(seen, [["two"], 2])
    # When the last linked tag is deleted (PocketBase unlinks it from the post)
    api.ok("DELETE", f"/api/collections/{tags}/records/{t2}", status=204)
    # Then the lookup is empty and MAX of nothing is 0, as Airtable's
    eventually(seen, [[], 0])


@pytest.mark.parametrize(("field", "option", "needle"), [
    ({"name": "x", "type": "rollup", "relation": "nope", "field": "amount", "aggregate": "SUM"}, "relation", "nope"),
    ({"name": "x", "type": "rollup", "relation": "VIA", "field": "missing", "aggregate": "SUM"}, "field", "missing"),
    ({"name": "x", "type": "rollup", "relation": "VIA", "field": "label", "aggregate": "SUM"}, "aggregate", "SUM"),
    ({"name": "x", "type": "count", "relation": "VIA", "filter": "amount >"}, "filter", "filter"),
    ({"name": "x", "type": "count", "relation": "VIA", "filter": "ghost = 1"}, "filter", "ghost"),
    ({"name": "x", "type": "lookup", "relation": "nobody_via_invoice", "field": "id"}, "relation", "nobody"),
    ({"name": "x", "type": "count", "relation": "VIA", "filter": "@request.auth.id != ''"}, "filter", "@request"),
])
def test_definition_errors_are_400s_naming_the_problem(api: Api, field: dict[str, Any], option: str,
                                                       needle: str) -> None:
    # Given the invoices and items pair
    invoices, items = create_pair(api, [])
    field = {**field, "relation": f"{items}_via_invoice"} if field["relation"] == "VIA" else field
    current = api.ok("GET", f"/api/collections/{invoices}")["fields"]
    # When a linked field with a bad option is added
    response = api.request("PATCH", f"/api/collections/{invoices}", json={"fields": [*current, field]})
    # Then the answer is a 400 naming the option and the problem, and nothing changed
    assert response.status_code == 400, response.text
    error = response.json()["data"]["fields"][str(len(current))][option]
    assert needle in error["message"], error
    assert [f["name"] for f in api.ok("GET", f"/api/collections/{invoices}")["fields"]] == [f["name"] for f in current]


def test_clients_cannot_write_linked_values(api: Api) -> None:
    # Given a count field
    invoices, _ = create_pair(api, [{"name": "n", "type": "count", "relation": "VIA"}])
    # When a client sends a value for it
    inv = api.create_record(invoices, {"title": "x", "n": 99})
    # Then it is ignored: the value is the stream's
    assert inv["n"] == 0


def test_adding_a_rollup_to_a_collection_with_records_backfills_it(api: Api, stack: InProcessStack) -> None:
    # Given invoices with line items and no linked field yet, and a short settle time before jobs start
    with stack.configured(LB_JOBS_SETTLE_S="2"):
        backfill_scenario(api)


def backfill_scenario(api: Api) -> None:
    invoices, items = create_pair(api, [])
    a = api.create_record(invoices, {"title": "a"})["id"]
    b = api.create_record(invoices, {"title": "b"})["id"]
    for amount, parent in ((2, a), (3, a), (10, b)):
        api.create_record(items, {"amount": amount, "invoice": parent})
    # When a SUM rollup and a count are added
    fields = api.ok("GET", f"/api/collections/{invoices}")["fields"]
    via = f"{items}_via_invoice"
    saved = api.ok("PATCH", f"/api/collections/{invoices}", json={"fields": [
        *fields, {"name": "total", "type": "rollup", "relation": via, "field": "amount", "aggregate": "SUM"},
        {"name": "n", "type": "count", "relation": via}]})
    # Then the save answers at once, showing the backfill while it runs, and the job fills in every parent
    assert saved["computedStates"] == [{"name": "total", "state": "building", "seen": 0},
                                       {"name": "n", "state": "building", "seen": 0}]
    eventually(lambda: [[r["total"], r["n"]] for r in (record(api, invoices, a), record(api, invoices, b))],
               [[5, 2], [10, 1]], timeout=60)
    eventually(lambda: api.ok("GET", f"/api/collections/{invoices}").get("computedStates"), None, timeout=60)
    # And later changes are incremental on top of the backfilled sums
    api.create_record(items, {"amount": 1, "invoice": a})
    eventually(lambda: record(api, invoices, a)["total"], 6)


def test_a_formula_over_a_rollup_follows_it(api: Api) -> None:
    # Given invoices with a SUM rollup and a formula over it (chaining)
    invoices, items = create_pair(api, [rollup("total", "SUM"), {
        "name": "size", "type": "formula", "formula": 'IF({total} > 1000, "big", "small")'}])
    inv = api.create_record(invoices, {"title": "x"})["id"]
    assert record(api, invoices, inv)["size"] == "small"
    # When line items push the total past 1000
    api.create_record(items, {"amount": 800, "invoice": inv})
    api.create_record(items, {"amount": 300, "invoice": inv})
    # Then the formula is recomputed in the derived write
    eventually(lambda: [record(api, invoices, inv)[k] for k in ("total", "size")], [1100, "big"])


def test_a_rollup_cycle_across_collections_is_refused(api: Api) -> None:
    # Given invoices summing their items' amounts, and items looking up their invoice's total
    invoices, items = create_pair(api, [rollup("total", "SUM")])
    item_fields = api.ok("GET", f"/api/collections/{items}")["fields"]
    api.ok("PATCH", f"/api/collections/{items}", json={"fields": [*item_fields, {
        "name": "echo", "type": "rollup", "relation": "invoice", "field": "total", "aggregate": "SUM"}]})
    # When the invoices' total is changed to sum the items' echo of it
    fields = api.ok("GET", f"/api/collections/{invoices}")["fields"]
    changed = [{**f, "field": "echo"} if f["name"] == "total" else f for f in fields]
    response = api.request("PATCH", f"/api/collections/{invoices}", json={"fields": changed})
    # Then it is a 400 naming the cycle, and the total still sums amounts
    assert response.status_code == 400, response.text
    assert "cycle" in response.text.lower()
    saved = api.ok("GET", f"/api/collections/{invoices}")["fields"]
    assert next(f for f in saved if f["name"] == "total")["field"] == "amount"
