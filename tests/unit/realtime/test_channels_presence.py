"""Channels and presence against in-memory fakes: rules from the settings, publish, join, leave and disconnect."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from shared.app_settings import provider
from shared.app_settings.model import ChannelRuleSettings
from shared.realtime import protocol
from tests.unit.realtime.realtime_world import RealtimeWorld


@pytest.fixture
def world() -> Iterator[RealtimeWorld]:
    """Channels `room-*`: anyone subscribes, signed-in users publish, presence on. alice on a1, bob on b1, guest g."""
    w = RealtimeWorld.in_memory()
    for cid in ("a1", "b1", "g"):
        w.connect(cid)
    w.send("a1", type="auth", token=w.token("alice"))
    w.send("b1", type="auth", token=w.token("bob"))
    w.clear()
    yield w
    provider.use_source(None)


def events(world: RealtimeWorld, cid: str, kind: str = "event") -> list[dict]:
    return [m for m in world.received(cid) if m["type"] == kind]


def test_publish_reaches_every_subscriber_with_from(world: RealtimeWorld) -> None:
    # Given bob and the guest subscribed to a room
    for cid in ("b1", "g"):
        assert world.send(cid, type="subscribe", topics=["channel:room-1"])["type"] == "ack"
    # When alice publishes (without being subscribed herself)
    assert world.send("a1", type="publish", id=3, channel="channel:room-1", data={"x": 1}) == {"type": "ack", "id": 3}
    # Then each subscriber gets the event under its subscription string, naming alice
    alice = world.users["alice"]
    expected = {"type": "event", "topic": "channel:room-1", "data": {
        "action": "publish", "data": {"x": 1}, "from": {"collectionId": alice.collection_id, "recordId": alice.id}}}
    assert events(world, "b1") == [expected] and events(world, "g") == [expected]
    assert events(world, "a1") == []


def test_publish_refused_by_the_rule(world: RealtimeWorld) -> None:
    world.send("b1", type="subscribe", topics=["channel:room-1"])
    # a guest fails `@request.auth.id != ''`
    reply = world.send("g", type="publish", channel="channel:room-1", data="hi")
    assert reply["type"] == "error" and reply["status"] == 403
    assert events(world, "b1") == []


def test_a_channel_matching_no_pattern_is_for_superusers(world: RealtimeWorld) -> None:
    assert world.send("a1", type="subscribe", topics=["channel:other"])["status"] == 403
    assert world.send("a1", type="publish", channel="channel:other", data=1)["status"] == 403
    world.connect("su")
    world.send("su", type="auth", token=world.token("root"))
    assert world.send("su", type="subscribe", topics=["channel:other"])["type"] == "ack"
    assert world.send("su", type="publish", channel="channel:other", data=1)["type"] == "ack"


def test_rules_read_the_auth_record(world: RealtimeWorld) -> None:
    # Given a channel only bob may publish to, by his name
    world.channels(ChannelRuleSettings(pattern="bob-*", subscribe_rule="", publish_rule="@request.auth.name = 'bob'"))
    assert world.send("a1", type="publish", channel="channel:bob-news", data=1)["status"] == 403
    assert world.send("b1", type="publish", channel="channel:bob-news", data=1)["type"] == "ack"


def test_join_announces_and_lists_members(world: RealtimeWorld) -> None:
    # Given the guest listening to the room, and bob a member
    world.send("g", type="subscribe", topics=["channel:room-1"])
    bob_join = world.send("b1", type="join", channel="channel:room-1", meta={"name": "Bob"})
    assert [m["meta"] for m in bob_join["members"]] == [{"name": "Bob"}]
    world.clear()
    # When alice joins
    reply = world.send("a1", type="join", id="j", channel="channel:room-1", meta={"name": "Alice", "color": "red"})
    # Then she gets both members, and bob and the guest get her join
    assert reply["type"] == "ack" and reply["id"] == "j"
    assert sorted(m["connectionId"] for m in reply["members"]) == ["a1", "b1"]
    alice = world.users["alice"]
    member = {"connectionId": "a1", "auth": {"collectionId": alice.collection_id, "recordId": alice.id},
              "meta": {"name": "Alice", "color": "red"}}
    join = {"type": "presence", "channel": "channel:room-1", "event": "join", "member": member}
    assert events(world, "b1", "presence") == [join] and events(world, "g", "presence") == [join]
    # and `presence` lists the same members
    assert sorted(m["connectionId"] for m in world.send("g", type="presence", channel="channel:room-1")["members"]) \
        == ["a1", "b1"]


def test_leave_and_disconnect_announce_leave(world: RealtimeWorld) -> None:
    for cid in ("a1", "b1"):
        world.send(cid, type="join", channel="channel:room-1", meta={})
    world.send("g", type="subscribe", topics=["channel:room-1"])
    world.clear()
    # When alice leaves, Then the others hear it, and she is no longer listed
    assert world.send("a1", type="leave", channel="channel:room-1")["type"] == "ack"
    assert [e["event"] for e in events(world, "b1", "presence")] == ["leave"]
    assert [m["connectionId"] for m in world.send("g", type="presence", channel="channel:room-1")["members"]] == ["b1"]
    world.clear()
    # When bob's connection closes, Then the guest hears bob leave
    protocol.on_disconnect(world.deps, "b1")
    (leave,) = events(world, "g", "presence")
    assert leave["event"] == "leave" and leave["member"]["connectionId"] == "b1"
    assert world.send("g", type="presence", channel="channel:room-1")["members"] == []


def test_a_member_found_gone_is_announced_as_leaving(world: RealtimeWorld) -> None:
    # Given bob a member whose connection vanished without a $disconnect, and the guest listening
    world.send("b1", type="join", channel="channel:room-1", meta={})
    world.send("g", type="subscribe", topics=["channel:room-1"])
    world.sender.gone.add("b1")
    world.clear()
    # When alice publishes, the send to bob answers 410
    world.send("a1", type="publish", channel="channel:room-1", data=1)
    # Then bob is closed and the guest hears him leave
    assert world.store.connection("b1") is None
    assert [e["event"] for e in events(world, "g", "presence")] == ["leave"]


def test_unsubscribing_a_joined_channel_leaves_it(world: RealtimeWorld) -> None:
    world.send("a1", type="join", channel="channel:room-1", meta={})
    world.send("b1", type="subscribe", topics=["channel:room-1"])
    world.clear()
    world.send("a1", type="set", topics=[])
    assert [e["event"] for e in events(world, "b1", "presence")] == ["leave"]


def test_a_set_keeping_a_joined_channel_keeps_the_membership(world: RealtimeWorld) -> None:
    world.send("a1", type="join", channel="channel:room-1", meta={"n": 1})
    world.send("a1", type="set", topics=["channel:room-1", "posts"])
    assert world.send("a1", type="presence", channel="channel:room-1")["members"][0]["meta"] == {"n": 1}


@pytest.mark.parametrize(("message", "status"), [
    ({"channel": "channel:room-1", "meta": {"big": "x" * 1100}}, 400),
    ({"channel": "channel:room-1", "meta": ["not", "an", "object"]}, 400),
    ({"channel": "room-1"}, 400),
    ({"channel": "channel:room-1?options={}"}, 400),
])
def test_bad_joins_are_refused(world: RealtimeWorld, message: dict, status: int) -> None:
    reply = world.send("a1", type="join", **message)
    assert reply["type"] == "error" and reply["status"] == status
    assert world.store.connection("a1").topics == []  # type: ignore[union-attr]


def test_join_needs_presence_on_the_channel(world: RealtimeWorld) -> None:
    world.channels(ChannelRuleSettings(pattern="quiet", subscribe_rule="", publish_rule=""))
    assert world.send("a1", type="subscribe", topics=["channel:quiet"])["type"] == "ack"
    assert world.send("a1", type="join", channel="channel:quiet")["status"] == 403


def test_an_expired_auth_publishes_as_a_guest(world: RealtimeWorld) -> None:
    # Given alice's connection authenticated with a token that has since expired
    world.channels(ChannelRuleSettings(pattern="room-*", subscribe_rule="", publish_rule=""))
    world.send("b1", type="subscribe", topics=["channel:room-1"])
    world.now += 7200
    # When she publishes to a channel anyone may publish to, Then it goes out from nobody
    assert world.send("a1", type="publish", channel="channel:room-1", data=1)["type"] == "ack"
    (event,) = events(world, "b1")
    assert event["data"]["from"] is None


def test_a_publish_too_large_is_refused_and_a_failing_subscriber_skipped(world: RealtimeWorld) -> None:
    for cid in ("b1", "g"):
        world.send(cid, type="subscribe", topics=["channel:room-1"])
    assert world.send("a1", type="publish", channel="channel:room-1", data="x" * 70_000)["status"] == 400
    assert events(world, "b1") == []

    # Given a subscriber whose posts fail (not gone: throttled, say)
    class Failing(Exception):
        pass

    sent = world.sender.send

    def flaky(cid: str, message: dict) -> None:
        if cid == "b1":
            raise Failing()
        sent(cid, message)

    world.sender.send = flaky  # type: ignore[method-assign]
    # When alice publishes, Then the guest still gets it and alice her ack; bob stays connected
    assert world.send("a1", type="publish", channel="channel:room-1", data=1)["type"] == "ack"
    assert len(events(world, "g")) == 1 and world.store.connection("b1") is not None


def test_a_large_member_list_fits_in_one_post(world: RealtimeWorld) -> None:
    # Given 150 members, each with nearly 1 KB of meta (150 KB in all, over API Gateway's 128 KB per post)
    for i in range(150):
        world.connect(f"m{i}")
        world.send(f"m{i}", type="join", channel="channel:room-big", meta={"bio": "x" * 950})
    # When the guest asks who is there, Then the answer fits one post and says how many there are
    reply = world.send("g", type="presence", channel="channel:room-big")
    assert reply["total"] == 150 and 0 < len(reply["members"]) < 150
    assert len(json.dumps(reply).encode()) < 128 * 1024
