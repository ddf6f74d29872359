"""Index builds and truncation as jobs, seen from outside: an index is building, then ready, then planned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api, Scenario, Where, run
from tests.support.records_world import OPEN_RULES, rid
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e

RECORDS = 60
ITEMS = "/api/collections/items/records"


@pytest.fixture(scope="module")
def debug_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    """A stack that reports plans; its backfills wait 3 s, not 32: one process, no writer holds an old catalog."""
    data: Path = tmp_path_factory.mktemp("lb-jobs") / "data"
    proc = StackProcess(data, env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL, "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD,
                                   "LB_DEBUG_QUERY": "1", "LB_BATCH_ENABLED": "1", "LB_BATCH_MAX_REQUESTS": "100",
                                   "LB_JOBS_SETTLE_S": "3"}).start()
    yield proc
    proc.discard()


@pytest.fixture(scope="module")
def api(debug_stack: StackProcess) -> Api:
    api = Api(debug_stack.url).sign_in_superuser()
    # Given a collection of 60 records, without indexes
    api.create_collection({"name": "items", "type": "base", **OPEN_RULES, "fields": [
        {"name": "code", "type": "text"}, {"name": "n", "type": "number"}]})
    api.ok("POST", "/api/batch", json={"requests": [
        {"method": "POST", "url": ITEMS, "body": {"id": rid("item", i), "code": f"c{i}", "n": i % 6}}
        for i in range(RECORDS)]})
    return api


def states(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    # with every index ready the JSON is PocketBase's, without `indexStates`
    return {s["name"]: s for s in collection.get("indexStates", [])}


def plan_without(name: str) -> Where:
    return Where(lambda v: v is not None and name not in v, f"a plan without {name}")


def test_a_new_index_is_building_then_ready_then_used(api: Api) -> None:
    fields = api.ok("GET", "/api/collections/items")["fields"]
    indexes = ["CREATE INDEX idx_items_n ON items (n)", "CREATE UNIQUE INDEX idx_items_code ON items (code)"]
    # When the indexes are added
    updated = api.ok("PATCH", "/api/collections/items", json={"fields": fields, "indexes": indexes})
    # Then the update answers at once: `indexes` as PocketBase has it, and the additive states not ready
    assert updated["indexes"] == indexes
    assert states(updated)["idx_items_n"] == {"name": "idx_items_n", "state": "building", "ready": False}
    assert states(updated)["idx_items_code"]["ready"] is False
    # And meanwhile the planner leaves the new index aside, while the small collection's values are claimed
    run(api, Scenario("not planned yet", "GET", ITEMS, 200, {"totalItems": 10}, params={"filter": "n = 1"},
                      response_headers={"x-lb-plan": plan_without("idx_items_n")}))
    run(api, Scenario("existing values already refused", "POST", ITEMS, 400,
                      {"data": {"code": {"code": "validation_not_unique"}}}, body={"code": "c7"}))
    # When the jobs function has built them
    assert api.wait_index_ready("items", "idx_items_n")["state"] == "ready"
    assert api.wait_index_ready("items", "idx_items_code")["state"] == "ready"
    # Then the index plan serves the filter
    run(api, Scenario("planned", "GET", ITEMS, 200, {"totalItems": 10}, params={"filter": "n = 1"},
                      response_headers={"x-lb-plan": Where(lambda v: v is not None and "idx_items_n" in v,
                                                           "the new index")}))


def test_a_unique_index_over_duplicates_is_refused_in_a_small_collection(api: Api) -> None:
    fields = api.ok("GET", "/api/collections/items")["fields"]
    before = api.ok("GET", "/api/collections/items")["indexes"]
    response = api.request("PATCH", "/api/collections/items", json={
        "fields": fields, "indexes": [*before, "CREATE UNIQUE INDEX idx_items_un ON items (n)"]})
    assert response.status_code == 400
    assert response.json()["data"]["indexes"][str(len(before))]["code"] == "validation_invalid_index_expression"
    assert "idx_items_un" not in states(api.ok("GET", "/api/collections/items"))


def test_truncate_empties_the_collection(api: Api) -> None:
    api.ok("DELETE", "/api/collections/items/truncate", status=204)
    assert api.ok("GET", ITEMS, params={"skipTotal": 1})["items"] == []
