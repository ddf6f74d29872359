"""Fan-out shaping: each subscriber's record is what the REST API would answer it (hidden, email, expand, fields)."""

from __future__ import annotations

import json

import pytest

from tests.unit.realtime.fanout_world import FanOutWorld

ALICE, BOB, BOSS = "alice0000000001", "bob000000000002", "boss00000000003"


@pytest.fixture
def world() -> FanOutWorld:
    """people (auth, a boss manages everyone) <- posts -> locked (no viewRule)."""
    w = FanOutWorld()
    w.collection({"name": "people", "type": "auth", "listRule": "", "viewRule": "",
                  "manageRule": "@request.auth.nick = 'boss'",
                  "fields": [{"name": "nick", "type": "text"}, {"name": "secret", "type": "text", "hidden": True}]})
    w.collection({"name": "locked", "type": "base", "listRule": None, "viewRule": None,
                  "fields": [{"name": "name", "type": "text"}]})
    people, locked = (w.collections.get(n).collection for n in ("people", "locked"))
    w.collection({"name": "posts", "type": "base", "listRule": "", "viewRule": "", "fields": [
        {"name": "title", "type": "text"},
        {"name": "note", "type": "text", "hidden": True},
        {"name": "author", "type": "relation", "collectionId": people.id, "maxSelect": 1},
        {"name": "lk", "type": "relation", "collectionId": locked.id, "maxSelect": 1}]})
    w.user("people", "alice", id=ALICE, emailVisibility=False, secret="a")
    w.user("people", "bob", id=BOB, emailVisibility=True, secret="b")
    w.user("people", "boss", id=BOSS, nick="boss")
    return w


def _auth(world: FanOutWorld, record_id: str) -> object:
    return world.auth_of(world.current("people", record_id))


def test_hidden_fields_only_for_superusers(world: FanOutWorld) -> None:
    root = world.user("_superusers", "root")
    world.connect("guest", None, "posts")
    world.connect("root", world.auth_of(root), "posts")
    world.publish(world.change("create", world.record("posts", {"title": "t", "note": "private"})))
    assert "note" not in world.events("guest")[0]["data"]["record"]
    assert world.events("root")[0]["data"]["record"]["note"] == "private"


def test_email_visibility_owner_and_manager(world: FanOutWorld) -> None:
    # Given a guest, alice herself and the boss (manageRule) subscribed to people
    world.connect("guest", None, "people/*")
    world.connect("alice", _auth(world, ALICE), "people/*")
    world.connect("boss", _auth(world, BOSS), "people/*")
    alice, bob = world.current("people", ALICE), world.current("people", BOB)
    # When alice (email hidden) and bob (email visible) change
    world.publish(world.change("update", alice, old=alice), world.change("update", bob, old=bob))
    # Then alice's email reaches only herself and her manager; bob's reaches everyone; secrets reach nobody
    emails = {c: [e["data"]["record"].get("email") for e in world.events(c)] for c in ("guest", "alice", "boss")}
    assert emails == {"guest": [None, "bob@x.com"], "alice": ["alice@x.com", "bob@x.com"],
                      "boss": ["alice@x.com", "bob@x.com"]}
    assert all("secret" not in e["data"]["record"] for c in emails for e in world.events(c))


def test_expand_follows_each_relations_view_rule_and_fields_picks(world: FanOutWorld) -> None:
    lock = world.record("locked", {"name": "l"})
    world.connect("guest", None, 'posts?options={"query":{"expand":"author,lk","fields":"id,title,expand.author.id"}}')
    world.connect("full", None, 'posts?options={"query":{"expand":"author,lk"}}')
    post = world.record("posts", {"title": "t", "author": BOB, "lk": lock.id})
    world.publish(world.change("create", post))
    # Then the author is expanded (people's viewRule admits guests), the locked relation is not
    expected = {"id": post.id, "title": "t", "expand": {"author": {"id": BOB}}}
    assert world.events("guest")[0]["data"]["record"] == expected
    full = world.events("full")[0]["data"]["record"]
    assert set(full["expand"]) == {"author"} and full["expand"]["author"]["email"] == "bob@x.com"


@pytest.mark.parametrize("role", ["guest", ALICE, "superuser"])
def test_the_event_record_is_what_a_get_answers(world: FanOutWorld, role: str) -> None:
    # Given a subscriber with expand and fields options
    query = {"expand": "author", "fields": "*,expand.author.email,expand.author.id"}
    auth = None if role == "guest" else (world.auth_of(world.user("_superusers", "root")) if role == "superuser"
                                         else _auth(world, role))
    world.connect("sub", auth, 'posts/*?options={"query":' + json.dumps(query) + "}")
    post = world.record("posts", {"title": "t", "note": "n", "author": ALICE})
    # When it is created
    world.publish(world.change("create", post))
    # Then the event's record equals the REST view for the same caller
    caller = "superuser" if role == "superuser" else role
    expected, _ = world.service(caller).reader.view("posts", post.id, query)
    assert world.events("sub")[0]["data"]["record"] == expected


def test_bad_expand_or_fields_options_still_deliver_the_record(world: FanOutWorld) -> None:
    world.connect("a", None, 'posts?options={"query":{"expand":"nope.."}}')
    world.connect("b", None, 'posts?options={"query":{"fields":",,("}}')
    world.publish(world.change("create", world.record("posts", {"title": "t"})))
    assert world.events("a")[0]["data"]["record"]["title"] == "t"
    assert world.events("b")[0]["data"]["record"]["title"] == "t"
