"""Publishing record changes to EventBridge, in batches of the 10 entries PutEvents accepts."""

from __future__ import annotations

from abc import ABC, abstractmethod

from shared.aws import client
from shared.changes.model import RecordChange
from shared.resources import RECORD_EVENT_SOURCE

PUT_EVENTS_MAX = 10


class ChangePublisher(ABC):
    @abstractmethod
    def publish(self, changes: list[RecordChange]) -> list[RecordChange]:
        """Publish the changes; returns those that were not accepted (to be retried)."""


class EventBridgePublisher(ChangePublisher):
    def __init__(self, bus_name: str) -> None:
        self.bus_name = bus_name

    def publish(self, changes: list[RecordChange]) -> list[RecordChange]:
        events = client("events")
        rejected: list[RecordChange] = []
        for start in range(0, len(changes), PUT_EVENTS_MAX):
            chunk = changes[start:start + PUT_EVENTS_MAX]
            entries = [{
                "Source": RECORD_EVENT_SOURCE,
                "DetailType": f"record.{c.action}",
                "Detail": c.model_dump_json(),
                "EventBusName": self.bus_name,
            } for c in chunk]
            out = events.put_events(Entries=entries)
            if out.get("FailedEntryCount"):
                rejected.extend(c for c, result in zip(chunk, out["Entries"], strict=True) if result.get("ErrorCode"))
        return rejected


class InMemoryPublisher(ChangePublisher):
    def __init__(self) -> None:
        self.published: list[RecordChange] = []

    def publish(self, changes: list[RecordChange]) -> list[RecordChange]:
        self.published.extend(changes)
        return []
