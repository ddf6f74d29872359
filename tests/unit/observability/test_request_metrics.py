"""Every HTTP route records a `Requests` count and a `Latency`, by route template and status class, in one place."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from shared.errors import NotFoundError
from shared.http.app import create_app
from shared.http.metrics import UNMATCHED_ROUTE
from shared.http.router import Router
from shared.observability import function_service

router = Router()


@router.get("/api/things/{thing_id}")
async def read_thing(thing_id: str) -> dict[str, str]:
    if thing_id == "missing":
        raise NotFoundError()
    return {"id": thing_id}


@router.post("/api/things")
async def create_thing() -> dict[str, str]:
    raise RuntimeError("a bug")


def request_metrics(output: str) -> list[dict[str, Any]]:
    """The EMF blobs holding a `Requests` metric, as CloudWatch would parse them from the function's stdout."""
    blobs = [json.loads(line) for line in output.splitlines() if line.startswith("{") and '"_aws"' in line]
    return [b for b in blobs
            if any(m["Name"] == "Requests" for d in b["_aws"]["CloudWatchMetrics"] for m in d["Metrics"])]


@pytest.fixture()
def client() -> TestClient:
    return TestClient(create_app([router]), raise_server_exceptions=False)


@pytest.mark.parametrize(("method", "path", "status", "route", "status_class"), [
    ("GET", "/api/things/abc", 200, "GET /api/things/{thing_id}", "2xx"),
    ("GET", "/api/things/missing", 404, "GET /api/things/{thing_id}", "4xx"),
    ("POST", "/api/things", 500, "POST /api/things", "5xx"),
    ("GET", "/api/nowhere/123", 404, UNMATCHED_ROUTE, "4xx"),
    ("DELETE", "/api/things/abc", 404, "DELETE /api/things/{thing_id}", "4xx"),
    ("BREW", "/api/things/abc", 404, "OTHER /api/things/{thing_id}", "4xx"),
])
def test_each_request_records_its_route_template_and_status_class(
        client: TestClient, capsys: pytest.CaptureFixture[str], method: str, path: str, status: int, route: str,
        status_class: str) -> None:
    # Given an app built by create_app, running as the records function
    capsys.readouterr()
    # When a request is served
    with function_service("records"):
        response = client.request(method, path)
    # Then it answered as PocketBase does, and exactly one request metric names its route, never its raw path
    assert response.status_code == status
    assert response.json()["status" if status >= 400 else "id"] is not None
    [blob] = request_metrics(capsys.readouterr().out)
    assert (blob["route"], blob["status"], blob["service"]) == (route, status_class, "records")
    assert blob["Requests"] == [1.0] and blob["Latency"][0] >= 0
    directive = blob["_aws"]["CloudWatchMetrics"][0]
    assert directive["Dimensions"] == [["service", "route", "status"]]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {"Requests": "Count", "Latency": "Milliseconds"}


def test_successive_requests_are_counted_one_each(client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    # Given several requests on different routes in a row
    capsys.readouterr()
    for path in ("/api/things/a", "/api/things/b", "/api/things/missing"):
        client.get(path)
    # Then each has its own metric set: one count each, with its own status class
    blobs = request_metrics(capsys.readouterr().out)
    assert [(b["Requests"], b["status"]) for b in blobs] == [([1.0], "2xx"), ([1.0], "2xx"), ([1.0], "4xx")]
