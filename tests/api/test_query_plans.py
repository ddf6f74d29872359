"""The query planner seen from outside: debug headers, index use, read costs and the query budget."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import Api, Scenario, Where, error, length, run
from tests.support.records_world import OPEN_RULES, rid

pytestmark = pytest.mark.api

BUDGET = 50
RECORDS = 80
X_RECORDS = 10


@pytest.fixture(scope="module")
def debug_stack(stack: InProcessStack) -> Iterator[InProcessStack]:
    """The suite's stack, reporting its plans and refusing queries reading more than BUDGET items."""
    # one stack: no other writer can hold an older catalog for long, so index builds may start at once
    with stack.configured(LB_DEBUG_QUERY="1", LB_QUERY_BUDGET=str(BUDGET), LB_BATCH_ENABLED="1",
                          LB_BATCH_MAX_REQUESTS="100", LB_JOBS_SETTLE_S="3"):
        yield stack


@pytest.fixture(scope="module")
def api(debug_stack: InProcessStack) -> Api:
    api = Api(debug_stack.url).sign_in_superuser()
    # Given a collection indexed on status, with 80 records of which 10 have status 'x'
    api.create_collection({"name": "tasks", "type": "base", **OPEN_RULES, "fields": [
        {"name": "status", "type": "select", "values": ["open", "x"], "maxSelect": 1},
        {"name": "n", "type": "number"}], "indexes": ["CREATE INDEX idx_tasks_status ON tasks (status)"]})
    requests = [{"method": "POST", "url": "/api/collections/tasks/records",
                 "body": {"id": rid("task", n), "n": n, "status": "x" if n % 8 == 0 else "open"}}
                for n in range(1, RECORDS + 1)]
    api.ok("POST", "/api/batch", json={"requests": requests})
    api.wait_total("tasks", RECORDS)
    return api


def reads_at_most(limit: int) -> Where:
    return Where(lambda v: v is not None and int(v) <= limit, f"at most {limit} items read")


def plan(*words: str) -> Where:
    return Where(lambda v: v is not None and all(w in v for w in words), f"a plan mentioning {words}")


TASKS = "/api/collections/tasks/records"

PLANS = [
    Scenario("an equality on the indexed field uses the index and reads about a page", "GET", TASKS, 200,
             {"totalItems": X_RECORDS, "items": length(5)}, params={"filter": "status = 'x'", "perPage": 5},
             response_headers={"x-lb-plan": plan("index", "idx_tasks_status"), "x-lb-items-read": reads_at_most(12)}),
    Scenario("every match of the index, with skipTotal", "GET", TASKS, 200,
             {"items": length(X_RECORDS)}, params={"filter": "status = 'x'", "skipTotal": 1},
             response_headers={"x-lb-plan": plan("index"), "x-lb-items-read": reads_at_most(X_RECORDS + 2)}),
    Scenario("the index with a residual condition", "GET", TASKS, 200,
             {"items": [{"n": 8}, {"n": 16}]}, params={"filter": "status = 'x' && n < 20", "sort": "n"},
             response_headers={"x-lb-plan": plan("index"), "x-lb-items-read": reads_at_most(X_RECORDS + 2)}),
    Scenario("by id is a single read", "GET", TASKS, 200, {"items": [{"n": 3}]},
             params={"filter": f"id = '{rid('task', 3)}'"},
             response_headers={"x-lb-plan": plan("get"), "x-lb-items-read": reads_at_most(2)}),
    Scenario("an unfiltered page reads about a page, the total comes from the counter", "GET", TASKS, 200,
             {"totalItems": RECORDS, "items": length(10)}, params={"perPage": 10},
             response_headers={"x-lb-plan": plan("scan"), "x-lb-items-read": reads_at_most(BUDGET)}),
    Scenario("a view reports its reads", "GET", f"{TASKS}/{rid('task', 1)}", 200, {"n": 1},
             response_headers={"x-lb-items-read": reads_at_most(1)}),
    Scenario("a non-indexed filter over more than the budget is a 400 with advice", "GET", TASKS, 400,
             error(400, Where(lambda m: "index" in m, "advice to add an index"),
                   {"filter": {"code": "validation_query_too_expensive", "message": Where(bool, "a message")}}),
             params={"filter": "n > 70"}),
    Scenario("so is a sort that needs every record", "GET", TASKS, 400, error(400), params={"sort": "-n"}),
]


@pytest.mark.parametrize("scenario", PLANS, ids=str)
def test_plans(api: Api, scenario: Scenario) -> None:
    run(api, scenario)


def test_index_added_later_is_backfilled_and_used(api: Api) -> None:
    # When an index on n is added to the collection that already has records
    fields = api.ok("GET", "/api/collections/tasks")["fields"]
    api.ok("PATCH", "/api/collections/tasks", json={"fields": fields, "indexes": [
        "CREATE INDEX idx_tasks_status ON tasks (status)", "CREATE INDEX idx_tasks_n ON tasks (n)"]})
    api.wait_index_ready("tasks", "idx_tasks_n")
    # Then an equality on n is answered from the new index, at the cost of the match
    run(api, Scenario("the new index", "GET", TASKS, 200, {"items": [{"n": 75}]}, params={"filter": "n = 75"},
                      response_headers={"x-lb-plan": plan("idx_tasks_n"), "x-lb-items-read": reads_at_most(3)}))
    # And other indexes keep working
    run(api, Scenario("a range next to the status index",
                      "GET", TASKS, 200, {"items": length(2)}, params={"filter": "status = 'x' && n >= 70"},
                      response_headers={"x-lb-items-read": reads_at_most(X_RECORDS + 2)}))
