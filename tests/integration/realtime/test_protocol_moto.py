"""The realtime protocol on DynamoDB (moto): the subscription store, collections, records and sessions are the
deployed implementations; only the sender is a fake that records what would be posted to @connections."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from local import cloud
from shared import resources
from shared.app_settings import provider
from shared.auth.refresh_repository import DynamoRefreshFamilyRepository
from shared.catalog.repository import DynamoCollectionRepository
from shared.realtime import protocol
from shared.realtime.dynamo_subscriptions import DynamoSubscriptionStore
from tests.support.record_stores import dynamo_records
from tests.unit.realtime.realtime_world import RealtimeWorld


@pytest.fixture
def world(moto: cloud.MotoCloud) -> Iterator[RealtimeWorld]:
    system, records = resources.SYSTEM_TABLE.physical_name, resources.RECORDS_TABLE.physical_name
    w = RealtimeWorld(DynamoCollectionRepository(system), dynamo_records(records, system),
                      DynamoRefreshFamilyRepository(system), DynamoSubscriptionStore(system))
    for cid in ("a1", "b1", "g"):
        w.connect(cid)
    yield w
    provider.use_source(None)


def test_subscriptions_are_stored_by_target_and_survive_a_bad_message(world: RealtimeWorld) -> None:
    # Given a guest subscribed to posts, When a later message carries an unknown collection
    assert world.send("g", type="subscribe", topics=["posts/*"])["type"] == "ack"
    bad = world.send("g", type="subscribe", topics=["posts/r1", "missing"])
    # Then the error names the string, and only the first subscription is stored
    assert bad["status"] == 404 and bad["data"]["topics"]["1"]["topic"] == "missing"
    posts_id = world.collections.get("posts").collection.id
    assert [s.topic for s in world.store.matching(posts_id, "r1")] == ["posts/*"]


def test_auth_with_a_revoked_session_is_refused(world: RealtimeWorld) -> None:
    # Given alice signed in with a session, her connection authenticated
    world.session("alice", "sess-1")
    token = world.token("alice", session="sess-1")
    assert world.send("a1", type="auth", token=token)["type"] == "ack"
    world.send("a1", type="subscribe", topics=["posts"])
    # When the session is revoked and the client re-sends the token
    alice = world.users["alice"]
    world.families.revoke(alice.collection_id, alice.id, "sess-1", int(world.now))
    reply = world.send("a1", type="auth", token=token)
    # Then a 401; the connection keeps its auth and its subscription
    assert reply["status"] == 401
    conn = world.store.connection("a1")
    assert conn is not None and conn.auth is not None and conn.topics == ["posts"]


def test_presence_on_dynamodb_join_publish_and_leave_on_disconnect(world: RealtimeWorld) -> None:
    world.send("a1", type="auth", token=world.token("alice"))
    world.send("b1", type="auth", token=world.token("bob"))
    # Given bob a member and the guest listening
    world.send("b1", type="join", channel="channel:room-9", meta={"name": "Bob"})
    world.send("g", type="subscribe", topics=["channel:room-9"])
    world.clear()
    # When alice joins and publishes
    joined = world.send("a1", type="join", channel="channel:room-9", meta={"name": "Alice"})
    world.send("a1", type="publish", channel="channel:room-9", data={"cursor": [1, 2]})
    # Then the members are listed, bob and the guest get her join and her message
    assert sorted(m["meta"]["name"] for m in joined["members"]) == ["Alice", "Bob"]
    for cid in ("b1", "g"):
        kinds = [(m["type"], m.get("event") or m["data"]["action"]) for m in world.received(cid)]
        assert kinds == [("presence", "join"), ("event", "publish")]
    world.clear()
    # When bob disconnects, Then the others hear him leave and he is no longer a member
    protocol.on_disconnect(world.deps, "b1")
    for cid in ("a1", "g"):
        assert [m["event"] for m in world.received(cid)] == ["leave"]
    members = world.send("g", type="presence", channel="channel:room-9")["members"]
    assert [m["meta"] for m in members] == [{"name": "Alice"}]
    assert json.dumps(members).count("Bob") == 0
