"""The webhook actions behind /api/webhooks: rotate a secret, send a test event, redeliver, replay, read the log.

Redeliveries and replays start a fresh run (attempt 1, a new `run` id) of the delivery's kept message: the same
`webhook-id` (receivers deduplicate on it), a new schedule, a new idempotency key. Replays read the delivery
log, which keeps each delivery's message for `webhooks.logMaxDays`: what is replayable is what was attempted
in that window (docs/api-webhooks.md).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import msgspec

from shared.app_settings.model import WebhooksSettings
from shared.collections.datetime import parse_datetime
from shared.errors import BadRequestError, NotFoundError
from shared.events.envelope import EventEnvelope
from shared.webhooks.delivery_log import MAX_RANGE_DAYS, AttemptEntry, DeliveryLog
from shared.webhooks.messages import DeliveryMessage
from shared.webhooks.queues import DeliveryQueue
from shared.webhooks.record_filter import compile_filter, filter_error, record_matches
from shared.webhooks.schedule import format_time
from shared.webhooks.secret_store import SecretStore
from shared.webhooks.secrets import SigningKeys, new_secret

MAX_PER_PAGE = 500
# A replay queues at most this many deliveries per request; the answer says whether more were left.
MAX_REPLAY = 1000
FINAL_FAILURES = frozenset({"failed", "disabled", "skipped"})


def _time(value: Any, name: str) -> float:
    moment = parse_datetime(str(value or ""))
    if moment is None:
        raise BadRequestError("Invalid time range.", {name: {
            "code": "validation_invalid_datetime", "message": "Must be a datetime like 2026-12-01 10:00:00.000Z."}})
    return moment.timestamp()


def time_range(start: Any, end: Any, *, now: float) -> tuple[float, float]:
    low = _time(start, "from") if start else now - 86400
    high = _time(end, "to") if end else now
    if high < low or high - low > MAX_RANGE_DAYS * 86400:
        raise BadRequestError("Invalid time range.", {"to": {
            "code": "validation_invalid_range", "message": f"Must be after from, at most {MAX_RANGE_DAYS} days."}})
    return low, high


class WebhookActions(msgspec.Struct):
    secrets: SecretStore
    log: DeliveryLog
    queue: DeliveryQueue
    settings: Callable[[], WebhooksSettings]
    clock: Callable[[], float] = time.time

    def rotate(self, webhook_id: str, overlap: Any = None) -> dict[str, Any]:
        """A new current secret, shown this once; the old one keeps signing until the overlap ends."""
        if overlap is None:
            overlap_s = float(self.settings().rotation_overlap)
        elif isinstance(overlap, int | float) and not isinstance(overlap, bool) and 0 <= overlap <= 30 * 86400:
            overlap_s = float(overlap)
        else:
            raise BadRequestError("Failed to rotate the secret.", {"overlap": {
                "code": "validation_invalid_overlap", "message": "Must be 0 to 2592000 seconds."}})
        now = self.clock()
        current = self.secrets.get(webhook_id)
        secret = new_secret()
        keys = current.rotated(secret, now, overlap_s) if current else SigningKeys(current=secret)
        self.secrets.put(webhook_id, keys)
        return {"secret": secret, "previousValidUntil": format_time(now + overlap_s) if current and overlap_s else ""}

    def send_test(self, webhook_id: str) -> dict[str, Any]:
        now = self.clock()
        event = EventEnvelope.model_validate({
            "id": f"evt_test_{uuid.uuid4().hex}", "type": "webhook.test", "time": format_time(now),
            "subject": webhook_id, "actor": {"kind": "system"},
            "data": {"webhook": {"id": webhook_id}, "message": "A test event from Lambdabase."}})
        message = DeliveryMessage(event=event, webhook=webhook_id, test=True)
        self.queue.send([(message, 0)])
        return {"deliveryId": message.delivery_id, "eventId": event.id}

    def _restart(self, message_json: str) -> DeliveryMessage:
        message = DeliveryMessage.model_validate_json(message_json)
        return message.model_copy(update={"attempt": 1, "not_before": 0.0, "run": uuid.uuid4().hex[:12]})

    def redeliver(self, delivery_id: str) -> dict[str, Any]:
        kept = self.log.message(delivery_id)
        if kept is None:
            raise NotFoundError("The delivery does not exist or is older than the log keeps.")
        message = self._restart(kept)
        self.queue.send([(message, 0)])
        return {"deliveryId": delivery_id, "run": message.run}

    def replay(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue again the deliveries attempted in a time range (by default only those that finally failed)."""
        low, high = time_range(body.get("from"), body.get("to"), now=self.clock())
        webhook = str(body.get("webhookId") or "")
        only_failed = body.get("onlyFailed", True) is not False
        latest: dict[str, AttemptEntry] = {}
        for entry in self.log.between(low, high):
            if webhook and entry.webhook_id != webhook:
                continue
            latest.setdefault(entry.delivery_id, entry)  # newest first: the first seen is the latest
        chosen = [d for d, e in latest.items() if not only_failed or e.status in FINAL_FAILURES]
        messages = [self._restart(kept) for d in chosen[:MAX_REPLAY] if (kept := self.log.message(d))]
        if messages:
            self.queue.send([(m, 0) for m in messages])
        return {"queued": len(messages), "more": len(chosen) > MAX_REPLAY}

    def list_attempts(self, params: dict[str, str]) -> dict[str, Any]:
        low, high = time_range(params.get("from"), params.get("to"), now=self.clock())
        try:
            page = max(1, int(params.get("page") or 1))
            per_page = max(1, min(MAX_PER_PAGE, int(params.get("perPage") or 30)))
        except ValueError as exc:
            raise BadRequestError("Invalid page parameters.", {}) from exc
        wanted = {k: params[k] for k in ("webhookId", "deliveryId", "eventId", "eventType", "status") if params.get(k)}
        text = params.get("filter") or ""
        problem = filter_error(text)
        if problem:
            raise BadRequestError("Invalid filter parameters.", {"filter": {
                "code": "validation_invalid_filter", "message": problem}})
        expr = compile_filter(text)

        def selected() -> Iterator[dict[str, Any]]:
            for entry in self.log.between(low, high):
                shown = entry.to_api()
                if all(shown.get(k) == v for k, v in wanted.items()) and record_matches(expr, shown):
                    yield shown

        items = list(selected())
        start = (page - 1) * per_page
        return {"page": page, "perPage": per_page, "totalItems": len(items),
                "totalPages": (len(items) + per_page - 1) // per_page, "items": items[start:start + per_page]}

    def attempts_of(self, delivery_id: str) -> dict[str, Any]:
        attempts = self.log.attempts(delivery_id)
        if not attempts and self.log.message(delivery_id) is None:
            raise NotFoundError()
        return {"deliveryId": delivery_id, "attempts": [a.to_api() for a in attempts]}


def replay_undelivered(receive: Callable[[], list[tuple[str, Callable[[], None]]]], queue: DeliveryQueue,
                       limit: int = MAX_REPLAY) -> int:
    """Move dead letters back to the deliveries queue as fresh runs; each is deleted once queued again."""
    moved = 0
    while moved < limit:
        batch = receive()
        if not batch:
            break
        for body, delete in batch:
            message = DeliveryMessage.model_validate_json(body)
            fresh = message.model_copy(update={"attempt": 1, "not_before": 0.0, "run": uuid.uuid4().hex[:12]})
            queue.send([(fresh, 0)])
            delete()
            moved += 1
    return moved
