"""Publishing record changes to EventBridge, in batches of the 10 entries PutEvents accepts."""

from __future__ import annotations

from abc import ABC, abstractmethod

from shared.aws import client
from shared.changes.model import RecordChange
from shared.resources import RECORD_EVENT_SOURCE

PUT_EVENTS_MAX = 10


class EventPublishError(Exception):
    """EventBridge rejected some entries; the batch must be retried."""


class ChangePublisher(ABC):
    @abstractmethod
    def publish(self, changes: list[RecordChange]) -> None: ...


class EventBridgePublisher(ChangePublisher):
    def __init__(self, bus_name: str) -> None:
        self.bus_name = bus_name

    def publish(self, changes: list[RecordChange]) -> None:
        events = client("events")
        for start in range(0, len(changes), PUT_EVENTS_MAX):
            entries = [{
                "Source": RECORD_EVENT_SOURCE,
                "DetailType": f"record.{c.action}",
                "Detail": c.model_dump_json(),
                "EventBusName": self.bus_name,
            } for c in changes[start:start + PUT_EVENTS_MAX]]
            out = events.put_events(Entries=entries)
            if out.get("FailedEntryCount"):
                raise EventPublishError(f"{out['FailedEntryCount']} events were not accepted")


class InMemoryPublisher(ChangePublisher):
    def __init__(self) -> None:
        self.published: list[RecordChange] = []

    def publish(self, changes: list[RecordChange]) -> None:
        self.published.extend(changes)
