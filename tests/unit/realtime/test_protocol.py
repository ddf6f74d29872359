"""The realtime protocol's messages against in-memory fakes: acks, errors, limits, auth, and all-or-nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from shared.app_settings import provider
from shared.errors import NotFoundError
from shared.realtime import protocol
from shared.realtime.topics import MAX_SUBSCRIPTION_LENGTH, MAX_SUBSCRIPTIONS
from tests.unit.realtime.realtime_world import RealtimeWorld


@pytest.fixture
def world() -> Iterator[RealtimeWorld]:
    w = RealtimeWorld.in_memory()
    w.connect("c1")
    yield w
    provider.use_source(None)


def topics_of(world: RealtimeWorld, cid: str = "c1") -> list[str]:
    conn = world.store.connection(cid)
    assert conn is not None
    return conn.topics


def test_ping_answers_pong_with_the_id(world: RealtimeWorld) -> None:
    assert world.send("c1", type="ping", id=7) == {"type": "pong", "id": 7}


def test_bad_messages_get_an_error_reply(world: RealtimeWorld) -> None:
    for body in ("not json", "[]", '{"type": "nope", "id": "x"}', '{"type": "subscribe", "topics": "posts"}'):
        protocol.on_message(world.deps, "c1", body)
    replies = world.received("c1")
    assert [(m["type"], m["status"]) for m in replies] == [("error", 400)] * 4
    assert replies[2]["id"] == "x" and set(replies[2]) == {"type", "id", "status", "message", "data"}


def test_subscribe_and_unsubscribe_acknowledge(world: RealtimeWorld) -> None:
    # Given a guest connection, When it subscribes to a collection and one record, by name
    assert world.send("c1", type="subscribe", id=1, topics=["posts", "posts/abc"]) == {"type": "ack", "id": 1}
    # Then both are stored under the collection's id
    posts_id = world.collections.get("posts").collection.id
    assert sorted(s.topic for s in world.store.matching(posts_id, "abc")) == ["posts", "posts/abc"]
    # When it unsubscribes one, then all
    assert world.send("c1", type="unsubscribe", id=2, topics=["posts"]) == {"type": "ack", "id": 2}
    assert topics_of(world) == ["posts/abc"]
    assert world.send("c1", type="unsubscribe", id=3) == {"type": "ack", "id": 3}
    assert topics_of(world) == []


def test_a_bad_string_fails_the_whole_message_and_keeps_the_others(world: RealtimeWorld) -> None:
    # Given an existing subscription
    world.send("c1", type="subscribe", topics=["posts/*"])
    # When a message carries good strings and a bad filter
    bad = 'posts?options=' + json.dumps({"query": {"filter": "title = "}})
    reply = world.send("c1", type="subscribe", id=9, topics=["posts/r1", bad, "users"])
    # Then PocketBase's 400 for the filter, naming the string by index; nothing of the message was added
    assert reply["status"] == 400 and reply["message"] == "Invalid filter parameters."
    assert reply["data"]["topics"]["1"]["topic"] == bad
    assert reply["data"]["topics"]["1"]["code"] == "validation_invalid_filter"
    assert topics_of(world) == ["posts/*"]


@pytest.mark.parametrize(("topic", "status"), [
    ("nope/*", 404),                                                   # unknown collection
    ("posts/a/b", 400),                                                # not a topic
    ("posts/a#b", 400),                                                # a key separator in the id
    ("posts?options=" + json.dumps({"query": {"filter": "nope = 1"}}), 400),  # unknown field
    ("posts?options=" + json.dumps({"query": {"filter": "@request.auth.id != ''"}}), 403),  # guest @request
    ("posts?options=" + json.dumps({"query": {"fields": "a:nope"}}), 400),
    ("channel:secret", 403),                                           # no channel rule: superusers only
])
def test_strings_that_cannot_be_subscribed_are_refused(world: RealtimeWorld, topic: str, status: int) -> None:
    reply = world.send("c1", type="subscribe", topics=[topic])
    assert reply["type"] == "error" and reply["status"] == status
    assert reply["data"]["topics"]["0"]["topic"] == topic
    assert topics_of(world) == []


def test_limits_of_count_and_length(world: RealtimeWorld) -> None:
    # Given a connection at the limit of subscriptions
    world.send("c1", type="subscribe", topics=[f"posts/r{i}" for i in range(MAX_SUBSCRIPTIONS)])
    assert len(topics_of(world)) == MAX_SUBSCRIPTIONS
    # When it adds one more, Then a 400, and a re-subscribe of one it has is fine
    assert world.send("c1", type="subscribe", topics=["posts/extra"])["status"] == 400
    assert world.send("c1", type="subscribe", topics=["posts/r0"])["type"] == "ack"
    # A string over 2,500 characters is refused by its length
    world.connect("c2")
    long = "posts?options=" + "x" * MAX_SUBSCRIPTION_LENGTH
    reply = world.send("c2", type="subscribe", topics=[long])
    assert reply["status"] == 400 and reply["data"]["topics"]["0"]["code"] == "validation_length_too_long"


def test_set_replaces_everything_at_once(world: RealtimeWorld) -> None:
    world.send("c1", type="subscribe", topics=["posts", "posts/a"])
    assert world.send("c1", type="set", topics=["posts/a", "users/*"])["type"] == "ack"
    assert topics_of(world) == ["posts/a", "users/*"]
    # a failing set changes nothing
    assert world.send("c1", type="set", topics=["posts", "nope"])["status"] == 404
    assert topics_of(world) == ["posts/a", "users/*"]
    assert world.send("c1", type="set", topics=[])["type"] == "ack" and topics_of(world) == []


def test_auth_ack_names_the_connection_and_the_record(world: RealtimeWorld) -> None:
    alice = world.users["alice"]
    reply = world.send("c1", type="auth", id="a", token=world.token("alice"))
    assert reply == {"type": "ack", "id": "a", "connectionId": "c1",
                     "auth": {"collectionId": alice.collection_id, "recordId": alice.id}}
    # the store keeps who, never the token
    conn = world.store.connection("c1")
    assert conn is not None and conn.auth is not None and conn.auth.record_id == alice.id
    assert world.token("alice") not in conn.model_dump_json()
    # "" becomes a guest again
    assert world.send("c1", type="auth", token="")["auth"] is None
    assert world.store.connection("c1").auth is None  # type: ignore[union-attr]


def test_auth_follows_onto_subscriptions(world: RealtimeWorld) -> None:
    world.send("c1", type="subscribe", topics=["posts"])
    world.send("c1", type="auth", token=world.token("bob"))
    posts_id = world.collections.get("posts").collection.id
    (sub,) = world.store.matching(posts_id, "x")
    assert sub.auth is not None and sub.auth.record_id == world.users["bob"].id


@pytest.mark.parametrize("case", ["expired", "garbage", "revoked session", "new tokenKey"])
def test_an_invalid_token_is_a_401_and_keeps_the_previous_auth(world: RealtimeWorld, case: str) -> None:
    # Given a connection authenticated as alice
    world.send("c1", type="auth", token=world.token("alice"))
    before = world.store.connection("c1").auth  # type: ignore[union-attr]
    # When it sends a token that HTTP would refuse
    if case == "expired":
        world.now -= 10  # issued ten seconds ago for one second
        token = world.token("bob", duration_s=1)
        world.now += 10
    elif case == "garbage":
        token = "not-a-token"
    elif case == "revoked session":
        world.session("bob", "s1")
        token = world.token("bob", session="s1")
        world.families.revoke(world.users["bob"].collection_id, world.users["bob"].id, "s1", int(world.now))
    else:
        token = world.token("bob")
        world.change_password("bob")
    reply = world.send("c1", type="auth", token=token)
    # Then PocketBase's 401, and the connection still acts as alice
    assert reply["type"] == "error" and reply["status"] == 401
    assert reply["message"] == "The request requires valid record authorization token."
    assert world.store.connection("c1").auth == before  # type: ignore[union-attr]


def test_a_live_session_token_is_accepted(world: RealtimeWorld) -> None:
    world.session("bob", "s2")
    assert world.send("c1", type="auth", token=world.token("bob", session="s2"))["type"] == "ack"


def test_a_superuser_outside_superuser_ips_is_refused(world: RealtimeWorld) -> None:
    world.channels(superuser_ips=("10.0.0.0/8",))
    reply = world.send("c1", type="auth", token=world.token("root"))
    assert reply["status"] == 403 and world.store.connection("c1").auth is None  # type: ignore[union-attr]
    world.connect("inside", ip="10.1.2.3")
    assert world.send("inside", type="auth", token=world.token("root"))["type"] == "ack"


def test_a_superuser_may_filter_by_request_fields(world: RealtimeWorld) -> None:
    world.send("c1", type="auth", token=world.token("root"))
    topic = "posts?options=" + json.dumps({"query": {"filter": "@request.auth.id != ''"}})
    assert world.send("c1", type="subscribe", topics=[topic])["type"] == "ack"


def test_the_sse_bridge_calls_apply_set_and_apply_auth(world: RealtimeWorld) -> None:
    # Given the bridge's own connection, When it applies PocketBase's POST /api/realtime
    auth = protocol.apply_auth(world.deps, "c1", "Bearer " + world.token("alice"), "127.0.0.1")
    protocol.apply_set(world.deps, "c1", ["posts/*"])
    # Then the connection acts as alice and has exactly that subscription; nothing was sent to it
    assert auth is not None and auth.record_id == world.users["alice"].id
    assert topics_of(world) == ["posts/*"] and world.received("c1") == []
    # An unknown client id is PocketBase's 404, for both
    for apply in (lambda: protocol.apply_set(world.deps, "unknown-id", ["posts"]),
                  lambda: protocol.apply_auth(world.deps, "unknown-id", "", "127.0.0.1")):
        with pytest.raises(NotFoundError) as refused:
            apply()
        assert refused.value.message == "Missing or invalid client id."


def test_a_gone_connection_is_forgotten(world: RealtimeWorld) -> None:
    world.send("c1", type="subscribe", topics=["posts"])
    world.sender.gone.add("c1")
    protocol.on_message(world.deps, "c1", '{"type": "ping"}')
    assert world.store.connection("c1") is None
    posts_id = world.collections.get("posts").collection.id
    assert world.store.matching(posts_id, "x") == []


def test_disconnect_removes_the_connection(world: RealtimeWorld) -> None:
    world.send("c1", type="subscribe", topics=["posts"])
    protocol.on_disconnect(world.deps, "c1")
    assert world.store.connection("c1") is None
