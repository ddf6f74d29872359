"""Publishing envelopes to the EventBridge bus: bodies over INLINE_BODY_MAX by reference, batches sized by bytes.

Every producer (the changes function's record events, the auth function's auth events, later system events)
publishes through an EventPublisher; the EventBridge one calls PutEvents once per byte-sized batch
(shared/events/entry_size.py) and reports the ids of the envelopes EventBridge did not accept.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from shared.events.catalogue import source_of
from shared.events.entry_size import byte_batches
from shared.events.envelope import INLINE_BODY_MAX, EventEnvelope, PayloadStore


class EventPublisher(ABC):
    @abstractmethod
    def publish(self, envelopes: list[EventEnvelope]) -> list[str]:
        """Publish the envelopes; returns the ids of those not accepted (to be retried by the caller)."""


def by_reference(envelope: EventEnvelope, store: PayloadStore) -> EventEnvelope:
    """The envelope as it travels: its body moved to the store when over INLINE_BODY_MAX bytes of JSON."""
    if envelope.data is None:
        return envelope
    body = json.dumps(envelope.data, separators=(",", ":"), ensure_ascii=False).encode()
    if len(body) <= INLINE_BODY_MAX:
        return envelope
    ref = store.put(envelope.id, body)
    return envelope.model_copy(update={"data": None, "payload_ref": ref})


def entry_of(envelope: EventEnvelope, bus_name: str) -> dict[str, Any]:
    """The PutEvents entry of one envelope: detail-type the event type, detail the envelope's JSON."""
    return {"Source": source_of(envelope.type), "DetailType": envelope.type, "EventBusName": bus_name,
            "Detail": envelope.model_dump_json(by_alias=True, exclude_none=True)}


PutEvents = Callable[[list[Mapping[str, Any]]], Mapping[str, Any]]


class EventBridgePublisher(EventPublisher):
    """PutEvents on one bus; `put_events` is replaceable so that a benchmark can count calls."""

    def __init__(self, bus_name: str, store: PayloadStore, put_events: PutEvents | None = None) -> None:
        self.bus_name = bus_name
        self.store = store
        self._put_events = put_events
        self.calls = 0

    def _put(self, entries: list[Mapping[str, Any]]) -> Mapping[str, Any]:
        self.calls += 1
        if self._put_events is not None:
            return self._put_events(entries)
        from shared import aws

        out: Mapping[str, Any] = aws.client("events").put_events(Entries=entries)
        return out

    def publish(self, envelopes: list[EventEnvelope]) -> list[str]:
        travelling = [by_reference(e, self.store) for e in envelopes]
        entries = [entry_of(e, self.bus_name) for e in travelling]
        ids = {i: e.id for i, e in enumerate(travelling)}
        rejected: list[str] = []
        start = 0
        for batch in byte_batches(entries):
            out = self._put(batch)
            if out.get("FailedEntryCount"):
                rejected.extend(ids[start + i] for i, result in enumerate(out.get("Entries", []))
                                if result.get("ErrorCode"))
            start += len(batch)
        return rejected


class InMemoryPublisher(EventPublisher):
    """Keeps what was published, in order, as the bus would carry it (bodies over the cap by reference)."""

    def __init__(self, store: PayloadStore | None = None) -> None:
        self.store = store
        self.published: list[EventEnvelope] = []

    def publish(self, envelopes: list[EventEnvelope]) -> list[str]:
        self.published.extend(by_reference(e, self.store) if self.store else e for e in envelopes)
        return []
