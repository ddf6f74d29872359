"""Realtime with API tokens (docs/api-auth.md, "API tokens"): an `lb_` token authenticates a connection as its
owner, limited by its scopes, and a revoked or rotated one is a 401 from its next message on."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from shared.app_settings import provider
from shared.auth.api_tokens import (
    ApiToken,
    format_token,
    hash_secret,
    key_fingerprint,
    new_secret,
    new_token_id,
)
from shared.auth.caller import token_key_of
from tests.unit.realtime.realtime_world import RealtimeWorld


@pytest.fixture
def world() -> Iterator[RealtimeWorld]:
    w = RealtimeWorld.in_memory()
    w.connect("c1")
    yield w
    provider.use_source(None)


def api_token(world: RealtimeWorld, who: str, *scopes: str, read_only: bool = False) -> tuple[ApiToken, str]:
    """A stored API token of `who` and the `lb_…` value its holder sends."""
    record = world.users[who]
    collection = world.collections.get(record.collection_id).collection
    secret, now = new_secret(), int(time.time())
    token = ApiToken(id=new_token_id(), collection_id=collection.id, record_id=record.id, name="rt",
                     secret_hash=hash_secret(secret), scopes=scopes, read_only=read_only, created=now,
                     expires_at=now + 3600, key_hash=key_fingerprint(token_key_of(collection, record.data)))
    world.api_tokens.create(token)
    return token, format_token(token.id, secret)


@pytest.mark.parametrize("prefix", ["", "Bearer "])
def test_an_api_token_authenticates_as_its_owner_and_keeps_only_its_id(world: RealtimeWorld, prefix: str) -> None:
    # Given alice's token scoped to posts
    token, value = api_token(world, "alice", "posts:list")
    # When the connection authenticates with it
    reply = world.send("c1", type="auth", token=prefix + value)
    # Then it acts as alice, and what is stored names the token by id, never its secret nor its hash
    assert reply["type"] == "ack" and reply["auth"] == {"collectionId": token.collection_id,
                                                        "recordId": token.record_id}
    stored = world.store.connection("c1").auth  # type: ignore[union-attr]
    assert stored is not None and stored.token_id == token.id
    dumped = json.dumps(stored.model_dump())
    assert value[-43:] not in dumped and token.secret_hash not in dumped


def test_an_unknown_api_token_is_a_401_and_keeps_the_previous_auth(world: RealtimeWorld) -> None:
    # Given a connection authenticated as alice
    world.send("c1", type="auth", token=world.token("alice"))
    before = world.store.connection("c1").auth  # type: ignore[union-attr]
    # When it sends a well-formed API token that was never issued / Then PocketBase's 401, and it is still alice
    reply = world.send("c1", type="auth", token=format_token(new_token_id(), new_secret()))
    assert reply["type"] == "error" and reply["status"] == 401
    assert world.store.connection("c1").auth == before  # type: ignore[union-attr]


def test_subscriptions_outside_the_scopes_are_refused_whole(world: RealtimeWorld) -> None:
    # Given a token that may list posts (not view one by id) and nothing of users
    _, value = api_token(world, "alice", "posts:list")
    world.send("c1", type="auth", token=value)
    # When it subscribes to posts / Then it is acknowledged
    assert world.send("c1", type="subscribe", id="1", topics=["posts", "posts/*"])["type"] == "ack"
    # When it subscribes to users, or to one post by id, in one message with an allowed string
    for index, topic in ((1, "users/*"), (0, "posts/abc")):
        topics = ["posts?x=1", topic] if index else [topic]
        reply = world.send("c1", type="subscribe", id="2", topics=topics)
        # Then PocketBase's 403 naming the string, and nothing of the message is stored
        assert reply["status"] == 403 and reply["message"] == "The API token does not allow this action."
        assert reply["data"]["topics"][str(index)]["topic"] == topic
    assert world.store.connection("c1").topics == ["posts", "posts/*"]  # type: ignore[union-attr]


def test_a_superusers_narrow_token_is_held_to_its_scopes_too(world: RealtimeWorld) -> None:
    # Given a superuser's token scoped to posts (superusers pass every rule, not a token's scopes)
    _, value = api_token(world, "root", "posts:*")
    world.send("c1", type="auth", token=value)
    # When it subscribes to users / Then 403
    assert world.send("c1", type="subscribe", topics=["users"])["status"] == 403
    assert world.send("c1", type="subscribe", topics=["posts/abc"])["type"] == "ack"


def test_a_revoked_or_rotated_token_is_a_401_at_its_next_subscribe(world: RealtimeWorld) -> None:
    for ending in ("revoked", "rotated"):
        # Given a connection authenticated with a posts token, subscribed
        token, value = api_token(world, "alice", "posts:*")
        world.send("c1", type="auth", token=value)
        assert world.send("c1", type="subscribe", topics=["posts"])["type"] == "ack"
        # When the token is revoked, or rotated to a new secret
        if ending == "revoked":
            world.api_tokens.delete(token.id, token.collection_id, token.record_id)
        else:
            world.api_tokens.replace_secret(token.id, token.collection_id, token.record_id, hash_secret("new"))
        # Then its next subscribe is a 401, not a guest's subscribe
        reply = world.send("c1", type="subscribe", topics=["posts/*"])
        assert (ending, reply["status"]) == (ending, 401)


def test_channels_need_a_token_scoped_to_everything(world: RealtimeWorld) -> None:
    # Given the default channel rules (anyone subscribes to room-*, signed-in users publish)
    _, narrow = api_token(world, "alice", "posts:*")
    _, reader = api_token(world, "alice", "*:*", read_only=True)
    _, full = api_token(world, "alice", "*:*")
    # When a posts token subscribes to a channel / Then 403: a channel is no collection its scopes name
    world.send("c1", type="auth", token=narrow)
    assert world.send("c1", type="subscribe", topics=["channel:room-1"])["status"] == 403
    # And a read-only `*:*` token subscribes but does not publish; a full one does both
    world.send("c1", type="auth", token=reader)
    assert world.send("c1", type="subscribe", topics=["channel:room-1"])["type"] == "ack"
    assert world.send("c1", type="publish", channel="channel:room-1", data={"a": 1})["status"] == 403
    world.send("c1", type="auth", token=full)
    world.send("c1", type="publish", id="p", channel="channel:room-1", data={"a": 1})
    assert {"type": "ack", "id": "p"} in world.received("c1")
