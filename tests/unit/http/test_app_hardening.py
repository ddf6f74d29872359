"""Every function's app: no open redirect, PocketBase's 404 for a wrong method, strict bodies, query limits,
and the guards' headers on every response, 500s included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from shared.http.app import create_app, install_guards
from shared.http.body import read_body
from shared.http.router import Router

router = Router()
stored: list[dict[str, Any]] = []


@router.post("/api/items")
async def create_item(request: Request) -> dict[str, Any]:
    body = await read_body(request)
    stored.append(body)
    return body


@router.get("/api/items")
async def list_items() -> dict[str, int]:
    return {"n": len(stored)}


@router.get("/api/boom")
async def boom() -> dict[str, Any]:
    raise RuntimeError("a bug, not a bad input")


@pytest.fixture
def client() -> TestClient:
    stored.clear()
    app = create_app([router])
    install_guards(app)  # as lambda_handler does for every deployed function
    return TestClient(app, base_url="https://api.example.com")


SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "referrer-policy", "strict-transport-security")
NOT_FOUND = {"status": 404, "message": "The requested resource wasn't found.", "data": {}}
FILE_NOT_FOUND = {"status": 404, "message": "File not found.", "data": {}}  # an unmatched GET, as PocketBase


def test_a_trailing_slash_is_a_404_never_a_redirect_to_the_forged_host(client: TestClient) -> None:
    # Given a request for a known path with a trailing slash and a forged Host
    response = client.get("/api/items/", headers={"Host": "evil.example"}, follow_redirects=False)

    # Then PocketBase's 404, and no Location at all
    assert response.status_code == 404 and response.json() == FILE_NOT_FOUND
    assert "location" not in response.headers


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_wrong_method_on_a_known_path_is_pocketbases_404(client: TestClient, method: str) -> None:
    response = client.request(method, "/api/items")

    assert response.status_code == 404 and response.json() == NOT_FOUND
    assert "allow" not in response.headers


@pytest.mark.parametrize(("content_type", "message"), [
    ("text/plain", "Unsupported Content-Type."),
    ("application/octet-stream", "Unsupported Content-Type."),
    ("", "Unsupported Content-Type."),
    ("application/xml", "Something went wrong while processing your request."),  # PocketBase tries XML
])
def test_an_unsupported_content_type_with_a_body_is_a_400(client: TestClient, content_type: str,
                                                          message: str) -> None:
    response = client.post("/api/items", content=b'{"title": "x"}', headers={"Content-Type": content_type})

    assert response.status_code == 400
    assert response.json() == {"status": 400, "message": message, "data": {}}
    assert stored == []


def test_an_empty_body_binds_nothing_whatever_its_content_type(client: TestClient) -> None:
    assert client.post("/api/items", content=b"", headers={"Content-Type": "text/plain"}).json() == {}


BAD_JSON = [
    ("deep 5,000", "[" * 5_000 + "]" * 5_000, "nested too deeply"),
    ("deep 100,000", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("NaN", "NaN", "NaN, Infinity"),
    ("Infinity", "Infinity", "NaN, Infinity"),
    ("-Infinity", "-Infinity", "NaN, Infinity"),
    ("1e400", "1e400", "64-bit float"),
    ("lone surrogate", '"\\ud800"', "surrogate"),
]


@pytest.mark.parametrize(("name", "value", "reason"), BAD_JSON, ids=[b[0] for b in BAD_JSON])
def test_bad_json_in_a_json_body_is_a_400_and_nothing_is_stored(client: TestClient, name: str, value: str,
                                                                reason: str) -> None:
    body = '{"title": "x", "meta": ' + value + "}"

    response = client.post("/api/items", content=body.encode(), headers={"Content-Type": "application/json"})

    assert response.status_code == 400, name
    answer = response.json()
    assert answer["status"] == 400 and answer["data"] == {} and reason in answer["message"]
    assert stored == []


@pytest.mark.parametrize(("name", "value", "reason"), BAD_JSON, ids=[b[0] for b in BAD_JSON])
def test_bad_json_in_a_multipart_json_payload_is_a_400(client: TestClient, name: str, value: str,
                                                       reason: str) -> None:
    payload = '{"title": "x", "meta": ' + value + "}"

    response = client.post("/api/items", files={"@jsonPayload": (None, payload)})

    assert response.status_code == 400 and reason in response.json()["message"], name
    assert stored == []


def test_a_40_digit_integer_is_read_as_pocketbase_reads_it() -> None:
    app = create_app([router])
    stored.clear()

    response = TestClient(app).post("/api/items", content=b'{"n": 1234567890123456789012345678901234567890}',
                                    headers={"Content-Type": "application/json"})

    assert response.status_code == 200 and json.loads(response.text) == {"n": 1.2345678901234568e39}


@pytest.mark.parametrize(("param", "message", "code"), [
    ("filter", "Invalid filter parameters.", "validation_invalid_filter"),
    ("sort", "Invalid sort parameter.", "validation_invalid_sort"),
    ("fields", "Invalid fields parameter.", "validation_invalid_fields"),
])
def test_a_query_parameter_over_its_limit_is_a_400_on_any_route(client: TestClient, param: str, message: str,
                                                                code: str) -> None:
    response = client.get("/api/items", params={param: "a" * 3_501})

    assert response.status_code == 400
    answer = response.json()
    assert answer["message"] == message and answer["data"][param]["code"] == code
    assert "3500" in answer["data"][param]["message"]


def test_a_500_carries_the_security_and_cors_headers(client: TestClient) -> None:
    # Given a route with a bug, When a browser calls it cross-origin
    response = client.get("/api/boom", headers={"Origin": "https://app.example"})

    # Then PocketBase's generic 500, with every header the guards add to the other responses
    assert response.status_code == 500
    assert response.json() == {"status": 500, "message": "Something went wrong while processing your request.",
                               "data": {}}
    for name in SECURITY_HEADERS:
        assert name in response.headers, name
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/items"), ("GET", "/nope"), ("PUT", "/api/items"),
                                              ("POST", "/api/items")])
def test_every_answer_carries_the_guards_headers(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, headers={"Origin": "https://app.example"},
                              content=b"x" if method == "POST" else None)

    assert all(name in response.headers for name in SECURITY_HEADERS)
    assert response.headers["access-control-allow-origin"] == "*"
