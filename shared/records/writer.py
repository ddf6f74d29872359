"""Writing records through the API: rules, validation and hooks, then one conditional write, retried on races.

A write is prepared (rules checked, values validated, index keys and unique claims derived) into RecordWrites,
then committed alone or inside a batch. As PocketBase (SQLite) serialises writers, a partial update that loses
a race to another writer of the same record is re-read and re-applied rather than failed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.collections.model import Collection
from shared.errors import ApiError, BadRequestError, NotFoundError, PreconditionFailedError
from shared.records import creation_order, indexing, links
from shared.records.actor import actor_of
from shared.records.context import RequestContext
from shared.records.hooks import Action, RecordEvent, RecordHooks
from shared.records.model import RecordConflictError, RecordWrite, StorageContentionError, StoredRecord
from shared.records.references import reference_writes
from shared.records.repository import RecordRepository
from shared.records.request_rules import RequestRules
from shared.records.roles import check_role_write
from shared.records.validation import PreparedRecord, prepare_record
from shared.resource_defs import INDEX_SLOTS

# How long a write keeps re-applying itself on top of concurrent writes of the same record.
RETRY_DEADLINE_S = 10.0
RETRY_BASE_S = 0.005
RETRY_CAP_S = 0.1
# PocketBase's answer when a create reuses an existing id
ID_TAKEN = {"code": "validation_not_unique", "message": "Value must be unique."}
_ALL_INDEX_ATTRS = [*(f"gsi{i}{part}" for i in range(1, INDEX_SLOTS + 1) for part in ("pk", "sk")),
                    indexing.UNCOUNTED_ATTR]


class WriteContentionError(ApiError):
    status = 409
    default_message = "The record is being changed by other requests at the same moment; try again."


class PreparedWrite:
    """A checked, validated change of one request: its storage writes and the hook events to fire."""

    def __init__(self, stored: StoredCollection, writes: list[RecordWrite], events: list[RecordEvent]) -> None:
        self.stored = stored
        self.writes = writes
        self.events = events

    @property
    def record(self) -> StoredRecord:
        return self.writes[0].record


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, min(RETRY_CAP_S, RETRY_BASE_S * 2 ** attempt)))


def refuse_view_writes(collection: Collection) -> None:
    """A view's records are materialized from its query (shared/views/): PocketBase refuses writes to them."""
    if collection.is_view:
        raise BadRequestError("Unsupported collection type.")


class RecordWriter:
    def __init__(self, collections: CollectionRepository, records: RecordRepository, rules: RequestRules,
                 hooks: RecordHooks) -> None:
        self.collections = collections
        self.records = records
        self.rules = rules
        self.loader = rules.loader
        self.hooks = hooks

    @property
    def request(self) -> RequestContext:
        return self.rules.request

    # preparing ---------------------------------------------------------------------------------------------
    def _relation_exists(self, collection_id: str, ids: list[str]) -> bool:
        target = self.collections.find(collection_id)
        if target is None:
            return False
        return len(self.loader.many(target.collection, ids)) == len(set(ids))

    def _validate(self, collection: Collection, body: dict[str, Any], existing: StoredRecord | None,
                  action: Action, *, has_manage_access: bool = False) -> PreparedRecord:
        """prepare_record plus the validate hooks, every error in one 400; manageRule decides on auth creates."""
        def prepare(manage: bool) -> PreparedRecord:
            return prepare_record(collection, body, existing.data if existing else None,
                                  is_superuser=self.rules.is_superuser, has_manage_access=manage,
                                  relation_exists=self._relation_exists)

        # before any preparing: a validate hook may resolve body values in place (direct uploads, files/attach.py)
        event = RecordEvent(action, collection, existing or StoredRecord(collection.id, "", {}), existing,
                            self.request, body)
        hook_errors = self.hooks.validate(event)
        if (existing is None and collection.is_auth and collection.manage_rule and self.request.auth is not None
                and not self.rules.is_superuser):
            # as PocketBase: manageRule is checked against the record the create would make
            probe = prepare(True)
            has_manage_access = self.rules.manages(collection, StoredRecord(collection.id, probe.record_id,
                                                                            dict(probe.merged_by_field_id)))
        try:
            prepared = prepare(has_manage_access)
        except BadRequestError as exc:
            exc.data = {**hook_errors, **exc.data}
            raise
        if hook_errors:
            raise BadRequestError(f"Failed to {action} record.", hook_errors)
        return prepared

    def prepare_create(self, id_or_name: str, body: dict[str, Any]) -> PreparedWrite:
        stored = self.collections.get(id_or_name)
        refuse_view_writes(stored.collection)
        collection = stored.collection
        self.rules.require_action(collection, "create")
        rule = self.rules.rule(collection.create_rule)
        prepared = self._validate(collection, body, None, "create")
        record = StoredRecord(collection.id, prepared.record_id, dict(prepared.merged_by_field_id))
        if not self.rules.matches(rule, collection, record):
            raise BadRequestError("Failed to create record.")
        self.rules.check_field_writes(collection, body, record, None, prepared.changed_field_ids)
        check_role_write(self.loader, collection, record, "create")
        write = RecordWrite(kind="create", record=record,
                            index_attrs=indexing.index_attributes(collection, stored.layout, record.data, record.id),
                            claims=indexing.unique_claims(collection, stored.layout, record.data, record.id),
                            links_added=links.record_links(collection, record.data))
        event = RecordEvent("create", collection, record, None, self.request, body, write)
        self.hooks.before(event)
        return PreparedWrite(stored, [write], [event])

    def _load(self, collection: Collection, record_id: str) -> StoredRecord:
        record = self.loader.one(collection, record_id)
        if record is None:
            raise NotFoundError()
        return record

    def prepare_update(self, id_or_name: str, record_id: str, body: dict[str, Any], *,
                       if_match: str | None = None) -> PreparedWrite:
        stored = self.collections.get(id_or_name)
        refuse_view_writes(stored.collection)
        collection = stored.collection
        self.rules.require_action(collection, "update")
        rule = self.rules.rule(collection.update_rule)
        existing = self._load(collection, record_id)
        if (not self.rules.matches(rule, collection, existing, existing=existing)
                or not self.rules.own_rule_allows(collection, existing, "update")):
            raise NotFoundError()
        if if_match and if_match.strip() not in ("*", existing.etag):
            raise PreconditionFailedError()
        prepared = self._validate(collection, body, existing, "update",
                                  has_manage_access=self.rules.manages(collection, existing))
        merged = dict(prepared.merged_by_field_id)
        if (prepared.record_id or existing.id) != existing.id:
            raise BadRequestError("Failed to update record.", {"id": {
                "code": "validation_invalid_id", "message": "The record id cannot be changed."}})
        old_claims = set(indexing.unique_claims(collection, stored.layout, existing.data, existing.id))
        new_claims = indexing.unique_claims(collection, stored.layout, merged, existing.id)
        attrs = indexing.index_attributes(collection, stored.layout, merged, existing.id)
        links_added, links_removed = links.link_changes(collection, existing.data, merged)
        self.rules.check_field_writes(collection, body, StoredRecord(collection.id, existing.id, merged),
                                      existing, prepared.changed_field_ids)
        check_role_write(self.loader, collection, StoredRecord(collection.id, existing.id, merged))
        write = RecordWrite(
            kind="update", record=StoredRecord(collection.id, existing.id, merged, existing.version + 1),
            changed={k: v for k, v in prepared.values_by_field_id.items() if k not in prepared.increments},
            increments=dict(prepared.increments), expected_version=existing.version, index_attrs=attrs,
            remove_index_attrs=[a for a in _ALL_INDEX_ATTRS if a not in attrs],
            claims=[c for c in new_claims if c not in old_claims],
            releases=[c for c in old_claims if c not in new_claims],
            links_added=links_added, links_removed=links_removed)
        event = RecordEvent("update", collection, write.record, existing, self.request, body, write)
        self.hooks.before(event)
        return PreparedWrite(stored, [write], [event])

    def prepare_delete(self, id_or_name: str, record_id: str, *, if_match: str | None = None) -> PreparedWrite:
        stored = self.collections.get(id_or_name)
        refuse_view_writes(stored.collection)
        collection = stored.collection
        self.rules.require_action(collection, "delete")
        rule = self.rules.rule(collection.delete_rule)
        existing = self._load(collection, record_id)
        if not self.rules.matches(rule, collection, existing) or not self.rules.own_rule_allows(
                collection, existing, "delete"):
            raise NotFoundError()
        if if_match and if_match.strip() not in ("*", existing.etag):
            raise PreconditionFailedError()
        check_role_write(self.loader, collection, None)
        write = RecordWrite(kind="delete", record=existing, expected_version=existing.version,
                            releases=indexing.unique_claims(collection, stored.layout, existing.data, existing.id),
                            links_removed=links.record_links(collection, existing.data))
        event = RecordEvent("delete", collection, existing, existing, self.request, write=write)
        self.hooks.before(event)
        cascade = reference_writes(self.collections, self.loader, collection, existing)
        # records the cascade deletes get their own after-event: their files go too
        cascaded = [RecordEvent("delete", found.collection, w.record, w.record, self.request, write=w)
                    for w in cascade if w.kind == "delete" and (found := self.collections.find(w.record.collection_id))]
        return PreparedWrite(stored, [write, *cascade], [event, *cascaded])

    # committing --------------------------------------------------------------------------------------------
    def commit(self, writes: list[RecordWrite], events: list[RecordEvent]) -> None:
        """Write atomically, then run the after hooks; conflicts surface as RecordConflictError."""
        stamp = actor_of(self.request)
        for w in writes:
            w.actor = stamp
        try:
            self.mark_unproven(writes, [e.collection for e in events])
            try:
                self.records.write(writes)
            except StorageContentionError as exc:
                raise WriteContentionError() from exc
        except BaseException:
            self.hooks.failed(events)  # e.g. the files uploaded for a write that did not happen
            raise
        self.hooks.after(events)

    def mark_unproven(self, writes: list[RecordWrite], schemas: list[Collection]) -> None:
        """Put the unordered marker of every collection a write leaves a record in whose id does not start with
        its `created` millisecond, before the write: the marker can be extra, never missing (creation_order)."""
        by_id = {c.id: c for c in schemas}
        unproven: set[str] = set()
        for w in writes:
            if w.kind == "delete" or w.record.collection_id in unproven:
                continue
            collection = by_id.get(w.record.collection_id)
            if collection is None:  # a record a cascade unlinks: its collection has no event of its own
                found = self.collections.find(w.record.collection_id)
                collection = found.collection if found else None
            if collection is None or not creation_order.proves_order(collection, w.record):
                unproven.add(w.record.collection_id)
        for collection_id in sorted(unproven):
            self.records.mark_unordered(collection_id)

    def conflict_error(self, stored: StoredCollection, exc: RecordConflictError, action: str) -> BadRequestError:
        """PocketBase's 400 for a taken id or unique value."""
        data: dict[str, Any] = {}
        if exc.ids_taken:
            data["id"] = dict(ID_TAKEN)
        for claim in exc.claims_taken:
            data.update(indexing.unique_violations(stored.collection, stored.layout, claim))
        return BadRequestError(f"Failed to {action} record.", data)

    def create(self, id_or_name: str, body: dict[str, Any]) -> PreparedWrite:
        prepared = self.prepare_create(id_or_name, body)
        try:
            self.commit(prepared.writes, prepared.events)
        except RecordConflictError as exc:
            raise self.conflict_error(prepared.stored, exc, "create") from exc
        return prepared

    def update(self, id_or_name: str, record_id: str, body: dict[str, Any], *,
               if_match: str | None = None) -> PreparedWrite:
        def refuse(exc: RecordConflictError, prepared: PreparedWrite) -> None:
            if not exc.stale or exc.claims_taken:
                raise self.conflict_error(prepared.stored, exc, "update") from exc
            if if_match:
                raise PreconditionFailedError() from exc

        return self._until_committed(lambda: self.prepare_update(id_or_name, record_id, body, if_match=if_match),
                                     refuse)

    def delete(self, id_or_name: str, record_id: str, *, if_match: str | None = None) -> None:
        def refuse(exc: RecordConflictError, _: PreparedWrite) -> None:
            if if_match:
                raise PreconditionFailedError() from exc

        # the record or one it cascades to may change meanwhile: each attempt re-reads and decides again
        self._until_committed(lambda: self.prepare_delete(id_or_name, record_id, if_match=if_match), refuse)

    def _until_committed(self, prepare: Callable[[], PreparedWrite],
                         refuse: Callable[[RecordConflictError, PreparedWrite], None]) -> PreparedWrite:
        """Prepare and commit, re-preparing on top of concurrent writes (after a jittered pause) until the
        write lands, `refuse` raises for a conflict that retrying cannot fix, or the deadline passes."""
        deadline = time.monotonic() + RETRY_DEADLINE_S
        attempt = 0
        while True:
            prepared = prepare()
            try:
                self.commit(prepared.writes, prepared.events)
                return prepared
            except RecordConflictError as exc:
                refuse(exc, prepared)
                if time.monotonic() > deadline:
                    raise WriteContentionError() from exc
            _pause(attempt)
            attempt += 1
