"""Fan-out delivery with a fake sender: concurrent batches, 410 cleanup, retried throttling, what stays undelivered."""

from __future__ import annotations

import json
import threading

from shared.realtime.fanout_delivery import Deliverer, Post
from shared.realtime.sender import InMemorySender, MessageSender, MessageTooLargeError
from shared.realtime.subscriptions import Connection, InMemorySubscriptionStore, Target


def _store(*connection_ids: str) -> InMemorySubscriptionStore:
    store = InMemorySubscriptionStore()
    for connection_id in connection_ids:
        store.open(Connection(connection_id=connection_id, connected_at=1))
        store.subscribe(connection_id, [("posts", Target(collection_id="pbc_posts")),
                                        ("posts/r1", Target(collection_id="pbc_posts", record_id="r1"))])
    return store


def _posts(*connection_ids: str) -> list[Post]:
    return [Post(c, topic, json.dumps({"to": c, "topic": topic}).encode())
            for c in connection_ids for topic in ("posts", "posts/r1")]


def test_every_post_is_delivered_once_from_several_threads() -> None:
    # Given 200 connections and a sender that notes which threads post
    ids = [f"c{i}" for i in range(200)]
    threads: set[str] = set()

    class Noting(InMemorySender):
        def post(self, connection_id: str, data: bytes) -> None:
            threads.add(threading.current_thread().name)
            super().post(connection_id, data)

    sender = Noting()
    report = Deliverer(sender, _store(*ids), workers=4, batch_size=10).deliver(_posts(*ids))
    # Then each of the 400 frames arrived exactly once, posted by the pool's threads in batches
    assert report.delivered == 400 and not report.failed and report.rounds == 1
    assert sorted((c, m["topic"]) for c, m in sender.sent) == sorted((c, t) for c in ids for t in ("posts", "posts/r1"))
    assert len(threads) > 1 and all(name.startswith("fanout") for name in threads)


def test_gone_connections_are_closed_once_and_posted_to_no_more() -> None:
    store, sender = _store("a", "gone"), InMemorySender()
    sender.gone.add("gone")
    report = Deliverer(sender, store, workers=1, batch_size=1).deliver(_posts("a", "gone"))
    assert report.gone == {"gone"} and report.delivered == 2
    assert store.connection("gone") is None
    assert [s.connection_id for s in store.subscriptions(Target(collection_id="pbc_posts"))] == ["a"]
    assert sender.attempts == 3  # the gone connection's second frame was not tried


def test_throttled_posts_are_retried_after_a_backoff() -> None:
    pauses: list[float] = []
    sender = InMemorySender()
    sender.throttled["a"] = 3  # both frames refused, then one of them again
    report = Deliverer(sender, _store("a"), sleep=pauses.append).deliver(_posts("a"))
    assert report.delivered == 2 and not report.failed and report.rounds == 3 and len(pauses) == 2


def test_what_still_fails_after_every_round_is_handed_back() -> None:
    sender = InMemorySender()
    sender.failing["b"] = 100
    report = Deliverer(sender, _store("a", "b"), rounds=3, sleep=lambda _s: None).deliver(_posts("a", "b"))
    assert report.delivered == 2 and [(p.connection_id, p.topic) for p in report.failed] == [
        ("b", "posts"), ("b", "posts/r1")]


def test_a_message_too_large_is_dropped_not_retried() -> None:
    class Refusing(MessageSender):
        calls = 0

        def send(self, connection_id: str, message: dict) -> None:
            Refusing.calls += 1
            raise MessageTooLargeError(connection_id)

    report = Deliverer(Refusing(), _store("a"), sleep=lambda _s: None).deliver(_posts("a")[:1])
    assert report.dropped == 1 and not report.failed and Refusing.calls == 1
