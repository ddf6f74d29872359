"""Deliveries: an event expanded into one message per matching subscription, and one attempt of a message.

An attempt: wait if it is not due yet (a wait past SQS's 15 minutes hops through the queue), send once
(shared/webhooks/once.py) to the pinned address with Standard Webhooks signatures, log it, then by the
outcome's verdict: done; the next attempt queued on the schedule; the subscription disabled (410); or the
delivery dead-lettered. A subscription failing without a success for `disableAfterDays` is disabled and a
`webhook.disabled` event published.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import msgspec

from shared.app_settings.model import WebhooksSettings
from shared.collections.datetime import parse_datetime
from shared.events.envelope import EventEnvelope, PayloadStore, payload_of
from shared.observability import logger
from shared.webhooks.delivery_log import AttemptEntry, DeliveryLog
from shared.webhooks.messages import DeliveryMessage, public_body
from shared.webhooks.once import OnceGuard
from shared.webhooks.queues import MAX_DELAY_S, DeliveryQueue
from shared.webhooks.schedule import format_time, next_delay, retry_after_seconds, verdict
from shared.webhooks.signing import signed_headers
from shared.webhooks.subscriptions import Subscription, SubscriptionDirectory
from shared.webhooks.system_events import SystemEvents, webhook_disabled
from shared.webhooks.transport import HttpOutcome, post

Post = Callable[..., HttpOutcome]
# A message received this early (clock skew, SQS delivering a delayed message a little soon) is due anyway.
DUE_SLACK_S = 1.0


class Deliverer(msgspec.Struct):
    directory: SubscriptionDirectory
    log: DeliveryLog
    queue: DeliveryQueue
    dead_letters: DeliveryQueue
    once: OnceGuard
    events: SystemEvents
    settings: Callable[[], WebhooksSettings]
    allow_loopback: bool = False
    payloads: PayloadStore | None = None
    clock: Callable[[], float] = time.time
    send: Post = post

    # fan-out -----------------------------------------------------------------------------------------------
    def fan_out(self, envelope: EventEnvelope) -> list[DeliveryMessage]:
        """Queue one delivery per subscription the event matches."""
        record = None
        if envelope.type.startswith("record."):
            data = payload_of(envelope, self.payloads) if self.payloads else envelope.data
            found = (data or {}).get("record")
            record = found if isinstance(found, dict) else None
        subscriptions = self.directory.matching(envelope.type, envelope.collection_name, record)
        messages = [DeliveryMessage(event=envelope, webhook=s.id) for s in subscriptions]
        if messages:
            self.queue.send([(m, 0) for m in messages])
        return messages

    # one attempt -------------------------------------------------------------------------------------------
    def endpoint_of(self, message: DeliveryMessage) -> str:
        """host:port of the subscription's URL: deliveries to one endpoint share its concurrency limit."""
        subscription = self.directory.get(message.webhook)
        parts = urlsplit(subscription.url if subscription else "")
        return f"{parts.hostname}:{parts.port or ''}"

    def handle(self, message: DeliveryMessage) -> str:
        """Make (or wait for) this message's attempt; returns what became of it."""
        now = self.clock()
        if message.not_before > now + DUE_SLACK_S:
            self.queue.send([(message, min(MAX_DELAY_S, message.not_before - now))])
            return "waiting"
        config = self.settings()
        subscription = self.directory.get(message.webhook)
        if message.attempt == 1 and not message.run:
            # what a redelivery or a replay starts again from
            self.log.keep_message(message.delivery_id, message.to_json(), now, config.log_max_days)
        if subscription is None or subscription.keys is None or not (subscription.enabled or message.test):
            self._log(message, "skipped", HttpOutcome(status=None, error="subscription missing or disabled"),
                      now, None, config)
            return "skipped"
        key = {"delivery": message.delivery_id, "run": message.run, "attempt": message.attempt}
        outcome = HttpOutcome(**self.once.run(key, lambda: msgspec.structs.asdict(self._post(message, subscription))))
        return self._settle(message, subscription, outcome, config)

    def _post(self, message: DeliveryMessage, subscription: Subscription) -> HttpOutcome:
        config = self.settings()
        try:
            body = public_body(message.event, self.payloads)
        except (LookupError, KeyError, ValueError) as exc:
            return HttpOutcome(status=None, error="connection", detail=f"The event's body is unavailable: {exc}")
        now = self.clock()
        secrets = subscription.keys.signing(now) if subscription.keys else []
        headers = {**subscription.headers, **signed_headers(message.delivery_id, int(now), body, secrets)}
        return self.send(subscription.url, body.encode(), headers, timeout_s=config.timeout,
                         allow_loopback=self.allow_loopback, max_redirects=config.max_redirects)

    def _settle(self, message: DeliveryMessage, subscription: Subscription, outcome: HttpOutcome,
                config: WebhooksSettings) -> str:
        now = self.clock()
        result = verdict(outcome)
        if message.test and result == "retry":
            result = "dead"  # a test event is tried once
        if result == "delivered":
            self._log(message, "delivered", outcome, now, None, config)
            if subscription.failing_since and not message.test:
                self._update(subscription, {"failingSince": ""}, failing_since="")
            return "delivered"
        if result == "disable":
            self._log(message, "disabled", outcome, now, None, config)
            if not message.test:
                self._disable(subscription, "The endpoint answered 410 Gone.", now)
            return "disabled"
        delay = None
        if result == "retry":
            delay = next_delay(config.retry_schedule, message.attempt, jitter=config.retry_jitter / 100,
                               retry_after=retry_after_seconds(outcome.retry_after, now))
        if delay is None:
            self._log(message, "failed", outcome, now, None, config)
            self.dead_letters.send([(message, 0)])
            status = "dead"
        else:
            self._log(message, "retrying", outcome, now, now + delay, config)
            self.queue.send([(message.model_copy(update={"attempt": message.attempt + 1,
                                                         "not_before": now + delay}), min(MAX_DELAY_S, delay))])
            status = "retrying"
        if not message.test:
            self._note_failure(subscription, now, config)
        return status

    def _note_failure(self, subscription: Subscription, now: float, config: WebhooksSettings) -> None:
        if not subscription.failing_since:
            self._update(subscription, {"failingSince": format_time(now)}, failing_since=format_time(now))
            return
        since = parse_datetime(subscription.failing_since)
        if since is not None and now - since.timestamp() >= config.disable_after:
            self._disable(subscription, f"Every delivery failed since {subscription.failing_since}.", now)

    def _disable(self, subscription: Subscription, reason: str, now: float) -> None:
        self._update(subscription, {"enabled": False, "disabledReason": reason}, enabled=False)
        self.events.publish(webhook_disabled({"id": subscription.id, "url": subscription.url}, reason, now))
        logger.warning("webhook disabled", extra={"webhook": subscription.id, "reason": reason})

    def _update(self, subscription: Subscription, body: dict[str, Any], **cached: Any) -> None:
        try:
            self.directory.records.update(subscription.id, body)
        except Exception:
            # the attempt is logged and its next step queued: a failed bookkeeping write must not resend it
            logger.exception("webhook update failed", extra={"webhook": subscription.id, "body": body})
            return
        self.directory.note(subscription.id, **cached)

    def _log(self, message: DeliveryMessage, status: str, outcome: HttpOutcome, now: float,
             next_at: float | None, config: WebhooksSettings) -> None:
        entry = AttemptEntry(delivery_id=message.delivery_id, webhook_id=message.webhook, event_id=message.event.id,
                             event_type=message.event.type, run=message.run, attempt=message.attempt, status=status,
                             response_code=outcome.status, response_excerpt=outcome.excerpt,
                             error=(f"{outcome.error}: {outcome.detail}" if outcome.detail else outcome.error),
                             duration_ms=outcome.duration_ms, at=now, next_retry_at=next_at)
        self.log.record(entry, config.log_max_days)
        logger.info("webhook attempt", extra={"delivery": message.delivery_id, "webhook": message.webhook,
                                              "attempt": message.attempt, "status": status,
                                              "code": outcome.status})


def parse_message(body: str) -> DeliveryMessage:
    return DeliveryMessage.model_validate(json.loads(body))
