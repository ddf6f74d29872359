"""Computed fields under backfill over HTTP: computed on read until the job stores them, then stored values."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_linked_fields_api import create_pair, eventually, record
from tests.support.in_process import InProcessStack
from tests.support.records_api import Api

pytestmark = pytest.mark.api

# Longer than the test: the backfill job's first step is queued with this delay, so it is held while we read.
HELD_S = "900"


def new_fields(via: str, help_text: str = "") -> list[dict[str, Any]]:
    extra = {"help": help_text} if help_text else {}
    return [
        {"name": "total", "type": "rollup", "relation": via, "field": "amount", "aggregate": "SUM", **extra},
        {"name": "top", "type": "rollup", "relation": via, "field": "amount", "aggregate": "MAX", **extra},
        {"name": "labels", "type": "lookup", "relation": via, "field": "label", **extra},
        {"name": "n", "type": "count", "relation": via, "filter": "amount > 2", **extra},
        {"name": "size", "type": "formula", "formula": 'IF({total} > 8, "big", "small")', **extra}]


def test_fields_under_backfill_read_as_computed_until_the_job_stores_them(api: Api, stack: InProcessStack) -> None:
    # Given invoices with line items, and no computed field yet
    invoices, items = create_pair(api, [])
    a = api.create_record(invoices, {"title": "a"})["id"]
    b = api.create_record(invoices, {"title": "b"})["id"]
    for amount, label, parent in ((2, "x", a), (3, "y", a), (10, "z", b)):
        api.create_record(items, {"amount": amount, "label": label, "invoice": parent})
    child = api.list_records(items, filter=f'invoice = "{b}"')["items"][0]["id"]
    base = api.ok("GET", f"/api/collections/{invoices}")["fields"]
    via = f"{items}_via_invoice"
    # When rollups, a lookup, a count and a formula over the rollup are added, the backfill job held back
    with stack.configured(LB_JOBS_SETTLE_S=HELD_S):
        saved = api.ok("PATCH", f"/api/collections/{invoices}", json={"fields": [*base, *new_fields(via)]})
    assert [s["name"] for s in saved["computedStates"]] == ["total", "top", "labels", "n", "size"]
    expected = {a: {"total": 5, "top": 3, "labels": ["x", "y"], "n": 1, "size": "small"},
                b: {"total": 10, "top": 10, "labels": ["z"], "n": 1, "size": "big"}}

    def shown(body: dict[str, Any]) -> dict[str, Any]:
        return {k: body[k] for k in ("total", "top", "labels", "n", "size")}

    # Then, before the job has run, a view, a list and an expand show the values computed on read
    assert api.ok("GET", f"/api/collections/{invoices}")["computedStates"][0]["seen"] == 0
    assert {rid: shown(record(api, invoices, rid)) for rid in (a, b)} == expected
    listed = api.list_records(invoices, perPage=10)["items"]
    assert {r["id"]: shown(r) for r in listed} == expected
    expanded = api.ok("GET", f"/api/collections/{items}/records/{child}", params={"expand": "invoice"})
    assert shown(expanded["expand"]["invoice"]) == expected[b]
    # And a child written meanwhile is in them at once
    api.create_record(items, {"amount": 4, "label": "w", "invoice": a})
    assert shown(record(api, invoices, a)) == {"total": 9, "top": 4, "labels": ["x", "y", "w"], "n": 2,
                                               "size": "big"}
    # And filtering or sorting by a field under backfill is a 400 naming it, not an answer from stale values
    for params, param in (({"filter": "total > 6"}, "filter"), ({"sort": "-top"}, "sort")):
        body = api.ok("GET", f"/api/collections/{invoices}/records", params=params, status=400)
        assert body["data"][param]["code"] == "validation_field_backfilling"
        assert "top" in body["data"][param]["message"] or "total" in body["data"][param]["message"]
    assert api.ok("GET", f"/api/collections/{invoices}")["computedStates"][0]["seen"] == 0  # still held

    # When the fields are saved again with a short settle time (past the stream's delivery of that child), a new
    # job replacing the held one
    with stack.configured(LB_JOBS_SETTLE_S="2"):
        api.ok("PATCH", f"/api/collections/{invoices}", json={"fields": [*base, *new_fields(via, "again")]})
    eventually(lambda: api.ok("GET", f"/api/collections/{invoices}").get("computedStates"), None, timeout=30)

    # Then the stored values match what was shown, and filter and sort use them (once the records function's
    # catalog cache, a couple of seconds, has seen the job end)
    def filtered() -> Any:
        response = api.request("GET", f"/api/collections/{invoices}/records",
                               params={"filter": "total > 6", "sort": "-top"})
        return [(r["id"], shown(r)) for r in response.json()["items"]] if response.status_code == 200 else None

    eventually(filtered, [(b, expected[b]),
                          (a, {"total": 9, "top": 4, "labels": ["x", "y", "w"], "n": 2, "size": "big"})])
