"""Conformance of view collections (the maintained subset): create answers, errors, and the views' records."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance.normalize import as_text
from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check, comparable

C = "/api/collections"
# PocketBase gives a cloned field a random id (`_clone_` and 4 characters): only its shape can agree
CLONE_ID = re.compile(r"^_clone_[A-Za-z0-9]{4}$")

PLAIN = ("SELECT i.id, i.title, i.total, i.total*2 AS dbl, i.paid, i.customer, c.name AS cname "
         "FROM vw_inv i LEFT JOIN vw_cust c ON c.id = i.customer WHERE i.total > 1")
GROUPED = ("SELECT customer AS id, COUNT(*) AS n, SUM(total) AS total, MIN(total) AS low, MAX(title) AS last "
           "FROM vw_inv GROUP BY customer")


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    """regions <- customers <- invoices, and a few of each, on both sides."""
    paired.create_collection({"name": "vw_region", "type": "base", "fields": [{"name": "name", "type": "text"}]})
    paired.create_collection({"name": "vw_cust", "type": "base", "fields": [
        {"name": "name", "type": "text"},
        {"name": "region", "type": "relation", "collectionId": "${col_vw_region}", "maxSelect": 1}]})
    paired.create_collection({"name": "vw_inv", "type": "base", "fields": [
        {"name": "title", "type": "text", "max": 50}, {"name": "total", "type": "number"},
        {"name": "paid", "type": "bool"},
        {"name": "customer", "type": "relation", "collectionId": "${col_vw_cust}", "maxSelect": 1}],
        # lists a group of the views grouped by `paid` (their MIN and MAX)
        "indexes": ["CREATE INDEX idx_vw_inv_paid ON vw_inv (paid)"]})
    paired.create_record("vw_region", "north", {"name": "North"})
    paired.create_record("vw_region", "south", {"name": "South"})
    paired.create_record("vw_cust", "ann", {"name": "Ann", "region": "${north}"})
    paired.create_record("vw_cust", "bob", {"name": "Bob"})
    paired.create_record("vw_inv", "inv1", {"title": "a", "total": 4, "paid": True, "customer": "${ann}"})
    paired.create_record("vw_inv", "inv2", {"title": "b", "total": 6.5, "customer": "${ann}"})
    paired.create_record("vw_inv", "inv3", {"title": "c", "total": 1, "customer": "${bob}"})
    paired.create_record("vw_inv", "inv4", {"title": "d", "total": 10, "customer": "${bob}"})
    yield


def _without_clone_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("<clone>" if k == "id" and isinstance(v, str) and CLONE_ID.match(v) else _without_clone_ids(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_without_clone_ids(v) for v in value]
    return value


def _create_view(paired: PairedClient, name: str, query: str, **extra: Any) -> None:
    # When the same view is created on both sides
    pair = paired.send("POST", C, json={"name": name, "type": "view", "viewQuery": query, **extra})
    assert pair.pb.status_code == 200, pair.pb.text
    paired.pb.remember(f"col_{name}", pair.pb.json()["id"])
    paired.lb.remember(f"col_{name}", pair.lb.json()["id"] if pair.lb.status_code == 200 else "")
    # Then both answer the same collection, fields inferred alike (clone ids are random on both), Lambdabase's
    # with the additive `buildState` while the view is materialized (docs/compatibility.md)
    (pb_status, pb), (lb_status, lb) = comparable(paired, pair)
    assert lb.pop("buildState", None) in (None, {"state": "building", "seen": 0})
    assert (lb_status, as_text(_without_clone_ids(lb))) == (pb_status, as_text(_without_clone_ids(pb)))


def _converge(paired: PairedClient, path: str, params: dict[str, Any] | None = None, timeout: float = 30.0) -> None:
    """Poll Lambdabase (its view rows lag the writes) until its answer is PocketBase's, then compare once more."""
    case = Case(f"GET {path}", "GET", path, params=params)
    deadline = time.monotonic() + timeout
    while True:
        pair = paired.send("GET", path, params=params)
        pb, lb = comparable(paired, pair)
        if pb == lb or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    check(paired, case)


def test_a_plain_view_with_a_join_and_where(paired: PairedClient) -> None:
    # Given invoices and customers, When a view joins them and filters, Then fields and rows agree
    _create_view(paired, "vw_plain", PLAIN, listRule="", viewRule="")
    _converge(paired, f"{C}/vw_plain/records", {"sort": "title"})
    check(paired, Case("view a view record", "GET", f"{C}/vw_plain/records/${{inv2}}"))
    check(paired, Case("filter and sort a view", "GET", f"{C}/vw_plain/records",
                       params={"filter": "dbl > 10 && cname = 'Bob'", "sort": "-total"}))
    check(paired, Case("expand a view's relation", "GET", f"{C}/vw_plain/records",
                       params={"expand": "customer", "sort": "title"}))
    check(paired, Case("list a view as a guest (listRule \"\")", "GET", f"{C}/vw_plain/records", role=GUEST,
                       params={"sort": "title"}))
    # When source records change on both sides, Then the view converges on PocketBase's answer
    paired.ok("PATCH", f"{C}/vw_inv/records/${{inv3}}", json={"total": 2, "title": "c2"})
    paired.ok("PATCH", f"{C}/vw_cust/records/${{bob}}", json={"name": "Robert"})
    paired.ok("DELETE", f"{C}/vw_inv/records/${{inv1}}")
    _converge(paired, f"{C}/vw_plain/records", {"sort": "title"})


def test_a_grouped_view_of_totals_per_customer(paired: PairedClient) -> None:
    # Given invoices, When a view groups them by customer, Then fields and rows agree
    _create_view(paired, "vw_group", GROUPED)
    _converge(paired, f"{C}/vw_group/records", {"sort": "last"})  # ids sort differently per side
    # When an invoice is added and one re-linked, Then the groups converge
    paired.create_record("vw_inv", "inv5", {"title": "e", "total": 3, "customer": "${ann}"})
    paired.ok("PATCH", f"{C}/vw_inv/records/${{inv4}}", json={"customer": "${ann}"})
    _converge(paired, f"{C}/vw_group/records", {"sort": "last"})  # ids sort differently per side
    check(paired, Case("view a group's record", "GET", f"{C}/vw_group/records/${{ann}}"))


CHAINED = ("SELECT i.id, i.title, c.name AS cname, r.name AS rname, r.id AS region FROM vw_inv i "
           "LEFT JOIN vw_cust c ON c.id = i.customer LEFT JOIN vw_region r ON r.id = c.region")


BY_PAID = ("SELECT paid AS id, COUNT(*) AS n, COUNT(title) AS titled, SUM(total) AS total, AVG(total) AS avg, "
           "MIN(total) AS low, MAX(title) AS last FROM vw_inv WHERE total > 0 GROUP BY paid")
BY_TWO = ("SELECT (title || '-' || paid) AS id, title, paid, COUNT(*) AS n, SUM(total) AS s FROM vw_inv "
          "GROUP BY title, paid")


def test_views_grouped_by_columns_and_joins_chained_along_joined_collections(paired: PairedClient) -> None:
    # Given invoices, customers and regions, When views group invoices by a bool, and by a text and a bool, and
    # one joins along both relations (built side by side), Then fields and rows agree
    _create_view(paired, "vw_paid", BY_PAID)
    _create_view(paired, "vw_two", BY_TWO)
    _create_view(paired, "vw_chain", CHAINED)
    views = (("vw_paid", "id"), ("vw_two", "id"), ("vw_chain", "title"))
    for name, sort in views:
        _converge(paired, f"{C}/{name}/records", {"sort": sort})
    # When invoices are added, changed, moved between groups and deleted, a region renamed and a customer
    # re-linked, Then the views converge
    paired.create_record("vw_inv", "inv6", {"title": "f", "total": 2.5, "paid": True, "customer": "${bob}"})
    paired.ok("PATCH", f"{C}/vw_inv/records/${{inv2}}", json={"paid": True, "total": 7})
    paired.ok("PATCH", f"{C}/vw_inv/records/${{inv6}}", json={"title": "a"})
    paired.ok("DELETE", f"{C}/vw_inv/records/${{inv3}}")
    paired.ok("PATCH", f"{C}/vw_region/records/${{north}}", json={"name": "Nord"})
    paired.ok("PATCH", f"{C}/vw_cust/records/${{bob}}", json={"region": "${south}"})
    for name, sort in views:
        _converge(paired, f"{C}/{name}/records", {"sort": sort})
    check(paired, Case("filter a grouped view by a sum", "GET", f"{C}/vw_two/records",
                       params={"filter": "s > 3", "sort": "-n,id"}))
    check(paired, Case("expand a chained view's relation", "GET", f"{C}/vw_chain/records",
                       params={"expand": "region", "sort": "title"}))


ERRORS = cases(
    Case("a view without an id column", "POST", C, body={"name": "vw_noid", "type": "view",
                                                         "viewQuery": "SELECT title FROM vw_inv"}),
    Case("a view without a query", "POST", C, body={"name": "vw_noquery", "type": "view"}),
    Case("a view with a create rule and an index", "POST", C, body={
        "name": "vw_rules", "type": "view", "viewQuery": "SELECT id FROM vw_inv", "createRule": "",
        "indexes": ["CREATE INDEX idx_x ON vw_rules (id)"]}),
    Case("a view's records: create", "POST", f"{C}/vw_plain/records", body={"title": "x"}),
    Case("a view's records: update", "PATCH", f"{C}/vw_plain/records/${{inv2}}", body={"title": "x"}),
    Case("a view's records: delete", "DELETE", f"{C}/vw_plain/records/${{inv2}}"),
    Case("a view's records: create as guest", "POST", f"{C}/vw_plain/records", role=GUEST, body={}),
    Case("truncate a view", "DELETE", f"{C}/vw_plain/truncate"),
    Case("delete a view's source collection", "DELETE", f"{C}/vw_inv"),
    Case("update a view's rules, its query unchanged", "PATCH", f"{C}/vw_group", body={"listRule": "n > 0"}),
    Case("dry-run without a query", "POST", f"{C}/meta/dry-run-view", body={}),
    Case("dry-run a query without an id", "POST", f"{C}/meta/dry-run-view", body={"query": "SELECT name FROM vw_cust"}),
    Case("dry-run as a guest", "POST", f"{C}/meta/dry-run-view", role=GUEST, body={"query": "SELECT id FROM vw_cust"}),
)


def test_a_dry_run_answers_the_fields_and_rows_a_view_would_have(paired: PairedClient) -> None:
    # Given customers, When a query is dry-run on both sides, Then fields and sample rows agree (the temporary
    # collection's random name aside)
    pair = paired.send("POST", f"{C}/meta/dry-run-view",
                       json={"query": "SELECT id, name, LOWER(name) AS low FROM vw_cust WHERE name = 'Ann'"})
    (pb_status, pb), (lb_status, lb) = comparable(paired, pair)
    for body in (pb, lb):
        for row in body["sample"]:
            assert row.pop("collectionName").startswith("temp_view_")
            row.pop("collectionId")
    assert (lb_status, as_text(_without_clone_ids(lb))) == (pb_status, as_text(_without_clone_ids(pb)))


@pytest.mark.parametrize("case", ERRORS)
def test_view_errors_agree(paired: PairedClient, case: Case) -> None:
    check(paired, case)


def test_sql_outside_the_subset_is_a_documented_400(paired: PairedClient) -> None:
    """docs/compatibility.md: a query a maintained view cannot follow is refused, naming the construct."""
    body = {"name": "vw_ordered", "type": "view", "viewQuery": "SELECT id, title FROM vw_inv ORDER BY title"}
    pair = paired.send("POST", C, json=body)
    assert pair.pb.status_code == 200, pair.pb.text
    assert pair.lb.status_code == 400, pair.lb.text
    assert pair.lb.json() == {"status": 400, "message": "Failed to create collection.", "data": {
        "fields": {"code": "validation_required", "message": "Cannot be blank."},
        "viewQuery": {"code": "validation_invalid_view_query",
                      "message": "Invalid query - ORDER BY is not supported in a materialized view."}}}
