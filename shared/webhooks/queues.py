"""Where delivery messages go: the deliveries queue (each attempt, delayed up to SQS's 15 minutes) and the
dead letters (deliveries that used every attempt or cannot succeed); in memory for tests."""

from __future__ import annotations

from abc import ABC, abstractmethod

import msgspec

from shared.aws import client, queue_url
from shared.webhooks.messages import DeliveryMessage

MAX_DELAY_S = 900
SEND_BATCH_MAX = 10
# SendMessageBatch caps the whole request at 256 KiB; a little room for the entries' own framing.
SEND_BATCH_BYTES = 250 * 1024


class DeliveryQueue(ABC):
    @abstractmethod
    def send(self, messages: list[tuple[DeliveryMessage, float]]) -> None:
        """Queue each message after its delay in seconds (capped at 15 minutes)."""


class SqsDeliveryQueue(DeliveryQueue):
    def __init__(self, queue: str) -> None:
        self.queue = queue

    def send(self, messages: list[tuple[DeliveryMessage, float]]) -> None:
        url = queue_url(self.queue)
        batch: list[dict[str, object]] = []
        size = 0
        for message, delay in messages:
            body = message.to_json()
            if batch and (len(batch) == SEND_BATCH_MAX or size + len(body) > SEND_BATCH_BYTES):
                self._flush(url, batch)
                batch, size = [], 0
            batch.append({"Id": str(len(batch)), "MessageBody": body,
                          "DelaySeconds": int(max(0, min(MAX_DELAY_S, delay)))})
            size += len(body)
        if batch:
            self._flush(url, batch)

    @staticmethod
    def _flush(url: str, entries: list[dict[str, object]]) -> None:
        out = client("sqs").send_message_batch(QueueUrl=url, Entries=entries)
        if out.get("Failed"):
            # the caller's message is not acknowledged then, and SQS hands it over again
            raise RuntimeError(f"SQS refused {len(out['Failed'])} delivery messages: {out['Failed'][:1]}")


class Queued(msgspec.Struct):
    message: DeliveryMessage
    delay_s: float


class InMemoryDeliveryQueue(DeliveryQueue):
    def __init__(self) -> None:
        self.queued: list[Queued] = []

    def send(self, messages: list[tuple[DeliveryMessage, float]]) -> None:
        self.queued.extend(Queued(m, d) for m, d in messages)

    def take(self) -> list[Queued]:
        out, self.queued = self.queued, []
        return out
