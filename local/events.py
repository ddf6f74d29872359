"""Builders of the events API Gateway and Lambda hand to functions: HTTP API v2, WebSocket, SQS, DynamoDB streams.

Each builder follows what AWS sends, field by field; tests/integration/test_local_events.py parses every kind
with Powertools' parser models and checks the facts below.
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote

from local.cloud import ACCOUNT_ID, REGION

API_ID = "local"

# Lambda's own SenderId for messages a principal of this account sent (an IAM role id on AWS).
SQS_SENDER_ID = "AROALOCALSTACKSENDER"

# API Gateway's HTTP API passes a body as text when its Content-Type is textual, and base64-encodes every other
# body (binary media types are not configurable on HTTP APIs, unlike REST APIs): text/*, JSON, JavaScript, XML.
_TEXT_TYPES = ("application/json", "application/javascript", "application/xml")


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_s: float = 29
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


def gateway_id() -> str:
    """An id shaped like API Gateway's request, connection and message ids (10 random bytes, base64)."""
    return base64.b64encode(secrets.token_bytes(10)).decode()


def trace_id(now: float | None = None) -> str:
    """An X-Ray trace header as API Gateway adds it: Root=1-<epoch seconds, 8 hex>-<96 random bits, 24 hex>."""
    return f"Root=1-{int(now or time.time()):08x}-{secrets.token_hex(12)}"


def is_text(content_type: str | None) -> bool:
    """Whether API Gateway hands a body of this Content-Type to the function as text rather than base64."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES


def encode_body(body: bytes, content_type: str | None) -> tuple[str, bool]:
    """The event's body and isBase64Encoded: text as sent for a textual Content-Type, base64 otherwise."""
    if is_text(content_type):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode(), True


def http_event(*, method: str, path: str, raw_query: str, headers: list[tuple[str, str]], body: bytes,
               route_key: str, path_params: dict[str, str], source_ip: str, host: str, scheme: str = "http",
               port: int = 0, raw_path: str | None = None) -> dict[str, Any]:
    """An API Gateway HTTP API payload v2 event, as API Gateway builds it from a request.

    `raw_path` is the path as the client sent it (percent-encoded), `path` the decoded one: AWS puts the first in
    rawPath and the second in requestContext.http.path. Without `raw_path`, the path is percent-encoded as a
    client would send it.
    """
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
    # A client's own trace header is continued, as X-Ray does; otherwise API Gateway starts a trace.
    if "Root=" not in joined.get("x-amzn-trace-id", ""):
        joined["x-amzn-trace-id"] = trace_id(now.timestamp())
    query: dict[str, str] = {}
    for k, v in parse_qsl(raw_query, keep_blank_values=True):
        query[k] = f"{query[k]},{v}" if k in query else v
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path if raw_path is not None else quote(path),
        "rawQueryString": raw_query,
        "headers": joined,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": joined.get("user-agent", "")},
            "requestId": gateway_id(),
            "routeKey": route_key,
            "stage": "$default",
            "time": _clf_time(now),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_params:
        event["pathParameters"] = path_params
    if body:
        event["body"], event["isBase64Encoded"] = encode_body(body, joined.get("content-type"))
    return event


# What API Gateway puts in a $disconnect event's headers: the API's host and three empty headers.
def _disconnect_headers(host: str) -> dict[str, str]:
    return {"Host": host, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}


def websocket_event(*, event_type: str, connection_id: str, host: str, stage: str, source_ip: str,
                    headers: dict[str, str] | None = None, query: dict[str, str] | None = None,
                    body: str | bytes | None = None, connected_at: int = 0, user_agent: str = "",
                    close_code: int | None = None, close_reason: str = "", port: int = 0,
                    scheme: str = "http") -> dict[str, Any]:
    """An API Gateway WebSocket event: CONNECT, MESSAGE or DISCONNECT.

    A text frame arrives as its text, a binary frame base64-encoded with isBase64Encoded true.
    """
    route_key = {"CONNECT": "$connect", "DISCONNECT": "$disconnect"}.get(event_type, "$default")
    now = datetime.now(UTC)
    request_id = gateway_id()
    identity: dict[str, str] = {"sourceIp": source_ip}
    if user_agent:
        identity["userAgent"] = user_agent
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "messageDirection": "IN",
        "connectionId": connection_id,
        "connectedAt": connected_at,
        "domainName": host,
        "stage": stage,
        "apiId": API_ID,
        "requestId": request_id,
        "extendedRequestId": request_id,
        "requestTimeEpoch": int(now.timestamp() * 1000),
        "requestTime": _clf_time(now),
        "identity": identity,
    }
    event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
    if event_type == "CONNECT":
        sent = {k: v for k, v in (headers or {}).items()
                if k.lower() not in ("x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id")}
        forwarded = (headers or {}).get("x-forwarded-for")
        added = {"X-Amzn-Trace-Id": (headers or {}).get("x-amzn-trace-id") or trace_id(now.timestamp()),
                 "X-Forwarded-For": f"{forwarded}, {source_ip}" if forwarded else source_ip,
                 "X-Forwarded-Proto": "https" if scheme in ("https", "wss") else "http"}
        if port:
            added["X-Forwarded-Port"] = str(port)
        event["headers"] = {**sent, **added}
        event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
        if query:
            event["queryStringParameters"] = query
            event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    elif event_type == "MESSAGE":
        context["messageId"] = gateway_id()
        if isinstance(body, bytes):
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
        else:
            event["body"] = body or ""
    else:
        event["headers"] = _disconnect_headers(host)
        event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
        # 1005 is WebSocket's "no status received": the close frame carried no code.
        context["disconnectStatusCode"] = close_code or 1005
        context["disconnectReason"] = close_reason or (
            "Client-side close frame status not set" if not close_code or close_code == 1005 else "")
    return event


def _lambda_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """A message attribute as Lambda hands it over: camelCase, lists always present, binaries in base64."""
    def b64(data: bytes | str) -> str:
        return base64.b64encode(data).decode() if isinstance(data, bytes) else data

    shaped: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [b64(v) for v in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        shaped["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        shaped["binaryValue"] = b64(value["BinaryValue"])
    return shaped


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """One record of an SQS event, from a ReceiveMessage answer (AttributeNames and MessageAttributeNames All)."""
    attributes = {k: str(v) for k, v in (message.get("Attributes") or {}).items()}
    attributes.setdefault("SenderId", SQS_SENDER_ID)
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": {name: _lambda_message_attribute(v)
                              for name, v in (message.get("MessageAttributes") or {}).items()},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """One record of a DynamoDB stream event, from a GetRecords answer: Lambda adds eventSourceARN and sends
    ApproximateCreationDateTime as epoch seconds (boto3 parses it into a datetime)."""
    dyn = dict(record["dynamodb"])
    created = dyn.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dyn["ApproximateCreationDateTime"] = float(int(created.timestamp()))
    shaped = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion") or REGION,
        "dynamodb": dyn,
        "eventSourceARN": stream_arn,
    }
    if record.get("userIdentity"):
        shaped["userIdentity"] = record["userIdentity"]
    return shaped
