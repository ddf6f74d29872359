"""Data access for realtime connections and their subscriptions: the models, the interface, the in-memory store.

Subscriptions are stored by what they watch, so that matching one change reads the subscriptions of that
collection and that record, never every connection (system table):

| item | pk | sk | holds |
| --- | --- | --- | --- |
| connection | `conn#<connectionId>` | `conn` | when, from where, its auth, its subscription strings, `rev` |
| collection subscription | `ws#c#<collectionId>` | `<connectionId>#<digest>` | the string, the auth |
| record subscription | `ws#c#<collectionId>#<recordId>` | `<connectionId>#<digest>` | the string, the auth |
| channel subscription | `ws#ch#<channel>` | `<connectionId>#<digest>` | the string, the auth, presence meta |

`<digest>` is a digest of the subscription string, so one connection's subscriptions never collide and a
repeated subscribe overwrites rather than duplicates. The auth is copied onto each subscription item so that
matching needs no read of the connection; a re-authentication rewrites them (at most MAX_SUBSCRIPTIONS).
Every item expires with the connection (API Gateway closes a WebSocket after two hours).

The DynamoDB store is shared/realtime/dynamo_subscriptions.py. API Gateway may run two messages of one connection
at once, so a store saves a connection only if it is still the revision it read, and redoes a save that lost.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, TypeVar, cast

import msgspec
from pydantic import BaseModel, ConfigDict

from shared.errors import ServiceUnavailableError

# API Gateway closes a WebSocket after two hours at most, so no realtime item outlives that.
CONNECTION_TTL_S = 2 * 60 * 60
# Saves of one connection that lost to another message of it are redone this many times, then refused (503).
SAVE_ATTEMPTS = 8


class ConnectionBusyError(ServiceUnavailableError):
    """A connection's messages kept changing it while this one was applied; the client may send it again."""


class RealtimeAuth(BaseModel):
    """Who a connection acts as: enough to re-check the token's validity at every event, never the token itself.

    `key_hash` is a digest of the record's tokenKey when the token was verified: a new tokenKey (password change)
    ends the auth, as it ends the token on HTTP. `session_id` is the token's `sid` claim, checked like on HTTP.
    An API token's auth keeps its id and `secret_digest` (of the stored secret hash), never its secret: the token
    item is re-read at each check, so a revocation, a rotation (new secret) or its expiry ends the auth.
    """

    model_config = ConfigDict(frozen=True)

    collection_id: str
    record_id: str
    expires_at: int
    key_hash: str
    session_id: str | None = None
    token_id: str | None = None
    secret_digest: str | None = None


class Connection(BaseModel):
    connection_id: str
    connected_at: int
    source_ip: str = ""
    user_agent: str = ""
    auth: RealtimeAuth | None = None
    # the subscription strings, in the order they were added
    topics: list[str] = []


class Target(msgspec.Struct, frozen=True):
    """What one subscription watches, resolved to ids: a collection, one record of it, or a channel."""

    collection_id: str = ""
    record_id: str = ""
    channel: str = ""

    @property
    def partition(self) -> str:
        if self.channel:
            return f"ws#ch#{self.channel}"
        return f"ws#c#{self.collection_id}#{self.record_id}" if self.record_id else f"ws#c#{self.collection_id}"


class Subscription(BaseModel):
    """One connection's subscription as matching reads it."""

    connection_id: str
    topic: str
    auth: RealtimeAuth | None = None
    # presence metadata of a channel member (channel subscriptions that joined presence)
    presence: dict[str, Any] | None = None


def topic_digest(topic: str) -> str:
    return hashlib.sha256(topic.encode()).hexdigest()[:20]


def key_hash(token_key: str) -> str:
    """The digest of a tokenKey kept with a realtime auth (the key itself signs tokens, so it is not stored)."""
    return hashlib.sha256(token_key.encode()).hexdigest()


def secret_digest(secret_hash: str) -> str:
    """What a realtime auth keeps of an API token's stored secret hash: enough to tell a rotation, short."""
    return hashlib.sha256(b"lambdabase/realtime/api-token\x00" + secret_hash.encode()).hexdigest()[:32]


class SubscriptionStore(ABC):
    @abstractmethod
    def open(self, conn: Connection) -> None:
        """Register a new connection (no subscriptions yet)."""

    @abstractmethod
    def connection(self, connection_id: str) -> Connection | None: ...

    @abstractmethod
    def set_auth(self, connection_id: str, auth: RealtimeAuth | None) -> None:
        """Change who the connection acts as, on the connection and on each of its subscriptions."""

    @abstractmethod
    def set_source(self, connection_id: str, source_ip: str, user_agent: str) -> None:
        """Record whom the connection serves: the SSE bridge's client, whose address POST /api/realtime checks."""

    @abstractmethod
    def subscribe(self, connection_id: str, subscriptions: list[tuple[str, Target]],
                  presence: dict[str, Any] | None = None) -> None:
        """Add (or overwrite) these subscription strings; the caller has checked limits and resolved targets."""

    @abstractmethod
    def unsubscribe(self, connection_id: str, topics: list[str] | None = None) -> list[tuple[str, Target]]:
        """Remove these subscription strings (all when None); returns what was removed."""

    @abstractmethod
    def subscriptions(self, target: Target) -> list[Subscription]:
        """Every subscription stored under one target (a collection, one record, or a channel)."""

    @abstractmethod
    def close(self, connection_id: str) -> list[tuple[str, Target]]:
        """Forget the connection and every subscription of it; returns the subscriptions it had."""

    def matching(self, collection_id: str, record_id: str) -> list[Subscription]:
        """The subscriptions a change of this record may reach: its collection's, then the record's own."""
        return [*self.subscriptions(Target(collection_id=collection_id)),
                *self.subscriptions(Target(collection_id=collection_id, record_id=record_id))]


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _locked(method: _Method) -> _Method:
    """One store operation at a time, as the DynamoDB store's conditional saves make them."""
    @functools.wraps(method)
    def run(self: InMemorySubscriptionStore, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return method(self, *args, **kwargs)
    return cast(_Method, run)


class InMemorySubscriptionStore(SubscriptionStore):
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.connections: dict[str, Connection] = {}
        # partition -> connection id -> topic -> Subscription
        self.by_target: dict[str, dict[str, dict[str, Subscription]]] = {}
        self.targets: dict[str, dict[str, Target]] = {}
        # items read by subscriptions(), the figure the DynamoDB store reports as its read count
        self.items_read = 0

    def open(self, conn: Connection) -> None:
        self.connections[conn.connection_id] = conn.model_copy(update={"topics": []})
        self.targets[conn.connection_id] = {}

    def connection(self, connection_id: str) -> Connection | None:
        return self.connections.get(connection_id)

    def set_auth(self, connection_id: str, auth: RealtimeAuth | None) -> None:
        conn = self.connections.get(connection_id)
        if conn is None:
            return
        self.connections[connection_id] = conn.model_copy(update={"auth": auth})
        for topic, target in self.targets[connection_id].items():
            sub = self.by_target[target.partition][connection_id][topic]
            self.by_target[target.partition][connection_id][topic] = sub.model_copy(update={"auth": auth})

    @_locked
    def set_source(self, connection_id: str, source_ip: str, user_agent: str) -> None:
        conn = self.connections.get(connection_id)
        if conn is not None:
            self.connections[connection_id] = conn.model_copy(update={"source_ip": source_ip,
                                                                      "user_agent": user_agent})

    def subscribe(self, connection_id: str, subscriptions: list[tuple[str, Target]],
                  presence: dict[str, Any] | None = None) -> None:
        conn = self.connections.get(connection_id)
        if conn is None:
            return
        topics = list(conn.topics)
        for topic, target in subscriptions:
            self.by_target.setdefault(target.partition, {}).setdefault(connection_id, {})[topic] = Subscription(
                connection_id=connection_id, topic=topic, auth=conn.auth, presence=presence)
            self.targets[connection_id][topic] = target
            if topic not in topics:
                topics.append(topic)
        self.connections[connection_id] = conn.model_copy(update={"topics": topics})

    def unsubscribe(self, connection_id: str, topics: list[str] | None = None) -> list[tuple[str, Target]]:
        conn = self.connections.get(connection_id)
        if conn is None:
            return []
        chosen = list(conn.topics) if topics is None else [t for t in topics if t in conn.topics]
        removed = []
        for topic in chosen:
            target = self.targets[connection_id].pop(topic)
            self.by_target[target.partition][connection_id].pop(topic, None)
            removed.append((topic, target))
        self.connections[connection_id] = conn.model_copy(
            update={"topics": [t for t in conn.topics if t not in chosen]})
        return removed

    def subscriptions(self, target: Target) -> list[Subscription]:
        found = [sub for subs in self.by_target.get(target.partition, {}).values() for sub in subs.values()]
        self.items_read += len(found)
        return found

    def close(self, connection_id: str) -> list[tuple[str, Target]]:
        removed = self.unsubscribe(connection_id)
        self.connections.pop(connection_id, None)
        self.targets.pop(connection_id, None)
        return removed


# After the class, so that each method reads as the plain operation it is.
for _name in ("open", "connection", "set_auth", "subscribe", "unsubscribe", "subscriptions", "close"):
    setattr(InMemorySubscriptionStore, _name, _locked(getattr(InMemorySubscriptionStore, _name)))
