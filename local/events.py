"""Builders of the events API Gateway and Lambda hand to functions: HTTP API v2, WebSocket, context."""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from local.cloud import ACCOUNT_ID, REGION

API_ID = "local"


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_s: int = 29
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"
        self.function_version = "$LATEST"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _clf_time(now: datetime) -> str:
    return now.strftime("%d/%b/%Y:%H:%M:%S +0000")


def http_event(*, method: str, path: str, raw_query: str, headers: list[tuple[str, str]], body: bytes,
               route_key: str, path_params: dict[str, str], source_ip: str, host: str,
               scheme: str = "http", port: int = 0) -> dict[str, Any]:
    """An API Gateway HTTP API payload v2 event, as API Gateway builds it from a request."""
    now = datetime.now(UTC)
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        name = name.lower()
        if name == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    # API Gateway, a reverse proxy, appends the client's address to X-Forwarded-For and says how it was reached.
    forwarded = joined.get("x-forwarded-for")
    joined["x-forwarded-for"] = f"{forwarded}, {source_ip}" if forwarded else source_ip
    joined["x-forwarded-proto"] = scheme
    if port:
        joined["x-forwarded-port"] = str(port)
    query: dict[str, str] = {}
    for k, v in parse_qsl(raw_query, keep_blank_values=True):
        query[k] = f"{query[k]},{v}" if k in query else v
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": joined,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": joined.get("user-agent", "")},
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": _clf_time(now),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": bool(body),
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_params:
        event["pathParameters"] = path_params
    if body:
        event["body"] = base64.b64encode(body).decode()
    return event


def websocket_event(*, event_type: str, connection_id: str, host: str, stage: str, source_ip: str,
                    headers: dict[str, str] | None = None, query: dict[str, str] | None = None,
                    body: str | None = None, connected_at: int = 0,
                    close_code: int | None = None) -> dict[str, Any]:
    """An API Gateway WebSocket event: CONNECT, MESSAGE or DISCONNECT."""
    route_key = {"CONNECT": "$connect", "DISCONNECT": "$disconnect"}.get(event_type, "$default")
    now = datetime.now(UTC)
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "messageDirection": "IN",
        "connectionId": connection_id,
        "connectedAt": connected_at,
        "domainName": host,
        "stage": stage,
        "apiId": API_ID,
        "requestId": str(uuid.uuid4()),
        "extendedRequestId": str(uuid.uuid4()),
        "requestTimeEpoch": int(now.timestamp() * 1000),
        "requestTime": _clf_time(now),
        "identity": {"sourceIp": source_ip, "userAgent": (headers or {}).get("user-agent", "")},
    }
    event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
    if event_type == "CONNECT":
        event["headers"] = headers or {}
        event["multiValueHeaders"] = {k: [v] for k, v in (headers or {}).items()}
        if query:
            event["queryStringParameters"] = query
    elif event_type == "MESSAGE":
        context["messageId"] = str(uuid.uuid4())
        event["body"] = body or ""
    else:
        context["disconnectStatusCode"] = close_code or 1000
        context["disconnectReason"] = ""
    return event
