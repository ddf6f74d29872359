"""One WebSocket of the realtime protocol: JSON frames, each request matched to its answer by `id`."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from lambdabase.realtime.errors import RealtimeError

_ANSWERS = frozenset({"ack", "pong", "error"})
# The server's answer to a message on a connection it no longer knows (its state expired or was dropped): the
# socket is useless then, so it is treated as a lost connection, which the client replaces.
UNKNOWN_CONNECTION = "Missing or invalid client id."


class Connection:
    """An open socket; `on_message` gets what no request waits for, `on_close` runs once when it ends."""

    def __init__(self, socket: ClientConnection, on_message: Callable[[dict[str, Any]], None],
                 on_close: Callable[[Connection], None], request_timeout: float) -> None:
        self._socket = socket
        self._on_message = on_message
        self._on_close = on_close
        self._request_timeout = request_timeout
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._closed = False
        self._closing: asyncio.Task[None] | None = None
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, url: str, on_message: Callable[[dict[str, Any]], None],
                   on_close: Callable[[Connection], None], request_timeout: float) -> Connection:
        try:
            socket = await connect(url, open_timeout=request_timeout, ping_interval=None, max_size=2**22)
        except (OSError, WebSocketException, TimeoutError) as exc:
            raise RealtimeError(0, f"Failed to establish realtime connection: {exc}") from exc
        return cls(socket, on_message, on_close, request_timeout)

    @property
    def is_open(self) -> bool:
        return not self._closed

    async def request(self, message: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Sends `message` with a fresh id; the answer, or RealtimeError with the server's `error`."""
        if self._closed:
            raise RealtimeError(0, "The realtime connection is not open.")
        request_id = next(self._ids)
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = answer
        try:
            await self._socket.send(json.dumps({**message, "id": request_id}))
            return await asyncio.wait_for(answer, timeout or self._request_timeout)
        except ConnectionClosed as exc:
            raise RealtimeError(0, "The realtime connection closed.") from exc
        except TimeoutError as exc:
            # An unanswered request means a dead socket: closing it lets the client reconnect.
            await self.close()
            raise RealtimeError(0, f"No answer to {message.get('type')} in time.") from exc
        finally:
            self._waiting.pop(request_id, None)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._socket.close()
        self._end()

    async def _read(self) -> None:
        try:
            async for raw in self._socket:
                self._receive(raw)
        except (ConnectionClosed, OSError):
            pass
        finally:
            self._end()

    def _receive(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        waiting = self._waiting.get(message["id"]) if isinstance(message.get("id"), int) else None
        if waiting is not None and message.get("type") in _ANSWERS:
            if waiting.done():
                return
            if message["type"] == "error" and message.get("status") == 404 and \
                    message.get("message") == UNKNOWN_CONNECTION:
                waiting.set_exception(RealtimeError(0, UNKNOWN_CONNECTION))
                self._closing = asyncio.get_running_loop().create_task(self.close())
            elif message["type"] == "error":
                waiting.set_exception(RealtimeError.from_message(message))
            else:
                waiting.set_result(message)
            return
        self._on_message(message)

    def _end(self) -> None:
        if self._closed:
            return
        self._closed = True
        for waiting in self._waiting.values():
            if not waiting.done():
                waiting.set_exception(RealtimeError(0, "The realtime connection closed."))
        self._on_close(self)
