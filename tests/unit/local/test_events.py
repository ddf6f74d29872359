"""The local gateway builds HTTP API v2 and WebSocket events of API Gateway's shape."""

import base64

from local.events import LambdaContext, http_event, websocket_event


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
    assert base64.b64decode(event["body"]) == b'{"k":1}'
    assert event["isBase64Encoded"] is True


def test_http_event_without_body_or_query() -> None:
    event = http_event(method="GET", path="/", raw_query="", headers=[], body=b"", route_key="$default",
                       path_params={}, source_ip="127.0.0.1", host="h")
    assert "body" not in event and "queryStringParameters" not in event
    assert event["isBase64Encoded"] is False


def test_websocket_events() -> None:
    common = {"connection_id": "c1", "host": "h", "stage": "ws", "source_ip": "1.2.3.4"}
    connect = websocket_event(event_type="CONNECT", headers={"user-agent": "ua"}, query={"t": "1"}, **common)
    assert connect["requestContext"]["routeKey"] == "$connect"
    assert connect["queryStringParameters"] == {"t": "1"}
    message = websocket_event(event_type="MESSAGE", body="hi", **common)
    assert message["requestContext"]["routeKey"] == "$default" and message["body"] == "hi"
    gone = websocket_event(event_type="DISCONNECT", close_code=1001, **common)
    assert gone["requestContext"]["disconnectStatusCode"] == 1001


def test_lambda_context_counts_down() -> None:
    ctx = LambdaContext(function_name="f", timeout_s=3)
    assert 0 < ctx.get_remaining_time_in_millis() <= 3000
    assert ctx.invoked_function_arn.endswith(":function:f")


def test_the_event_carries_api_gateways_forwarding_headers() -> None:
    # Given a client that sends its own X-Forwarded-For, When the gateway builds the event
    event = http_event(method="GET", path="/api/health", raw_query="", headers=[("x-forwarded-for", "10.0.0.1")],
                       body=b"", route_key="GET /api/health", path_params={}, source_ip="203.0.113.9",
                       host="127.0.0.1", scheme="http", port=8090)

    # Then, as API Gateway does, the client's real address is appended and the way in is named
    assert event["headers"]["x-forwarded-for"] == "10.0.0.1, 203.0.113.9"
    assert event["headers"]["x-forwarded-proto"] == "http"
    assert event["headers"]["x-forwarded-port"] == "8090"
