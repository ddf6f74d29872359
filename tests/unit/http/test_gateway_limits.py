"""The local gateway: API Gateway's 10,240-byte cap on request line + headers, the $default route's 404s,
and an event domainName that never comes from the client's Host header."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from local.events import LambdaContext, http_event
from local.gateway import MAX_REQUEST_LINE_AND_HEADERS, create_gateway, request_line_and_headers_size

NOT_FOUND = {"status": 404, "message": "The requested resource wasn't found.", "data": {}}


@pytest.fixture(scope="module")
def gateway() -> TestClient:
    return TestClient(create_gateway(), base_url="http://127.0.0.1:8090")


@pytest.mark.parametrize(("param", "length"), [("filter", 60_000), ("fields", 60_000), ("filter", 10_300)])
def test_a_request_line_over_api_gateways_quota_gets_its_answer(gateway: TestClient, param: str,
                                                                length: int) -> None:
    # Given a query string past the quota (httpx caps URLs at 64 KiB; the e2e test sends 200,000 chars)
    response = gateway.get("/api/collections/posts/records", params={param: "a" * length})

    # Then API Gateway's own 413, without any function being invoked (there is no such collection)
    assert response.status_code == 413
    assert response.json() == {"message": "Request Entity Too Large"}


def test_headers_count_against_the_same_quota(gateway: TestClient) -> None:
    response = gateway.get("/api/health", headers={"X-Big": "b" * MAX_REQUEST_LINE_AND_HEADERS})

    assert response.status_code == 413


def test_the_size_counts_the_request_line_and_the_header_values() -> None:
    size = request_line_and_headers_size("GET", b"/api/health", b"a=1", [(b"host", b"x"), (b"x-y", b"zz")])

    assert size == len("GET /api/health?a=1 HTTP/1.1") + len("x") + len("zz")


def test_a_request_under_the_quota_reaches_the_function(gateway: TestClient) -> None:
    response = gateway.get("/api/health", params={"q": "a" * 5_000})

    assert response.status_code == 200 and response.json()["message"] == "API is healthy."


@pytest.mark.parametrize(("method", "path", "message"), [
    # PocketBase serves every unmatched GET from its public folder: "File not found." there
    ("GET", "/api/health/", "File not found."),  # trailing slash: $default, never a redirect
    ("DELETE", "/api/health", NOT_FOUND["message"]),  # wrong method on a known path: $default, PocketBase's 404
    ("POST", "/api/health", NOT_FOUND["message"]),
    ("GET", "/api/nothing-here", "File not found."),
])
def test_the_default_route_answers_pocketbases_404(gateway: TestClient, method: str, path: str,
                                                   message: str) -> None:
    response = gateway.request(method, path, headers={"Host": "evil.example"}, follow_redirects=False)

    assert response.status_code == 404 and response.json() == {**NOT_FOUND, "message": message}
    assert "location" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_health_lambda_answers_a_forged_host_trailing_slash_with_a_404() -> None:
    # Given the API Gateway event of `GET /api/health/` routed to $default, with a forged Host header
    from functions.health.handler import handler

    event = http_event(method="GET", path="/api/health/", raw_query="", headers=[("host", "evil.example")],
                       body=b"", route_key="$default", path_params={}, source_ip="203.0.113.9",
                       host="api.example.com")

    # When the function handles it
    result = handler(event, LambdaContext(function_name="lambdabase-health"))

    # Then a 404 without a Location header
    assert result["statusCode"] == 404
    assert "location" not in {k.lower() for k in result.get("headers", {})}
