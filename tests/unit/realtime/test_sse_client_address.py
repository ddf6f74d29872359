"""Whose address the SSE bridge checks POST against: the function URL's caller, or CloudFront's viewer."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from functions.realtime_sse.app import AdapterContextMiddleware
from shared.http.requests import remote_ip

EDGE = "130.176.9.1"
VIEWER = "203.0.113.5"


def address_seen(headers: dict[str, str], *, trusted: bool = True, secret: str = "s3cret") -> str:
    seen: list[str] = []

    async def app(scope: Any, _receive: Any, _send: Any) -> None:
        seen.append(remote_ip(scope))

    scope = {"type": "http", "client": ("127.0.0.1", 5000),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(AdapterContextMiddleware(app, trusted=trusted, edge_secret=secret)(scope, None, None))
    return seen[0]


def context(source_ip: str) -> str:
    return json.dumps({"http": {"sourceIp": source_ip, "method": "GET"}})


@pytest.mark.parametrize(("headers", "expected"), [
    # the function URL called directly: its caller, whatever X-Forwarded-For claims
    ({"x-amzn-request-context": context(VIEWER), "x-forwarded-for": "198.51.100.1"}, VIEWER),
    # through CloudFront: the viewer it appended, whether or not the edge's own address follows it
    ({"x-amzn-request-context": context(EDGE), "x-lambdabase-edge": "s3cret",
      "x-forwarded-for": f"198.51.100.1, {VIEWER}, {EDGE}"}, VIEWER),
    ({"x-amzn-request-context": context(EDGE), "x-lambdabase-edge": "s3cret", "x-forwarded-for": VIEWER}, VIEWER),
    # a forged edge header is no proof: the caller's own address
    ({"x-amzn-request-context": context(EDGE), "x-lambdabase-edge": "guess", "x-forwarded-for": VIEWER}, EDGE),
    # no adapter context at all: the socket's peer
    ({}, "127.0.0.1"),
])
def test_the_client_address_behind_the_web_adapter(headers: dict[str, str], expected: str) -> None:
    # Given a request as the Web Adapter hands it over, When the bridge computes its client, Then it is expected
    assert address_seen(headers) == expected


def test_outside_the_web_adapter_its_context_header_is_ignored() -> None:
    # Given a bridge not behind the adapter (the local gateway), a client that sends the header forges nothing
    assert address_seen({"x-amzn-request-context": context(VIEWER)}, trusted=False) == "127.0.0.1"


def test_without_a_configured_secret_no_header_is_trusted() -> None:
    headers = {"x-amzn-request-context": context(EDGE), "x-lambdabase-edge": "", "x-forwarded-for": VIEWER}
    assert address_seen(headers, secret="") == EDGE
