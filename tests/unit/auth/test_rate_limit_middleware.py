"""Rate-limit middleware on a tiny FastAPI app: headers, PocketBase's 429, superusers and preflight."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from shared.app_settings import provider
from shared.app_settings.model import AppSettings, TrustedProxySettings
from shared.app_settings.provider import MemorySettingsSource
from shared.http.app import create_app
from shared.http.router import Router
from shared.http.security import install_security
from shared.ratelimit.limiter import RateLimiter
from shared.ratelimit.middleware import install_rate_limit
from shared.ratelimit.repository import InMemoryRateLimitCounterRepository
from shared.ratelimit.rules import RateLimitRule

router = Router()


@router.get("/api/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


@router.post("/api/collections/{collection}/auth-with-password")
async def auth_with_password(collection: str) -> dict[str, str]:
    return {"collection": collection}


def identify(request: Request) -> tuple[str | None, bool]:
    """Test stand-in for token verification: X-Test-User names the caller, X-Test-Superuser elevates."""
    return request.headers.get("x-test-user"), request.headers.get("x-test-superuser") == "1"


async def broken_identify(request: Request) -> tuple[str | None, bool]:
    raise ValueError("bad token")


def _client(clock: Any, identify_fn: Any = identify, with_security: bool = False) -> TestClient:
    clock.now = 1_750_000_000
    rules = [
        RateLimitRule.model_validate({"label": "*:auth", "maxRequests": 2, "duration": 3}),
        RateLimitRule.model_validate({"label": "/api/", "maxRequests": 3, "duration": 10}),
    ]
    limiter = RateLimiter(rules, InMemoryRateLimitCounterRepository(), clock=clock)
    app = create_app([router])
    install_rate_limit(app, identify_fn, limiter_factory=lambda: limiter)
    if with_security:
        install_security(app)
    return TestClient(app)


@pytest.fixture(autouse=True)
def app_settings() -> Any:
    """The app settings the middleware reads the trusted proxy from: PocketBase's defaults unless a test says."""
    source = MemorySettingsSource(AppSettings())
    provider.use_source(source)
    yield source
    provider.use_source(None)


@pytest.fixture
def client(clock: Any) -> TestClient:
    return _client(clock)


def test_guests_are_counted_by_their_real_ip(client: TestClient, app_settings: MemorySettingsSource) -> None:
    # Given X-Forwarded-For trusted (rightmost address), and 3 requests from 203.0.113.1 using up its limit
    app_settings.settings = AppSettings(trusted_proxy=TrustedProxySettings(headers=("X-Forwarded-For",)))
    provider.invalidate()
    for _ in range(3):
        client.get("/api/hello", headers={"X-Forwarded-For": "203.0.113.1"})

    # When the same address comes again, and another one through the same proxy
    again = client.get("/api/hello", headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.1"})
    other = client.get("/api/hello", headers={"X-Forwarded-For": "203.0.113.2"})

    # Then each address has its own count, whatever the client wrote before the proxy's hop
    assert (again.status_code, other.status_code) == (429, 200)


def test_an_untrusted_header_does_not_change_the_counted_ip(client: TestClient) -> None:
    # Given the default settings (no trusted proxy), and the limit used up from the test client's address
    for n in range(3):
        client.get("/api/hello", headers={"X-Forwarded-For": f"203.0.113.{n}"})

    # When a fourth request claims yet another address
    claimed = client.get("/api/hello", headers={"X-Forwarded-For": "203.0.113.99"})

    # Then it is still counted against the peer's address
    assert claimed.status_code == 429


def test_headers_count_down_and_the_limit_answers_pocketbase_429(client: TestClient) -> None:
    responses = [client.get("/api/hello") for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert responses[0].headers["x-ratelimit-limit"] == "3"
    assert responses[0].headers["x-ratelimit-reset"] == "1750000010"
    blocked = responses[-1]
    assert blocked.json() == {"status": 429, "message": "Too Many Requests.", "data": {}}
    assert blocked.headers["retry-after"] == "10"


def test_auth_tag_rule_applies_to_auth_endpoints(client: TestClient) -> None:
    statuses = [client.post("/api/collections/users/auth-with-password").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert client.get("/api/hello").status_code == 200  # another rule, another counter


def test_users_are_counted_by_id_and_superusers_are_exempt(client: TestClient) -> None:
    for _ in range(3):
        client.get("/api/hello", headers={"x-test-user": "u1"})
    assert client.get("/api/hello", headers={"x-test-user": "u1"}).status_code == 429
    assert client.get("/api/hello", headers={"x-test-user": "u2"}).status_code == 200

    root = [client.get("/api/hello", headers={"x-test-user": "root", "x-test-superuser": "1"})
            for _ in range(5)]
    assert all(r.status_code == 200 and "x-ratelimit-limit" not in r.headers for r in root)


def test_identify_failure_counts_the_caller_as_a_guest(clock: Any) -> None:
    client = _client(clock, broken_identify)

    statuses = [client.get("/api/hello").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_cors_preflight_is_not_counted_and_429_carries_cors_headers(clock: Any) -> None:
    client = _client(clock, with_security=True)
    preflight = {"origin": "https://app.example", "access-control-request-method": "GET"}
    for _ in range(5):
        assert client.options("/api/hello", headers=preflight).status_code == 200

    responses = [client.get("/api/hello", headers={"origin": "https://app.example"}) for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[-1].headers["access-control-allow-origin"] == "*"
    assert "X-RateLimit-Remaining" in responses[0].headers["access-control-expose-headers"]
    assert responses[-1].headers["x-content-type-options"] == "nosniff"
