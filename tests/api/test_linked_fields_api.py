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


def create_chain(api: Api) -> tuple[str, str, str]:
    """customers ← orders.customer ← items.order, with computed fields chained across all three:
    items.amount = quantity * unit price (formula); orders.total = SUM(amount), orders.gross = total * 2 (a formula
    over the rollup), orders.top_line = MAX(amount); customers.spent = SUM(gross), customers.largest = MAX(total)
    (rollups over a formula over a rollup, and over a rollup), customers.tier = a formula over spent."""
    customers, orders, items = unique("customers"), unique("orders"), unique("items")
    cid = api.create_collection({"name": customers, "type": "base", "fields": [{"name": "name", "type": "text"}]})["id"]
    oid = api.create_collection({"name": orders, "type": "base", "fields": [
        {"name": "customer", "type": "relation", "collectionId": cid, "maxSelect": 1}]})["id"]
    api.create_collection({"name": items, "type": "base", "fields": [
        {"name": "quantity", "type": "number"}, {"name": "unit_price", "type": "number"},
        {"name": "order", "type": "relation", "collectionId": oid, "maxSelect": 1},
        {"name": "amount", "type": "formula", "formula": "{quantity} * {unit_price}"}]})
    lines = f"{items}_via_order"
    api.ok("PATCH", f"/api/collections/{orders}", json={"fields": [
        *api.ok("GET", f"/api/collections/{orders}")["fields"],
        {"name": "total", "type": "rollup", "relation": lines, "field": "amount", "aggregate": "SUM"},
        {"name": "gross", "type": "formula", "formula": "{total} * 2"},
        {"name": "top_line", "type": "rollup", "relation": lines, "field": "amount", "aggregate": "MAX"}]})
    via = f"{orders}_via_customer"
    api.ok("PATCH", f"/api/collections/{customers}", json={"fields": [
        *api.ok("GET", f"/api/collections/{customers}")["fields"],
        {"name": "spent", "type": "rollup", "relation": via, "field": "gross", "aggregate": "SUM"},
        {"name": "largest", "type": "rollup", "relation": via, "field": "total", "aggregate": "MAX"},
        {"name": "tier", "type": "formula", "formula": 'IF({spent} > 100, "gold", "basic")'}]})
    return customers, orders, items


def test_rollups_over_formulas_and_rollups_converge_across_three_levels(api: Api) -> None:
    # Given customers ← orders ← line items, each level computing from the one below
    customers, orders, items = create_chain(api)
    c1, c2 = (api.create_record(customers, {"name": n})["id"] for n in ("c1", "c2"))
    o1, o2 = (api.create_record(orders, {"customer": c1})["id"] for _ in range(2))
    o3 = api.create_record(orders, {"customer": c2})["id"]

    def state() -> dict[str, list[Any]]:
        got = {o: record(api, orders, o) for o in (o1, o2, o3)}
        seen = {o: [got[o]["total"], got[o]["gross"], got[o]["top_line"]] for o in (o1, o2, o3)}
        for c in (c1, c2):
            customer = record(api, customers, c)
            seen[c] = [customer["spent"], customer["largest"], customer["tier"]]
        return seen

    # When line items are created, their amount a formula computed in the same write
    i1 = api.create_record(items, {"quantity": 2, "unit_price": 5, "order": o1})
    assert i1["amount"] == 10
    i2 = api.create_record(items, {"quantity": 1, "unit_price": 3, "order": o1})["id"]
    i3 = api.create_record(items, {"quantity": 4, "unit_price": 10, "order": o2})["id"]
    # Then the orders sum the formula, and the customers the orders' formula over that sum
    eventually(state, {o1: [13, 26, 10], o2: [40, 80, 40], o3: [0, 0, 0],
                       c1: [106, 40, "gold"], c2: [0, 0, "basic"]})
    # When a line item's quantity changes and another moves to an order of the other customer
    api.ok("PATCH", f"/api/collections/{items}/records/{i1['id']}", json={"quantity": 3})
    api.ok("PATCH", f"/api/collections/{items}/records/{i3}", json={"order": o3})
    eventually(state, {o1: [18, 36, 15], o2: [0, 0, 0], o3: [40, 80, 40],
                       c1: [36, 18, "basic"], c2: [80, 40, "basic"]})
    # When a line item is deleted and an order moves to the other customer
    api.ok("DELETE", f"/api/collections/{items}/records/{i2}", status=204)
    api.ok("PATCH", f"/api/collections/{orders}/records/{o1}", json={"customer": c2})
    # Then every level converges, each stream record applied once (sums are not counted twice)
    eventually(state, {o1: [15, 30, 15], o2: [0, 0, 0], o3: [40, 80, 40],
                       c1: [0, 0, "basic"], c2: [110, 40, "gold"]})


def test_a_stored_rollup_cannot_read_a_time_dependent_formula(api: Api) -> None:
    # Given line items with a formula over the clock and one over their own values
    invoices, items = create_pair(api, [])
    item_fields = api.ok("GET", f"/api/collections/{items}")["fields"]
    api.ok("PATCH", f"/api/collections/{items}", json={"fields": [
        *item_fields, {"name": "age", "type": "formula", "formula": 'DATETIME_DIFF(NOW(), "2024-01-01", "days")'},
        {"name": "doubled", "type": "formula", "formula": "{amount} * 2"}]})
    via = f"{items}_via_invoice"
    current = api.ok("GET", f"/api/collections/{invoices}")["fields"]
    # When a rollup over the clock formula is added, or a count filtering by it
    for field, option in (({"name": "x", "type": "rollup", "relation": via, "field": "age", "aggregate": "SUM"},
                           "field"),
                          ({"name": "x", "type": "count", "relation": via, "filter": "age > 3"}, "filter")):
        response = api.request("PATCH", f"/api/collections/{invoices}", json={"fields": [*current, field]})
        # Then it is a 400 naming the clock field, and nothing is saved
        assert response.status_code == 400, response.text
        error = response.json()["data"]["fields"][str(len(current))][option]
        assert error["code"] == "validation_time_dependent_linked" and "age" in error["message"], error
    # When a rollup over the other formula is saved, and that formula is later changed to read the clock
    api.ok("PATCH", f"/api/collections/{invoices}", json={"fields": [*current, {
        "name": "total", "type": "rollup", "relation": via, "field": "doubled", "aggregate": "SUM"}]})
    item_fields = api.ok("GET", f"/api/collections/{items}")["fields"]
    position = next(i for i, f in enumerate(item_fields) if f["name"] == "doubled")
    changed = [{**f, "formula": "{age} * 2"} if f["name"] == "doubled" else f for f in item_fields]
    response = api.request("PATCH", f"/api/collections/{items}", json={"fields": changed})
    # Then that is refused too, naming the rollup that reads it
    assert response.status_code == 400, response.text
    error = response.json()["data"]["fields"][str(position)]["formula"]
    assert error["code"] == "validation_time_dependent_linked" and "total" in error["message"], error


def test_a_cycle_through_a_formula_across_collections_is_refused(api: Api) -> None:
    # Given invoices summing a formula of their items
    invoices, items = create_pair(api, [])
    item_fields = api.ok("GET", f"/api/collections/{items}")["fields"]
    api.ok("PATCH", f"/api/collections/{items}", json={"fields": [
        *item_fields, {"name": "net", "type": "formula", "formula": "{amount} * 2"}]})
    current = api.ok("GET", f"/api/collections/{invoices}")["fields"]
    api.ok("PATCH", f"/api/collections/{invoices}", json={"fields": [*current, {
        "name": "total", "type": "rollup", "relation": f"{items}_via_invoice", "field": "net", "aggregate": "SUM"}]})
    # When the items look up their invoice's total and the formula reads it
    item_fields = api.ok("GET", f"/api/collections/{items}")["fields"]
    changed = [{**f, "formula": "{amount} * 2 + {share}"} if f["name"] == "net" else f for f in item_fields]
    response = api.request("PATCH", f"/api/collections/{items}", json={"fields": [*changed, {
        "name": "share", "type": "rollup", "relation": "invoice", "field": "total", "aggregate": "SUM"}]})
    # Then it is a 400 naming the cycle through both collections, and nothing is saved
    assert response.status_code == 400, response.text
    assert "Reference cycle" in response.text and f"{invoices}.total" in response.text, response.text
    assert "share" not in [f["name"] for f in api.ok("GET", f"/api/collections/{items}")["fields"]]
