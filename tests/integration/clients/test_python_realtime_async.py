"""lambdabase.realtime.RealtimeClient over a fake server: discovery, acks and errors, events, reconnect, auth."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from lambdabase.realtime import RealtimeClient, RealtimeError, subscription_key
from tests.support.fake_realtime import FakeRealtimeServer, until_async


@pytest.fixture(scope="module")
def server() -> Iterator[FakeRealtimeServer]:
    fake = FakeRealtimeServer().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _answering(server: FakeRealtimeServer) -> None:
    server.silent = False


def test_subscription_strings_are_the_js_sdks() -> None:
    # Given options as the JS SDK takes them, When the client builds the string, Then it is the SDK's
    assert subscription_key("posts/*") == "posts/*"
    expected = "posts/r1?options=" + quote('{"query":{"expand":"author","filter":"a = \'x y\'"}}', safe="-_.!~*'()")
    assert subscription_key("posts/r1", {"query": {"expand": "author", "filter": "a = 'x y'"}}) == expected
    # (encodeURIComponent("{\"query\":{}}") and the `&` form of a topic that has a query already)
    assert subscription_key("posts/*", {"query": {}}) == "posts/*?options=%7B%22query%22%3A%7B%7D%7D"
    assert subscription_key("p?x=1", {"query": {}}).startswith("p?x=1&options=")


def test_subscribe_discovers_authenticates_and_delivers(server: FakeRealtimeServer) -> None:
    async def scenario() -> None:
        # Given a client with a token
        async with RealtimeClient(server.url, token="token-1") as rt:
            events: list[dict[str, Any]] = []
            # When it subscribes with options
            await rt.subscribe("posts/*", events.append, filter="n > 1")
            # Then it discovered the URL with its token, authenticated, then subscribed to the SDK's string
            key = subscription_key("posts/*", {"query": {"filter": "n > 1"}})
            conn = server.open[-1]
            assert server.discoveries[-1] == "token-1"
            assert conn.types() == ["auth", "subscribe"]
            assert conn.received[0]["token"] == "token-1"
            assert conn.received[1]["topics"] == [key]
            assert rt.connection_id == conn.id and rt.is_connected
            # And an event under that string reaches the callback; one under another string does not
            await asyncio.to_thread(server.emit, "posts/*", {"action": "create", "record": {"id": "x"}})
            await asyncio.to_thread(server.emit, key, {"action": "create", "record": {"id": "r1"}})
            await until_async(lambda: events, what="the event")
            assert events == [{"action": "create", "record": {"id": "r1"}}]

    asyncio.run(scenario())


def test_refused_subscribe_raises_and_keeps_the_others(server: FakeRealtimeServer) -> None:
    async def scenario() -> None:
        async with RealtimeClient(server.url) as rt:
            events: list[dict[str, Any]] = []
            # Given a subscription
            await rt.subscribe("posts/*", events.append)
            # When one the server refuses is asked for, Then it raises the server's error
            with pytest.raises(RealtimeError) as refused:
                await rt.subscribe("forbidden/*", print)
            assert (refused.value.status, refused.value.message) == (403, "Not allowed.")
            assert refused.value.response == {"status": 403, "message": "Not allowed.", "data": {}}
            # And nothing of it is kept, while the first still hears events
            assert rt.subscriptions == ["posts/*"]
            await asyncio.to_thread(server.emit, "posts/*", {"action": "delete", "record": {"id": "r"}})
            await until_async(lambda: events, what="the remaining subscription's event")

    asyncio.run(scenario())


def test_unsubscribe_function_and_topic_and_the_last_closes(server: FakeRealtimeServer) -> None:
    async def scenario() -> None:
        async with RealtimeClient(server.url) as rt:
            disconnects: list[list[str]] = []
            rt.on_disconnect = disconnects.append
            # Given two callbacks of posts/* and an optioned posts/r1
            first: list[Any] = []
            drop_second = await rt.subscribe("posts/*", first.append)
            await rt.subscribe("posts/*", print)
            await rt.subscribe("posts/r1", print, expand="author")
            conn = server.open[-1]
            assert conn.types().count("subscribe") == 2
            # When one callback goes, Then the server is not told
            await drop_second()
            assert "unsubscribe" not in conn.types()
            # When the topic goes, Then one unsubscribe names its strings
            await rt.unsubscribe("posts/r1")
            assert conn.received[-1]["topics"] == [subscription_key("posts/r1", {"query": {"expand": "author"}})]
            # When the last goes, Then the socket closes and on_disconnect hears no subscription left
            await rt.unsubscribe()
            await until_async(lambda: not conn.open, what="the socket to close")
            assert not rt.is_connected
            assert disconnects == [[]]

    asyncio.run(scenario())


def test_drop_reconnects_reauthenticates_and_sets_every_string(server: FakeRealtimeServer) -> None:
    async def scenario() -> None:
        async with RealtimeClient(server.url, token="t", reconnect_intervals=[0.02, 0.05]) as rt:
            # Given two subscriptions
            events: list[Any] = []
            disconnects: list[list[str]] = []
            rt.on_disconnect = disconnects.append
            await rt.subscribe("posts/*", events.append)
            await rt.subscribe("tags/*", print, fields="id")
            first = server.open[-1]
            # When the connection drops
            server.drop_all()
            # Then the client reconnects, authenticates and sets both strings in one message
            await until_async(lambda: rt.is_connected and server.open and server.open[-1] is not first,
                              what="the reconnect")
            second = server.open[-1]
            assert second.types() == ["auth", "set"]
            assert second.received[0]["token"] == "t"
            assert sorted(second.received[1]["topics"]) == sorted(rt.subscriptions)
            assert len(disconnects) == 1 and len(disconnects[0]) == 2
            # And a subscribe afterwards, and events, work on the new socket
            await rt.subscribe("notes/*", print)
            assert second.topics == set(rt.subscriptions)
            await asyncio.to_thread(server.emit, "posts/*", {"action": "update", "record": {}})
            await until_async(lambda: events, what="an event after the reconnect")

    asyncio.run(scenario())


def test_new_token_is_sent_and_refused_token_leaves_a_guest(server: FakeRealtimeServer) -> None:
    async def scenario() -> None:
        async with RealtimeClient(server.url, token="bad") as rt:
            # Given a token the server refuses, When the client subscribes, Then it connects as a guest
            await rt.subscribe("posts/*", print)
            conn = server.open[-1]
            assert [m["token"] for m in conn.received if m["type"] == "auth"] == ["bad", ""]
            # When the token is refreshed, Then the server hears it and the subscription stays
            await rt.set_token("fresh")
            assert conn.token == "fresh" and conn.topics == {"posts/*"}
            # When a refreshed token is refused, Then set_token raises and the connection keeps its auth
            with pytest.raises(RealtimeError) as refused:
                await rt.set_token("bad")
            assert refused.value.status == 401 and conn.token == "fresh"

    asyncio.run(scenario())


def test_unanswered_request_drops_the_socket_and_the_subscribe_completes_after(server: FakeRealtimeServer) -> None:
    async def scenario() -> None:
        async with RealtimeClient(server.url, request_timeout=0.3, ping_interval=0.05,
                                  reconnect_intervals=[0.05]) as rt:
            # Given a connected client that pings
            await rt.subscribe("posts/*", print)
            first = server.open[-1]
            await until_async(lambda: "ping" in first.types(), what="a ping")
            # When the server stops answering subscribes
            server.silent = True
            pending = asyncio.create_task(rt.subscribe("tags/*", print))
            await until_async(lambda: not first.open, what="the silent socket to close")
            server.silent = False
            # Then the subscribe goes through on the next socket
            await asyncio.wait_for(pending, 5)
            assert server.open[-1].topics == {"posts/*", "tags/*"}

    asyncio.run(scenario())


def test_forgotten_connection_is_replaced(server: FakeRealtimeServer) -> None:
    async def scenario() -> None:
        async with RealtimeClient(server.url, reconnect_intervals=[0.02]) as rt:
            # Given a connection the server's store no longer knows
            await rt.subscribe("posts/*", print)
            first = server.open[-1]
            first.forgotten = True
            # When the client subscribes, Then the 404 makes it reconnect and subscribe on the new connection
            await asyncio.wait_for(rt.subscribe("tags/*", print), 5)
            assert server.open[-1] is not first
            assert server.open[-1].topics == {"posts/*", "tags/*"}

    asyncio.run(scenario())


def test_first_connect_failure_raises_and_keeps_nothing() -> None:
    async def scenario() -> None:
        async with RealtimeClient(url="ws://127.0.0.1:9/ws") as rt:
            with pytest.raises(RealtimeError) as failed:
                await rt.subscribe("posts/*", print)
            assert failed.value.status == 0
            assert rt.subscriptions == [] and not rt.is_connected

    asyncio.run(scenario())


def test_discovery_error_is_the_servers() -> None:
    async def scenario() -> None:
        fake = FakeRealtimeServer().start()
        try:
            async with RealtimeClient(fake.url + "/nowhere") as rt:
                with pytest.raises(RealtimeError) as failed:
                    await rt.subscribe("posts/*", print)
                assert failed.value.status == 404
        finally:
            fake.stop()

    asyncio.run(scenario())
