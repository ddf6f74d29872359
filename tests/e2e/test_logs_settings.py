"""End to end: the runtime log settings, changed through `PATCH /api/settings`, shape the logs written after them
(logIP, logAuthId, minLevel, maxDays 0). Skipped while the settings API is absent from the stack."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.test_logs_pipeline import wait_logs
from tests.support.records_api import Api

DEFAULTS = {"maxDays": 5, "minLevel": 0, "logIP": True, "logAuthId": False}


@pytest.fixture
def logs_settings(api: Api) -> Iterator[Any]:
    def change(**logs: Any) -> None:
        # Acted on by the next request: the stack's functions share one process, whose settings cache the save
        # refreshes at once (on AWS, every instance within CACHE_TTL_S).
        api.ok("PATCH", "/api/settings", json={"logs": {**DEFAULTS, **logs}})

    yield change
    api.ok("PATCH", "/api/settings", json={"logs": DEFAULTS})


def test_ip_and_auth_id_follow_the_settings(api: Api, logs_settings: Any) -> None:
    # Given IPs off and auth ids on
    logs_settings(logIP=False, logAuthId=True)
    marker = uuid.uuid4().hex[:8]

    # When a user makes a request
    api.request("GET", f"/api/health?m={marker}", role="user")

    # Then its log has the user's id and no IPs
    data = wait_logs(api, f'data.url ~ "{marker}"', 1)["items"][0]["data"]
    assert data["authId"] == api.users["user"]["id"]
    assert "userIP" not in data and "remoteIP" not in data


def test_min_level_and_no_retention_drop_logs(api: Api, logs_settings: Any) -> None:
    # Given only errors kept
    logs_settings(minLevel=5)
    marker = uuid.uuid4().hex[:8]

    # When a request succeeds and another fails
    api.request("GET", f"/api/health?m={marker}", role="guest")
    api.request("GET", f"/api/collections/missing_{marker}/records", role="guest")

    # Then only the failure is logged
    wait_logs(api, f'data.url ~ "{marker}"', 1)
    time.sleep(2)  # a success logged by mistake would have landed by now
    page = api.ok("GET", "/api/logs", params={"filter": f'data.url ~ "{marker}"'})
    assert [item["data"]["status"] for item in page["items"]] == [404]

    # And with maxDays 0 nothing is logged or listed
    logs_settings(maxDays=0)
    assert api.ok("GET", "/api/logs")["totalItems"] == 0
