"""Aggregates over HTTP: each group-by kind and metric, sort and paging of groups, pivots with their totals,
statistics, the filter and the collection's rules (listRule narrowing, hidden and readRule fields refused),
strict parameters, the query budget's 400, and ETag/If-None-Match."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import GUEST, Api, unique
from tests.support.records_world import rid

BUDGET = 20
MANY = 30

# (region, tags, paid, amount, day, public, owner) — owner: 0 ann, 1 bob, None
SALES = [
    ("north", ["a"], True, 10, "2026-01-05 10:00:00.000Z", True, 0),       # a Monday
    ("north", ["a", "b"], False, 20, "2026-01-11 23:59:59.000Z", True, 1),  # the Sunday of that week
    ("south", ["b"], True, 35, "2026-03-31 12:00:00.000Z", True, 0),
    ("south", [], True, 150, "2026-04-01 00:00:00.000Z", True, None),       # the first moment of Q2
    ("east", ["a"], False, 5, "2025-12-31 23:59:59.999Z", False, None),     # the last moment of 2025
    ("", [], False, 0, "", True, None),
]


@pytest.fixture(scope="module")
def debug_stack(stack: InProcessStack) -> Iterator[InProcessStack]:
    with stack.configured(LB_DEBUG_QUERY="1", LB_QUERY_BUDGET=str(BUDGET)):
        yield stack


@pytest.fixture(scope="module")
def api(debug_stack: InProcessStack) -> Api:
    client = Api(debug_stack.url).sign_in_superuser()
    client.sign_up_user("user")
    return client


@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, Any]:
    # Given people, and sales whose listRule shows public ones, with a hidden cost and a readRule-guarded margin
    people = api.create_collection({"name": unique("people"), "type": "base", "listRule": "", "viewRule": "",
                                    "fields": [{"name": "name", "type": "text"}]})
    owners = [api.create_record(people["name"], {"name": n})["id"] for n in ("ann", "bob")]
    sales = api.create_collection({
        "name": unique("sales"), "type": "base", "listRule": "public = true", "viewRule": "public = true",
        "fields": [
            {"name": "region", "type": "select", "values": ["north", "south", "east"]},
            {"name": "tags", "type": "select", "values": ["a", "b"], "maxSelect": 2},
            {"name": "paid", "type": "bool"}, {"name": "amount", "type": "number"},
            {"name": "day", "type": "date"}, {"name": "public", "type": "bool"},
            {"name": "owner", "type": "relation", "collectionId": people["id"], "maxSelect": 1},
            {"name": "cost", "type": "number", "hidden": True},
            {"name": "margin", "type": "number", "readRule": "@request.auth.id = owner"}]})
    for n, (region, tags, paid, amount, day, public, owner) in enumerate(SALES):
        api.create_record(sales["name"], {
            "id": rid("sale", n), "region": region, "tags": tags, "paid": paid, "amount": amount, "day": day,
            "public": public, "owner": owners[owner] if owner is not None else "", "cost": 1, "margin": 2})
    return {"sales": sales["name"], "owners": owners}


def agg(api: Api, world: dict[str, Any], role: str = "superuser", status: int = 200, **params: Any) -> Any:
    return api.ok("GET", f"/api/collections/{world['sales']}/aggregate", role=role, params=params, status=status)


def table(answer: dict[str, Any], term: str, metric: str = "count()") -> dict[Any, Any]:
    return {g["key"][term]: g["metrics"][metric] for g in answer["groups"]}


def test_grouping_by_a_select_computes_every_metric(api: Api, world: Any) -> None:
    # When sales are grouped by region with every metric
    metrics = "count(),sum(amount),avg(amount),min(amount),max(amount),countDistinct(paid),percentile(amount,50)"
    answer = agg(api, world, groupBy="region", metrics=metrics)
    # Then each group answers each metric, the groups in key order, the empty region first
    assert [g["key"] for g in answer["groups"]] == [{"region": r} for r in ("", "east", "north", "south")]
    south = answer["groups"][3]["metrics"]
    assert south == {"count()": 2, "sum(amount)": 185, "avg(amount)": 92.5, "min(amount)": 35,
                     "max(amount)": 150, "countDistinct(paid)": 1, "percentile(amount,50)": 92.5}
    assert (answer["totalGroups"], answer["page"], answer["totalPages"]) == (4, 1, 1)


def test_a_multiple_select_counts_a_record_in_each_of_its_values(api: Api, world: Any) -> None:
    assert table(agg(api, world, groupBy="tags"), "tags") == {"": 2, "a": 3, "b": 2}


def test_bool_and_relation_groups(api: Api, world: Any) -> None:
    assert table(agg(api, world, groupBy="paid", metrics="sum(amount)"), "paid", "sum(amount)") == {
        False: 25, True: 195}
    ann, bob = world["owners"]
    assert table(agg(api, world, groupBy="owner"), "owner") == {"": 3, ann: 2, bob: 1}


@pytest.mark.parametrize(("unit", "expected"), [
    ("day", {"": 1, "2025-12-31": 1, "2026-01-05": 1, "2026-01-11": 1, "2026-03-31": 1, "2026-04-01": 1}),
    ("week", {"": 1, "2025-12-29": 1, "2026-01-05": 2, "2026-03-30": 2}),
    ("month", {"": 1, "2025-12-01": 1, "2026-01-01": 2, "2026-03-01": 1, "2026-04-01": 1}),
    ("quarter", {"": 1, "2025-10-01": 1, "2026-01-01": 3, "2026-04-01": 1}),
    ("year", {"": 1, "2025-01-01": 1, "2026-01-01": 4}),
])
def test_dates_truncate_in_utc(api: Api, world: Any, unit: str, expected: dict[str, int]) -> None:
    # weeks start on Monday; the last millisecond of a period stays in it, the first of the next leaves it
    assert table(agg(api, world, groupBy=f"day:{unit}"), f"day:{unit}") == expected


def test_numbers_group_by_bucket_and_terms_combine(api: Api, world: Any) -> None:
    assert table(agg(api, world, groupBy="amount:bucket(25)"), "amount:bucket(25)") == {0: 4, 25: 1, 150: 1}
    answer = agg(api, world, groupBy="region,paid,day:year", filter="region = 'north'")
    assert [(g["key"], g["metrics"]["count()"]) for g in answer["groups"]] == [
        ({"region": "north", "paid": False, "day:year": "2026-01-01"}, 1),
        ({"region": "north", "paid": True, "day:year": "2026-01-01"}, 1)]


def test_dates_have_a_min_and_a_max(api: Api, world: Any) -> None:
    answer = agg(api, world, metrics="min(day),max(day),countDistinct(tags)")["groups"][0]["metrics"]
    assert answer == {"min(day)": "2025-12-31 23:59:59.999Z", "max(day)": "2026-04-01 00:00:00.000Z",
                      "countDistinct(tags)": 4}


def test_without_group_by_one_group_answers_even_over_nothing(api: Api, world: Any) -> None:
    assert agg(api, world, metrics="count(),sum(amount)")["groups"] == [
        {"key": {}, "metrics": {"count()": 6, "sum(amount)": 220}}]
    assert agg(api, world, metrics="count(),avg(amount)", filter="amount > 1000")["groups"] == [
        {"key": {}, "metrics": {"count()": 0, "avg(amount)": None}}]


def test_groups_sort_by_a_metric_and_page(api: Api, world: Any) -> None:
    answer = agg(api, world, groupBy="region", metrics="sum(amount)", sort="-sum(amount)", perPage=2, page=2)
    assert [g["key"]["region"] for g in answer["groups"]] == ["east", ""]
    assert (answer["totalGroups"], answer["totalPages"], answer["perPage"]) == (4, 2, 2)
    by_key = agg(api, world, groupBy="region", sort="-region")
    assert [g["key"]["region"] for g in by_key["groups"]] == ["south", "north", "east", ""]


def test_the_filter_and_the_list_rule_narrow_what_is_aggregated(api: Api, world: Any) -> None:
    assert table(agg(api, world, groupBy="region", filter="amount > 10"), "region") == {"north": 1, "south": 2}
    # the private east sale is left out for a user and a guest, as their lists leave it out
    for role in ("user", GUEST):
        assert table(agg(api, world, role=role, groupBy="region"), "region") == {"": 1, "north": 2, "south": 2}


def test_a_null_list_rule_is_a_403_for_all_but_superusers(api: Api, world: Any) -> None:
    locked = api.create_collection({"name": unique("locked"), "type": "base",
                                    "fields": [{"name": "n", "type": "number"}]})
    answer = api.ok("GET", f"/api/collections/{locked['name']}/aggregate", role=GUEST, status=403)
    assert answer["status"] == 403 and set(answer) == {"status", "message", "data"}
    assert api.ok("GET", f"/api/collections/{locked['name']}/aggregate")["groups"][0]["metrics"] == {"count()": 0}


@pytest.mark.parametrize("params", [{"metrics": "sum(cost)"}, {"groupBy": "cost:bucket(1)"},
                                    {"metrics": "max(margin)"}, {"stats": "margin"},
                                    {"rows": "region", "columns": "paid", "value": "sum(cost)"}])
def test_hidden_and_read_ruled_fields_cannot_be_aggregated(api: Api, world: Any, params: dict[str, str]) -> None:
    # Given a hidden field and one a readRule may hide: a user's aggregate naming them is a 400 naming them
    answer = agg(api, world, role="user", status=400, **params)
    (param, error), = answer["data"].items()
    assert param in params and error["code"] == "validation_field_not_aggregatable"
    assert ("cost" in error["message"]) or ("margin" in error["message"])
    # a superuser reads them, as its filters do
    agg(api, world, **params)


@pytest.mark.parametrize("params", [
    {"groupBy": "amount"}, {"groupBy": "day"}, {"groupBy": "region:month"}, {"groupBy": "paid:bucket(5)"},
    {"groupBy": "nope"}, {"groupBy": "title, "}, {"groupBy": "region,paid,tags,owner"},
    {"groupBy": "region,region"}, {"groupBy": "amount:bucket(0)"}, {"metrics": "sum(region)"},
    {"metrics": "median(amount)"}, {"metrics": "percentile(amount,101)"}, {"metrics": "percentile(amount)"},
    {"metrics": "count(amount)"}, {"metrics": "min(tags)"}, {"metrics": ",".join(["count()"] * 2)},
    {"metrics": ",".join(f"percentile(amount,{p})" for p in range(9))}, {"sort": "nope"}, {"sort": "sum(amount)"},
    {"perPage": "0"}, {"perPage": "501"}, {"page": "x"}, {"stats": "amount", "groupBy": "region"},
    {"stats": "region"}, {"rows": "region"}, {"rows": "region", "columns": "region", "value": "count()"},
    {"rows": "region", "columns": "paid", "value": "count()", "sort": "region"},
    {"filter": "amount >"}, {"filter": "nope = 1"}, {"groupBy": "x" * 1001}, {"perPage": "9" * 30},
    {"groupBy": "amount:bucket(" + "9" * 400 + ")"}, {"metrics": "percentile(amount," + "9" * 400 + ")"},
    {"groupBy": "id"}, {"metrics": "countDistinct(nope)"}])
def test_bad_parameters_are_400s_in_pocketbases_shape(api: Api, world: Any, params: dict[str, str]) -> None:
    answer = agg(api, world, status=400, **params)
    assert answer["status"] == 400 and answer["data"] and set(answer) == {"status", "message", "data"}


def test_a_pivot_answers_cells_with_row_column_and_grand_totals(api: Api, world: Any) -> None:
    answer = agg(api, world, rows="region", columns="paid", value="sum(amount)")
    assert answer == {
        "rows": "region", "columns": "paid", "value": "sum(amount)", "columnKeys": [False, True],
        "columnTotals": [25, 195],
        "table": [{"key": "", "values": [0, None], "total": 0}, {"key": "east", "values": [5, None], "total": 5},
                  {"key": "north", "values": [20, 10], "total": 30},
                  {"key": "south", "values": [None, 185], "total": 185}],
        "total": 220}
    # totals are the metric over their records, not sums of cells: a tag's row counts its record once
    averaged = agg(api, world, rows="tags", columns="region", value="avg(amount)", filter="region = 'north'")
    assert averaged["table"] == [{"key": "a", "values": [15], "total": 15}, {"key": "b", "values": [20], "total": 20}]
    assert averaged["columnTotals"] == [15] and averaged["total"] == 15


def test_stats_over_a_filter(api: Api, world: Any) -> None:
    amounts = [s[3] for s in SALES]
    answer = agg(api, world, stats="amount")
    assert {k: answer[k] for k in ("field", "count", "sum", "min", "max", "p50")} == {
        "field": "amount", "count": 6, "sum": 220, "min": 0, "max": 150, "p50": 15}
    assert answer["mean"] == pytest.approx(220 / 6) and answer["stddev"] == pytest.approx(statistics.pstdev(amounts))
    assert answer["p90"] == pytest.approx(92.5) and answer["p99"] == pytest.approx(144.25)
    empty = agg(api, world, stats="amount", filter="amount > 1000")
    assert empty["count"] == 0 and empty["mean"] is None and empty["p50"] is None


def test_etag_and_if_none_match(api: Api, world: Any) -> None:
    path = f"/api/collections/{world['sales']}/aggregate"
    first = api.request("GET", path, params={"groupBy": "paid"})
    etag = first.headers["etag"]
    # When the same aggregate is asked with its ETag, Then it is a 304 without a body
    again = api.request("GET", path, params={"groupBy": "paid"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content and again.headers["etag"] == etag
    # another caller's answer differs (the listRule), so its ETag does
    assert api.request("GET", path, params={"groupBy": "paid"}, role="user").headers["etag"] != etag
    # a write changes the answer, and so the ETag, once the stream has moved the collection's version
    api.create_record(world["sales"], {"region": "east", "public": True, "amount": 1, "paid": True})
    deadline = time.monotonic() + 10
    while (changed := api.request("GET", path, params={"groupBy": "paid"},
                                  headers={"If-None-Match": etag})).status_code == 304:
        assert time.monotonic() < deadline, "the aggregate's version never moved"
        time.sleep(0.05)
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert table(changed.json(), "paid")[True] == 4


def test_a_cached_answer_reads_one_item_until_the_stream_moves_the_version(api: Api) -> None:
    # Given a collection of a few records, aggregated once (a miss that reads them all)
    name = unique("cached")
    api.create_collection({"name": name, "type": "base", "listRule": "", "fields": [
        {"name": "n", "type": "number"}, {"name": "kind", "type": "select", "values": ["x", "y"]}]})
    for n in range(8):
        api.create_record(name, {"n": n, "kind": "x"})
    path = f"/api/collections/{name}/aggregate"
    params = {"groupBy": "kind", "metrics": "sum(n)"}
    # (wait for the stream to have bumped the version for these creates, so the next two share it: it counts
    # them first, then bumps the version in the same invocation; without a batching window the creates come
    # in several batches, each moving the version)
    api.wait_total(name, 8)
    deadline = time.monotonic() + 10
    while True:
        fresh = api.request("GET", path, params=params)
        hit = api.request("GET", path, params=params)
        if hit.headers["x-lb-aggregate-cache"] == "hit":
            break
        assert time.monotonic() < deadline, "never a cache hit"
        time.sleep(0.05)
    # Then the repeat is answered from the cache: one read (the version), the same body and ETag
    assert fresh.headers["x-lb-aggregate-cache"] == "miss" and int(fresh.headers["x-lb-items-read"]) >= 9
    assert int(hit.headers["x-lb-items-read"]) == 1
    assert hit.content == fresh.content and hit.headers["etag"] == fresh.headers["etag"]
    # a user asking the same is another caller: its own entry
    assert api.request("GET", path, params=params, role="user").headers["x-lb-aggregate-cache"] == "miss"
    # a filter naming a macro may change its answer without a write: never cached
    dated = api.request("GET", path, params={**params, "filter": "n < 3 && @now != ''"})
    assert dated.status_code == 200 and dated.headers["x-lb-aggregate-cache"] == "off"


def test_past_the_query_budget_a_400_advises_and_an_index_serves(api: Api) -> None:
    # Given more records than the query budget, indexed on kind
    name = unique("many")
    api.create_collection({"name": name, "type": "base", "listRule": "", "fields": [
        {"name": "kind", "type": "select", "values": ["x", "y"]}, {"name": "n", "type": "number"}],
        "indexes": [f"CREATE INDEX idx_{name}_kind ON {name} (kind)"]})
    for n in range(MANY):
        api.create_record(name, {"kind": "x" if n < 5 else "y", "n": n})
    path = f"/api/collections/{name}/aggregate"
    # When everything is aggregated, Then it is the budget's 400 advising a narrower filter or an index
    answer = api.ok("GET", path, params={"metrics": "sum(n)"}, status=400)
    assert answer["data"]["filter"]["code"] == "validation_query_too_expensive"
    assert "aggregate would read more than 20 records" in answer["message"] and "index" in answer["message"]
    # and a filter an index serves reads its records only
    served = api.request("GET", path, params={"metrics": "count(),sum(n)", "filter": "kind = 'x'"})
    assert served.status_code == 200 and served.json()["groups"][0]["metrics"] == {"count()": 5, "sum(n)": 10}
    assert "index" in served.headers["x-lb-plan"] and int(served.headers["x-lb-items-read"]) <= 6
