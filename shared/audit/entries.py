"""The audit entries of a stream batch: one per record change, its actor from the write's stamp.

Which collections are audited: every collection of the app, and of the system ones those whose changes are
security-relevant (`_superusers`, `_externalAuths`, `_authOrigins`, `_webhooks`, `_roles`); one-time codes and MFA
sessions (`_otps`, `_mfas`) and any other system collection (webhook delivery logs) are not, as they are
written by the system itself, often, and say nothing a superuser would audit.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.audit.diff import field_changes
from shared.audit.model import AuditActor, AuditEntry, entry_id, format_created
from shared.changes.model import RecordChange
from shared.changes.record_events import actor_of_change, stored_of
from shared.collections.model import Collection
from shared.records.actor import DELETING_ATTR, decode_actor

AUDITED_SYSTEM_COLLECTIONS = frozenset({"_superusers", "_externalAuths", "_authOrigins", "_webhooks", "_roles"})

CollectionOf = Callable[[str], Collection | None]


def is_audited(collection: Collection) -> bool:
    return not collection.name.startswith("_") or collection.name in AUDITED_SYSTEM_COLLECTIONS


def change_epoch_ms(change: RecordChange, fallback_ms: int) -> int:
    """When the change happened: the stamp's own millisecond, else the stream's (whole seconds), else now."""
    image = change.old_image if change.action == "delete" else change.new_image
    at = (decode_actor(image) or {}).get("at", "")
    if at.isdigit() and (change.action != "delete" or DELETING_ATTR in (image or {})):
        return int(at)
    return int(change.changed_at * 1000) if change.changed_at else fallback_ms


def audit_entry(change: RecordChange, collection: Collection, now_ms: int) -> AuditEntry:
    actor = actor_of_change(change)
    old = stored_of(change, change.old_image).data if change.old_image is not None else None
    new = stored_of(change, change.new_image).data if change.new_image is not None else None
    changes = field_changes(collection, old, new)
    created_ms = change_epoch_ms(change, now_ms)
    return AuditEntry(
        id=entry_id(created_ms, change.event_id or change.sequence_number), created=format_created(created_ms),
        action=change.action, collectionId=collection.id, collectionName=collection.name, record=change.record_id,
        actor=AuditActor(kind=actor.kind, id=actor.record_id, collectionId=actor.collection_id,
                         collectionName=actor.collection_name, impersonatorId=actor.impersonator_id,
                         apiTokenId=actor.api_token_id),
        ip=actor.ip, userAgent=actor.user_agent, requestId=actor.request_id, sequence=change.sequence_number,
        changedFields=list(changes), changes=changes)


def audit_entries(changes: list[RecordChange], collection_of: CollectionOf, now_ms: int) -> list[AuditEntry]:
    """The batch's entries, in stream order; changes of unaudited or deleted collections, and updates that
    changed no value, have none."""
    out: list[AuditEntry] = []
    for change in changes:
        collection = collection_of(change.collection_id)
        if collection is None or not is_audited(collection):
            continue
        entry = audit_entry(change, collection, now_ms)
        # An update that changed no value (an index backfill rewriting index keys) is no change of the record.
        if entry.action != "update" or entry.changes:
            out.append(entry)
    return out
