"""End to end on the local stack: each request's log line reaches the logs API through the emulated log
subscription and the log writer, and the logs API lists, filters, views, counts and truncates them."""

from __future__ import annotations

import time
from typing import Any

from tests.support.records_api import Api
from tests.support.stack_process import StackProcess


def wait_logs(api: Api, filter_text: str, count: int, timeout: float = 15.0) -> dict[str, Any]:
    """Poll the logs list until `count` logs match the filter (the writer is fed in batches)."""
    deadline = time.monotonic() + timeout
    while True:
        page = api.ok("GET", "/api/logs", params={"filter": filter_text, "perPage": 100})
        if page["totalItems"] >= count or time.monotonic() > deadline:
            return dict(page)
        time.sleep(0.3)


def test_a_request_is_logged_with_pocketbases_fields(api: Api) -> None:
    # Given a guest request that fails and a signed-in user's request that succeeds
    api.request("GET", "/api/collections/nope_logs_e2e/records", role="guest",
                headers={"Referer": "http://app.test/", "User-Agent": "e2e-agent"})
    api.request("GET", "/api/health?probe=logs%20e2e", role="user")

    # When their logs have landed
    failed = wait_logs(api, 'data.url = "/api/collections/nope_logs_e2e/records"', 1)
    ok = wait_logs(api, 'data.url = "/api/health?probe=logs%20e2e"', 1)

    # Then each has PocketBase's shape: the error's level, message and details, and the caller's collection
    error_log = failed["items"][0]
    assert error_log["level"] == 8
    assert error_log["message"] == "GET /api/collections/nope_logs_e2e/records"
    assert error_log["data"]["status"] == 404
    assert error_log["data"]["error"] == "Missing collection context."
    assert error_log["data"]["referer"] == "http://app.test/"
    assert error_log["data"]["userAgent"] == "e2e-agent"
    assert error_log["data"]["auth"] == ""
    assert error_log["data"]["remoteIP"] == error_log["data"]["userIP"] != ""
    user_log = ok["items"][0]
    assert user_log["level"] == 0
    assert user_log["message"] == "GET /api/health?probe=logs e2e"
    assert user_log["data"]["auth"] == "users"
    assert "error" not in user_log["data"]
    assert isinstance(user_log["data"]["execTime"], float)


def test_a_log_is_viewed_by_id_and_counted_per_hour(api: Api) -> None:
    # Given a logged request
    api.request("GET", "/api/health?probe=view", role="guest")
    listed = wait_logs(api, 'data.url = "/api/health?probe=view"', 1)["items"][0]

    # When it is viewed by id and the hourly stats are asked over the same filter
    viewed = api.ok("GET", f"/api/logs/{listed['id']}")
    stats = api.ok("GET", "/api/logs/stats", params={"filter": 'data.url = "/api/health?probe=view"'})

    # Then the view is the listed log, and the stats count it in its hour
    assert viewed == listed
    assert stats == [{"date": listed["created"][:13] + ":00:00.000Z", "total": 1}]
    assert api.request("GET", "/api/logs/0000000000000zz").status_code == 404


def test_reading_the_logs_logs_nothing_unless_it_fails(api: Api) -> None:
    # Given a successful and a failing read of the logs
    api.ok("GET", "/api/logs", params={"filter": 'data.url ~ "never-there"'})
    api.request("GET", "/api/logs", params={"filter": "((("})

    # When the failing read's log has landed (the logs function's lines come in order, in deliveries of their
    # own: a line of another function landing says nothing of them)
    wait_logs(api, 'data.url ~ "/api/logs?filter=" && data.status = 400', 1)

    # Then only the failing read was logged
    reads = api.ok("GET", "/api/logs", params={"filter": 'data.url ~ "/api/logs?filter="', "perPage": 100})
    assert [item["data"]["status"] for item in reads["items"]] == [400]


def test_logs_are_superuser_only(api: Api, stack: StackProcess) -> None:
    # When a guest and a user ask for the logs
    guest = api.request("GET", "/api/logs", role="guest")
    user = api.request("GET", "/api/logs/stats", role="user")

    # Then the guest gets 401 and the user 403, in PocketBase's shape
    assert guest.status_code == 401
    assert guest.json() == {"status": 401, "message": "The request requires valid record authorization token.",
                            "data": {}}
    assert user.status_code == 403
    assert user.json()["message"] == "The authorized record is not allowed to perform this action."
