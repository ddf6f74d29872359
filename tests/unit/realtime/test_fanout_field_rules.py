"""Fan-out and field-level rules: a field whose readRule fails for a subscriber is left out of its events."""

from __future__ import annotations

import pytest

from tests.unit.realtime.fanout_world import FanOutWorld

ALICE, BOB = "alice0000000001", "bob000000000002"


@pytest.fixture
def world() -> FanOutWorld:
    """people (auth) <- posts: `salary` read only by the post's owner, `owner` read only when published."""
    w = FanOutWorld()
    w.collection({"name": "people", "type": "auth", "listRule": "", "viewRule": "",
                  "fields": [{"name": "nick", "type": "text"}]})
    people = w.collections.get("people").collection
    w.collection({"name": "posts", "type": "base", "listRule": "", "viewRule": "", "fields": [
        {"name": "title", "type": "text"},
        {"name": "published", "type": "bool"},
        {"name": "salary", "type": "number", "readRule": "owner = @request.auth.id"},
        {"name": "owner", "type": "relation", "collectionId": people.id, "maxSelect": 1,
         "readRule": "published = true || owner = @request.auth.id"}]})
    w.user("people", "alice", id=ALICE, nick="al")
    w.user("people", "bob", id=BOB, nick="bo")
    return w


def _records(world: FanOutWorld, connection: str) -> list[dict[str, object]]:
    return [e["data"]["record"] for e in world.events(connection)]


def test_each_subscriber_gets_only_the_fields_its_read_rules_allow(world: FanOutWorld) -> None:
    # Given alice (the owner), bob and a guest subscribed to posts, with `expand=owner`
    world.connect("alice", world.auth_of(world.current("people", ALICE)), 'posts?options={"query":{"expand":"owner"}}')
    world.connect("bob", world.auth_of(world.current("people", BOB)), 'posts?options={"query":{"expand":"owner"}}')
    world.connect("guest", None, "posts")
    # When alice creates an unpublished post with a salary
    world.publish(world.change("create", world.record("posts", {"title": "t", "salary": 9, "owner": ALICE})))
    alice, bob, guest = (_records(world, c)[0] for c in ("alice", "bob", "guest"))
    # Then alice sees salary and owner (expanded), bob and the guest see neither, nor any expand of the owner
    assert alice["salary"] == 9 and alice["owner"] == ALICE
    assert alice["expand"]["owner"]["id"] == ALICE  # type: ignore[index]
    assert "salary" not in bob and "owner" not in bob and bob.get("expand") == {}
    assert "salary" not in guest and "owner" not in guest
    assert bob["title"] == guest["title"] == "t"


def test_a_record_dependent_rule_is_judged_on_the_changed_record(world: FanOutWorld) -> None:
    # Given bob subscribed, and a post of alice's that gets published
    world.connect("bob", world.auth_of(world.current("people", BOB)), "posts")
    post = world.record("posts", {"title": "t", "owner": ALICE})
    world.publish(world.change("create", post))
    published = world.service("superuser").writer.update("posts", post.id, {"published": True}).record
    world.publish(world.change("update", published, old=post))
    # Then the first event hid the owner from bob, the second (published) shows it
    first, second = _records(world, "bob")
    assert "owner" not in first and second["owner"] == ALICE
