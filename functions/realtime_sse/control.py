"""What POST /api/realtime reads and changes for a clientId, which is the bridge socket's WebSocket connection id.

POST may reach another bridge instance than the one holding the stream, so it never talks to a socket: it reads
and writes the connection through the subscription store, and changes auth and subscriptions with the protocol's
own functions, exactly as the WebSocket `auth` and `set` messages would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import msgspec

from shared.realtime.subscriptions import Connection, SubscriptionStore

# (collectionId, recordId) of the auth record a request's Authorization names; None for a guest.
Identity = tuple[str, str]


class SubscriptionControl(Protocol):
    def register(self, client_id: str, source_ip: str, user_agent: str) -> None:
        """Record the SSE client's own address on its bridge connection, for POST's IP check."""

    def connection(self, client_id: str) -> Connection | None: ...

    def identity(self, authorization: str | None, source_ip: str) -> Identity | None:
        """Who a request's Authorization authenticates; None for a guest or any invalid token."""

    def apply_auth(self, client_id: str, authorization: str, source_ip: str) -> None:
        """Make the connection act as this Authorization (empty: a guest), as the WebSocket `auth` message does."""

    def apply_set(self, client_id: str, subscriptions: list[str]) -> None:
        """Replace all of the connection's subscriptions, as the WebSocket `set` message does."""


class StoreControl(msgspec.Struct):
    """SubscriptionControl over the subscription store, the authenticator and the protocol's two functions."""

    store: SubscriptionStore
    authenticate: Callable[[str | None, str], Identity | None]
    auth_applier: Callable[[str, str, str], object]
    set_applier: Callable[[str, list[str]], object]

    def register(self, client_id: str, source_ip: str, user_agent: str) -> None:
        self.store.set_source(client_id, source_ip, user_agent)

    def connection(self, client_id: str) -> Connection | None:
        return self.store.connection(client_id)

    def identity(self, authorization: str | None, source_ip: str) -> Identity | None:
        return self.authenticate(authorization, source_ip)

    def apply_auth(self, client_id: str, authorization: str, source_ip: str) -> None:
        self.auth_applier(client_id, authorization, source_ip)

    def apply_set(self, client_id: str, subscriptions: list[str]) -> None:
        self.set_applier(client_id, subscriptions)
