"""Every event the local stack builds parses with Powertools' model of the AWS event, and carries no field AWS
does not send: HTTP API v2 through the gateway, WebSocket connect/message/disconnect, SQS and stream batches
through the pollers, and the stream mapping's on-failure message."""

from __future__ import annotations

import json
import threading
import types
import typing
from typing import Any

import msgspec
import pytest
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayProxyEventV2Model,
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
    DynamoDBStreamLambdaOnFailureDestinationModel,
    DynamoDBStreamModel,
    SqsModel,
)
from pydantic import BaseModel
from starlette.testclient import TestClient

from local import cloud
from local.gateway import create_gateway
from local.invoke import invoke
from local.pollers import QueuePoller, StreamPoller
from shared import resources
from shared.aws import client


class Recorder:
    """Lambda's Invoke, recording every event: the real function runs unless `answer` is given."""

    def __init__(self, answer: Any = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.answer = answer
        self._lock = threading.Lock()

    def __call__(self, name: str, event: dict[str, Any], **limits: Any) -> Any:
        with self._lock:
            self.events.append(event)
        return invoke(name, event, **limits) if self.answer is None else self.answer


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds (through Optional, unions, lists and dict values)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        # BaseModel itself is a slot for the user's own model (a body, an image), not a shape AWS sends
        return [] if annotation is BaseModel else [annotation]
    origin = typing.get_origin(annotation)
    if origin is type:  # `type[BaseModel]`: a slot for the user's own model, not a shape AWS sends
        return []
    args = typing.get_args(annotation)
    if origin is dict:
        args = args[1:]
    if origin in (typing.Union, types.UnionType, list, dict) or args:
        return [m for arg in args for m in _models_in(arg)]
    return []


def unknown_fields(model: type[BaseModel], data: Any, path: str = "") -> list[str]:
    """Keys of `data` that `model` does not declare, at any depth: strictness that extra='ignore' skips."""
    if not isinstance(data, dict):
        return []
    declared = {(f.alias or name): f for name, f in model.model_fields.items()}
    found: list[str] = []
    for key, value in data.items():
        if key not in declared:
            found.append(path + key)
            continue
        annotation = declared[key].annotation
        for sub in _models_in(annotation):
            is_mapping = typing.get_origin(annotation) is dict
            values = (value.values() if is_mapping and isinstance(value, dict)
                      else value if isinstance(value, list) else [value])
            for item in values:
                found += unknown_fields(sub, item, f"{path}{key}.")
    return found


def parse_strictly(model: type[BaseModel], event: dict[str, Any], aws_extras: frozenset[str] = frozenset()) -> Any:
    """Parse with the model, and fail on any field neither the model nor AWS's own events (`aws_extras`) have."""
    parsed = model.model_validate(event)
    assert set(unknown_fields(model, event)) <= aws_extras
    return parsed


@pytest.fixture
def gateway(moto: cloud.MotoCloud) -> tuple[TestClient, Recorder]:
    recorder = Recorder()
    return TestClient(create_gateway(invoker=recorder), base_url="http://127.0.0.1:8090",
                      client=("203.0.113.7", 50000)), recorder


def test_an_http_request_becomes_api_gateways_v2_event(gateway: tuple[TestClient, Recorder]) -> None:
    http, recorder = gateway
    # Given a JSON body on a path with an encoded space, and a query with a repeated key
    http.post("/api/collections/my%20posts/records?a=1&a=2", json={"title": "é"},
              headers={"Cookie": "a=1; b=2", "User-Agent": "sdk/1"})
    # When the records function receives it
    [event] = recorder.events
    parsed = parse_strictly(APIGatewayProxyEventV2Model, event)
    # Then it is API Gateway's event: JSON as plain text, rawPath as sent, a trace header, cookies apart
    assert json.loads(parsed.body) == {"title": "é"} and parsed.isBase64Encoded is False
    assert parsed.rawPath == "/api/collections/my%20posts/records"
    assert parsed.requestContext.http.path == "/api/collections/my posts/records"
    assert parsed.rawQueryString == "a=1&a=2" and parsed.queryStringParameters == {"a": "1,2"}
    assert parsed.cookies == ["a=1", "b=2"] and "cookie" not in parsed.headers
    assert parsed.headers["x-amzn-trace-id"].startswith("Root=1-")
    assert parsed.routeKey == parsed.requestContext.routeKey == "ANY /api/collections/{collection}/records"
    assert parsed.pathParameters == {"collection": "my posts"}
    assert (parsed.requestContext.stage, parsed.requestContext.http.userAgent) == ("$default", "sdk/1")


def test_a_binary_upload_arrives_base64_encoded(gateway: tuple[TestClient, Recorder]) -> None:
    http, recorder = gateway
    http.post("/api/collections/posts/records", files={"f": ("a.bin", b"\x00\xff", "application/octet-stream")})
    [event] = recorder.events
    parsed = parse_strictly(APIGatewayProxyEventV2Model, event)
    assert parsed.isBase64Encoded is True and parsed.headers["content-type"].startswith("multipart/form-data")


# AWS sends the query of a $connect in both forms; Powertools' model declares neither.
CONNECT_EXTRAS = frozenset({"queryStringParameters", "multiValueQueryStringParameters"})


def test_a_websocket_session_becomes_api_gateways_events() -> None:
    # Given a client that connects, sends a text and a binary frame, then closes with a status (the function
    # answers without replying: its replies would go to an @connections endpoint no server listens on here)
    recorder = Recorder(answer={"statusCode": 200})
    http = TestClient(create_gateway(invoker=recorder), client=("203.0.113.7", 50000))
    with http.websocket_connect("/ws?token=t", headers={"User-Agent": "ws/1"}) as ws:
        ws.send_text('{"type":"ping"}')
        ws.send_bytes(b"\x00\xff")
        ws.close(code=1001, reason="bye")
        # (inside the session: leaving it stops the server task, maybe before its last invocations)
        for _ in range(200):
            if len(recorder.events) == 4:
                break
            threading.Event().wait(0.05)
    connect, text, binary, disconnect = recorder.events
    # Then each is the WebSocket API's event of its kind
    c = parse_strictly(APIGatewayWebSocketConnectEventModel, connect, CONNECT_EXTRAS)
    assert c.headers["X-Amzn-Trace-Id"].startswith("Root=1-") and connect["queryStringParameters"] == {"token": "t"}
    t = parse_strictly(APIGatewayWebSocketMessageEventModel, text)
    assert (t.body, t.is_base64_encoded) == ('{"type":"ping"}', False)
    b = parse_strictly(APIGatewayWebSocketMessageEventModel, binary)
    assert (b.body, b.is_base64_encoded) == ("AP8=", True)
    assert t.request_context.message_id != b.request_context.message_id
    d = parse_strictly(APIGatewayWebSocketDisconnectEventModel, disconnect)
    assert d.headers["Host"] == d.request_context.domain_name and "X-Forwarded-For" in d.headers
    assert d.request_context.disconnect_status_code == 1001
    assert {e["requestContext"]["connectionId"] for e in recorder.events} == {c.request_context.connection_id}


def _source(kind: str) -> resources.EventSourceDef:
    return next(s for s in resources.EVENT_SOURCES if s.kind == kind)


def test_a_queue_batch_is_lambdas_sqs_event(moto: cloud.MotoCloud) -> None:
    # Given a message with a string, a number and a binary attribute on a queue a mapping reads
    source = msgspec.structs.replace(_source("queue"), max_batching_window_s=0)
    client("sqs").send_message(
        QueueUrl=cloud.queue_url(resources.queue(source.source).physical_name), MessageBody='{"k":1}',
        MessageAttributes={"kind": {"StringValue": "job", "DataType": "String"},
                           "n": {"StringValue": "3", "DataType": "Number"},
                           "blob": {"BinaryValue": b"\x01", "DataType": "Binary"}})
    recorder = Recorder(answer={"batchItemFailures": []})
    # When the poller hands it over
    assert QueuePoller(source, recorder).poll_once() is True
    [event] = recorder.events
    [record] = parse_strictly(SqsModel, event).Records
    # Then attributes are Lambda's (camelCase), and the system attributes Lambda always sends are there
    assert record.messageAttributes["kind"].stringValue == "job"
    assert record.messageAttributes["blob"].binaryValue == "AQ=="
    assert event["Records"][0]["messageAttributes"]["n"] == {
        "stringValue": "3", "stringListValues": [], "binaryListValues": [], "dataType": "Number"}
    assert record.attributes.ApproximateReceiveCount == "1" and record.attributes.SenderId
    assert record.eventSourceARN.endswith(":" + resources.queue(source.source).physical_name)
    assert record.md5OfBody and record.md5OfMessageAttributes and record.awsRegion == cloud.REGION


def test_a_stream_batch_is_lambdas_dynamodb_event(moto: cloud.MotoCloud) -> None:
    source = msgspec.structs.replace(_source("table_stream"), max_batching_window_s=0)
    recorder = Recorder(answer={"batchItemFailures": []})
    poller = StreamPoller(source, recorder)
    table = resources.RECORDS_TABLE.physical_name
    client("dynamodb").put_item(TableName=table, Item={"pk": {"S": "r#pbc_1#0"}, "sk": {"S": "a"}, "v": {"N": "1"}})
    client("dynamodb").update_item(TableName=table, Key={"pk": {"S": "r#pbc_1#0"}, "sk": {"S": "a"}},
                                   UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "2"}})
    assert poller.poll_once() is True
    [event] = recorder.events
    insert, modify = parse_strictly(DynamoDBStreamModel, event).Records
    assert (insert.eventName, modify.eventName) == ("INSERT", "MODIFY")
    assert modify.dynamodb.OldImage == {"pk": "r#pbc_1#0", "sk": "a", "v": 1}
    assert modify.dynamodb.StreamViewType == "NEW_AND_OLD_IMAGES" and modify.dynamodb.SizeBytes > 0
    assert isinstance(event["Records"][0]["dynamodb"]["ApproximateCreationDateTime"], float)
    assert insert.eventSourceARN == poller.stream_arn and insert.eventSource == "aws:dynamodb"


def test_a_stream_batch_that_keeps_failing_leaves_lambdas_on_failure_message(moto: cloud.MotoCloud) -> None:
    # Given a consumer that always fails, and a mapping without retries
    source = msgspec.structs.replace(_source("table_stream"), max_batching_window_s=0, retry_attempts=0,
                                 bisect_batch_on_function_error=False)
    poller = StreamPoller(source, Recorder(answer={"batchItemFailures": [{"itemIdentifier": ""}]}))
    client("dynamodb").put_item(TableName=resources.RECORDS_TABLE.physical_name,
                                Item={"pk": {"S": "r#pbc_1#0"}, "sk": {"S": "b"}})
    # When the poller hands the record over
    poller.poll_once()
    # Then the failure queue holds the shape Lambda's on-failure destination sends
    out = client("sqs").receive_message(QueueUrl=cloud.queue_url(source.failure_queue_physical_name))
    body = json.loads(out["Messages"][0]["Body"])
    parsed = parse_strictly(DynamoDBStreamLambdaOnFailureDestinationModel, body)
    assert parsed.request_context.condition == "RetryAttemptsExhausted"
    assert parsed.ddb_stream_batch_info.batch_size == 1
