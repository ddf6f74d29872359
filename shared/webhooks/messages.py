"""The message of one delivery (one event to one subscription, one attempt) on the deliveries queue.

The events queue's messages (EventBridge entries) are expanded into these, one per matching subscription, so
that each delivery is retried alone. `not_before` lets a wait longer than SQS's 15-minute delay hop through
the queue until it is due; `run` tells a redelivery or replay (a fresh schedule) from the original.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from shared.events.envelope import EventEnvelope, PayloadStore, payload_of
from shared.webhooks.signing import webhook_id

DELIVERY_KIND: Literal["webhook-delivery"] = "webhook-delivery"


class DeliveryMessage(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    kind: Literal["webhook-delivery"] = DELIVERY_KIND
    event: EventEnvelope
    webhook: str  # the subscription's record id
    attempt: int = 1
    not_before: float = 0.0
    run: str = ""
    # a test event goes to its one subscription whatever its patterns, filter or enabled flag
    test: bool = False

    @property
    def delivery_id(self) -> str:
        """The Standard Webhooks message id: stable per event and subscription, across attempts and replays."""
        return webhook_id(self.event.id, self.webhook)

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_none=True)


def is_delivery(body: dict[str, Any]) -> bool:
    return body.get("kind") == DELIVERY_KIND


def public_body(envelope: EventEnvelope, store: PayloadStore | None) -> str:
    """What the receiver gets: `{"type", "timestamp", "data"}`, the event's body fetched when it went by reference."""
    if envelope.payload_ref and store is None:
        raise LookupError(f"event {envelope.id} has its body by reference and no payload store is configured")
    data = payload_of(envelope, store) if store is not None else envelope.data
    return json.dumps({"type": envelope.type, "timestamp": envelope.time, "data": data or {}},
                      separators=(",", ":"), ensure_ascii=False)
