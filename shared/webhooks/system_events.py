"""System events of webhooks on the bus (`webhook.disabled`), as EventEnvelopes like every other event."""

from __future__ import annotations

import json
import uuid
from abc import ABC, abstractmethod
from typing import Any

from shared.aws import client
from shared.events.envelope import EventEnvelope
from shared.runtime_resources import SYSTEM_EVENT_SOURCE
from shared.webhooks.schedule import format_time


def webhook_disabled(webhook: dict[str, Any], reason: str, now: float) -> EventEnvelope:
    return EventEnvelope.model_validate({
        "id": f"evt_{uuid.uuid4().hex}", "type": "webhook.disabled", "time": format_time(now),
        "subject": str(webhook.get("id", "")), "actor": {"kind": "system"},
        # the catalogue's shape (docs/events.md), and the URL, so a receiver knows which endpoint it was
        "data": {"webhook": webhook.get("id"), "reason": reason, "url": webhook.get("url")}})


class SystemEvents(ABC):
    @abstractmethod
    def publish(self, envelope: EventEnvelope) -> None: ...


class EventBridgeSystemEvents(SystemEvents):
    def __init__(self, bus_name: str) -> None:
        self.bus_name = bus_name

    def publish(self, envelope: EventEnvelope) -> None:
        out = client("events").put_events(Entries=[{
            "Source": SYSTEM_EVENT_SOURCE, "DetailType": envelope.type, "EventBusName": self.bus_name,
            "Detail": json.dumps(envelope.model_dump(mode="json", by_alias=True, exclude_none=True))}])
        if out.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge refused the {envelope.type} event: {out['Entries']}")


class InMemorySystemEvents(SystemEvents):
    def __init__(self) -> None:
        self.published: list[EventEnvelope] = []

    def publish(self, envelope: EventEnvelope) -> None:
        self.published.append(envelope)
