"""Webhook subscriptions through the records API, the actions of /api/webhooks, and deliveries to a loopback
receiver, on the in-process stack (moto, the pollers, the deliveries function)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from shared.aws import client, queue_url
from shared.resources import EVENTS_QUEUE
from tests.support.records_api import GUEST, Api
from tests.support.suite_timers import SUBSCRIPTIONS_CACHE_S
from tests.support.webhook_receiver import Answer, Receiver

HOOKS = "/api/collections/_webhooks/records"
FAST = {"retrySchedule": [0, 1, 1, 1], "retryJitter": 0, "timeout": 1, "logMaxDays": 1}


@pytest.fixture(scope="module")
def fast_retries(api: Api) -> Iterator[None]:
    before = api.ok("GET", "/api/settings")["webhooks"]
    # the stack's functions share one process, whose settings cache the save refreshes at once
    api.ok("PATCH", "/api/settings", json={"webhooks": FAST})
    yield
    api.ok("PATCH", "/api/settings", json={"webhooks": before})


def envelope(collection: str, record: dict[str, Any], action: str = "created") -> dict[str, Any]:
    return {"id": f"evt_{uuid.uuid4().hex}", "type": f"record.{action}", "time": "2026-12-01 10:00:00.000Z",
            "collectionId": "pbc_test", "collectionName": collection, "subject": record["id"], "sequence": "1",
            "data": {"record": record}}


def publish(event: dict[str, Any]) -> None:
    """What EventBridge's rule puts on the events queue: the entry, its detail the envelope."""
    client("sqs").send_message(QueueUrl=queue_url(EVENTS_QUEUE.physical_name), MessageBody=json.dumps({
        "version": "0", "id": str(uuid.uuid4()), "detail-type": event["type"], "source": "lambdabase.records",
        "detail": event}))


def subscribe(api: Api, receiver: Receiver, events: list[str], **extra: Any) -> dict[str, Any]:
    created = api.create_record("_webhooks", {"url": receiver.url, "events": events, **extra})
    receiver.secrets.append(created["secret"])
    time.sleep(SUBSCRIPTIONS_CACHE_S + 0.1)  # the deliveries function's subscription cache sees it
    return created


def test_a_subscription_shows_its_secret_once_and_never_again(api: Api) -> None:
    # Given a superuser creating a subscription
    created = api.create_record("_webhooks", {"url": "https://example.com/hook", "events": ["posts.*"]})
    # Then the create response has the generated secret, and the subscription is enabled
    assert created["secret"].startswith("whsec_") and len(created["secret"]) >= 38
    assert created["enabled"] is True
    # When it is read again, listed, or updated
    viewed = api.ok("GET", f"{HOOKS}/{created['id']}")
    listed = api.ok("GET", HOOKS, params={"filter": f"id = '{created['id']}'"})["items"][0]
    updated = api.ok("PATCH", f"{HOOKS}/{created['id']}", json={"description": "orders"})
    # Then the secret is never shown again
    assert viewed["secret"] == listed["secret"] == updated["secret"] == ""


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "ftp://example.com/x", "events": ["*"]}, "url"),
    ({"url": "https://example.com", "events": ["posts"]}, "events"),
    ({"url": "https://example.com", "events": []}, "events"),
    ({"url": "https://example.com", "events": ["*"], "filter": "title = "}, "filter"),
    ({"url": "https://example.com", "events": ["*"], "filter": "@request.auth.id != ''"}, "filter"),
    ({"url": "https://example.com", "events": ["*"], "headers": {"webhook-id": "x"}}, "headers"),
    ({"url": "https://example.com", "events": ["*"], "secret": "whsec_short"}, "secret"),
])
def test_a_bad_subscription_is_a_400_naming_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    # When a subscription with one bad value is created
    response = api.request("POST", HOOKS, json=body)
    # Then PocketBase's error shape names that field, and nothing was stored
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"status", "message", "data"}
    assert field in response.json()["data"]


def test_only_superusers_manage_subscriptions_and_actions(api: Api) -> None:
    # Given a subscription
    created = api.create_record("_webhooks", {"url": "https://example.com/h", "events": ["*"]})
    # Then a user and a guest can neither list it nor use its actions
    assert api.request("GET", HOOKS, role="user").status_code == 403
    assert api.request("POST", HOOKS, role=GUEST, json={"url": "https://e.com", "events": ["*"]}).status_code == 403
    assert api.request("POST", f"/api/webhooks/{created['id']}/rotate-secret", role="user").status_code == 403
    assert api.request("GET", "/api/webhooks/deliveries", role=GUEST).status_code == 401


def test_a_rotation_signs_with_both_secrets_during_the_overlap(api: Api, fast_retries: None) -> None:
    with Receiver() as receiver:
        # Given a subscription whose receiver knows only its first secret
        created = subscribe(api, receiver, ["posts.created"])
        # When the secret is rotated (the old one keeps signing for an hour) and an event is published
        rotated = api.ok("POST", f"/api/webhooks/{created['id']}/rotate-secret", json={"overlap": 3600})
        publish(envelope("posts", {"id": "r1", "title": "a"}))
        got = receiver.wait_for(1)
        # Then the delivery verifies with the old secret and with the new one alone
        assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
        assert got[0].verified
        receiver.secrets = [rotated["secret"]]
        assert receiver._verifies(rotated["secret"], json.dumps(got[0].body, separators=(",", ":")).encode(),
                                  got[0].headers)
        assert len(got[0].headers["webhook-signature"].split(" ")) == 2


def test_a_receiver_failing_three_times_gets_the_event_once_with_the_retries_logged(
        api: Api, fast_retries: None) -> None:
    with Receiver() as receiver:
        # Given a receiver answering 500 three times, then 200
        receiver.script = [Answer(500), Answer(500), Answer(500)]
        created = subscribe(api, receiver, ["posts.*"], filter="title = 'go'")
        # When a matching event and a filtered-out one are published
        publish(envelope("posts", {"id": "r2", "title": "skip"}))
        publish(envelope("posts", {"id": "r3", "title": "go"}))
        got = receiver.wait_for(4)
        time.sleep(1.5)
        # Then every attempt was the same signed message, the last one succeeded, and nothing else came
        assert len(receiver.received) == 4 and all(r.verified for r in got)
        assert len({r.headers["webhook-id"] for r in got}) == 1
        assert got[0].body["data"]["record"]["id"] == "r3" and got[0].body["type"] == "record.created"
        log = api.ok("GET", "/api/webhooks/deliveries", params={"webhookId": created["id"]})
        statuses = sorted((i["attempt"], i["status"], i["responseCode"]) for i in log["items"])
        assert statuses == [(1, "retrying", 500), (2, "retrying", 500), (3, "retrying", 500), (4, "delivered", 200)]


def test_a_410_disables_the_subscription(api: Api, fast_retries: None) -> None:
    with Receiver(Answer(410)) as receiver:
        created = subscribe(api, receiver, ["*.deleted"])
        # When the receiver answers 410 Gone
        publish(envelope("posts", {"id": "r4"}, "deleted"))
        receiver.wait_for(1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            current = api.ok("GET", f"{HOOKS}/{created['id']}")
            if not current["enabled"]:
                break
            time.sleep(0.2)
        # Then the subscription is disabled with the reason stored, and it is not retried
        assert current["enabled"] is False and "410" in current["disabledReason"]
        time.sleep(1.5)
        assert len(receiver.received) == 1


def test_retry_after_is_honoured(api: Api, fast_retries: None) -> None:
    with Receiver() as receiver:
        # Given a receiver that asks, once, to come back in 3 s (the schedule would wait 1 s)
        receiver.script = [Answer(429, {"Retry-After": "3"})]
        subscribe(api, receiver, ["posts.updated"])
        publish(envelope("posts", {"id": "r5"}, "updated"))
        got = receiver.wait_for(2)
        arrivals = [r for r in got]
        # Then the retry came no sooner than asked, and verified
        assert arrivals[0].status == 429 and arrivals[1].status == 200 and all(r.verified for r in arrivals)
        assert float(arrivals[1].headers["webhook-timestamp"]) - float(arrivals[0].headers["webhook-timestamp"]) >= 3


def test_a_receiver_that_never_answers_times_out_and_is_retried(api: Api, fast_retries: None) -> None:
    with Receiver() as receiver:
        # Given a receiver that holds the first request past the 1 s timeout
        receiver.script = [Answer(200, hang_s=2.5)]
        created = subscribe(api, receiver, ["posts.created"])
        publish(envelope("posts", {"id": "r6"}))
        receiver.wait_for(2)
        time.sleep(1)
        # Then the first attempt is logged as a timeout and the second delivered the same message
        log = api.ok("GET", "/api/webhooks/deliveries", params={"webhookId": created["id"]})["items"]
        by_attempt = {i["attempt"]: i for i in log}
        assert by_attempt[1]["status"] == "retrying" and by_attempt[1]["error"].startswith("timeout")
        assert by_attempt[2]["status"] == "delivered"
        assert len({r.headers["webhook-id"] for r in receiver.received}) == 1


def test_a_receiver_down_for_the_whole_schedule_is_dead_lettered_then_replayed(api: Api, fast_retries: None) -> None:
    with Receiver(Answer(503)) as receiver:
        # Given a receiver down for every attempt of the (compressed) schedule
        created = subscribe(api, receiver, ["posts.created"])
        publish(envelope("posts", {"id": "r7"}))
        receiver.wait_for(4)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            items = api.ok("GET", "/api/webhooks/deliveries", params={"webhookId": created["id"],
                                                                     "status": "failed"})["items"]
            if items:
                break
            time.sleep(0.2)
        # Then the last attempt is logged as failed, with no next retry
        assert items and items[0]["attempt"] == 4 and items[0]["nextRetryAt"] == ""
        # When it is back and the dead letters are replayed
        receiver.default = Answer(200)
        replayed = api.ok("POST", "/api/webhooks/undelivered/replay")
        got = receiver.wait_for(5)
        # Then it gets the event once more, under the same webhook-id, and verifies it
        assert replayed["queued"] >= 1
        assert got[4].status == 200 and got[4].verified
        assert len({r.headers["webhook-id"] for r in got}) == 1


def test_a_test_event_and_a_redelivery(api: Api, fast_retries: None) -> None:
    with Receiver() as receiver:
        created = subscribe(api, receiver, ["nothing.matches"])
        # When a test event is sent, then redelivered
        sent = api.ok("POST", f"/api/webhooks/{created['id']}/test")
        first = receiver.wait_for(1)[0]
        redelivered = api.ok("POST", f"/api/webhooks/deliveries/{sent['deliveryId']}/redeliver")
        second = receiver.wait_for(2)[1]
        # Then both arrive signed, as `webhook.test`, under the delivery's id, and the log has both runs
        assert first.body["type"] == "webhook.test" and first.verified and second.verified
        assert first.headers["webhook-id"] == second.headers["webhook-id"] == sent["deliveryId"]
        time.sleep(0.5)
        attempts = api.ok("GET", f"/api/webhooks/deliveries/{sent['deliveryId']}")["attempts"]
        assert sorted(a["run"] for a in attempts) == sorted(["", redelivered["run"]])
    assert api.request("POST", "/api/webhooks/deliveries/msg_nope/redeliver").status_code == 404
    assert api.request("POST", "/api/webhooks/nope/test").status_code == 404


def test_a_burst_to_two_subscriptions_loses_and_duplicates_nothing(api: Api, fast_retries: None) -> None:
    with Receiver() as receiver:
        # Given two subscriptions and a receiver that fails a few requests on the way
        receiver.script = [Answer(500), Answer(200), Answer(502), Answer(200), Answer(500)]
        subscribe(api, receiver, ["posts.created"])
        subscribe(api, receiver, ["record.*"])
        # When 15 events are published
        for n in range(15):
            publish(envelope("posts", {"id": f"b{n}"}))
        receiver.wait_for(30 + 3, timeout=40)
        time.sleep(2)
        # Then every (event, subscription) arrived, verified, exactly once after deduplication by webhook-id
        delivered = {r.headers["webhook-id"] for r in receiver.received if r.status == 200}
        assert len(delivered) == 30
        assert all(r.verified for r in receiver.received)
        assert len(receiver.received) == 33  # the three failures, retried


@pytest.mark.parametrize("section", [{"retrySchedule": []}, {"retrySchedule": [0, -1]}, {"timeout": 0},
                                     {"retryJitter": 101}, {"maxRedirects": 9}, {"retrySchedule": ["1"]}])
def test_bad_webhook_settings_are_a_400(api: Api, section: dict[str, Any]) -> None:
    response = api.request("PATCH", "/api/settings", json={"webhooks": section})
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"status", "message", "data"}
