"""The realtime client for code without asyncio: the async client on an event loop of its own thread.

    with SyncRealtimeClient("http://127.0.0.1:8090", token=token) as rt:
        unsubscribe = rt.subscribe("posts/*", print)
        ...
        unsubscribe()

Callbacks run on the client's thread; they must not call the client's blocking methods (that would wait on
the thread that runs them), so the client refuses such a call with a RuntimeError.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from lambdabase.realtime.client import Callback, RealtimeClient

T = TypeVar("T")


class SyncRealtimeClient:
    """RealtimeClient's methods, blocking until done."""

    def __init__(self, base_url: str = "", **settings: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="lambdabase-realtime", daemon=True)
        self._thread.start()
        self._client: RealtimeClient = self._run(self._create(base_url, settings))

    @staticmethod
    async def _create(base_url: str, settings: dict[str, Any]) -> RealtimeClient:
        return RealtimeClient(base_url, **settings)

    def __enter__(self) -> SyncRealtimeClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def is_connected(self) -> bool:
        return self._client.is_connected

    @property
    def connection_id(self) -> str:
        return self._client.connection_id

    @property
    def subscriptions(self) -> list[str]:
        return self._client.subscriptions

    @property
    def on_disconnect(self) -> Callable[[list[str]], Any] | None:
        return self._client.on_disconnect

    @on_disconnect.setter
    def on_disconnect(self, hook: Callable[[list[str]], Any] | None) -> None:
        self._client.on_disconnect = hook

    def subscribe(self, topic: str, callback: Callback, *, query: Mapping[str, Any] | None = None,
                  headers: Mapping[str, str] | None = None, **params: Any) -> Callable[[], None]:
        """As RealtimeClient.subscribe; the unsubscribe function it returns blocks too."""
        unsubscribe = self._run(self._client.subscribe(topic, callback, query=query, headers=headers, **params))
        return lambda: self._run(unsubscribe())

    def unsubscribe(self, topic: str | None = None) -> None:
        self._run(self._client.unsubscribe(topic))

    def set_token(self, token: str) -> None:
        self._run(self._client.set_token(token))

    def publish(self, channel: str, data: Any) -> None:
        self._run(self._client.publish(channel, data))

    def join(self, channel: str, meta: Mapping[str, Any] | None = None,
             on_presence: Callback | None = None) -> list[dict[str, Any]]:
        return self._run(self._client.join(channel, meta, on_presence))

    def leave(self, channel: str) -> None:
        self._run(self._client.leave(channel))

    def presence(self, channel: str) -> list[dict[str, Any]]:
        return self._run(self._client.presence(channel))

    def close(self) -> None:
        """Closes the connection and stops the client's thread."""
        if self._loop.is_closed():
            return
        self._run(self._client.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("A realtime callback cannot call the blocking client; use RealtimeClient there.")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()
