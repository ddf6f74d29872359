"""lambdabase.realtime.SyncRealtimeClient over a fake server: the async client's behaviour, blocking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lambdabase.realtime import RealtimeError, SyncRealtimeClient, subscription_key
from tests.support.fake_realtime import FakeRealtimeServer, until


@pytest.fixture(scope="module")
def server() -> Iterator[FakeRealtimeServer]:
    fake = FakeRealtimeServer().start()
    yield fake
    fake.stop()


def test_subscribe_events_unsubscribe_blocking(server: FakeRealtimeServer) -> None:
    # Given a sync client with a token
    with SyncRealtimeClient(server.url, token="tok") as rt:
        events: list[dict[str, Any]] = []
        # When it subscribes to a record with expand
        unsubscribe = rt.subscribe("posts/r1", events.append, expand="author")
        key = subscription_key("posts/r1", {"query": {"expand": "author"}})
        conn = server.open[-1]
        # Then the subscribe was acknowledged before it returned, and events reach the callback
        assert conn.topics == {key} and rt.is_connected and rt.connection_id == conn.id
        server.emit(key, {"action": "update", "record": {"id": "r1"}})
        until(lambda: events, what="the event")
        assert events == [{"action": "update", "record": {"id": "r1"}}]
        # When it unsubscribes, Then the socket closes (nothing left to hear)
        unsubscribe()
        until(lambda: not conn.open, what="the socket to close")


def test_refusal_raises_and_reconnect_resubscribes(server: FakeRealtimeServer) -> None:
    with SyncRealtimeClient(server.url, reconnect_intervals=[0.02]) as rt:
        rt.subscribe("posts/*", print)
        # Given a refused subscription, Then it raises with the server's status
        with pytest.raises(RealtimeError) as refused:
            rt.subscribe("forbidden", print)
        assert refused.value.status == 403
        first = server.open[-1]
        # When the socket drops, Then the client comes back with its subscription set again
        server.drop_all()
        until(lambda: rt.is_connected and server.open and server.open[-1] is not first, what="the reconnect")
        assert server.open[-1].topics == {"posts/*"}
        rt.set_token("later")
        assert server.open[-1].token == "later"


def test_a_callback_calling_the_blocking_client_is_refused(server: FakeRealtimeServer) -> None:
    with SyncRealtimeClient(server.url) as rt:
        errors: list[BaseException] = []

        def reentrant(_event: dict[str, Any]) -> None:
            try:
                rt.unsubscribe()
            except RuntimeError as exc:
                errors.append(exc)

        rt.subscribe("posts/*", reentrant)
        server.emit("posts/*", {"action": "create", "record": {}})
        until(lambda: errors, what="the refusal")
        assert "cannot call the blocking client" in str(errors[0])


def test_join_hears_presence_and_rejoins_after_a_drop(server: FakeRealtimeServer) -> None:
    with SyncRealtimeClient(server.url, reconnect_intervals=[0.02]) as alice, SyncRealtimeClient(server.url) as bob:
        # Given one member of a channel listening to its presence
        heard: list[dict[str, Any]] = []
        assert [m["meta"] for m in alice.join("channel:room", {"name": "alice"}, heard.append)] == [{"name": "alice"}]
        # When another joins, Then the first hears it and the second gets both members
        members = bob.join("channel:room", {"name": "bob"})
        assert sorted(m["meta"]["name"] for m in members) == ["alice", "bob"]
        until(lambda: heard, what="the join")
        assert heard[0]["event"] == "join" and heard[0]["member"]["meta"] == {"name": "bob"}
        # When the first's socket drops, Then it joins again with its meta
        first = alice.connection_id
        server.drop(first)
        until(lambda: alice.is_connected and alice.connection_id != first, what="the reconnect")
        assert server.open[-1].joined["channel:room"]["meta"] == {"name": "alice"}
