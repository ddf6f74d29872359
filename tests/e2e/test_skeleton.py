"""The walking skeleton over loopback: health, error shapes, WebSockets, persistence, clean shutdown."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import boto3
import httpx
import pytest
import websockets

from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("method", "path", "status", "body"), [
    ("GET", "/api/health", 200, {"message": "API is healthy.", "code": 200, "data": {}}),
    # an unmatched GET is "File not found." in PocketBase (its public folder serves every GET no route takes)
    ("GET", "/api/nope", 404, {"status": 404, "message": "File not found.", "data": {}}),
    ("GET", "/", 404, {"status": 404, "message": "File not found.", "data": {}}),
    ("DELETE", "/api/health", 404, {"status": 404, "message": "The requested resource wasn't found.", "data": {}}),
])
def test_http_scenarios(stack: StackProcess, method: str, path: str, status: int, body: dict[str, object]) -> None:
    response = httpx.request(method, stack.url + path)
    assert response.status_code == status
    assert response.json() == body


def test_head_health(stack: StackProcess) -> None:
    assert httpx.head(stack.url + "/api/health").status_code == 200


def test_websocket_ping_pong_and_gone_connection(stack: StackProcess) -> None:
    async def scenario() -> str:
        async with websockets.connect(stack.ws_url) as ws:
            await ws.send(json.dumps({"type": "ping", "id": 1}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "pong", "id": 1}
            await ws.send("garbage")
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["status"] == 400
        return "closed"

    assert asyncio.run(scenario()) == "closed"
    # A post to a closed connection gets 410 GoneException, as from API Gateway
    api = boto3.client("apigatewaymanagementapi", endpoint_url=stack.url + "/_aws/ws", region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    with pytest.raises(api.exceptions.GoneException):
        api.post_to_connection(ConnectionId="bm90LW9wZW4=", Data=b"{}")


def test_data_survives_restart(tmp_path: Path) -> None:
    # Given a stack with an item written to its tables
    first = StackProcess(tmp_path / "data").start()
    ddb = boto3.client("dynamodb", endpoint_url=first.moto_endpoint(), region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    ddb.put_item(TableName="lambdabase-system", Item={"pk": {"S": "persist"}, "sk": {"S": "me"}})
    # When it is stopped with SIGINT and started again on the same data folder
    assert first.stop(signal.SIGINT) == 0
    second = StackProcess(tmp_path / "data").start()
    try:
        ddb = boto3.client("dynamodb", endpoint_url=second.moto_endpoint(), region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")
        # Then the item is there
        item = ddb.get_item(TableName="lambdabase-system", Key={"pk": {"S": "persist"}, "sk": {"S": "me"}})
        assert "Item" in item
    finally:
        assert second.stop() == 0
    assert "data saved" in second.logs()
