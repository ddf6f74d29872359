"""The one shape every event has on the bus (the EventBridge `detail`), and the store of bodies too large for it.

Producers (the changes function for record events, the auth function for auth events, later features for system
events) publish an EventEnvelope as the `detail` of an EventBridge entry whose `detail-type` is the event type.
Consumers (webhook deliveries, the audit log) read it back with `EventEnvelope.model_validate(detail)`, and call
`payload_of(envelope, store)` for the body, whether it travelled inline or by reference.

EventBridge caps one PutEvents request at 256 KB, so a body over `INLINE_BODY_MAX` bytes is stored in a
PayloadStore and the envelope carries `payload_ref` instead of `data`.
"""

import json
from abc import ABC, abstractmethod
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Room for the envelope's other fields and EventBridge's own entry overhead inside the 256 KB request cap.
INLINE_BODY_MAX = 200 * 1024


class EventActor(BaseModel):
    """Who caused the event: an auth record, a superuser, an impersonating superuser, or the system."""

    model_config = ConfigDict(populate_by_name=True)

    collection_id: str = Field("", alias="collectionId")
    collection_name: str = Field("", alias="collectionName")
    record_id: str = Field("", alias="recordId")
    # the superuser who issued the impersonation token the request used, when it used one
    impersonator_id: str = Field("", alias="impersonatorId")
    # the API token the auth record acted through, when the request used one (the record is its owner)
    api_token_id: str = Field("", alias="apiTokenId")
    ip: str = ""
    user_agent: str = Field("", alias="userAgent")
    request_id: str = Field("", alias="requestId")
    # "auth" (an auth record), "superuser", "impersonator" (an auth record's token issued by `impersonatorId`);
    # no auth record: a guest ("guest"), or work the system did by itself ("system")
    kind: str = "guest"


class EventEnvelope(BaseModel):
    """One event. `id` is stable across retries and redeliveries (receivers deduplicate on it).

    Record events: `type` is `record.created` | `record.updated` | `record.deleted`; `subject` is the record id;
    `data` is `{"record": <the record as the REST API shows it to a superuser>, "changedFields": [names]}` (
    `changedFields` on updates only). `sequence` grows with every change of one record (the stream's sequence
    number), so a receiver can order what best-effort delivery reorders.
    """

    model_config = ConfigDict(populate_by_name=True)

    id: str
    type: str
    time: str  # RFC 3339, UTC, milliseconds
    collection_id: str = Field("", alias="collectionId")
    collection_name: str = Field("", alias="collectionName")
    subject: str = ""
    sequence: str = ""
    actor: EventActor | None = None
    data: dict[str, Any] | None = None
    payload_ref: str | None = Field(None, alias="payloadRef")


class PayloadStore(ABC):
    """Where bodies over INLINE_BODY_MAX wait for their consumers (kept as long as retries and replays last)."""

    @abstractmethod
    def put(self, key: str, body: bytes) -> str:
        """Store a body; returns the reference to put in `payload_ref`."""

    @abstractmethod
    def get(self, ref: str) -> bytes: ...


class InMemoryPayloadStore(PayloadStore):
    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}

    def put(self, key: str, body: bytes) -> str:
        self.bodies[key] = body
        return key

    def get(self, ref: str) -> bytes:
        return self.bodies[ref]


def payload_of(envelope: EventEnvelope, store: PayloadStore) -> dict[str, Any] | None:
    """The event's body, inline or fetched by its reference."""
    if envelope.payload_ref:
        data = json.loads(store.get(envelope.payload_ref))
        return data if isinstance(data, dict) else None
    return envelope.data
