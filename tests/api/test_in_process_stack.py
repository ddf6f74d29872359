"""The in-process stack answers like `lambdabase run`: routing, events, handlers and the change-stream pollers."""

from __future__ import annotations

import os

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import GUEST, Api, Scenario, error, run, unique
from tests.support.records_world import OPEN_RULES

GATEWAY = [
    Scenario("a function behind an exact route", "GET", "/api/health", 200, {"code": 200}),
    Scenario("the $default route answers PocketBase's 404", "GET", "/api/nothing-here", 404, error(404)),
    Scenario("a parameter route reaches the records function", "GET", "/api/collections/missing_xyz/records", 404,
             error(404), role=GUEST),
]


@pytest.mark.parametrize("scenario", GATEWAY, ids=str)
def test_requests_go_through_the_gateway_routes(api: Api, scenario: Scenario) -> None:
    run(api, scenario)


def test_no_socket_serves_the_api(stack: InProcessStack) -> None:
    # Given the in-process stack's URL, When nothing listens on it, Then only the in-process client reaches it
    import httpx

    with pytest.raises(httpx.ConnectError):
        httpx.get(stack.url + "/api/health", timeout=2)
    assert stack.client().get("/api/health").status_code == 200


def test_the_stream_poller_maintains_the_counter(api: Api) -> None:
    # Given a collection with three records
    name = unique("counted")
    api.create_collection({"name": name, "type": "base", **OPEN_RULES, "fields": [{"name": "n", "type": "number"}]})
    for n in range(3):
        api.create_record(name, {"n": n})
    # When the changes function has consumed the stream, Then the unfiltered total comes from its counter
    assert api.wait_total(name, 3)["totalItems"] == 3


def test_settings_change_like_a_redeploy_and_come_back(api: Api, stack: InProcessStack) -> None:
    # Given the default settings, a list has no plan header
    assert "x-lb-plan" not in api.request("GET", "/api/collections/users/records").headers
    # When the functions are "redeployed" with the debug setting, Then lists report their plan
    with stack.configured(LB_DEBUG_QUERY="1"):
        assert os.environ["LB_DEBUG_QUERY"] == "1"
        assert "x-lb-plan" in api.request("GET", "/api/collections/users/records").headers
    # And afterwards the defaults are back
    assert "LB_DEBUG_QUERY" not in os.environ
    assert "x-lb-plan" not in api.request("GET", "/api/collections/users/records").headers
