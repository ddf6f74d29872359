"""The local @connections API in-process: the same answers as API Gateway's over HTTP (200, 410, 413), no HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from starlette.testclient import TestClient

from local.gateway import MANAGEMENT_PREFIX, MAX_POST_BYTES, create_gateway

ENDPOINT = "http://127.0.0.1:1" + MANAGEMENT_PREFIX  # nothing listens there: only the in-process path answers


def _accept_all(_name: str, _event: dict[str, Any], **_kwargs: Any) -> dict[str, int]:
    return {"statusCode": 200}


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("LB_WS_MANAGEMENT_ENDPOINT", ENDPOINT)
    with TestClient(create_gateway(invoker=_accept_all)) as client:
        yield client


def _api() -> Any:
    # A session of its own, made after the in-process path is installed, as every function's is on the local
    # stack: botocore copies its handlers into a session when the session is made (boto3's default session may
    # predate the install, made by an earlier test of this process).
    return boto3.session.Session().client("apigatewaymanagementapi", endpoint_url=ENDPOINT, region_name="us-east-1",
                                          aws_access_key_id="x", aws_secret_access_key="x")


def _error(call: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return str(raised.value.response["Error"]["Code"])


def test_posts_reach_the_socket_and_closed_connections_answer_gone(gateway: TestClient) -> None:
    # Given one open WebSocket connection
    with gateway.websocket_connect("/ws") as ws:
        (connection_id,) = gateway.app.state.connections.open  # type: ignore[attr-defined]
        api = _api()
        # When a function posts to it through boto3
        api.post_to_connection(ConnectionId=connection_id, Data=b'{"type":"event"}')
        # Then the socket receives the bytes, and GetConnection describes it
        assert ws.receive_text() == '{"type":"event"}'
        assert api.get_connection(ConnectionId=connection_id)["Identity"]["SourceIp"]
        # And a message over 128 KB is refused as API Gateway refuses it, without closing the connection
        assert _error(lambda: api.post_to_connection(ConnectionId=connection_id,
                                                     Data=b"x" * (MAX_POST_BYTES + 1))) == "PayloadTooLargeException"
        api.post_to_connection(ConnectionId=connection_id, Data=b"still open")
        assert ws.receive_text() == "still open"
        # When the server side deletes the connection, Then later posts are gone (410)
        api.delete_connection(ConnectionId=connection_id)
        assert _error(lambda: api.post_to_connection(ConnectionId=connection_id, Data=b"{}")) == "GoneException"
    assert _error(lambda: _api().post_to_connection(ConnectionId="bm90LW9wZW4=", Data=b"{}")) == "GoneException"


def test_the_http_route_answers_the_same(gateway: TestClient) -> None:
    # Given the management API over HTTP (a client in another process takes this path)
    answer = gateway.post(MANAGEMENT_PREFIX + "/@connections/bm90LW9wZW4=", content=b"{}")
    # Then a closed connection is API Gateway's 410 GoneException there too
    assert answer.status_code == 410 and answer.headers["x-amzn-ErrorType"] == "GoneException"


def test_each_connection_is_served_by_the_gateway_holding_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given two gateways in one process (test suites run one per client address), each with a connection
    monkeypatch.setenv("LB_WS_MANAGEMENT_ENDPOINT", ENDPOINT)
    with TestClient(create_gateway(invoker=_accept_all)) as first, \
            TestClient(create_gateway(invoker=_accept_all)) as second, \
            first.websocket_connect("/ws") as ws1, second.websocket_connect("/ws") as ws2:
        (id1,) = first.app.state.connections.open  # type: ignore[attr-defined]
        (id2,) = second.app.state.connections.open  # type: ignore[attr-defined]
        # When a function posts to both
        _api().post_to_connection(ConnectionId=id1, Data=b"one")
        _api().post_to_connection(ConnectionId=id2, Data=b"two")
        # Then each socket got its own message
        assert (ws1.receive_text(), ws2.receive_text()) == ("one", "two")
