"""The asyncio realtime client: subscribe to PocketBase topics over Lambdabase's WebSocket protocol.

    async with RealtimeClient("https://api.example.com", token=token) as rt:
        unsubscribe = await rt.subscribe("posts/*", print, filter='status = "published"')
        ...
        await unsubscribe()

Discovery, auth, acks, reconnect with backoff and resubscription (one `set`), heartbeats: docs/api-realtime.md.
Callbacks get the event's data (`{"action", "record"}`); a coroutine function is awaited as a task.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

from lambdabase.realtime.connection import Connection
from lambdabase.realtime.discovery import discover
from lambdabase.realtime.errors import RealtimeError
from lambdabase.realtime.topics import keys_of_topic, options_of, subscription_key

logger = logging.getLogger("lambdabase.realtime")

Callback = Callable[[dict[str, Any]], Any]
AsyncUnsubscribe = Callable[[], Coroutine[Any, Any, None]]

# The JS SDK's reconnect intervals (seconds); the last one repeats.
RECONNECT_INTERVALS = (0.2, 0.3, 0.5, 1.0, 1.2, 1.5, 2.0)
# API Gateway drops a WebSocket idle for 10 minutes.
PING_INTERVAL_S = 300.0
REQUEST_TIMEOUT_S = 15.0


class RealtimeClient:
    """One realtime connection, opened on the first subscribe and closed with `close()`."""

    def __init__(self, base_url: str = "", *, token: str = "", url: str = "",
                 reconnect_intervals: Sequence[float] = RECONNECT_INTERVALS, ping_interval: float = PING_INTERVAL_S,
                 request_timeout: float = REQUEST_TIMEOUT_S) -> None:
        if not base_url and not url:
            raise ValueError("Give the API's base_url (to discover the WebSocket URL) or the WebSocket url.")
        self.base_url = base_url
        self.connection_id = ""
        self.on_disconnect: Callable[[list[str]], Any] | None = None
        self._token = token
        self._url = url
        self._fixed_url = bool(url)
        self._reconnect_intervals = tuple(reconnect_intervals) or RECONNECT_INTERVALS
        self._ping_interval = ping_interval
        self._request_timeout = request_timeout
        self._subscriptions: dict[str, list[Callback]] = {}
        self._joined: dict[str, tuple[dict[str, Any], Callback | None]] = {}  # channel -> meta, on_presence
        self._confirmed: set[str] = set()
        self._conn: Connection | None = None
        self._ready = False
        self._was_connected = False
        self._lock = asyncio.Lock()  # changes to the server's set go one at a time, in call order
        self._connecting: asyncio.Task[None] | None = None
        self._reconnected = asyncio.Event()
        self._background: set[asyncio.Task[Any]] = set()
        self._ping: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RealtimeClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    @property
    def is_connected(self) -> bool:
        return self._ready and self._conn is not None and self._conn.is_open

    @property
    def subscriptions(self) -> list[str]:
        """The subscription strings with at least one callback."""
        return list(self._subscriptions)

    async def subscribe(self, topic: str, callback: Callback, *, query: Mapping[str, Any] | None = None,
                        headers: Mapping[str, str] | None = None, **params: Any) -> AsyncUnsubscribe:
        """Calls `callback` with each event of `topic`; returns once the server acknowledged the subscription.

        `params` (filter, expand, fields, ...) join `query`, as in the JS SDK; RealtimeError if refused.
        """
        if not topic:
            raise ValueError("topic must be set.")
        key = subscription_key(topic, options_of(query, headers, **params))
        self._subscriptions.setdefault(key, []).append(callback)
        try:
            async with self._lock:
                await self._server_subscribe(key)
        except BaseException:
            self._remove(key, callback)
            if not self._has_work():
                await self._disconnect()
            raise

        async def unsubscribe() -> None:
            if self._remove(key, callback) and key not in self._subscriptions:
                await self._server_unsubscribe([key])

        return unsubscribe

    async def unsubscribe(self, topic: str | None = None) -> None:
        """Drops every callback of `topic` (any options), or of every topic when none is given."""
        keys = keys_of_topic(list(self._subscriptions), topic) if topic else list(self._subscriptions)
        for key in keys:
            self._subscriptions.pop(key, None)
        await self._server_unsubscribe(keys)

    async def set_token(self, token: str) -> None:
        """Uses `token` from now on (a refreshed token, or "" to become a guest); subscriptions stay.

        RealtimeError if the server refuses it; the connection then keeps the auth it had.
        """
        self._token = token
        async with self._lock:
            if self.is_connected and self._conn is not None:
                await self._authenticate(self._conn, as_guest_if_refused=False)

    async def publish(self, channel: str, data: Any) -> None:
        """Publishes `data` to `channel:<name>` (beyond PocketBase; the channel's rule decides)."""
        async with self._lock:
            await self._connected()
            await self._request({"type": "publish", "channel": channel, "data": data})

    async def join(self, channel: str, meta: Mapping[str, Any] | None = None,
                   on_presence: Callback | None = None) -> list[dict[str, Any]]:
        """Joins a channel's presence with `meta`; `on_presence({"event", "member"})` hears joins and leaves.
        The members now; a reconnect joins again."""
        async with self._lock:
            await self._connected()
            ack = await self._request({"type": "join", "channel": channel, "meta": dict(meta or {})})
            self._joined[channel] = (dict(meta or {}), on_presence)
            return list(ack.get("members") or [])

    async def leave(self, channel: str) -> None:
        self._joined.pop(channel, None)
        async with self._lock:
            if self.is_connected:
                await self._request({"type": "leave", "channel": channel})
            if not self._has_work():
                await self._disconnect()

    async def presence(self, channel: str) -> list[dict[str, Any]]:
        async with self._lock:
            await self._connected()
            return list((await self._request({"type": "presence", "channel": channel})).get("members") or [])

    async def close(self) -> None:
        """Closes the connection and forgets every subscription."""
        self._subscriptions.clear()
        self._joined.clear()
        await self._disconnect()
        for task in list(self._background):
            task.cancel()

    # -- internals ---------------------------------------------------------------------------------------

    async def _request(self, message: dict[str, Any]) -> dict[str, Any]:
        if self._conn is None:
            raise RealtimeError(0, "The realtime connection is not open.")
        return await self._conn.request(message)

    def _has_work(self) -> bool:
        return bool(self._subscriptions or self._joined)

    def _remove(self, key: str, callback: Callback) -> bool:
        callbacks = self._subscriptions.get(key)
        if not callbacks or callback not in callbacks:
            return False
        callbacks.remove(callback)
        if not callbacks:
            del self._subscriptions[key]
        return True

    async def _server_subscribe(self, key: str) -> None:
        while key in self._subscriptions:
            await self._connected()
            if key in self._confirmed:
                return
            try:
                await self._request({"type": "subscribe", "topics": [key]})
                self._confirmed.add(key)
                return
            except RealtimeError as exc:
                # a refusal is the caller's; a dropped socket is retried once the client is back
                if exc.status or not self._was_connected:
                    raise

    async def _server_unsubscribe(self, keys: list[str]) -> None:
        async with self._lock:
            gone = [key for key in keys if key not in self._subscriptions and key in self._confirmed]
            self._confirmed.difference_update(gone)
            if not self._has_work():
                await self._disconnect()
                return
            if gone and self.is_connected:
                try:
                    await self._request({"type": "unsubscribe", "topics": gone})
                except RealtimeError as exc:
                    # after a dropped socket the resubscribing `set` leaves these out anyway
                    if exc.status:
                        raise

    async def _connected(self) -> None:
        """Returns once connected; after a drop, waits for the background reconnect."""
        while not self.is_connected:
            try:
                await self._connect()
            except RealtimeError:
                if not self._was_connected or not self._has_work():
                    raise
                self._reconnected.clear()
                self._ensure_reconnecting()
                await self._reconnected.wait()

    async def _connect(self) -> None:
        if self._connecting is None or self._connecting.done():
            self._connecting = asyncio.get_running_loop().create_task(self._open())
        await asyncio.shield(self._connecting)

    async def _open(self) -> None:
        conn: Connection | None = None
        try:
            if not self._url:
                self._url = await asyncio.to_thread(discover, self.base_url, self._token, self._request_timeout)
            conn = await Connection.open(self._url, self._dispatch, self._on_closed, self._request_timeout)
            self._conn = conn
            await self._authenticate(conn)
            await self._resubscribe(conn)
        except BaseException:
            if conn is not None:
                if self._conn is conn:
                    self._conn = None
                await conn.close()
            if not self._fixed_url:
                self._url = ""
            raise
        self._ready = True
        self._was_connected = True
        self._reconnected.set()
        if self._ping is None or self._ping.done():
            self._ping = self._spawn(self._heartbeat())

    async def _authenticate(self, conn: Connection, as_guest_if_refused: bool = True) -> None:
        try:
            ack = await conn.request({"type": "auth", "token": self._token})
        except RealtimeError as exc:
            # On connect a refused or expired token leaves a guest, as PocketBase ignores an invalid Authorization
            # header; a refused refresh keeps the auth the connection had (the server changes nothing then).
            if not exc.status or not self._token or not as_guest_if_refused:
                raise
            logger.warning("realtime auth refused, continuing as a guest: %s", exc.message)
            ack = await conn.request({"type": "auth", "token": ""})
        self.connection_id = str(ack.get("connectionId") or "")

    async def _resubscribe(self, conn: Connection) -> None:
        """After a reconnect: one `set` of every string the server had accepted, then the channels joined."""
        self._confirmed.intersection_update(self._subscriptions)
        keys = list(self._confirmed)
        for channel, (meta, _hook) in list(self._joined.items()):
            try:
                await conn.request({"type": "join", "channel": channel, "meta": meta})
            except RealtimeError as exc:
                if not exc.status:
                    raise
                self._joined.pop(channel, None)
        if not keys:
            return
        try:
            await conn.request({"type": "set", "topics": keys})
        except RealtimeError as exc:
            if not exc.status:
                raise
            # One string the server now refuses (a deleted collection) must not cost the others theirs.
            for key in keys:
                try:
                    await conn.request({"type": "subscribe", "topics": [key]})
                except RealtimeError as refused:
                    if not refused.status:
                        raise
                    logger.warning("realtime resubscribe of %s refused: %s", key, refused.message)
                    self._confirmed.discard(key)
                    self._subscriptions.pop(key, None)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if message.get("type") == "event":
            data = message.get("data")
            for callback in list(self._subscriptions.get(str(message.get("topic")), [])):
                self._call(callback, data if isinstance(data, dict) else {})
        elif message.get("type") == "presence":
            joined = self._joined.get(str(message.get("channel")))
            if joined is not None and joined[1] is not None:
                self._call(joined[1], {"event": message.get("event"), "member": message.get("member")})
        elif message.get("type") == "error":
            logger.warning("realtime error: %s", message.get("message"))

    def _call(self, callback: Callable[..., Any], *args: Any) -> None:
        try:
            result = callback(*args)
            if inspect.isawaitable(result):
                self._spawn(result)
        except Exception:
            # one callback's exception must not stop the others
            logger.exception("realtime callback failed")

    def _on_closed(self, conn: Connection) -> None:
        if conn is not self._conn:
            return
        self._conn = None
        was_ready, self._ready = self._ready, False
        self.connection_id = ""
        if not was_ready:
            return  # a socket that closes while connecting fails _open, whose caller retries
        if self.on_disconnect is not None:
            self._call(self.on_disconnect, list(self._subscriptions))
        if self._has_work():
            self._ensure_reconnecting()

    def _ensure_reconnecting(self) -> None:
        if not any(task.get_name() == "lambdabase-reconnect" and not task.done() for task in self._background):
            self._spawn(self._reconnect(), name="lambdabase-reconnect")

    async def _reconnect(self) -> None:
        attempt = 0
        while self._has_work() and not self.is_connected:
            await asyncio.sleep(self._reconnect_intervals[min(attempt, len(self._reconnect_intervals) - 1)])
            attempt += 1
            with contextlib.suppress(RealtimeError):
                await self._connect()
        self._reconnected.set()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self._ping_interval)
            conn = self._conn
            if conn is None:
                return
            # no pong in time closes the socket (Connection.request), and the client reconnects
            with contextlib.suppress(RealtimeError):
                await conn.request({"type": "ping"})

    async def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        was_ready, self._ready = self._ready, False
        self._was_connected = False
        self._confirmed.clear()
        self.connection_id = ""
        if self._ping is not None:
            self._ping.cancel()
            self._ping = None
        if was_ready and self.on_disconnect is not None:
            self._call(self.on_disconnect, list(self._subscriptions))
        self._reconnected.set()
        if conn is not None:
            await conn.close()

    def _spawn(self, awaitable: Awaitable[Any], name: str | None = None) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(awaitable)
        if name:
            task.set_name(name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task
