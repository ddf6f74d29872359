"""The subscription store's contract, held by the in-memory and the DynamoDB (moto) implementations alike."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared import resources
from shared.realtime.dynamo_subscriptions import DynamoSubscriptionStore
from shared.realtime.subscriptions import (
    Connection,
    InMemorySubscriptionStore,
    RealtimeAuth,
    SubscriptionStore,
    Target,
)
from shared.realtime.topics import TopicError, parse_topic

POSTS = Target(collection_id="pbc_posts")
ONE_POST = Target(collection_id="pbc_posts", record_id="r1")
ROOM = Target(channel="room-1")
AUTH = RealtimeAuth(collection_id="_pb_users_auth_", record_id="u1", expires_at=2_000_000_000, key_hash="k")


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[SubscriptionStore]:
    if request.param == "memory":
        yield InMemorySubscriptionStore()
        return
    request.getfixturevalue("moto")
    yield DynamoSubscriptionStore(resources.SYSTEM_TABLE.physical_name)


def test_matching_reads_the_collection_and_the_record_only(store: SubscriptionStore) -> None:
    # Given three connections watching the collection, one record, and another collection
    for cid in ("a", "b", "c"):
        store.open(Connection(connection_id=cid, connected_at=1))
    store.subscribe("a", [("posts/*", POSTS)])
    store.subscribe("b", [("posts/r1", ONE_POST), ("posts/r2", Target(collection_id="pbc_posts", record_id="r2"))])
    store.subscribe("c", [("tags", Target(collection_id="pbc_tags"))])
    # When a change of posts/r1 is matched
    found = store.matching("pbc_posts", "r1")
    # Then it finds the collection's and that record's subscriptions, and nothing else
    assert sorted((s.connection_id, s.topic) for s in found) == [("a", "posts/*"), ("b", "posts/r1")]


def test_auth_follows_onto_existing_subscriptions(store: SubscriptionStore) -> None:
    store.open(Connection(connection_id="a", connected_at=1))
    store.subscribe("a", [("posts/*", POSTS), ("channel:room-1", ROOM)], presence=None)
    store.set_auth("a", AUTH)
    assert {s.auth for s in store.matching("pbc_posts", "x")} == {AUTH}
    assert store.subscriptions(ROOM)[0].auth == AUTH
    assert store.connection("a").auth == AUTH  # type: ignore[union-attr]


def test_unsubscribe_and_close_remove_items(store: SubscriptionStore) -> None:
    store.open(Connection(connection_id="a", connected_at=1))
    store.subscribe("a", [("posts/*", POSTS), ('posts/*?options={"query":{"filter":"x=1"}}', POSTS),
                          ("channel:room-1", ROOM)], presence={"name": "Ann"})
    assert store.unsubscribe("a", ["posts/*", "never"]) == [("posts/*", POSTS)]
    assert [s.topic for s in store.subscriptions(POSTS)] == ['posts/*?options={"query":{"filter":"x=1"}}']
    assert store.subscriptions(ROOM)[0].presence == {"name": "Ann"}
    assert len(store.close("a")) == 2
    assert store.matching("pbc_posts", "x") == [] and store.subscriptions(ROOM) == []
    assert store.connection("a") is None


def test_a_closed_connection_takes_no_subscriptions(store: SubscriptionStore) -> None:
    store.subscribe("ghost", [("posts/*", POSTS)])
    assert store.matching("pbc_posts", "x") == []


def test_concurrent_subscribes_of_one_connection_are_all_kept(store: SubscriptionStore) -> None:
    # Given one connection, When sixteen subscribes of it run at once (API Gateway may invoke them concurrently)
    store.open(Connection(connection_id="a", connected_at=1))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: store.subscribe("a", [(f"posts/r{i}", Target("pbc_posts", f"r{i}"))]), range(16)))
    # Then the connection lists every one of them, and each has its item
    conn = store.connection("a")
    assert conn is not None and sorted(conn.topics) == sorted(f"posts/r{i}" for i in range(16))
    assert all(len(store.matching("pbc_posts", f"r{i}")) == 1 for i in range(16))
    # and an unsubscribe racing a subscribe loses neither
    with ThreadPoolExecutor(2) as pool:
        pool.submit(store.unsubscribe, "a", ["posts/r0"])
        pool.submit(store.subscribe, "a", [("posts/new", Target("pbc_posts", "new"))])
    conn = store.connection("a")
    assert conn is not None and "posts/r0" not in conn.topics and "posts/new" in conn.topics


@pytest.mark.parametrize(("raw", "kind", "collection", "record"), [
    ("posts", "collection", "posts", ""),
    ("posts/*", "collection", "posts", ""),
    ("posts/abc", "record", "posts", "abc"),
])
def test_topics_parse_as_pocketbase_writes_them(raw: str, kind: str, collection: str, record: str) -> None:
    topic = parse_topic(raw + '?options={"query":{"filter":"a=1","n":2},"headers":{"X-Token":"t"}}')
    assert (topic.kind, topic.collection, topic.record_id) == (kind, collection, record)
    assert topic.options.query == {"filter": "a=1", "n": "2"} and topic.options.headers == {"x_token": "t"}


@pytest.mark.parametrize("raw", ["", "posts/", "a/b/c", "channel:", "channel:bad name", "x" * 2501])
def test_topics_that_name_nothing_are_refused(raw: str) -> None:
    with pytest.raises(TopicError):
        parse_topic(raw)


def test_set_source_records_whom_a_connection_serves(store: SubscriptionStore) -> None:
    # Given a connection opened by the SSE bridge from its own address
    store.open(Connection(connection_id="a", connected_at=1, source_ip="10.0.0.9", user_agent="bridge"))
    store.subscribe("a", [("posts/*", POSTS)])
    # When the bridge records its SSE client's address, and that of a connection that is gone
    store.set_source("a", "203.0.113.5", "EventSource")
    store.set_source("gone", "203.0.113.5", "EventSource")
    # Then the connection names the client, keeps its subscriptions, and no connection was made up
    conn = store.connection("a")
    assert conn is not None and (conn.source_ip, conn.user_agent, conn.topics) == ("203.0.113.5", "EventSource",
                                                                                   ["posts/*"])
    assert store.connection("gone") is None
