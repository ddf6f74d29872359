"""Security headers on every response, CSP on HTML only, and configurable CORS."""

from __future__ import annotations

import pytest
from starlette.responses import HTMLResponse
from starlette.testclient import TestClient

from shared.http.app import create_app
from shared.http.router import Router
from shared.http.security import SecuritySettings, install_security

router = Router()


@router.get("/api/data")
async def data() -> dict[str, int]:
    return {"n": 1}


@router.get("/page")
async def page() -> HTMLResponse:
    return HTMLResponse("<html><body>hi</body></html>")


@router.get("/framed")
async def framed() -> HTMLResponse:
    return HTMLResponse("<p>x</p>", headers={"X-Frame-Options": "SAMEORIGIN"})


def _client(settings: SecuritySettings | None = None) -> TestClient:
    app = create_app([router])
    install_security(app, settings or SecuritySettings())
    return TestClient(app)


def test_json_responses_get_security_headers_but_no_csp() -> None:
    response = _client().get("/api/data")

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "content-security-policy" not in response.headers


def test_html_responses_get_a_csp_and_errors_get_the_headers_too() -> None:
    client = _client()

    html = client.get("/page")
    missing = client.get("/nope")

    assert "frame-ancestors 'none'" in html.headers["content-security-policy"]
    assert "default-src 'self'" in html.headers["content-security-policy"]
    assert missing.status_code == 404 and missing.headers["x-content-type-options"] == "nosniff"


def test_an_endpoint_may_set_its_own_header() -> None:
    assert _client().get("/framed").headers["x-frame-options"] == "SAMEORIGIN"


def test_cors_allows_any_origin_by_default() -> None:
    response = _client().options("/api/data", headers={
        "origin": "https://anywhere.example", "access-control-request-method": "PATCH",
        "access-control-request-headers": "authorization, content-type"})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "PATCH" in response.headers["access-control-allow-methods"]


def test_cors_origins_come_from_lb_cors_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LB_CORS_ORIGINS", "https://app.example, https://admin.example")
    client = _client(SecuritySettings())

    allowed = client.get("/api/data", headers={"origin": "https://admin.example"})
    denied = client.get("/api/data", headers={"origin": "https://evil.example"})

    assert allowed.headers["access-control-allow-origin"] == "https://admin.example"
    assert "access-control-allow-origin" not in denied.headers


def test_cors_origins_accept_a_json_list() -> None:
    settings = SecuritySettings(cors_origins='["https://a.example", "https://b.example"]')

    assert settings.cors_origin_list == ["https://a.example", "https://b.example"]
    assert SecuritySettings(cors_origins=" ").cors_origin_list == ["*"]
