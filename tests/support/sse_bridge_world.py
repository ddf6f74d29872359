"""The SSE bridge against a stand-in WebSocket API: a websockets server speaking our protocol's `auth` ack and
pushing `event` frames, an in-memory store, and the bridge served by uvicorn, all on loopback threads."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from websockets.asyncio.server import ServerConnection, serve

from functions.realtime_sse.app import create_bridge
from functions.realtime_sse.control import Identity, StoreControl
from functions.realtime_sse.settings import BridgeSettings
from shared.app_settings import provider
from shared.app_settings.model import AppSettings
from shared.app_settings.provider import MemorySettingsSource
from shared.realtime.subscriptions import Connection, InMemorySubscriptionStore, RealtimeAuth, Target
from shared.realtime.topics import parse_topic

BRIDGE_IP = "10.0.0.9"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class FakeWebSocketApi:
    """Our WebSocket API as the bridge sees it: $connect opens a store connection, `auth` is acknowledged with
    the connection id, a closed socket is $disconnect. `push` sends an `event` frame to one connection."""

    store: InMemorySubscriptionStore
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    stopped: asyncio.Event | None = None
    sockets: dict[str, ServerConnection] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    _ids: Iterator[int] = field(default_factory=itertools.count)

    async def _serve(self, ws: ServerConnection) -> None:
        conn_id = f"conn{next(self._ids)}="
        self.store.open(Connection(connection_id=conn_id, connected_at=int(time.time()), source_ip=BRIDGE_IP))
        self.sockets[conn_id] = ws
        try:
            async for raw in ws:
                message = json.loads(raw)
                self.received.append(message)
                if message.get("type") == "auth":
                    await ws.send(json.dumps({"type": "ack", "id": message.get("id"), "connectionId": conn_id,
                                              "auth": None}))
        finally:
            self.sockets.pop(conn_id, None)
            self.store.close(conn_id)
            self.closed.append(conn_id)

    def push(self, conn_id: str, frame: dict[str, Any]) -> None:
        asyncio.run_coroutine_threadsafe(self.sockets[conn_id].send(json.dumps(frame)), self.loop).result(5)

    def run(self, ready: threading.Event) -> None:
        async def main() -> None:
            self.stopped = asyncio.Event()
            async with serve(self._serve, "127.0.0.1", self.port):
                ready.set()
                await self.stopped.wait()

        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(main())
        self.loop.close()

    def stop(self) -> None:
        if self.stopped is not None:
            self.loop.call_soon_threadsafe(self.stopped.set)


@dataclass
class FakeProtocol:
    """apply_auth / apply_set as the protocol does them, over the in-memory store; tokens are `token-<record>`."""

    store: InMemorySubscriptionStore
    auth_calls: list[tuple[str, str, str]] = field(default_factory=list)

    def authenticate(self, authorization: str | None, _ip: str) -> Identity | None:
        token = (authorization or "").removeprefix("Bearer ").strip()
        return ("_pb_users_auth_", token.removeprefix("token-")) if token.startswith("token-") else None

    def apply_auth(self, client_id: str, authorization: str, source_ip: str) -> None:
        self.auth_calls.append((client_id, authorization, source_ip))
        who = self.authenticate(authorization, source_ip)
        self.store.set_auth(client_id, RealtimeAuth(collection_id=who[0], record_id=who[1], expires_at=2**31,
                                                    key_hash="k") if who else None)

    def apply_set(self, client_id: str, subscriptions: list[str]) -> None:
        self.store.unsubscribe(client_id)
        targets = []
        for raw in subscriptions:
            topic = parse_topic(raw)
            targets.append((raw, Target(collection_id=topic.collection, record_id=topic.record_id,
                                        channel=topic.channel)))
        self.store.subscribe(client_id, targets)


@dataclass
class BridgeWorld:
    base_url: str
    ws_api: FakeWebSocketApi
    store: InMemorySubscriptionStore
    protocol: FakeProtocol


@contextmanager
def bridge_world(**limits: float) -> Iterator[BridgeWorld]:
    """A running bridge on loopback; `limits` override BridgeSettings' sse_* timeouts (in seconds)."""
    # The client address depends on the trusted-proxy settings; PocketBase's defaults, in memory.
    provider.use_source(MemorySettingsSource(AppSettings()))
    store = InMemorySubscriptionStore()
    ws_api = FakeWebSocketApi(store, port=free_port())
    ready = threading.Event()
    ws_thread = threading.Thread(target=ws_api.run, args=(ready,), daemon=True)
    ws_thread.start()
    ready.wait(5)
    fake = FakeProtocol(store)
    control = StoreControl(store, fake.authenticate, fake.apply_auth, fake.apply_set)
    config = BridgeSettings(**limits).model_copy(  # type: ignore[arg-type]
        update={"realtime_ws_url": f"ws://127.0.0.1:{ws_api.port}"})
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_bridge(config, lambda: control), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield BridgeWorld(f"http://127.0.0.1:{port}", ws_api, store, fake)
    finally:
        server.should_exit = True
        thread.join(10)
        ws_api.stop()
        ws_thread.join(5)
        provider.use_source(None)
