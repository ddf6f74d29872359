"""Realtime on `_views`: a change to a view reaches only the subscribers its own viewRule admits."""

from __future__ import annotations

from tests.unit.realtime.fanout_world import FanOutWorld

ALICE, BOB = "alice0000000001", "bob000000000002"


def test_a_view_change_reaches_only_whom_its_view_rule_admits() -> None:
    # Given alice and bob subscribed to every view, and views for alice alone, for everyone and for superusers
    world = FanOutWorld()
    world.collection({"name": "people", "type": "auth", "listRule": "", "viewRule": "", "fields": []})
    alice = world.auth_of(world.user("people", "alice", id=ALICE))
    bob = world.auth_of(world.user("people", "bob", id=BOB))
    world.connect("alice", alice, "_views/*")
    world.connect("bob", bob, "_views/*")
    target = world.collections.get("people").collection.id
    views = [world.record("_views", {"collection": target, "name": name, "type": "grid", "viewRule": rule})
             for name, rule in (("hers", f"@request.auth.id = '{ALICE}'"), ("open", ""), ("locked", None))]
    # When each is created
    world.publish(*(world.change("create", view) for view in views))
    # Then alice gets hers and the open one, bob only the open one, and nobody the superusers' one
    names = {who: sorted(e["data"]["record"]["name"] for e in world.events(who)) for who in ("alice", "bob")}
    assert names == {"alice": ["hers", "open"], "bob": ["open"]}
