"""Record events: the envelope of one record change, its record as the REST API shows it to a superuser.

Built by the changes function from the stream (shared/changes/model.py RecordChange): `id` derives from the
stream record's eventID, so a retried batch publishes the same ids; `sequence` is the stream sequence number;
`actor` is the write's actor stamp (shared/records/actor.py), `system` when the write carried none. System
collections (names starting `_`) publish nothing: a webhook delivery or an OTP must never trigger a webhook.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.changes.model import RecordChange
from shared.collections.model import Collection
from shared.events.catalogue import RECORD_EVENTS
from shared.events.envelope import EventActor, EventEnvelope
from shared.records.actor import DELETING_ATTR, decode_actor
from shared.records.model import StoredRecord

# (collection) -> whether changes of its records are events at all
CollectionOf = Callable[[str], Collection | None]
# (collection, stored record) -> the record's API JSON as a superuser sees it (shared/records/presenter.py)
Present = Callable[[Collection, StoredRecord], dict[str, Any]]


def is_published(collection: Collection) -> bool:
    """Whether a collection's record changes are published: every collection but the system ones."""
    return not collection.name.startswith("_")


def event_id(change: RecordChange) -> str:
    """A stable id per stream record: the same on every redelivery of the batch, unique across changes."""
    return f"evt_{change.event_id or change.sequence_number}"


def event_time(change: RecordChange) -> str:
    moment = datetime.fromtimestamp(change.changed_at, UTC) if change.changed_at else datetime.now(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def actor_of_change(change: RecordChange) -> EventActor:
    """Who made the change: the stamp of its new image, or for a delete the stamp the delete put on the old one;
    `system` when the write carried none (a truncation, a job, a write older than stamps)."""
    if change.action == "delete":
        stamp = decode_actor(change.old_image) if DELETING_ATTR in (change.old_image or {}) else None
    else:
        stamp = decode_actor(change.new_image)
    return EventActor.model_validate(stamp or {"kind": "system"})


def stored_of(change: RecordChange, image: dict[str, Any] | None) -> StoredRecord:
    image = image or {}
    data = image.get("d") if isinstance(image.get("d"), dict) else {}
    return StoredRecord(change.collection_id, change.record_id, dict(data or {}), int(image.get("v") or 1))


def changed_field_names(collection: Collection, change: RecordChange) -> list[str]:
    """Names of the fields whose stored value differs between the old and the new image, in schema order."""
    old = stored_of(change, change.old_image).data
    new = stored_of(change, change.new_image).data
    return [f.name for f in collection.fields if old.get(f.id) != new.get(f.id)]


def record_envelope(change: RecordChange, collection: Collection, present: Present) -> EventEnvelope:
    """The envelope of one change; `data.record` is the new record (the deleted one for a delete)."""
    image = change.old_image if change.action == "delete" else change.new_image
    data: dict[str, Any] = {"record": present(collection, stored_of(change, image))}
    if change.action == "update":
        data["changedFields"] = changed_field_names(collection, change)
    return EventEnvelope.model_validate({
        "id": event_id(change), "type": RECORD_EVENTS[change.action], "time": event_time(change),
        "collectionId": collection.id, "collectionName": collection.name, "subject": change.record_id,
        "sequence": change.sequence_number, "actor": actor_of_change(change), "data": data})


def record_envelopes(changes: list[RecordChange], collection_of: CollectionOf,
                     present: Present) -> list[tuple[RecordChange, EventEnvelope]]:
    """The published changes of a batch with their envelopes, in stream order; changes of system collections
    and of collections no longer in the catalog, and updates that changed no value, are not events."""
    out: list[tuple[RecordChange, EventEnvelope]] = []
    for change in changes:
        collection = collection_of(change.collection_id)
        if collection is None or not is_published(collection):
            continue
        envelope = record_envelope(change, collection, present)
        # An update that changed no value (an index backfill rewriting index keys) is no change of the record.
        if change.action != "update" or (envelope.data or {}).get("changedFields"):
            out.append((change, envelope))
    return out
