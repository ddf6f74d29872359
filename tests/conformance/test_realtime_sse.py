"""Conformance of PocketBase's SSE realtime: the stream's first message and headers, POST /api/realtime's answers,
and an event after a record create, against the real PocketBase."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conformance.deliberate import SSE_UNKNOWN_COLLECTION
from tests.conformance.paired import GUEST, PairedClient, Side
from tests.conformance.scenario import Case, cases, check

STREAM_HEADERS = ("content-type", "cache-control", "x-accel-buffering")


class Stream:
    """One open GET /api/realtime: its response and its SSE messages, read one at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.iter_lines()

    def next_message(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        for line in self._lines:
            if not line:
                if fields:
                    return fields
                continue
            if line.startswith(":"):
                continue  # a comment (Lambdabase's keepalive); EventSource parsers skip it
            name, _, value = line.partition(":")
            fields[name] = value
        raise AssertionError(f"the stream ended before a message: {fields}")


@contextlib.contextmanager
def stream(side: Side) -> Iterator[Stream]:
    with side.http.stream("GET", "/api/realtime", timeout=httpx.Timeout(30, read=20)) as response:
        yield Stream(response)


@pytest.fixture(scope="module")
def world(paired: PairedClient) -> PairedClient:
    paired.create_collection({"name": "sse_notes", "type": "base", "listRule": "", "viewRule": "",
                              "fields": [{"name": "title", "type": "text"}]})
    return paired


def test_the_stream_opens_with_pb_connect(paired: PairedClient) -> None:
    # Given both servers, When a guest opens the event stream on each
    seen: dict[str, Any] = {}
    for side in (paired.pb, paired.lb):
        with stream(side) as s:
            first = s.next_message()
            seen[side.name] = ({k: s.response.headers.get(k) for k in STREAM_HEADERS}, s.response.status_code,
                               sorted(first), first["event"], json.loads(first["data"]), first["id"])
    # Then both answer 200 with PocketBase's headers, and PB_CONNECT names the client id in `id` and in the data
    for name, (_headers, status, keys, event, data, event_id) in seen.items():
        assert (status, keys, event) == (200, ["data", "event", "id"], "PB_CONNECT"), name
        assert data == {"clientId": event_id} and event_id, name
    assert seen["pb"][0] == seen["lb"][0]


POST_CASES = cases(
    Case("no body", "POST", "/api/realtime", role=GUEST),
    Case("empty client id", "POST", "/api/realtime", role=GUEST, body={"clientId": ""}),
    Case("malformed json", "POST", "/api/realtime", role=GUEST, raw=b"xx",
         headers={"content-type": "application/json"}),
    Case("client id of another type", "POST", "/api/realtime", role=GUEST, body={"clientId": 5}),
    Case("subscriptions of another type", "POST", "/api/realtime", role=GUEST,
         body={"clientId": "x", "subscriptions": "a"}),
    Case("a subscription of another type", "POST", "/api/realtime", role=GUEST,
         body={"clientId": "x", "subscriptions": [1]}),
    Case("an unsupported content type", "POST", "/api/realtime", role=GUEST, raw=b'{"clientId":"x"}',
         headers={"content-type": "text/plain"}),
    Case("too long a client id and too many subscriptions", "POST", "/api/realtime", role=GUEST,
         body={"clientId": "x" * 256, "subscriptions": ["s"] * 1001}),
    Case("too long subscriptions", "POST", "/api/realtime", role=GUEST,
         body={"clientId": "x", "subscriptions": ["b", "a" * 2501, "c", "d" * 2501]}),
    Case("an unknown client id", "POST", "/api/realtime", role=GUEST,
         body={"clientId": "nobody-at-all", "subscriptions": []}),
    Case("an unknown client id, as a user", "POST", "/api/realtime", role="alice",
         body={"clientId": "nobody-at-all", "subscriptions": ["users/*"]}),
    Case("an unknown client id in a form", "POST", "/api/realtime", role=GUEST, raw=b"clientId=nobody",
         headers={"content-type": "application/x-www-form-urlencoded"}),
    Case("another method", "DELETE", "/api/realtime", role=GUEST),
)


@pytest.mark.parametrize("case", POST_CASES)
def test_post_realtime_answers_as_pocketbase(paired: PairedClient, case: Case) -> None:
    check(paired, case)


def _post(side: Side, client_id: str, subscriptions: list[str], role: str = GUEST) -> httpx.Response:
    headers = {"Authorization": side.tokens[role]} if role != GUEST else {}
    return side.http.post("/api/realtime", json={"clientId": client_id, "subscriptions": subscriptions},
                          headers=headers)


def test_setting_subscriptions_of_an_open_stream_answers_204(world: PairedClient) -> None:
    # Given an open stream on each side, When its client posts subscriptions, then upgrades to a user
    for side in (world.pb, world.lb):
        with stream(side) as s:
            client_id = s.next_message()["id"]
            answers = [_post(side, client_id, ["sse_notes/*"]).status_code,
                       _post(side, client_id, ["sse_notes/*", "sse_notes"], role="alice").status_code,
                       # Then 204 each time, and only a guest may become someone: a change of user is 403
                       _post(side, client_id, ["sse_notes"], role="bob").status_code,
                       _post(side, client_id, []).status_code]
            assert answers == [204, 204, 403, 403], side.name


def test_a_record_create_reaches_the_stream_in_pocketbases_shape(world: PairedClient) -> None:
    # Given a guest stream on each side subscribed to the collection
    events: dict[str, Any] = {}
    for side in (world.pb, world.lb):
        with stream(side) as s:
            client_id = s.next_message()["id"]
            topic = 'sse_notes/*?options={"query":{"fields":"id,title"}}'
            assert _post(side, client_id, [topic, "sse_notes"]).status_code == 204
            # When a record is created
            created = side.http.post("/api/collections/sse_notes/records", json={"title": "hello"},
                                     headers={"Authorization": side.tokens["superuser"]})
            assert created.status_code == 200, created.text
            got = [s.next_message(), s.next_message()]
        events[side.name] = sorted(
            (m["event"], m["id"] == client_id, json.loads(m["data"])["action"],
              sorted(json.loads(m["data"])), sorted(json.loads(m["data"])["record"])) for m in got)
    # Then each subscription gets one event named by its string, {record, action}, the record as REST shows it
    assert events["pb"] == events["lb"]


def test_a_subscription_to_an_unknown_collection(world: PairedClient) -> None:
    # PocketBase accepts any string (204) and never sends on it; the bridge checks it as the WebSocket `set`
    # does and answers 404, so a client learns of its typo (docs/compatibility.md).
    answers = {}
    for side in (world.pb, world.lb):
        with stream(side) as s:
            answers[side.name] = _post(side, s.next_message()["id"], ["no_such_collection/*"])
    assert answers["pb"].status_code == 204
    assert answers["lb"].status_code == 404
    assert answers["lb"].json()["message"].startswith(SSE_UNKNOWN_COLLECTION)
