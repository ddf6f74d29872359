"""`sort=-created` over HTTP on moto: a page where the in-memory sort answered 400 past the query budget, and
the in-memory sort again (budget-bounded, correct) once a client-supplied id marks the collection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import Api
from tests.support.records_world import OPEN_RULES

pytestmark = pytest.mark.api

BUDGET = 50
RECORDS = 80
FIELDS = [{"name": "n", "type": "number"}, {"name": "created", "type": "autodate", "onCreate": True}]


@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> Iterator[Api]:
    """The suite's stack, reporting its plans and refusing queries reading more than BUDGET items."""
    with stack.configured(LB_DEBUG_QUERY="1", LB_QUERY_BUDGET=str(BUDGET), LB_BATCH_ENABLED="1",
                          LB_BATCH_MAX_REQUESTS="100"):
        yield Api(stack.url).sign_in_superuser()


def create_many(api: Api, name: str, count: int) -> list[dict[str, Any]]:
    """A collection with `count` records of generated ids, in one batch; the records as created."""
    api.create_collection({"name": name, "type": "base", **OPEN_RULES, "fields": FIELDS})
    requests = [{"method": "POST", "url": f"/api/collections/{name}/records", "body": {"n": n}}
                for n in range(count)]
    return [r["body"] for r in api.ok("POST", "/api/batch", json={"requests": requests})]


def newest_first(records: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in sorted(records, key=lambda r: (r["created"], r["id"]), reverse=True)]


def test_sort_minus_created_past_the_budget_answers_a_page_in_true_order(api: Api) -> None:
    # Given 80 records of generated ids, more than the budget of 50 reads
    created = create_many(api, "feed", RECORDS)
    # When the newest are listed, page 1 and page 2
    first = api.request("GET", "/api/collections/feed/records", params={"sort": "-created", "perPage": 10})
    second = api.list_records("feed", sort="-created", perPage=10, page=2, skipTotal=1)
    # Then each is the true order's page (no longer a 400: the in-memory sort read all 80), from the id order
    assert first.status_code == 200, first.text
    assert [i["id"] for i in first.json()["items"]] == newest_first(created)[:10]
    assert [i["id"] for i in second["items"]] == newest_first(created)[10:20]
    assert "in id order" in first.headers["x-lb-plan"]
    assert int(first.headers["x-lb-items-read"]) <= 30


def test_a_client_supplied_id_falls_back_to_the_budgeted_in_memory_sort(api: Api) -> None:
    # Given a collection of generated ids, then one record created last with an id that looks old
    created = create_many(api, "small", 12)
    created.append(api.create_record("small", {"id": "000000000000001", "n": 99}))
    # When the newest are listed
    response = api.request("GET", "/api/collections/small/records", params={"sort": "-created", "perPage": 5})
    # Then the marker turned the plan back into the in-memory sort, whose page is the true order
    assert response.status_code == 200, response.text
    assert [i["id"] for i in response.json()["items"]] == newest_first(created)[:5]
    assert "000000000000001" in [i["id"] for i in response.json()["items"]]
    assert "sorted in memory" in response.headers["x-lb-plan"]


def test_past_the_budget_the_marked_collection_is_the_budgets_400_again(api: Api) -> None:
    # Given 80 records and one client-supplied id
    create_many(api, "marked", RECORDS)
    api.create_record("marked", {"id": "000000000000002", "n": 99})
    # When the newest are listed, Then the in-memory sort needs all 81 reads: the budget's 400 with advice
    response = api.request("GET", "/api/collections/marked/records", params={"sort": "-created", "perPage": 10})
    assert response.status_code == 400
    assert response.json()["data"]["filter"]["code"] == "validation_query_too_expensive"
