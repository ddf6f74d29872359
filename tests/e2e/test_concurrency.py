"""Races as clients cause them: 50 parallel requests against the local stack, none lost, none failed wrongly."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.records_api import Api, unique
from tests.support.records_world import OPEN_RULES

pytestmark = pytest.mark.e2e

PARALLEL = 50


def _parallel(api: Api, calls: list[tuple[str, str, dict[str, Any]]]) -> list[httpx.Response]:
    headers = api.headers_for("superuser")
    # one client, a connection per call: a client each would build a TLS context per call for loopback HTTP
    http = httpx.Client(base_url=api.url, timeout=60, limits=httpx.Limits(max_connections=PARALLEL))

    def send(call: tuple[str, str, dict[str, Any]]) -> httpx.Response:
        method, path, body = call
        return http.request(method, path, json=body, headers=headers)

    with http, ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(send, calls))


@pytest.fixture(scope="module")
def counters(api: Api) -> str:
    name = unique("race")
    api.create_collection({"name": name, "type": "base", **OPEN_RULES, "fields": [
        {"name": "score", "type": "number"},
        {"name": "tags", "type": "select", "maxSelect": PARALLEL, "values": [f"v{i}" for i in range(PARALLEL)]},
        {"name": "code", "type": "text"}],
        "indexes": [f"CREATE UNIQUE INDEX idx_{name}_code ON {name} (code)"]})
    return name


def test_parallel_number_increments_all_succeed_and_all_count(api: Api, counters: str) -> None:
    # Given a record with score 0
    record = api.create_record(counters, {"score": 0, "code": unique("inc")})
    path = f"/api/collections/{counters}/records/{record['id']}"
    # When 50 clients send `score+: 1` at once
    responses = _parallel(api, [("PATCH", path, {"score+": 1})] * PARALLEL)
    # Then every one succeeds, as on PocketBase, and every increment is in the stored value
    assert Counter(r.status_code for r in responses) == {200: PARALLEL}
    assert api.ok("GET", path)["score"] == PARALLEL


def test_parallel_appends_of_distinct_values_lose_no_acknowledged_write(api: Api, counters: str) -> None:
    # Given a record with no tags
    record = api.create_record(counters, {"code": unique("tags")})
    path = f"/api/collections/{counters}/records/{record['id']}"
    # When 50 clients each append their own value at once
    responses = _parallel(api, [("PATCH", path, {"tags+": f"v{i}"}) for i in range(PARALLEL)])
    # Then every append succeeds and is stored: no acknowledged write is lost
    assert Counter(r.status_code for r in responses) == {200: PARALLEL}
    assert sorted(api.ok("GET", path)["tags"]) == sorted(f"v{i}" for i in range(PARALLEL))


def test_parallel_creates_of_one_unique_value_store_one_and_refuse_the_rest(api: Api, counters: str) -> None:
    # When 50 clients create a record with the same unique code at once
    code = unique("code")
    responses = _parallel(api, [("POST", f"/api/collections/{counters}/records", {"code": code})] * PARALLEL)
    # Then exactly one is stored and answered 200; every other is PocketBase's 400 on the unique field; no 5xx
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 400: PARALLEL - 1}, statuses
    refused = [r.json() for r in responses if r.status_code == 400]
    assert all(body["data"]["code"]["code"] == "validation_not_unique" for body in refused)
    stored = api.list_records(counters, filter=f'code = "{code}"')
    assert [item["id"] for item in stored["items"]] == [r.json()["id"] for r in responses if r.status_code == 200]
