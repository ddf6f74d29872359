"""A fake Lambdabase for the Python realtime client's tests: discovery and the WebSocket protocol, on a thread."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response


@dataclass
class FakeConnection:
    id: str
    socket: ServerConnection
    received: list[dict[str, Any]] = field(default_factory=list)
    topics: set[str] = field(default_factory=set)
    token: str | None = None
    open: bool = True
    forgotten: bool = False  # the store lost it: every message but ping answers 404
    joined: dict[str, dict[str, Any]] = field(default_factory=dict)  # channel -> member

    def types(self) -> list[str]:
        return [m["type"] for m in self.received]


class FakeRealtimeServer:
    """Answers auth (token "bad" is refused), subscribe (topics starting "forbidden" get 403), set,
    unsubscribe, join and ping; `emit` sends an event to the connections subscribed to that exact string."""

    def __init__(self) -> None:
        self.connections: list[FakeConnection] = []
        self.discoveries: list[str] = []  # the Authorization header of each discovery
        self.silent = False  # when set, subscribes get no answer
        self._ids = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._server: Server | None = None
        self._sends: set[asyncio.Future[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeRealtimeServer:
        ready = threading.Event()

        async def run() -> None:
            self._server = await serve(self._accept, "127.0.0.1", 0, process_request=self._http)
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            await self._server.wait_closed()

        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(run(),), daemon=True)
        self._thread.start()
        ready.wait(5)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._thread.join(5)

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path.startswith("/api/realtime/websocket"):
            self.discoveries.append(request.headers.get("Authorization", ""))
            body = json.dumps({"url": f"ws://127.0.0.1:{self.port}/ws"}).encode()
            return Response(200, "OK", Headers({"Content-Type": "application/json",
                                                 "Content-Length": str(len(body))}), body)
        if request.path != "/ws":
            return connection.respond(HTTPStatus.NOT_FOUND, "not found")
        return None

    async def _accept(self, socket: ServerConnection) -> None:
        conn = FakeConnection(f"conn{next(self._ids)}", socket)
        self.connections.append(conn)
        try:
            async for raw in socket:
                message = json.loads(raw)
                conn.received.append(message)
                reply = self._answer(conn, message)
                if reply is not None:
                    await socket.send(json.dumps({"id": message.get("id"), **reply}))
        except Exception:
            pass
        finally:
            conn.open = False

    def _answer(self, conn: FakeConnection, message: dict[str, Any]) -> dict[str, Any] | None:
        kind = message.get("type")
        if conn.forgotten and kind != "ping":
            return {"type": "error", "status": 404, "message": "Missing or invalid client id.", "data": {}}
        if kind == "auth":
            if message.get("token") == "bad":
                return {"type": "error", "status": 401, "message": "Invalid token.", "data": {}}
            conn.token = message.get("token")
            return {"type": "ack", "connectionId": conn.id, "auth": None}
        if kind == "subscribe":
            if self.silent:
                return None
            if any(t.startswith("forbidden") for t in message["topics"]):
                return {"type": "error", "status": 403, "message": "Not allowed.", "data": {}}
            conn.topics.update(message["topics"])
            return {"type": "ack"}
        if kind == "set":
            conn.topics = set(message["topics"])
            return {"type": "ack"}
        if kind == "unsubscribe":
            if message.get("topics") is None:
                conn.topics.clear()
            else:
                conn.topics.difference_update(message["topics"])
            return {"type": "ack"}
        if kind == "ping":
            return {"type": "pong"}
        if kind == "join":
            member = {"connectionId": conn.id, "auth": None, "meta": message.get("meta")}
            frame = json.dumps({"type": "presence", "channel": message["channel"], "event": "join", "member": member})
            for other in self.open:
                if other is not conn and message["channel"] in other.joined:
                    self._sends.add(task := asyncio.ensure_future(other.socket.send(frame)))
                    task.add_done_callback(self._sends.discard)
            conn.joined[message["channel"]] = member
            return {"type": "ack", "members": [c.joined[message["channel"]] for c in self.open
                                               if message["channel"] in c.joined]}
        return {"type": "error", "status": 400, "message": f"Unknown message type {kind!r}.", "data": {}}

    @property
    def open(self) -> list[FakeConnection]:
        return [c for c in self.connections if c.open]

    def emit(self, topic: str, data: dict[str, Any]) -> None:
        frame = json.dumps({"type": "event", "topic": topic, "data": data})
        for conn in self.open:
            if topic in conn.topics:
                asyncio.run_coroutine_threadsafe(conn.socket.send(frame), self._loop).result(5)

    def drop_all(self) -> None:
        """Drops every socket without a close handshake, as a vanished network does."""
        for conn in self.open:
            self.drop(conn.id)

    def drop(self, connection_id: str) -> None:
        for conn in self.open:
            if conn.id == connection_id:
                self._loop.call_soon_threadsafe(conn.socket.transport.abort)


def until(check: Callable[[], Any], timeout: float = 3.0, what: str = "condition", interval: float = 0.01) -> Any:
    """Polls `check` every `interval` seconds until it is truthy; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


async def until_async(check: Callable[[], Any], timeout: float = 3.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
