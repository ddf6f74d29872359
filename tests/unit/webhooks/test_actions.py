"""The webhook actions with in-memory parts: rotation, replay of a time range, redelivery, the log's filters."""

from __future__ import annotations

import pytest

from shared.app_settings.model import WebhooksSettings
from shared.errors import BadRequestError, NotFoundError
from shared.events.envelope import EventEnvelope
from shared.webhooks.actions import WebhookActions
from shared.webhooks.delivery_log import AttemptEntry, InMemoryDeliveryLog
from shared.webhooks.messages import DeliveryMessage
from shared.webhooks.queues import InMemoryDeliveryQueue
from shared.webhooks.secret_store import InMemorySecretStore
from shared.webhooks.secrets import SigningKeys, new_secret

NOW = 1_800_000_000.0


def actions() -> WebhookActions:
    return WebhookActions(secrets=InMemorySecretStore(), log=InMemoryDeliveryLog(), queue=InMemoryDeliveryQueue(),
                          settings=WebhooksSettings, clock=lambda: NOW)


def attempted(acts: WebhookActions, n: int, status: str, at: float, webhook: str = "sub1") -> DeliveryMessage:
    envelope = EventEnvelope.model_validate({"id": f"evt_{n}", "type": "record.created", "time": "t", "data": {}})
    message = DeliveryMessage(event=envelope, webhook=webhook)
    acts.log.keep_message(message.delivery_id, message.to_json(), at, 1)
    acts.log.record(AttemptEntry(delivery_id=message.delivery_id, webhook_id=webhook, event_id=envelope.id,
                                 event_type=envelope.type, attempt=1, status=status, at=at), 1)
    return message


def test_a_rotation_keeps_the_old_secret_signing_for_the_overlap() -> None:
    acts = actions()
    old = new_secret()
    acts.secrets.put("sub1", SigningKeys(current=old))
    rotated = acts.rotate("sub1", 60)
    keys = acts.secrets.get("sub1")
    assert keys is not None and keys.signing(NOW + 30) == [rotated["secret"], old]
    assert keys.signing(NOW + 61) == [rotated["secret"]]
    assert rotated["previousValidUntil"].startswith("2027-01-15")


@pytest.mark.parametrize("overlap", [-1, "60", True, 31 * 86400])
def test_a_bad_overlap_is_a_400(overlap: object) -> None:
    with pytest.raises(BadRequestError):
        actions().rotate("sub1", overlap)


def test_a_replay_queues_the_failed_deliveries_of_the_range_once_each() -> None:
    acts = actions()
    failed = attempted(acts, 1, "failed", NOW - 100)
    attempted(acts, 2, "delivered", NOW - 90)
    attempted(acts, 3, "failed", NOW - 5000)  # outside the range
    other = attempted(acts, 4, "failed", NOW - 80, webhook="sub2")
    # When the last 10 minutes are replayed for sub1
    answer = acts.replay({"from": "2027-01-15 07:50:00.000Z", "to": "2027-01-15 08:00:00.000Z",
                          "webhookId": "sub1"})
    queued = acts.queue.take()  # type: ignore[attr-defined]
    # Then only its failed delivery is queued, as a fresh run of the same delivery
    assert answer == {"queued": 1, "more": False}
    assert [q.message.delivery_id for q in queued] == [failed.delivery_id]
    assert queued[0].message.attempt == 1 and queued[0].message.run
    assert other.delivery_id not in {q.message.delivery_id for q in queued}


def test_a_replay_of_everything_includes_the_delivered() -> None:
    acts = actions()
    attempted(acts, 1, "failed", NOW - 100)
    attempted(acts, 2, "delivered", NOW - 90)
    assert acts.replay({"onlyFailed": False})["queued"] == 2


@pytest.mark.parametrize("body", [{"from": "yesterday"}, {"from": "2027-01-15 08:00:00.000Z",
                                                          "to": "2027-01-01 08:00:00.000Z"},
                                  {"from": "2026-01-01 00:00:00.000Z", "to": "2027-01-01 00:00:00.000Z"}])
def test_a_bad_range_is_a_400(body: dict[str, str]) -> None:
    with pytest.raises(BadRequestError):
        actions().replay(body)


def test_a_redelivery_of_an_unknown_delivery_is_a_404() -> None:
    with pytest.raises(NotFoundError):
        actions().redeliver("msg_nope")


def test_the_log_lists_newest_first_and_filters() -> None:
    acts = actions()
    attempted(acts, 1, "failed", NOW - 100)
    attempted(acts, 2, "delivered", NOW - 90)
    page = acts.list_attempts({"status": "failed"})
    assert page["totalItems"] == 1 and page["items"][0]["eventId"] == "evt_1"
    everything = acts.list_attempts({})
    assert [i["eventId"] for i in everything["items"]] == ["evt_2", "evt_1"]
    with pytest.raises(BadRequestError):
        acts.list_attempts({"perPage": "x"})


def test_the_log_takes_a_pocketbase_filter() -> None:
    acts = actions()
    attempted(acts, 1, "failed", NOW - 100)
    attempted(acts, 2, "delivered", NOW - 90)
    page = acts.list_attempts({"filter": "status != 'delivered' && attempt = 1"})
    assert [i["eventId"] for i in page["items"]] == ["evt_1"]
    with pytest.raises(BadRequestError):
        acts.list_attempts({"filter": "status ="})
