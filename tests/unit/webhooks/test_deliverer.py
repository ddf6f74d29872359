"""Deliveries with in-memory parts: fan-out, retries on the schedule, Retry-After, 410, dead letters,
auto-disable, waits longer than SQS's delay, and an SQS redelivery that never sends twice."""

from __future__ import annotations

import time
from typing import Any

from standardwebhooks.webhooks import Webhook

from shared.app_settings.model import WebhooksSettings
from shared.events.envelope import EventEnvelope
from shared.webhooks.deliverer import Deliverer
from shared.webhooks.delivery_log import InMemoryDeliveryLog
from shared.webhooks.once import InMemoryOnce
from shared.webhooks.queues import InMemoryDeliveryQueue
from shared.webhooks.secret_store import InMemorySecretStore
from shared.webhooks.secrets import SigningKeys, new_secret
from shared.webhooks.subscriptions import SubscriptionDirectory
from shared.webhooks.system_events import InMemorySystemEvents
from shared.webhooks.transport import HttpOutcome


class FakeRecords:
    """`_webhooks` records held as API JSON."""

    def __init__(self, *records: dict[str, Any]) -> None:
        self.records = {r["id"]: {"enabled": True, "filter": "", "headers": {}, "failingSince": "", **r}
                        for r in records}

    def all(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.records.values()]

    def update(self, webhook_id: str, body: dict[str, Any]) -> None:
        self.records[webhook_id].update(body)


class FakeReceiver:
    """Answers posts from a script, then 200; keeps what it got."""

    def __init__(self, *script: HttpOutcome) -> None:
        self.script = list(script)
        self.calls: list[tuple[str, bytes, dict[str, str]]] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str], **_: Any) -> HttpOutcome:
        self.calls.append((url, body, headers))
        return self.script.pop(0) if self.script else HttpOutcome(status=200)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()  # signatures are checked against the real clock

    def __call__(self) -> float:
        return self.now


SECRET = new_secret()


def world(receiver: FakeReceiver, *records: dict[str, Any], **settings: Any) -> tuple[Deliverer, FakeRecords]:
    fake = FakeRecords(*(records or ({"id": "sub1", "url": "https://hooks.example/a", "events": ["posts.*"]},)))
    secrets = InMemorySecretStore()
    for record_id in fake.records:
        secrets.put(record_id, SigningKeys(current=SECRET))
    config = WebhooksSettings(**{"retry_schedule": (0, 5, 300, 1800), "retry_jitter": 0, **settings})
    deliverer = Deliverer(directory=SubscriptionDirectory(fake, secrets, ttl_s=0), log=InMemoryDeliveryLog(),
                          queue=InMemoryDeliveryQueue(), dead_letters=InMemoryDeliveryQueue(), once=InMemoryOnce(),
                          events=InMemorySystemEvents(), settings=lambda: config, clock=Clock(), send=receiver)
    return deliverer, fake


def event(record: dict[str, Any], collection: str = "posts", action: str = "created") -> EventEnvelope:
    return EventEnvelope.model_validate({"id": f"evt_{record['id']}", "type": f"record.{action}",
                                         "time": "2026-12-01 10:00:00.000Z", "collectionName": collection,
                                         "subject": record["id"], "data": {"record": record}})


def drain(deliverer: Deliverer) -> list[str]:
    """Run every queued message, moving the clock to when each is due; what became of each."""
    results = []
    queue = deliverer.queue
    assert isinstance(queue, InMemoryDeliveryQueue)
    while queued := queue.take():
        for item in queued:
            deliverer.clock.now = max(deliverer.clock.now, item.message.not_before)  # type: ignore[attr-defined]
            results.append(deliverer.handle(item.message))
    return results


def test_an_event_fans_out_to_each_matching_subscription_only() -> None:
    receiver = FakeReceiver()
    deliverer, _ = world(receiver,
                         {"id": "a", "url": "https://x.example/a", "events": ["posts.*"]},
                         {"id": "b", "url": "https://x.example/b", "events": ["*.deleted"]},
                         {"id": "c", "url": "https://x.example/c", "events": ["posts.created"], "filter": "n > 1"},
                         {"id": "d", "url": "https://x.example/d", "events": ["*"], "enabled": False})
    # When a posts create with n = 1 is published
    messages = deliverer.fan_out(event({"id": "r1", "n": 1}))
    # Then only the enabled subscription whose pattern and filter match gets a delivery
    assert [m.webhook for m in messages] == ["a"]
    assert drain(deliverer) == ["delivered"]
    url, body, headers = receiver.calls[0]
    assert url == "https://x.example/a"
    assert Webhook(SECRET).verify(body, headers) == {"type": "record.created", "timestamp": "2026-12-01 10:00:00.000Z",
                                                     "data": {"record": {"id": "r1", "n": 1}}}


def test_three_failures_then_success_deliver_once_with_every_attempt_logged() -> None:
    receiver = FakeReceiver(HttpOutcome(status=500), HttpOutcome(status=503), HttpOutcome(status=None, error="timeout"))
    deliverer, records = world(receiver)
    deliverer.fan_out(event({"id": "r1"}))
    # When the deliveries run as they come due
    results = drain(deliverer)
    # Then the fourth attempt delivers, each wait followed the schedule, and the failing mark is cleared
    assert results == ["retrying", "retrying", "retrying", "delivered"]
    entries = sorted(deliverer.log.between(0, 4e9), key=lambda e: e.attempt)
    assert [(e.attempt, e.status, e.response_code) for e in entries] == [
        (1, "retrying", 500), (2, "retrying", 503), (3, "retrying", None), (4, "delivered", 200)]
    assert [round(e.next_retry_at - e.at) for e in entries[:3] if e.next_retry_at] == [5, 300, 1800]
    assert len({h["webhook-id"] for _, _, h in receiver.calls}) == 1
    assert records.records["sub1"]["failingSince"] == ""


def test_retry_after_is_honoured() -> None:
    receiver = FakeReceiver(HttpOutcome(status=429, retry_after="120"))
    deliverer, _ = world(receiver)
    deliverer.fan_out(event({"id": "r1"}))
    first = deliverer.queue.take()  # type: ignore[attr-defined]
    deliverer.handle(first[0].message)
    # Then the next attempt waits the 120 s asked for, not the schedule's 5 s
    retry = deliverer.queue.take()[0]  # type: ignore[attr-defined]
    assert retry.delay_s == 120 and retry.message.not_before == deliverer.clock.now + 120  # type: ignore[attr-defined]


def test_a_wait_longer_than_sqs_allows_hops_through_the_queue_until_due() -> None:
    receiver = FakeReceiver(HttpOutcome(status=500), HttpOutcome(status=500), HttpOutcome(status=500))
    deliverer, _ = world(receiver)
    deliverer.fan_out(event({"id": "r1"}))
    queue = deliverer.queue
    for _ in range(3):  # attempts 1, 2 and 3 fail; attempt 4 is due 30 minutes later
        item = queue.take()[0]  # type: ignore[attr-defined]
        deliverer.clock.now = max(deliverer.clock.now, item.message.not_before)  # type: ignore[attr-defined]
        deliverer.handle(item.message)
    waiting = queue.take()[0]  # type: ignore[attr-defined]
    assert waiting.delay_s == 900
    # When it arrives after 15 minutes, it is sent back for the rest, nothing is sent
    deliverer.clock.now += 900  # type: ignore[attr-defined]
    assert deliverer.handle(waiting.message) == "waiting"
    assert len(receiver.calls) == 3 and queue.take()[0].delay_s == 900  # type: ignore[attr-defined]


def test_an_sqs_redelivery_of_an_attempt_sends_nothing_again() -> None:
    receiver = FakeReceiver()
    deliverer, _ = world(receiver)
    message = deliverer.fan_out(event({"id": "r1"}))[0]
    # When the same message is handled twice (SQS delivered it again)
    deliverer.handle(message)
    deliverer.handle(message)
    # Then the receiver got it once
    assert len(receiver.calls) == 1


def test_after_the_last_attempt_the_delivery_is_dead_lettered_and_replayable() -> None:
    receiver = FakeReceiver(*[HttpOutcome(status=500)] * 4)
    deliverer, records = world(receiver)
    deliverer.fan_out(event({"id": "r1"}))
    assert drain(deliverer) == ["retrying", "retrying", "retrying", "dead"]
    # Then the message is in the dead letters, the log says failed, and the subscription is marked failing
    dead = deliverer.dead_letters.take()  # type: ignore[attr-defined]
    assert len(dead) == 1 and dead[0].message.attempt == 4
    assert next(deliverer.log.between(0, 4e9)).status == "failed"
    assert records.records["sub1"]["failingSince"] != ""
    assert deliverer.log.message(dead[0].message.delivery_id) is not None


def test_a_410_disables_the_subscription_and_publishes_webhook_disabled() -> None:
    receiver = FakeReceiver(HttpOutcome(status=410))
    deliverer, records = world(receiver)
    deliverer.fan_out(event({"id": "r1"}))
    assert drain(deliverer) == ["disabled"]
    assert records.records["sub1"]["enabled"] is False and "410" in records.records["sub1"]["disabledReason"]
    published = deliverer.events.published  # type: ignore[attr-defined]
    assert [e.type for e in published] == ["webhook.disabled"]
    assert published[0].data == {"webhook": "sub1", "reason": "The endpoint answered 410 Gone.",
                                 "url": "https://hooks.example/a"}
    # And later events are not delivered to it
    assert deliverer.fan_out(event({"id": "r2"})) == []


def test_a_subscription_failing_for_longer_than_the_setting_is_disabled() -> None:
    receiver = FakeReceiver(*[HttpOutcome(status=500)] * 20)
    deliverer, records = world(receiver, disable_after=3600)
    deliverer.fan_out(event({"id": "r1"}))
    drain(deliverer)  # fails for about 35 minutes, marks the subscription failing
    assert records.records["sub1"]["enabled"] is True
    # When it still fails more than an hour after its first failure
    deliverer.clock.now += 3600  # type: ignore[attr-defined]
    deliverer.fan_out(event({"id": "r2"}))
    drain(deliverer)
    # Then it is disabled with the reason stored
    assert records.records["sub1"]["enabled"] is False
    assert records.records["sub1"]["disabledReason"].startswith("Every delivery failed since")


def test_a_batch_limits_concurrency_per_endpoint_and_does_not_starve_others() -> None:
    import json
    import threading
    import uuid

    from shared.webhooks.batch import DeliveryBatch

    # Given a slow endpoint with 6 deliveries and a fast one with 2, and a limit of 2 per endpoint
    lock = threading.Lock()
    running: dict[str, int] = {}
    peak: dict[str, int] = {}
    finished: list[str] = []

    def send(url: str, body: bytes, headers: dict[str, str], **_: Any) -> HttpOutcome:
        host = url.split("/")[2]
        with lock:
            running[host] = running.get(host, 0) + 1
            peak[host] = max(peak.get(host, 0), running[host])
        time.sleep(0.2 if host == "slow.example" else 0.01)
        with lock:
            running[host] -= 1
            finished.append(host)
        return HttpOutcome(status=200)

    deliverer, _ = world(FakeReceiver(), {"id": "slow", "url": "https://slow.example/", "events": ["*"]},
                         {"id": "fast", "url": "https://fast.example/", "events": ["*"]})
    deliverer.send = send
    messages = [m for n in range(6) for m in deliverer.fan_out(event({"id": f"r{n}"})) if m.webhook == "slow"]
    messages += [m for n in range(2) for m in deliverer.fan_out(event({"id": f"f{n}"})) if m.webhook == "fast"]
    records = [{"messageId": str(uuid.uuid4()), "receiptHandle": "h", "body": m.to_json(), "attributes": {},
                "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn",
                "awsRegion": "us-east-1"} for m in messages]
    # When the batch runs
    result = DeliveryBatch(deliverer, limit=2).run({"Records": records})
    # Then no endpoint had more than 2 at once, and the fast one finished before the slow one's backlog
    assert result == {"batchItemFailures": []}
    assert peak == {"slow.example": 2, "fast.example": min(2, peak["fast.example"])} and peak["slow.example"] == 2
    assert finished.index("fast.example") < len(finished) - 3
    assert json.loads(records[0]["body"])["kind"] == "webhook-delivery"
