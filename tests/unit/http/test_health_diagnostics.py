"""The superuser diagnostics of GET /api/health, computed as PocketBase 0.40.6 computes them."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from functions.health.routes import possible_proxy_header
from shared.app_settings.model import TrustedProxySettings
from shared.http.app import create_app
from shared.http.requests import expanded_ip


@pytest.mark.parametrize(("raw", "expected"), [
    ("203.0.113.9", "203.0.113.9"),
    ("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"),  # Go's netip StringExpanded
    ("not-an-ip", "invalid IP"),
])
def test_real_ip_is_written_as_go_writes_it(raw: str, expected: str) -> None:
    assert expanded_ip(raw) == expected


def test_without_a_verifiable_superuser_the_data_stays_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the health app holding no signing key (whatever earlier tests loaded), and a request claiming a token
    from functions.health.routes import router
    from shared import settings

    for name in ("LB_AUTH_SECRET", "LB_AUTH_SECRET_ARN"):
        monkeypatch.delenv(name, raising=False)
    settings.load.cache_clear()
    try:
        client = TestClient(create_app([router]))
        # When it is asked with proxy headers and some Authorization
        body = client.get("/api/health", headers={"Authorization": "forged", "X-Forwarded-For": "1.2.3.4"}).json()
    finally:
        settings.load.cache_clear()  # later tests load their own settings again

    # Then PocketBase's answer for non-superusers: an empty data object
    assert body == {"message": "API is healthy.", "code": 200, "data": {}}


def _request(headers: dict[str, str], source_ip: str = "198.51.100.7") -> Request:
    event = {"requestContext": {"http": {"sourceIp": source_ip}}}
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/api/health", "headers": raw, "aws.event": event})


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, ""),
    # API Gateway appends the address it saw: alone, that is realIP itself and no proxy before API Gateway
    ({"X-Forwarded-For": "198.51.100.7"}, ""),
    ({"X-Forwarded-For": "203.0.113.5, 198.51.100.7"}, "X-Forwarded-For"),  # a hop before API Gateway
    ({"X-Forwarded-For": "198.51.100.7", "Fly-Client-IP": "203.0.113.5"}, "Fly-Client-IP"),
    ({"CF-Connecting-IP": "203.0.113.5", "Fly-Client-IP": "203.0.113.6"}, "CF-Connecting-IP"),
])
def test_the_possible_proxy_header_ignores_api_gateways_own_hop(headers: dict[str, str], expected: str) -> None:
    # Given a request as API Gateway hands it over, When the diagnostics look for proxies, Then only real ones count
    assert possible_proxy_header(_request(headers), TrustedProxySettings()) == expected


@pytest.mark.parametrize(("trusted", "headers", "expected"), [
    # the trusted headers come first, named as the operator wrote them
    (("x-real-ip", "X-Forwarded-For"), {"X-Real-IP": "nonsense", "Fly-Client-IP": "1.1.1.1"}, "x-real-ip"),
    (("x-forwarded-for",), {"X-Forwarded-For": "203.0.113.5, 198.51.100.7"}, "x-forwarded-for"),
    # a trusted X-Forwarded-For holding only API Gateway's own hop is no header anyone before it sent
    (("X-Forwarded-For",), {"X-Forwarded-For": "198.51.100.7"}, ""),
    # a trusted header without a value is no sign; the common ones are still looked for
    (("X-Real-IP",), {"X-Real-IP": "", "CF-Connecting-IP": "203.0.113.5"}, "CF-Connecting-IP"),
    (("X-Real-IP",), {"X-Forwarded-For": "198.51.100.7"}, ""),
])
def test_the_trusted_headers_are_looked_for_first(trusted: tuple[str, ...], headers: dict[str, str],
                                                  expected: str) -> None:
    # Given trusted proxy headers, When a request carries these headers, Then PocketBase's header is named
    assert possible_proxy_header(_request(headers), TrustedProxySettings(headers=trusted)) == expected
