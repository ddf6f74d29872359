"""Fan-out to API tokens: each event checked against the token's scopes and its item as it stands now."""

from __future__ import annotations

import time

import pytest

from shared.auth.api_tokens import ApiToken, hash_secret, key_fingerprint, new_secret, new_token_id
from shared.auth.caller import token_key_of
from shared.realtime.subscriptions import RealtimeAuth, key_hash, secret_digest
from tests.unit.realtime.fanout_world import FanOutWorld

ALICE = "alice0000000001"


@pytest.fixture
def world() -> FanOutWorld:
    """people (auth) <- posts (public, author relation), and notes (public): alice a user of people."""
    w = FanOutWorld()
    w.collection({"name": "people", "type": "auth", "listRule": "", "viewRule": "",
                  "fields": [{"name": "nick", "type": "text"}]})
    people = w.collections.get("people").collection
    w.collection({"name": "posts", "type": "base", "listRule": "", "viewRule": "", "fields": [
        {"name": "title", "type": "text"},
        {"name": "author", "type": "relation", "collectionId": people.id, "maxSelect": 1}]})
    w.collection({"name": "notes", "type": "base", "listRule": "", "viewRule": "",
                  "fields": [{"name": "title", "type": "text"}]})
    w.user("people", "alice", id=ALICE, nick="al")
    return w


def token_auth(world: FanOutWorld, *scopes: str, expires_in: int = 3600) -> tuple[ApiToken, RealtimeAuth]:
    """An API token of alice stored, and the RealtimeAuth the protocol keeps after verifying it."""
    record = world.current("people", ALICE)
    collection = world.collections.get("people").collection
    now = int(time.time())
    token = ApiToken(id=new_token_id(), collection_id=collection.id, record_id=record.id, name="t",
                     secret_hash=hash_secret(new_secret()), scopes=scopes, created=now, expires_at=now + expires_in,
                     key_hash=key_fingerprint(token_key_of(collection, record.data)))
    world.api_tokens.create(token)
    auth = RealtimeAuth(collection_id=collection.id, record_id=record.id, expires_at=token.expires_at,
                        key_hash=key_hash(token_key_of(collection, record.data)), token_id=token.id,
                        secret_digest=secret_digest(token.secret_hash))
    return token, auth


def test_events_of_a_collection_outside_the_scopes_never_reach_the_token(world: FanOutWorld) -> None:
    # Given a token scoped to posts only, whose connection also holds a notes subscription (made before an
    # `auth` with the token, which keeps the connection's subscriptions)
    _, auth = token_auth(world, "posts:list")
    world.connect("tok", auth, "posts", "notes/*")
    # When a post and a note are created
    post = world.record("posts", {"title": "in"})
    world.publish(world.change("create", post), world.change("create", world.record("notes", {"title": "out"})))
    # Then only the post arrives
    assert [(e["topic"], e["data"]["record"]["id"]) for e in world.events("tok")] == [("posts", post.id)]


def test_a_record_topic_needs_view_and_a_collection_topic_list(world: FanOutWorld) -> None:
    # Given a token with posts:list only, subscribed to a post by id and to the collection
    post = world.record("posts", {"title": "one"})
    _, auth = token_auth(world, "posts:list")
    world.connect("tok", auth, f"posts/{post.id}", "posts/*")
    # When the post is updated / Then the collection topic gets it, the record topic (view) does not
    world.publish(world.change("update", post, old=post))
    assert [e["topic"] for e in world.events("tok")] == ["posts/*"]


def test_two_tokens_of_one_owner_are_separate_audiences(world: FanOutWorld) -> None:
    # Given alice's JWT, a posts token and a notes token, all subscribed to posts
    _, narrow = token_auth(world, "notes:*")
    _, wide = token_auth(world, "posts:*")
    world.connect("jwt", world.auth_of(world.current("people", ALICE)), "posts")
    world.connect("narrow", narrow, "posts")
    world.connect("wide", wide, "posts")
    # When a post is created / Then the JWT and the posts token get it, the notes token does not
    report = world.publish(world.change("create", world.record("posts", {"title": "p"})))
    assert [len(world.events(c)) for c in ("jwt", "narrow", "wide")] == [1, 0, 1]
    assert report.audiences == 3


def test_expand_into_a_collection_outside_the_scopes_is_left_out(world: FanOutWorld) -> None:
    # Given a posts-only token and a people+posts token, both expanding the author
    _, posts_only = token_auth(world, "posts:*")
    _, both = token_auth(world, "posts:*", "people:view")
    topic = 'posts?options={"query":{"expand":"author"}}'
    world.connect("posts_only", posts_only, topic)
    world.connect("both", both, topic)
    # When a post by alice is created
    world.publish(world.change("create", world.record("posts", {"title": "p", "author": ALICE})))
    # Then only the token that may view people gets the expansion, as on HTTP
    assert "author" not in world.events("posts_only")[0]["data"]["record"].get("expand", {})
    assert world.events("both")[0]["data"]["record"]["expand"]["author"]["nick"] == "al"


@pytest.mark.parametrize("ending", ["revoked", "rotated", "expired"])
def test_a_token_ended_after_subscribing_gets_no_further_event(world: FanOutWorld, ending: str) -> None:
    # Given a posts token subscribed, which gets a first event
    token, auth = token_auth(world, "posts:*", expires_in=3600 if ending != "expired" else 2)
    world.connect("tok", auth, "posts")
    world.publish(world.change("create", world.record("posts", {"title": "before"})))
    assert len(world.events("tok")) == 1
    # When the token is revoked, rotated (new secret, same id) or expires
    if ending == "revoked":
        world.api_tokens.delete(token.id, token.collection_id, token.record_id)
    elif ending == "rotated":
        world.api_tokens.replace_secret(token.id, token.collection_id, token.record_id, hash_secret(new_secret()))
    else:
        world.fanout.clock = lambda: time.time() + 5
    # Then the next batch's event does not reach it, though posts are public: an ended API token is not a guest
    world.publish(world.change("create", world.record("posts", {"title": "after"})))
    assert len(world.events("tok")) == 1


def test_a_filter_through_a_relation_outside_the_scopes_matches_nothing(world: FanOutWorld) -> None:
    # Given two tokens filtering posts by their author's nick: one without people in its scopes, one with
    _, posts_only = token_auth(world, "posts:*")
    _, both = token_auth(world, "posts:*", "people:list")
    topic = 'posts?options={"query":{"filter":"author.nick = \'al\'"}}'
    world.connect("posts_only", posts_only, topic)
    world.connect("both", both, topic)
    # When alice's post is created
    world.publish(world.change("create", world.record("posts", {"title": "p", "author": ALICE})))
    # Then the filter cannot probe people for the narrow token (no event), as REST refuses it; the other matches
    assert world.events("posts_only") == []
    assert len(world.events("both")) == 1
