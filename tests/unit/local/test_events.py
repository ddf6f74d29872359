"""The local gateway and pollers build the events AWS builds: HTTP API v2, WebSocket, SQS and stream records."""

import base64
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from local.events import LambdaContext, http_event, sqs_record, stream_record, websocket_event

TRACE = re.compile(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$")


def _post(body: bytes, content_type: str | None) -> dict[str, Any]:
    headers = [("content-type", content_type)] if content_type else []
    return http_event(method="POST", path="/api/x", raw_query="", headers=headers, body=body,
                      route_key="POST /api/x", path_params={}, source_ip="127.0.0.1", host="localhost")


def test_http_event_v2_shape() -> None:
    event = http_event(method="POST", path="/api/x", raw_query="a=1&a=2&b=", headers=[
        ("Content-Type", "application/json"), ("X-Multi", "1"), ("x-multi", "2"), ("Cookie", "s=1; t=2")],
        body=b'{"k":1}', route_key="POST /api/x", path_params={}, source_ip="127.0.0.1", host="localhost:1")
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /api/x"
    assert event["headers"]["x-multi"] == "1,2"
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["stage"] == "$default"


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "text/plain",
                                          "text/html", "application/xml", "application/javascript"])
def test_a_textual_body_arrives_as_plain_text(content_type: str) -> None:
    # Given a request whose Content-Type API Gateway treats as text
    # When the gateway builds its event
    event = _post('{"name":"é"}'.encode(), content_type)
    # Then the body is the text as sent, not base64
    assert event["body"] == '{"name":"é"}'
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize("content_type", ["application/octet-stream", "multipart/form-data; boundary=x",
                                          "application/x-www-form-urlencoded", "image/png", None])
def test_every_other_body_arrives_base64_encoded(content_type: str | None) -> None:
    event = _post(b"\x89PNG a=1", content_type)
    assert base64.b64decode(event["body"]) == b"\x89PNG a=1"
    assert event["isBase64Encoded"] is True


def test_http_event_without_body_or_query() -> None:
    event = http_event(method="GET", path="/", raw_query="", headers=[], body=b"", route_key="$default",
                       path_params={}, source_ip="127.0.0.1", host="h")
    assert "body" not in event and "queryStringParameters" not in event
    assert event["isBase64Encoded"] is False


def test_raw_path_keeps_the_encoding_the_client_sent() -> None:
    # Given a path with an encoded space and slash, as the client sent it
    event = http_event(method="GET", path="/api/files/a b/c/d", raw_path="/api/files/a%20b/c%2Fd", raw_query="",
                       headers=[], body=b"", route_key="$default", path_params={}, source_ip="1.2.3.4", host="h")
    # Then rawPath is as sent, while requestContext.http.path is decoded, as on AWS
    assert event["rawPath"] == "/api/files/a%20b/c%2Fd"
    assert event["requestContext"]["http"]["path"] == "/api/files/a b/c/d"


def test_api_gateway_adds_a_trace_header_or_continues_the_clients() -> None:
    fresh = http_event(method="GET", path="/", raw_query="", headers=[], body=b"", route_key="$default",
                       path_params={}, source_ip="1.2.3.4", host="h")
    assert TRACE.match(fresh["headers"]["x-amzn-trace-id"])
    continued = http_event(method="GET", path="/", raw_query="", headers=[("X-Amzn-Trace-Id", "Root=1-a-b")],
                           body=b"", route_key="$default", path_params={}, source_ip="1.2.3.4", host="h")
    assert continued["headers"]["x-amzn-trace-id"] == "Root=1-a-b"


def test_request_context_ids_and_times() -> None:
    event = http_event(method="GET", path="/", raw_query="", headers=[("user-agent", "ua/1")], body=b"",
                       route_key="$default", path_params={}, source_ip="1.2.3.4", host="api.example.com")
    ctx = event["requestContext"]
    assert re.match(r"^[A-Za-z0-9+/]{14}==$", ctx["requestId"])
    assert ctx["http"]["userAgent"] == "ua/1" and ctx["http"]["sourceIp"] == "1.2.3.4"
    assert (ctx["domainName"], ctx["domainPrefix"]) == ("api.example.com", "api")
    assert datetime.strptime(ctx["time"], "%d/%b/%Y:%H:%M:%S %z").timestamp() == ctx["timeEpoch"] // 1000


def test_the_event_carries_api_gateways_forwarding_headers() -> None:
    # Given a client that sends its own X-Forwarded-For, When the gateway builds the event
    event = http_event(method="GET", path="/api/health", raw_query="", headers=[("x-forwarded-for", "10.0.0.1")],
                       body=b"", route_key="GET /api/health", path_params={}, source_ip="203.0.113.9",
                       host="127.0.0.1", scheme="http", port=8090)

    # Then, as API Gateway does, the client's real address is appended and the way in is named
    assert event["headers"]["x-forwarded-for"] == "10.0.0.1, 203.0.113.9"
    assert event["headers"]["x-forwarded-proto"] == "http"
    assert event["headers"]["x-forwarded-port"] == "8090"


COMMON: dict[str, Any] = {"connection_id": "c1", "host": "h", "stage": "ws", "source_ip": "1.2.3.4"}


def test_websocket_connect_and_text_message() -> None:
    connect = websocket_event(event_type="CONNECT", headers={"user-agent": "ua"}, query={"t": "1"}, **COMMON)
    assert connect["requestContext"]["routeKey"] == "$connect"
    assert connect["queryStringParameters"] == {"t": "1"}
    assert TRACE.match(connect["headers"]["X-Amzn-Trace-Id"])
    assert connect["headers"]["X-Forwarded-For"] == "1.2.3.4"
    message = websocket_event(event_type="MESSAGE", body="hi", **COMMON)
    assert message["requestContext"]["routeKey"] == "$default" and message["body"] == "hi"
    assert message["isBase64Encoded"] is False and message["requestContext"]["messageId"]


def test_a_binary_frame_arrives_base64_encoded() -> None:
    message = websocket_event(event_type="MESSAGE", body=b"\x00\xff", **COMMON)
    assert message["isBase64Encoded"] is True and base64.b64decode(message["body"]) == b"\x00\xff"


def test_disconnect_carries_api_gateways_headers_and_close_status() -> None:
    gone = websocket_event(event_type="DISCONNECT", close_code=1001, close_reason="going away", **COMMON)
    assert gone["headers"] == {"Host": "h", "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
    assert gone["multiValueHeaders"]["Host"] == ["h"]
    assert gone["requestContext"]["disconnectStatusCode"] == 1001
    assert gone["requestContext"]["disconnectReason"] == "going away"
    silent = websocket_event(event_type="DISCONNECT", **COMMON)
    assert silent["requestContext"]["disconnectStatusCode"] == 1005
    assert silent["requestContext"]["disconnectReason"] == "Client-side close frame status not set"


def test_sqs_message_attributes_take_lambdas_shape() -> None:
    # Given a message as ReceiveMessage returns it, with a string and a binary attribute
    message = {"MessageId": "m1", "ReceiptHandle": "rh", "Body": "{}", "MD5OfBody": "99914b932bd37a50b983c5e7c90ae93b",
               "MD5OfMessageAttributes": "abc", "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1"},
               "MessageAttributes": {"kind": {"StringValue": "job", "DataType": "String"},
                                     "blob": {"BinaryValue": b"\x01\x02", "DataType": "Binary"}}}
    # When the poller shapes it
    record = sqs_record(message, "arn:aws:sqs:us-east-1:123456789012:q")
    # Then attributes are camelCase, lists always present, binaries base64, as Lambda sends them
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "job", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
        "blob": {"binaryValue": "AQI=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"}}
    assert record["attributes"]["SenderId"] and record["md5OfMessageAttributes"] == "abc"
    assert (record["eventSource"], record["awsRegion"]) == ("aws:sqs", "us-east-1")


def test_stream_record_times_are_epoch_seconds() -> None:
    raw = {"eventID": "e", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
           "awsRegion": "us-east-1",
           "dynamodb": {"ApproximateCreationDateTime": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                        "Keys": {"pk": {"S": "a"}}, "SequenceNumber": "1", "SizeBytes": 3,
                        "StreamViewType": "NEW_AND_OLD_IMAGES"}}
    record = stream_record(raw, "arn:stream")
    assert record["dynamodb"]["ApproximateCreationDateTime"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    assert record["eventSourceARN"] == "arn:stream"


def test_lambda_context_counts_down() -> None:
    ctx = LambdaContext(function_name="f", timeout_s=3)
    assert 0 < ctx.get_remaining_time_in_millis() <= 3000
    assert ctx.invoked_function_arn.endswith(":function:f")
