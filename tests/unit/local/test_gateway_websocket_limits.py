"""The local gateway's WebSocket side holds API Gateway's quotas: message size, idle timeout and connection life.

Each quota closes the socket with API Gateway's code and then invokes $disconnect, as on AWS. The limits are
lowered through GatewaySettings, so no test waits ten minutes or sends 128 KB.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from local.gateway import GatewaySettings, create_gateway
from shared import resources


class Recorder:
    """A stand-in for the realtime function: the events it was invoked with."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, name: str, event: dict[str, Any], **_: Any) -> Any:
        with self.lock:
            self.events.append(event)
        return {"statusCode": 200}

    def types(self) -> list[str]:
        return [e["requestContext"]["eventType"] for e in self.events]

    def wait_for_disconnect(self, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [e for e in self.events if e["requestContext"]["eventType"] == "DISCONNECT"]
            if found:
                return found[0]
            time.sleep(0.02)
        raise AssertionError(f"no $disconnect; got {self.types()}")


def gateway(**limits: Any) -> tuple[TestClient, Recorder]:
    recorder = Recorder()
    app = create_gateway(invoker=recorder, settings=GatewaySettings(**limits))
    return TestClient(app, base_url="http://127.0.0.1:8090"), recorder


WS = f"/{resources.WEBSOCKET_STAGE}"


def test_defaults_are_api_gateways() -> None:
    config = GatewaySettings()
    assert (config.ws_max_message_bytes, config.ws_idle_timeout_s, config.ws_max_lifetime_s) == (
        128 * 1024, 600.0, 7200.0)


def test_a_message_within_the_limit_reaches_the_function() -> None:
    client, recorder = gateway(ws_max_message_bytes=1000)
    with client.websocket_connect(WS) as ws:
        ws.send_text("x" * 1000)
        ws.close()
        # waited for inside the block: leaving it ends the app's task, its $disconnect call with it
        recorder.wait_for_disconnect()
    assert recorder.types() == ["CONNECT", "MESSAGE", "DISCONNECT"]


def test_a_message_over_the_limit_closes_with_1009() -> None:
    # Given a gateway whose message quota is 1,000 bytes
    client, recorder = gateway(ws_max_message_bytes=1000)
    with client.websocket_connect(WS) as ws:
        # When a client sends more (counted in bytes: é is two)
        ws.send_text("é" * 501)
        # Then the gateway closes the connection with 1009, the message never reaches the function
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        disconnect = recorder.wait_for_disconnect()
    assert closed.value.code == 1009
    assert "MESSAGE" not in recorder.types()
    assert disconnect["requestContext"]["disconnectStatusCode"] == 1009


def test_an_idle_connection_is_closed_and_a_heartbeat_keeps_it() -> None:
    client, recorder = gateway(ws_idle_timeout_s=0.6)
    with client.websocket_connect(WS) as ws:
        # a message every 0.3 s keeps it open past the idle timeout
        for _ in range(4):
            time.sleep(0.3)
            ws.send_text('{"type": "ping"}')
        assert "DISCONNECT" not in recorder.types()
        # silence past it closes it with 1001
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        recorder.wait_for_disconnect()
    assert closed.value.code == 1001


def test_a_connection_ends_at_its_maximum_lifetime_even_when_busy() -> None:
    # Given a gateway whose connections live 0.8 s, and a client that keeps sending
    client, recorder = gateway(ws_max_lifetime_s=0.8)
    started = time.monotonic()
    with client.websocket_connect(WS) as ws:
        for _ in range(5):
            ws.send_text('{"type": "ping"}')
            time.sleep(0.1)
        # Then the gateway still closes it at its end of life, with 1001
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        recorder.wait_for_disconnect()
    assert closed.value.code == 1001
    assert time.monotonic() - started < 5
