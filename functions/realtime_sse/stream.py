"""One SSE client's stream: PB_CONNECT, then every event its bridge socket receives, until a PocketBase timeout."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

import anyio
import msgspec
from websockets.exceptions import ConnectionClosed

from functions.realtime_sse.bridge_socket import BridgeSocket
from functions.realtime_sse.wire import KEEPALIVE, connect_message, event_message

# Closing the socket is what tells the WebSocket API (its $disconnect) to forget the client's subscriptions.
CLOSE_TIMEOUT_S = 5.0


class StreamLimits(msgspec.Struct, frozen=True):
    idle_timeout_s: float
    max_lifetime_s: float
    keepalive_s: float
    socket_ping_s: float = 300.0


async def sse_stream(socket: BridgeSocket, limits: StreamLimits,
                     clock: Callable[[], float] = time.monotonic) -> AsyncIterator[bytes]:
    """The stream's bytes; it ends (and closes the socket) after `idle_timeout_s` without an event, after
    `max_lifetime_s` in all, or when the socket closes, and the client's SDK reconnects as from PocketBase."""
    client_id = socket.connection_id
    try:
        yield connect_message(client_id)
        started = clock()
        closes_at = started + limits.max_lifetime_s
        # As PocketBase's idle timer, only a delivered message restarts it: keepalive comments do not.
        idle_at = started + limits.idle_timeout_s
        keepalive_at = started + limits.keepalive_s
        ping_at = started + limits.socket_ping_s
        while True:
            now = clock()
            if now >= min(closes_at, idle_at):
                return
            if now >= keepalive_at:
                yield KEEPALIVE
                keepalive_at = now + limits.keepalive_s
            try:
                if now >= ping_at:
                    await socket.ping()
                    ping_at = now + limits.socket_ping_s
                frame = await socket.frames(max(0.0, min(closes_at, idle_at, keepalive_at, ping_at) - now))
            except ConnectionClosed:
                return
            message = event_message(client_id, frame) if frame else None
            if message is not None:
                yield message
                idle_at = clock() + limits.idle_timeout_s
                keepalive_at = clock() + limits.keepalive_s
    finally:
        # Shielded: a client that goes away cancels the stream, and the close must still reach the socket.
        with anyio.CancelScope(shield=True), anyio.move_on_after(CLOSE_TIMEOUT_S):
            await socket.close()
