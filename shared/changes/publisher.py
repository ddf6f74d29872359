"""Publishing a stream batch's record changes as record events: envelopes, bodies by reference, byte-sized batches."""

from __future__ import annotations

from shared.changes.model import RecordChange
from shared.changes.record_events import CollectionOf, Present, record_envelopes
from shared.events.bus import EventPublisher


def publish_changes(changes: list[RecordChange], collection_of: CollectionOf, present: Present,
                    publisher: EventPublisher) -> tuple[int, list[RecordChange]]:
    """Publish the batch's record events; returns (events published, changes whose event was not accepted).

    The rejected changes are reported as batch item failures: Lambda resumes from the earliest of them, and
    the redelivered changes publish the same event ids, so consumers may see an event twice, never miss one.
    """
    pairs = record_envelopes(changes, collection_of, present)
    if not pairs:
        return 0, []
    rejected_ids = set(publisher.publish([envelope for _, envelope in pairs]))
    rejected = [change for change, envelope in pairs if envelope.id in rejected_ids]
    return len(pairs) - len(rejected), rejected
