"""Webhook storage on moto: Powertools Idempotency on the system table, the delivery log and its time index,
the secret store, and the SQS queues' delays and batches."""

from __future__ import annotations

import json
import time

import pytest

from local import cloud
from shared.app_settings.errors import SettingsStorageError
from shared.aws import client, queue_url
from shared.events.envelope import EventEnvelope
from shared.resources import DELIVERIES_QUEUE, SYSTEM_TABLE
from shared.webhooks.delivery_log import AttemptEntry, DynamoDeliveryLog
from shared.webhooks.messages import DeliveryMessage
from shared.webhooks.once import PowertoolsOnce
from shared.webhooks.queues import SqsDeliveryQueue
from shared.webhooks.secret_store import SECRETS_PK, get_secret_store
from shared.webhooks.secrets import SigningKeys, new_secret

TABLE = SYSTEM_TABLE.physical_name


def message(n: int, size: int = 10) -> DeliveryMessage:
    envelope = EventEnvelope.model_validate({"id": f"evt_{n}", "type": "record.created",
                                             "time": "2026-12-01 10:00:00.000Z",
                                             "data": {"record": {"id": f"r{n}", "text": "x" * size}}})
    return DeliveryMessage(event=envelope, webhook="sub1")


def test_an_attempt_runs_once_per_key_under_powertools_idempotency(moto: cloud.MotoCloud) -> None:
    # Given the guard of the deliveries function on the system table
    guard = PowertoolsOnce(TABLE)
    sends: list[int] = []

    def send() -> dict[str, object]:
        sends.append(1)
        return {"status": 200, "error": ""}

    # When the same attempt runs twice (an SQS redelivery), then the next attempt
    first = guard.run({"delivery": "msg_1", "run": "", "attempt": 1}, send)
    again = guard.run({"delivery": "msg_1", "run": "", "attempt": 1}, send)
    guard.run({"delivery": "msg_1", "run": "", "attempt": 2}, send)
    # Then the repeat got the stored outcome without sending
    assert first == again == {"status": 200, "error": ""}
    assert len(sends) == 2


def test_the_log_keeps_attempts_by_delivery_and_by_time(moto: cloud.MotoCloud) -> None:
    log = DynamoDeliveryLog(TABLE)
    now = time.time()
    for attempt, status in ((1, "retrying"), (2, "delivered")):
        log.record(AttemptEntry(delivery_id="msg_a", webhook_id="sub1", event_id="evt_1", event_type="record.created",
                                attempt=attempt, status=status, response_code=200, at=now + attempt), ttl_days=1)
    log.record(AttemptEntry(delivery_id="msg_b", webhook_id="sub2", event_id="evt_2", event_type="record.created",
                            attempt=1, status="failed", at=now - 3 * 86400), ttl_days=1)
    log.keep_message("msg_a", message(1).to_json(), now, ttl_days=1)
    # Then a delivery's attempts, a time range newest first, and the kept message read back
    assert [e.attempt for e in log.attempts("msg_a")] == [1, 2]
    assert [(e.delivery_id, e.attempt) for e in log.between(now - 60, now + 60)] == [("msg_a", 2), ("msg_a", 1)]
    assert [e.delivery_id for e in log.between(now - 4 * 86400, now + 60)][-1] == "msg_b"
    kept = log.message("msg_a")
    assert kept is not None and DeliveryMessage.model_validate_json(kept).event.id == "evt_1"
    assert log.message("msg_nope") is None


def test_secrets_are_stored_outside_the_records_sealed_with_kms(moto: cloud.MotoCloud) -> None:
    # Given the webhooks store of the deployment (its KMS key, as the local stack provisions it)
    store = get_secret_store(TABLE)
    keys = SigningKeys(current=new_secret())
    # When two subscriptions' secrets are stored
    store.put("sub1", keys)
    store.put("sub2", SigningKeys(current=new_secret()))
    # Then they read back, and the table holds no secret in clear
    assert store.get("sub1") == keys and set(store.all()) == {"sub1", "sub2"}
    raw = client("dynamodb").get_item(TableName=TABLE, Key={"pk": {"S": SECRETS_PK}, "sk": {"S": "sub1"}})["Item"]
    assert keys.current not in json.dumps(raw) and keys.current.removeprefix("whsec_") not in json.dumps(raw)
    # And a sealed value moved to another subscription does not open (the encryption context names the id)
    client("dynamodb").put_item(TableName=TABLE, Item={**raw, "sk": {"S": "sub3"}})
    with pytest.raises(SettingsStorageError):
        store.get("sub3")
    store.delete("sub1")
    assert store.get("sub1") is None


def test_the_queue_sends_large_messages_in_batches_under_the_request_cap(moto: cloud.MotoCloud) -> None:
    # Given ten delivery messages of 60 KB each (more than one SendMessageBatch may carry)
    queue = SqsDeliveryQueue(DELIVERIES_QUEUE.physical_name)
    queue.send([(message(n, 60_000), 0) for n in range(10)])
    # Then every one of them is on the queue
    url = queue_url(DELIVERIES_QUEUE.physical_name)
    seen: set[str] = set()
    for _ in range(10):
        out = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        for m in out.get("Messages", []):
            seen.add(DeliveryMessage.model_validate_json(m["Body"]).event.id)
        if len(seen) == 10:
            break
    assert len(seen) == 10
