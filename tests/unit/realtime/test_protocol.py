"""Realtime protocol logic against in-memory fakes."""

import json

from shared.realtime import protocol
from shared.realtime.sender import InMemorySender
from shared.realtime.subscriptions import Connection, InMemorySubscriptionStore


def test_connect_ping_disconnect() -> None:
    repo, sender = InMemorySubscriptionStore(), InMemorySender()
    protocol.on_connect(repo, Connection(connection_id="c1", connected_at=1))
    protocol.on_message(repo, sender, "c1", json.dumps({"type": "ping", "id": 7}))
    assert sender.sent == [("c1", {"type": "pong", "id": 7})]
    protocol.on_disconnect(repo, "c1")
    assert repo.connection("c1") is None


def test_bad_messages_get_an_error_reply() -> None:
    repo, sender = InMemorySubscriptionStore(), InMemorySender()
    for body in ("not json", "[]", '{"type": "nope"}'):
        protocol.on_message(repo, sender, "c1", body)
    assert [m["status"] for _, m in sender.sent] == [400, 400, 400]


def test_gone_connection_is_forgotten() -> None:
    repo, sender = InMemorySubscriptionStore(), InMemorySender()
    protocol.on_connect(repo, Connection(connection_id="c1", connected_at=1))
    sender.gone.add("c1")
    protocol.on_message(repo, sender, "c1", '{"type": "ping"}')
    assert repo.connection("c1") is None
