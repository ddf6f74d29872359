"""Webhooks end to end on the local stack process: real record writes (stream -> changes -> EventBridge ->
events queue -> deliveries) to a receiver on loopback that verifies every delivery with `standardwebhooks`.

The receiver answers 500 three times then 200; 429 with Retry-After; 410; never in time; down for the whole
(compressed) schedule then replayed. Events written are counted against events delivered: none lost, none
duplicated after deduplication by `webhook-id`. A 200 KB record is delivered (its body goes by reference).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api, unique
from tests.support.stack_process import StackProcess
from tests.support.suite_timers import NO_BATCHING_WINDOW_ENV, SUBSCRIPTIONS_CACHE_ENV, SUBSCRIPTIONS_CACHE_S
from tests.support.webhook_receiver import Answer, Receiver

pytestmark = pytest.mark.e2e

OPEN = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}
FAST = {"retrySchedule": [0, 1, 1, 1], "retryJitter": 0, "timeout": 1}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A stack of this module's own, without batching windows: each attempt of the (compressed) retry schedule
    then follows its delay at once, instead of a window later per queue and stream on the way (the declared
    windows are what the session stack and tests/e2e/test_totals_lag.py run with)."""
    stack = StackProcess(tmp_path_factory.mktemp("webhooks") / "data",
                         env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL, "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD,
                              **NO_BATCHING_WINDOW_ENV, **SUBSCRIPTIONS_CACHE_ENV}).start()
    try:
        yield Api(stack.url).sign_in_superuser()
    finally:
        stack.discard()


@pytest.fixture(scope="module")
def posts(api: Api) -> Iterator[str]:
    before = api.ok("GET", "/api/settings")["webhooks"]
    # the stack's functions share one process, whose settings cache the save refreshes at once
    api.ok("PATCH", "/api/settings", json={"webhooks": FAST})
    name = unique("hooked")
    api.create_collection({"name": name, "type": "base", **OPEN,
                           "fields": [{"name": "title", "type": "text"},
                                      {"name": "body", "type": "text", "max": 300_000}]})
    yield name
    api.ok("PATCH", "/api/settings", json={"webhooks": before})


def subscribe(api: Api, receiver: Receiver, events: list[str]) -> dict[str, Any]:
    created = api.create_record("_webhooks", {"url": receiver.url, "events": events})
    receiver.secrets.append(created["secret"])
    time.sleep(SUBSCRIPTIONS_CACHE_S + 0.2)  # the subscription cache of the deliveries function
    return created


def statuses(api: Api, webhook: str, count: int, timeout: float = 20.0) -> list[tuple[int, str]]:
    deadline = time.monotonic() + timeout
    while True:
        items = api.ok("GET", "/api/webhooks/deliveries", params={"webhookId": webhook})["items"]
        if len(items) >= count or time.monotonic() > deadline:
            return sorted((i["attempt"], i["status"]) for i in items)
        time.sleep(0.3)


def test_failing_three_times_then_ok_delivers_once_with_the_retries_logged(api: Api, posts: str) -> None:
    with Receiver() as receiver:
        receiver.script = [Answer(500), Answer(500), Answer(500)]
        hook = subscribe(api, receiver, [f"{posts}.created"])
        record = api.create_record(posts, {"title": "first"})
        got = receiver.wait_for(4, timeout=30)
        assert all(r.verified for r in got) and len({r.headers["webhook-id"] for r in got}) == 1
        assert [r.status for r in got] == [500, 500, 500, 200]
        assert got[-1].body["data"]["record"]["id"] == record["id"]
        assert statuses(api, hook["id"], 4) == [(1, "retrying"), (2, "retrying"), (3, "retrying"), (4, "delivered")]


def test_429_with_retry_after_is_honoured(api: Api, posts: str) -> None:
    with Receiver() as receiver:
        receiver.script = [Answer(429, {"Retry-After": "3"})]
        subscribe(api, receiver, [f"{posts}.updated"])
        record = api.create_record(posts, {"title": "a"})
        api.ok("PATCH", f"/api/collections/{posts}/records/{record['id']}", json={"title": "b"})
        got = receiver.wait_for(2, timeout=30)
        assert [r.status for r in got] == [429, 200] and all(r.verified for r in got)
        assert int(got[1].headers["webhook-timestamp"]) - int(got[0].headers["webhook-timestamp"]) >= 3
        assert got[1].body["data"]["changedFields"] == ["title"]


def test_410_disables_the_subscription(api: Api, posts: str) -> None:
    with Receiver(Answer(410)) as receiver:
        hook = subscribe(api, receiver, ["*.deleted"])
        record = api.create_record(posts, {"title": "gone"})
        api.ok("DELETE", f"/api/collections/{posts}/records/{record['id']}", status=204)
        receiver.wait_for(1, timeout=30)
        deadline = time.monotonic() + 10
        while api.ok("GET", f"/api/collections/_webhooks/records/{hook['id']}")["enabled"]:
            assert time.monotonic() < deadline, "the subscription was not disabled"
            time.sleep(0.3)
        assert "410" in api.ok("GET", f"/api/collections/_webhooks/records/{hook['id']}")["disabledReason"]


def test_a_receiver_that_never_answers_is_retried_after_the_timeout(api: Api, posts: str) -> None:
    with Receiver() as receiver:
        receiver.script = [Answer(200, hang_s=3)]
        hook = subscribe(api, receiver, [f"{posts}.created"])
        api.create_record(posts, {"title": "slow"})
        receiver.wait_for(2, timeout=30)
        assert statuses(api, hook["id"], 2) == [(1, "retrying"), (2, "delivered")]


def test_down_for_the_whole_schedule_then_replayed(api: Api, posts: str) -> None:
    with Receiver(Answer(503)) as receiver:
        hook = subscribe(api, receiver, [f"{posts}.created"])
        api.create_record(posts, {"title": "lost?"})
        receiver.wait_for(4, timeout=30)
        assert statuses(api, hook["id"], 4)[-1] == (4, "failed")
        receiver.default = Answer(200)
        assert api.ok("POST", "/api/webhooks/undelivered/replay")["queued"] >= 1
        got = receiver.wait_for(5, timeout=30)
        assert got[-1].status == 200 and got[-1].verified
        assert len({r.headers["webhook-id"] for r in got}) == 1


def test_none_lost_none_duplicated_and_records_of_200_and_260_kb_are_delivered(api: Api, posts: str) -> None:
    with Receiver() as receiver:
        receiver.script = [Answer(500), Answer(200), Answer(503)]
        subscribe(api, receiver, [f"{posts}.*"])
        subscribe(api, receiver, ["record.created"])
        written = [api.create_record(posts, {"title": f"n{n}"})["id"] for n in range(12)]
        big = api.create_record(posts, {"title": "big", "body": "x" * 200_000})["id"]
        # over the envelope's inline cap: its body travels by reference through the payload store
        bigger = api.create_record(posts, {"title": "bigger", "body": "y" * 260_000})["id"]
        written += [big, bigger]
        receiver.wait_for(2 * len(written) + 2, timeout=60)
        time.sleep(2)
        delivered: dict[str, set[str]] = {}
        for r in receiver.received:
            assert r.verified
            if r.status == 200:
                delivered.setdefault(r.headers["webhook-id"], set()).add(r.body["data"]["record"]["id"])
        ids = [next(iter(v)) for v in delivered.values()]
        assert sorted(ids) == sorted(written * 2)
        sizes = {len(r.body["data"]["record"].get("body", "")) for r in receiver.received if r.status == 200}
        assert {200_000, 260_000} <= sizes
