"""The seam for side effects of account flows: auth events (`auth.signin`, `auth.signin_failed`, ...).

Account flows call `emit(...)` at the point where the event happens; listeners registered by the composition
root (shared/accounts/collaborators.py) react. A listener never fails the flow: a sign-in that succeeded must
answer its token even when EventBridge is down, so failures are logged and counted (`AuthEventsFailed`).
The envelope (shared/events/envelope.py) names the account as the actor, with the caller's IP, user agent and
request id; `data.record` is the account as the REST API shows it to a superuser (docs/events.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.catalog.repository import StoredCollection
from shared.events.envelope import EventEnvelope
from shared.observability import MetricUnit, logger, metrics
from shared.records.actor import actor_of
from shared.records.context import AuthState, RequestContext
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

Listener = Callable[[EventEnvelope], None]


class AuthEventHooks:
    """Listeners of auth events, run in registration order; each one's failure is logged, never raised."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def on(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, envelope: EventEnvelope) -> None:
        for listener in self._listeners:
            try:
                listener(envelope)
            except Exception:
                # The account flow has happened (a token is issued, a mail sent): its answer must not change.
                logger.exception("auth event listener failed", extra={
                    "listener": getattr(listener, "__name__", repr(listener)), "type": envelope.type})
                metrics.add_metric(name="AuthEventsFailed", unit=MetricUnit.Count, value=1)


def auth_envelope(event_type: str, service: RecordScope, stored: StoredCollection, record: StoredRecord | None,
                  *, actor: AuthState | None = None, **data: Any) -> EventEnvelope:
    """An auth event of `record` (None when the account is unknown, e.g. a failed sign-in), caused by `actor`
    (by default the account itself) from the service's request."""
    collection = stored.collection
    request = service.request
    who = actor or (AuthState(record=record, collection=collection) if record is not None else None)
    stamp = actor_of(RequestContext(auth=who, ip=request.ip, user_agent=request.user_agent,
                                    request_id=request.request_id))
    stamp.pop("at", None)
    body: dict[str, Any] = dict(data)
    if record is not None:
        body["record"] = service.acting_as(RequestContext(system=True)).presenter.to_json(collection, record)
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return EventEnvelope.model_validate({
        "id": f"evt_{uuid.uuid4().hex}", "type": event_type, "time": now, "collectionId": collection.id,
        "collectionName": collection.name, "subject": record.id if record is not None else "",
        "actor": stamp, "data": body})


def publish_to_bus(bus_name: str) -> Listener:
    """The listener that publishes each auth event to the EventBridge bus (bodies are small: always inline)."""

    def publish_auth_event(envelope: EventEnvelope) -> None:
        from shared.events.bus import EventBridgePublisher
        from shared.events.envelope import InMemoryPayloadStore

        rejected = EventBridgePublisher(bus_name, InMemoryPayloadStore()).publish([envelope])
        if rejected:
            raise RuntimeError(f"EventBridge rejected auth event {envelope.id}")
        metrics.add_metric(name="AuthEventsPublished", unit=MetricUnit.Count, value=1)

    return publish_auth_event
