"""The SSE bridge end to end against a stand-in WebSocket API: PocketBase's stream, its POST, its timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.sse_bridge_world import BridgeWorld, bridge_world


@pytest.fixture
def world() -> Iterator[BridgeWorld]:
    with bridge_world(sse_idle_timeout_s=30, sse_max_lifetime_s=60, sse_keepalive_s=30) as w:
        yield w


def sse_messages(response: httpx.Response) -> Iterator[dict[str, str]]:
    """Each SSE message of a streamed response as its fields; comments come as {"comment": ...}."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if not line:
            if fields:
                yield fields
            fields = {}
        elif line.startswith(":"):
            yield {"comment": line[1:]}
        else:
            name, _, value = line.partition(":")
            fields[name] = value


def test_the_stream_opens_with_pb_connect_naming_the_socket_connection(world: BridgeWorld) -> None:
    # Given a bridge, When a client opens GET /api/realtime
    with httpx.stream("GET", world.base_url + "/api/realtime", timeout=10) as response:
        messages = sse_messages(response)
        first = next(messages)
        # Then PocketBase's headers and PB_CONNECT carry the bridge socket's connection id, in id and in data
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-accel-buffering"] == "no"
        (conn_id,) = world.ws_api.sockets
        assert first == {"id": conn_id, "event": "PB_CONNECT", "data": json.dumps({"clientId": conn_id},
                                                                                   separators=(",", ":"))}


def test_events_on_the_socket_become_sse_events_named_by_the_subscription(world: BridgeWorld) -> None:
    # Given an open stream
    with httpx.stream("GET", world.base_url + "/api/realtime", timeout=10) as response:
        messages = sse_messages(response)
        client_id = next(messages)["id"]
        # When the WebSocket API sends an event for a subscription string with options
        topic = 'posts/*?options={"query":{"expand":"author"}}'
        world.ws_api.push(client_id, {"type": "event", "topic": topic,
                                      "data": {"action": "create", "record": {"id": "r1", "title": "a<b"}}})
        event = next(messages)
    # Then it arrives named by that string, with PocketBase's {record, action} (Go's escaping) and the client id
    assert event == {"id": client_id, "event": topic,
                     "data": '{"record":{"id":"r1","title":"a\\u003cb"},"action":"create"}'}


def test_post_sets_subscriptions_of_the_streams_connection_and_answers_204(world: BridgeWorld) -> None:
    # Given an open stream
    with httpx.stream("GET", world.base_url + "/api/realtime", timeout=10) as response:
        messages = sse_messages(response)  # held: dropping the iterator would close the stream
        client_id = next(messages)["id"]
        # When the client posts its subscriptions with its token (another request, maybe another instance)
        answer = httpx.post(world.base_url + "/api/realtime", headers={"Authorization": "token-u1"},
                            json={"clientId": client_id, "subscriptions": ["posts/*", "posts/r1"]})
        # Then 204, and the connection acts as the token's record with exactly those subscriptions
        assert answer.status_code == 204
        conn = world.store.connection(client_id)
        assert conn is not None and conn.topics == ["posts/*", "posts/r1"]
        assert conn.auth is not None and conn.auth.record_id == "u1"
        # and the address the bridge recorded is the SSE client's own, not the bridge's
        assert conn.source_ip == "127.0.0.1"


def test_an_auth_change_other_than_guest_to_user_is_forbidden(world: BridgeWorld) -> None:
    # Given a stream whose subscriptions were set by user u1
    with httpx.stream("GET", world.base_url + "/api/realtime", timeout=10) as response:
        messages = sse_messages(response)  # held: dropping the iterator would close the stream
        client_id = next(messages)["id"]
        url = world.base_url + "/api/realtime"
        assert httpx.post(url, headers={"Authorization": "token-u1"},
                          json={"clientId": client_id, "subscriptions": ["posts"]}).status_code == 204
        # When another user, then a guest, post for that client id
        other = httpx.post(url, headers={"Authorization": "token-u2"}, json={"clientId": client_id})
        guest = httpx.post(url, json={"clientId": client_id})
        # Then both are PocketBase's 403, and the subscriptions stay
        assert other.status_code == guest.status_code == 403
        assert other.json() == {"status": 403, "data": {},
                                "message": "The current and the previous request authorization don't match."}
        conn = world.store.connection(client_id)
        assert conn is not None and conn.topics == ["posts"]


def test_an_unknown_client_id_is_pocketbases_404(world: BridgeWorld) -> None:
    answer = httpx.post(world.base_url + "/api/realtime", json={"clientId": "nobody", "subscriptions": []})
    assert answer.status_code == 404
    assert answer.json() == {"status": 404, "message": "Missing or invalid client id.", "data": {}}


def test_another_address_is_refused_with_pocketbases_400(world: BridgeWorld) -> None:
    # Given a stream opened from another address than the one posting
    with httpx.stream("GET", world.base_url + "/api/realtime", timeout=10) as response:
        messages = sse_messages(response)  # held: dropping the iterator would close the stream
        client_id = next(messages)["id"]
        world.store.set_source(client_id, "192.0.2.7", "")
        # When its client id is posted from here
        answer = httpx.post(world.base_url + "/api/realtime", json={"clientId": client_id, "subscriptions": []})
    # Then PocketBase's "Invalid realtime client." and nothing changes
    assert answer.status_code == 400
    assert answer.json()["message"] == "Invalid realtime client."
    assert world.protocol.auth_calls == []


@pytest.mark.parametrize(("body", "content_type", "data"), [
    (b"", "", {"clientId": {"code": "validation_required", "message": "Cannot be blank."}}),
    (b'{"clientId":""}', "application/json", {"clientId": {"code": "validation_required",
                                                            "message": "Cannot be blank."}}),
    (b"xx", "application/json", {}),
    (b'{"clientId":5}', "application/json", {}),
    (b'{"clientId":"a","subscriptions":[1]}', "application/json", {}),
    (b'{"clientId":"a","subscriptions":"a"}', "application/json", {}),
    (b'{"clientId":"x"}', "text/plain", {}),
    (json.dumps({"clientId": "x", "subscriptions": ["b", "a" * 2501]}).encode(), "application/json",
     {"subscriptions": {"1": {"code": "validation_length_too_long", "message": "The length must be no more "
                              "than 2500.", "params": {"max": 2500, "min": 0}}}}),
    (json.dumps({"clientId": "x" * 256, "subscriptions": ["s"] * 1001}).encode(), "application/json",
     {"clientId": {"code": "validation_length_out_of_range", "message": "The length must be between 1 and 255.",
                   "params": {"max": 255, "min": 1}},
      "subscriptions": {"code": "validation_length_too_long", "message": "The length must be no more than 1000.",
                        "params": {"max": 1000, "min": 0}}}),
])
def test_bad_forms_get_pocketbases_400(world: BridgeWorld, body: bytes, content_type: str,
                                       data: dict[str, object]) -> None:
    # Given a malformed or invalid form, When posted, Then PocketBase's 400 with its field errors
    headers = {"content-type": content_type} if content_type else {}
    answer = httpx.post(world.base_url + "/api/realtime", content=body, headers=headers)
    assert answer.status_code == 400
    assert answer.json() == {"status": 400, "message": "Something went wrong while processing your request.",
                             "data": data}


def test_a_form_encoded_post_works_as_json(world: BridgeWorld) -> None:
    with httpx.stream("GET", world.base_url + "/api/realtime", timeout=10) as response:
        messages = sse_messages(response)  # held: dropping the iterator would close the stream
        client_id = next(messages)["id"]
        answer = httpx.post(world.base_url + "/api/realtime",
                            data={"clientId": client_id, "subscriptions": ["a", "b"]})
        assert answer.status_code == 204
        conn = world.store.connection(client_id)
        assert conn is not None and conn.topics == ["a", "b"]


def test_an_idle_stream_closes_and_its_socket_with_it() -> None:
    # Given a bridge whose idle timeout is short, and keepalives shorter still
    with bridge_world(sse_idle_timeout_s=1.0, sse_max_lifetime_s=30, sse_keepalive_s=0.3) as world:
        started = time.monotonic()
        with httpx.stream("GET", world.base_url + "/api/realtime", timeout=10) as response:
            # When nothing is sent for a while
            received = list(sse_messages(response))
        # Then the stream ended after the idle timeout (keepalive comments do not count as messages)
        assert 0.9 <= time.monotonic() - started < 5
        assert received[0]["event"] == "PB_CONNECT"
        assert {"comment": ""} in received[1:]
        # and the bridge closed its socket, so the WebSocket API forgot the connection
        client_id = received[0]["id"]
        wait_until(lambda: client_id in world.ws_api.closed)
        assert world.store.connection(client_id) is None


def test_events_keep_a_stream_open_until_its_max_lifetime() -> None:
    # Given a bridge with a 0.6 s idle timeout and a 1.5 s lifetime, pinging its socket every 0.5 s
    with bridge_world(sse_idle_timeout_s=0.6, sse_max_lifetime_s=1.5, sse_keepalive_s=10,
                      sse_socket_ping_s=0.5) as world:
        started = time.monotonic()
        with httpx.stream("GET", world.base_url + "/api/realtime", timeout=10) as response:
            messages = sse_messages(response)
            client_id = next(messages)["id"]

            def every_third_of_a_second() -> None:
                while client_id in world.ws_api.sockets:
                    with contextlib.suppress(Exception):
                        world.ws_api.push(client_id, {"type": "event", "topic": "posts",
                                                      "data": {"action": "update", "record": {"id": "r"}}})
                    time.sleep(0.3)

            # When an event comes every 0.3 s
            pusher = threading.Thread(target=every_third_of_a_second, daemon=True)
            pusher.start()
            events = [m for m in messages if m.get("event") == "posts"]
        # Then the stream outlived its idle timeout, delivering the events, but ended at its lifetime
        assert 1.4 <= time.monotonic() - started < 5
        assert len(events) >= 3
        pusher.join(5)
        # and the bridge kept its own socket alive with the protocol's ping (API Gateway's 10 minute idle close)
        assert sum(1 for m in world.ws_api.received if m.get("type") == "ping") >= 2


def test_a_client_that_goes_away_closes_its_socket(world: BridgeWorld) -> None:
    # Given an open stream, When the client disconnects
    with httpx.stream("GET", world.base_url + "/api/realtime", timeout=10) as response:
        messages = sse_messages(response)  # held: dropping the iterator would close the stream
        client_id = next(messages)["id"]
    # Then the bridge closes its socket
    wait_until(lambda: client_id in world.ws_api.closed)


def wait_until(condition: object, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_a_socket_the_websocket_api_closes_ends_the_stream(world: BridgeWorld) -> None:
    # Given an open stream, When the WebSocket API drops the bridge's connection (its 2 h limit, a deploy)
    with httpx.stream("GET", world.base_url + "/api/realtime", timeout=10) as response:
        messages = sse_messages(response)
        client_id = next(messages)["id"]
        asyncio.run_coroutine_threadsafe(world.ws_api.sockets[client_id].close(), world.ws_api.loop).result(5)
        # Then the stream ends, so the client's SDK reconnects and gets a new client id
        assert list(messages) == []
