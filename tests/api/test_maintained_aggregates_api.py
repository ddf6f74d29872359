"""Maintained aggregates over HTTP: declarations checked on save (400s naming the problem), the build job and its
`aggregateStates`, group-bys and pivots served in O(groups) when the terms, metrics, filter and listRule allow it and ad
hoc otherwise (the listRule still filtering), the budget's 400 naming the aggregate, renames and backfills."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import Api, unique

BUDGET = 20
# n = 0..24: north when even, south when odd; paid when a multiple of 3; amount n
RECORDS = BUDGET + 5
DECLARED = {"name": "by_region_paid", "groupBy": ["region", "paid"], "metrics": ["count()", "sum(amount)"]}
FIELDS = [{"name": "region", "type": "select", "values": ["north", "south"]}, {"name": "paid", "type": "bool"},
          {"name": "amount", "type": "number"}, {"name": "tags", "type": "select", "values": ["a", "b"],
                                                  "maxSelect": 2}]


@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> Iterator[Api]:
    with stack.configured(LB_DEBUG_QUERY="1", LB_QUERY_BUDGET=str(BUDGET)):
        client = Api(stack.url).sign_in_superuser()
        client.sign_up_user("user")
        yield client


def wait_built(api: Api, name: str, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while "aggregateStates" in (found := api.ok("GET", f"/api/collections/{name}")):
        assert time.monotonic() < deadline, "the aggregate never finished building"
        time.sleep(0.1)
    return dict(found)


def aggregate(api: Api, name: str, role: str = "superuser", **params: str) -> tuple[Any, dict[str, str]]:
    response = api.request("GET", f"/api/collections/{name}/aggregate", role=role, params=params)
    assert response.status_code == 200, response.text
    return response.json(), dict(response.headers)


def settled(api: Api, name: str, expected: int, **params: str) -> tuple[Any, dict[str, str]]:
    """The maintained answer once the stream has counted every record: its counts add up to `expected`."""
    deadline = time.monotonic() + 10
    while True:
        served, headers = aggregate(api, name, **params)
        if headers["x-lb-plan"].startswith("maintained") and sum(
                g["metrics"]["count()"] for g in served["groups"]) == expected:
            return served, headers
        assert time.monotonic() < deadline, f"the maintained aggregate never counted {expected} records: {served}"
        time.sleep(0.1)


def table(answer: dict[str, Any], metric: str = "count()") -> dict[tuple[Any, ...], Any]:
    return {tuple(g["key"].values()): g["metrics"][metric] for g in answer["groups"]}


@pytest.fixture(scope="module")
def sales(api: Api) -> str:
    name = unique("msales")
    created = api.create_collection({"name": name, "type": "base", "listRule": "", "fields": FIELDS,
                                     "aggregates": [DECLARED]})
    # Then the declaration is in the collection JSON, building until the job has counted the records
    assert created["aggregates"] == [DECLARED]
    assert created["aggregateStates"] == [{"name": "by_region_paid", "state": "building", "seen": 0}]
    assert wait_built(api, name)["aggregates"] == [DECLARED]
    for n in range(RECORDS):
        api.create_record(name, {"region": ["north", "south"][n % 2], "paid": n % 3 == 0, "amount": n,
                                 "tags": ["a"] if n % 2 else ["a", "b"]})
    settled(api, name, RECORDS, groupBy="region,paid")
    return name


@pytest.mark.parametrize(("declaration", "key", "word"), [
    ({"name": "1x", "groupBy": ["region"]}, "name", "letters"),
    ({"name": "a", "groupBy": ["nope"]}, "groupBy", "nope"),
    ({"name": "a", "groupBy": ["amount"]}, "groupBy", "bucket"),
    ({"name": "a", "groupBy": ["region", "paid", "amount:bucket(5)", "tags"]}, "groupBy", "3"),
    ({"name": "a", "metrics": ["max(amount)"]}, "metrics", "cannot be maintained"),
    ({"name": "a", "metrics": ["sum(region)"]}, "metrics", "number"),
    ({"name": "a", "metrics": []}, "metrics", "1 and 8"),
])
def test_a_bad_declaration_is_a_400_naming_it(api: Api, declaration: dict[str, Any], key: str, word: str) -> None:
    answer = api.ok("POST", "/api/collections", status=400, json={
        "name": unique("bad"), "type": "base", "fields": FIELDS, "aggregates": [declaration]})
    assert answer["message"] == "Failed to create collection."
    error = answer["data"]["aggregates"]["0"][key]
    assert error["code"] == "validation_invalid_aggregate" and word in error["message"]
    twice = api.ok("POST", "/api/collections", status=400, json={
        "name": unique("bad"), "type": "base", "fields": FIELDS, "aggregates": [DECLARED, DECLARED]})
    assert "twice" in twice["data"]["aggregates"]["1"]["name"]["message"]


def test_a_matching_group_by_reads_its_groups(api: Api, sales: str) -> None:
    # When the declared group-by is asked (terms in another order, a metric derived from the sums)
    answer, headers = aggregate(api, sales, groupBy="paid,region", metrics="count(),avg(amount)")
    # Then it is read from the maintained aggregate: one item per group, whatever the number of records
    assert headers["x-lb-plan"] == "maintained aggregate by_region_paid: 4 groups read"
    assert int(headers["x-lb-items-read"]) <= 5  # the groups, and the data version of the cache
    rows = [n for n in range(RECORDS)]
    for paid in (False, True):
        for parity, region in enumerate(("north", "south")):
            picked = [n for n in rows if n % 2 == parity and (n % 3 == 0) == paid]
            assert table(answer)[(paid, region)] == len(picked)
            assert table(answer, "avg(amount)")[(paid, region)] == pytest.approx(sum(picked) / len(picked))
    # a coarser group-by (a single-valued term left out) and a filter on an exact group-by field are served too
    coarse, headers = aggregate(api, sales, groupBy="region", metrics="sum(amount)", filter="paid = true")
    assert headers["x-lb-plan"].startswith("maintained")
    assert table(coarse, "sum(amount)") == {("north",): 0 + 6 + 12 + 18 + 24, ("south",): 3 + 9 + 15 + 21}


def test_what_groups_cannot_decide_is_answered_ad_hoc_or_refused_with_advice(api: Api, sales: str) -> None:
    # a filter on a field that is not an exact group-by term reads records: past the budget, the 400 names the
    # aggregate and why it did not serve
    answer = api.ok("GET", f"/api/collections/{sales}/aggregate", status=400,
                    params={"groupBy": "region", "filter": "amount > 3"})
    assert answer["data"]["filter"]["code"] == "validation_query_too_expensive"
    assert "'by_region_paid'" in answer["message"]
    # a group-by no aggregate keeps (a multiple term) is advised a declaration of its own
    tagged = api.ok("GET", f"/api/collections/{sales}/aggregate", status=400, params={"groupBy": "tags"})
    assert "declare a maintained aggregate" in tagged["message"] and '"groupBy": ["tags"]' in tagged["message"]


def ad_hoc(stack: InProcessStack, api: Api, name: str, role: str = "superuser", **params: str) -> Any:
    """The same request answered from the records: a filter no group can decide (true of every record), under a
    budget that lets the records be read (the module's is small, so that a record read shows as a 400)."""
    with stack.configured(LB_QUERY_BUDGET=str(RECORDS * 4)):
        answer, headers = aggregate(api, name, role, **{**params, "filter": "amount >= 0"})
    assert not headers["x-lb-plan"].startswith("maintained")
    return answer


PIVOT = {"rows": "region", "columns": "paid", "value": "sum(amount)"}


def test_a_covered_pivot_reads_its_groups_and_answers_as_ad_hoc(stack: InProcessStack, api: Api,
                                                                  sales: str) -> None:
    # When a pivot whose rows, columns and value the aggregate holds is asked (sum, count, and avg from the sums)
    for value in ("sum(amount)", "count()", "avg(amount)"):
        answer, headers = aggregate(api, sales, **{**PIVOT, "value": value})
        # Then its cells and totals come from one read of the groups, and they are the ad hoc answer
        assert headers["x-lb-plan"] == "maintained aggregate by_region_paid: 4 groups read"
        assert int(headers["x-lb-items-read"]) <= 5
        assert answer == ad_hoc(stack, api, sales, **{**PIVOT, "value": value})
    answer, _ = aggregate(api, sales, **PIVOT)
    assert answer["columnKeys"] == [False, True] and answer["total"] == sum(range(RECORDS))
    assert answer["table"][0] == {"key": "north", "values": [sum(n for n in range(0, RECORDS, 2) if n % 3),
                                                             0 + 6 + 12 + 18 + 24],
                                  "total": sum(range(0, RECORDS, 2))}
    # a pivot with a total no group holds (the multiple `tags`, counted once per record in a total) reads records
    refused = api.ok("GET", f"/api/collections/{sales}/aggregate", status=400,
                     params={"rows": "tags", "columns": "paid", "value": "count()"})
    assert refused["data"]["filter"]["code"] == "validation_query_too_expensive"
    assert '"groupBy": ["tags", "paid"]' in refused["message"]


def test_a_pivot_is_served_under_the_list_rule_only_when_groups_decide_it(stack: InProcessStack, api: Api,
                                                                           sales: str) -> None:
    # Given a listRule on an exact group-by field: the user's pivot is served from the groups it keeps
    api.ok("PATCH", f"/api/collections/{sales}", json={"listRule": "paid = true"})
    answer, headers = aggregate(api, sales, role="user", **PIVOT)
    assert headers["x-lb-plan"].startswith("maintained")
    assert answer["columnKeys"] == [True] and answer == ad_hoc(stack, api, sales, role="user", **PIVOT)
    # Given a listRule that could keep some records of a group and not others: never served from the groups
    api.ok("PATCH", f"/api/collections/{sales}", json={"listRule": "amount < 3"})
    with stack.configured(LB_QUERY_BUDGET=str(RECORDS * 4)):
        narrowed, headers = aggregate(api, sales, role="user", **PIVOT)
    assert not headers["x-lb-plan"].startswith("maintained")
    assert narrowed["total"] == 0 + 1 + 2 and narrowed["columnTotals"] == [1 + 2, 0]
    api.ok("PATCH", f"/api/collections/{sales}", json={"listRule": ""})


def test_the_list_rule_still_filters_what_is_aggregated(api: Api, sales: str) -> None:
    # Given a listRule on an exact group-by field: a user's answer is served from the groups it keeps
    api.ok("PATCH", f"/api/collections/{sales}", json={"listRule": "paid = true"})
    answer, headers = aggregate(api, sales, role="user", groupBy="region,paid")
    assert headers["x-lb-plan"].startswith("maintained")
    assert table(answer) == {(True, "north"): 5, (True, "south"): 4}  # (keys in name order)
    # Given a listRule groups cannot decide: the user's request is not served from them (here: past the budget)
    api.ok("PATCH", f"/api/collections/{sales}", json={"listRule": "amount < 3"})
    refused = api.ok("GET", f"/api/collections/{sales}/aggregate", role="user", status=400,
                     params={"groupBy": "region,paid"})
    assert refused["data"]["filter"]["code"] == "validation_query_too_expensive"
    # while a superuser's, which no rule narrows, still is
    _, headers = aggregate(api, sales, groupBy="region,paid")
    assert headers["x-lb-plan"].startswith("maintained")
    api.ok("PATCH", f"/api/collections/{sales}", json={"listRule": ""})


def test_a_rename_keeps_the_aggregate_and_a_new_one_is_backfilled(api: Api, sales: str) -> None:
    # When a grouped field is renamed, Then the declaration follows and nothing is built again
    fields = api.ok("GET", f"/api/collections/{sales}")["fields"]
    renamed = [{**f, "name": "area"} if f["name"] == "region" else f for f in fields]
    saved = api.ok("PATCH", f"/api/collections/{sales}", json={"fields": renamed})
    assert saved["aggregates"][0]["groupBy"] == ["area", "paid"] and "aggregateStates" not in saved
    # When a new aggregate is declared on the collection with records, Then a job counts them before it serves
    declared = [*saved["aggregates"], {"name": "by_area", "groupBy": ["area"], "metrics": ["count()"]}]
    building = api.ok("PATCH", f"/api/collections/{sales}", json={"aggregates": declared})
    assert [s["name"] for s in building["aggregateStates"]] == ["by_area"]
    wait_built(api, sales)
    answer, headers = aggregate(api, sales, groupBy="area")
    assert headers["x-lb-plan"] == "maintained aggregate by_area: 2 groups read"
    assert table(answer) == {("north",): 13, ("south",): 12}
