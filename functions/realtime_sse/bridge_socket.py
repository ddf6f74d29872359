"""The bridge's own WebSocket connection to our realtime API: one per SSE client, a guest until POST says otherwise."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

# Opening the socket and its first ack must fit well inside an SSE client's patience (the JS SDK waits 15 s).
OPEN_TIMEOUT_S = 10.0
AUTH_REQUEST_ID = "sse-bridge"
# API Gateway's frame limit is 128 KB (32 KB per frame, joined); an event never exceeds it.
MAX_FRAME_BYTES = 256 * 1024


class SocketUnavailableError(Exception):
    """The WebSocket API could not be reached, or did not acknowledge the bridge as a client."""


class BridgeSocket(msgspec.Struct):
    """An open, acknowledged connection; its API Gateway connection id is the SSE client's PocketBase clientId."""

    connection: ClientConnection
    connection_id: str

    async def frames(self, timeout_s: float) -> dict[str, Any] | None:
        """The next JSON frame within `timeout_s`; None when the time is up. Raises ConnectionClosed when gone."""
        try:
            raw = await asyncio.wait_for(self.connection.recv(), timeout_s)
        except TimeoutError:
            return None
        try:
            frame = json.loads(raw)
        except ValueError:
            return {}
        return frame if isinstance(frame, dict) else {}

    async def ping(self) -> None:
        """The protocol's heartbeat: API Gateway closes a WebSocket after 10 minutes without a client message."""
        await self.connection.send(json.dumps({"type": "ping"}))

    async def close(self) -> None:
        await self.connection.close()


async def open_socket(url: str, user_agent: str = "") -> BridgeSocket:
    """Connect as a guest and learn the connection id from the `auth` ack (docs/api-realtime.md)."""
    if not url:
        raise SocketUnavailableError("no WebSocket URL is configured (LB_REALTIME_WS_URL)")
    headers = {"User-Agent": user_agent} if user_agent else None
    try:
        connection = await connect(url, open_timeout=OPEN_TIMEOUT_S, max_size=MAX_FRAME_BYTES,
                                   additional_headers=headers, ping_interval=None)
    except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
        raise SocketUnavailableError(f"cannot open {url}: {exc}") from exc
    try:
        await connection.send(json.dumps({"type": "auth", "id": AUTH_REQUEST_ID, "token": ""}))
        ack = await asyncio.wait_for(_auth_answer(connection), OPEN_TIMEOUT_S)
    except (ConnectionClosed, TimeoutError) as exc:
        await connection.close()
        raise SocketUnavailableError(f"no auth ack from {url}") from exc
    if ack.get("type") != "ack" or not isinstance(ack.get("connectionId"), str) or not ack["connectionId"]:
        await connection.close()
        raise SocketUnavailableError(f"the auth answer names no connection: {ack}")
    return BridgeSocket(connection, ack["connectionId"])


async def _auth_answer(connection: ClientConnection) -> dict[str, Any]:
    """The answer to the bridge's `auth` message; frames before it (none are expected) are skipped."""
    while True:
        try:
            frame = json.loads(await connection.recv())
        except ValueError:
            continue
        if isinstance(frame, dict) and (frame.get("id") == AUTH_REQUEST_ID or
                                        (frame.get("type") == "error" and frame.get("id") is None)):
            # an error naming no message answers a message the server could not read: this one
            return frame
