"""Any message a client may send gets an ack, a pong or a 4xx error, never a 500, and an error changes nothing."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.app_settings import provider
from shared.realtime import protocol
from tests.unit.realtime.realtime_world import RealtimeWorld

TYPES = ["auth", "subscribe", "unsubscribe", "set", "publish", "join", "leave", "presence", "ping", "other"]
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=4),
                           max_leaves=12)
topics = st.lists(st.one_of(st.sampled_from(["posts", "posts/*", "posts/r1", "users", "channel:room-1",
                                             "channel:other", "nope", "posts/a#b", "posts?options={\"query\":"
                                             "{\"filter\":\"title = 'x'\"}}", "posts?options=%7B"]),
                            st.text(max_size=30), json_values), max_size=5)
messages = st.fixed_dictionaries({"type": st.sampled_from(TYPES)}, optional={
    "id": st.one_of(st.integers(), st.text(max_size=5), json_values),
    "topics": st.one_of(topics, json_values),
    "token": st.one_of(st.text(max_size=20), json_values),
    "channel": st.one_of(st.sampled_from(["channel:room-1", "channel:room-2", "room-1"]), json_values),
    "meta": json_values,
    "data": json_values,
})


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(message=messages)
def test_no_message_is_a_500_and_an_error_changes_nothing(message: dict[str, Any]) -> None:
    world = RealtimeWorld.in_memory()
    try:
        world.connect("c1")
        world.send("c1", type="subscribe", topics=["posts/*"])
        before = world.store.connection("c1")
        protocol.on_message(world.deps, "c1", json.dumps(message))
        reply = world.received("c1")[-1]
        assert reply["type"] in ("ack", "pong", "error")
        if reply["type"] == "error":
            assert 400 <= reply["status"] < 500, reply
            assert world.store.connection("c1") == before
    finally:
        provider.use_source(None)
