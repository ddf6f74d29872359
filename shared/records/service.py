"""Records CRUD logic: rules, validation, storage, expand and fields, in PocketBase's semantics."""

from __future__ import annotations

import math
import random
import time
from typing import Any

from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.collections.model import Collection
from shared.collections.records import PreparedRecord, prepare_record, record_to_json
from shared.errors import BadRequestError, ForbiddenError, NotFoundError, PreconditionFailedError
from shared.records import indexing
from shared.records.context import RequestContext
from shared.records.expand import expand_records, parse_expand
from shared.records.model import ReadMeter, RecordConflictError, RecordWrite, StoredRecord
from shared.records.query import run_list
from shared.records.repository import RecordRepository
from shared.records.resolver import RecordLoader, RecordResolver
from shared.records.rules import combine, matches, parse_rule, parse_user_filter
from shared.tools.filter import (
    Expr,
    FilterError,
    Identifier,
    Literal,
    Operand,
    SortKey,
    apply_fields,
    parse_fields,
    parse_sort,
)

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
# A partial update re-reads and re-applies itself when another write won the race; PocketBase (SQLite)
# serialises writers instead, so concurrent updates of one record must not fail there or here.
WRITE_ATTEMPTS = 10
RETRY_BASE_S = 0.005
RETRY_CAP_S = 0.2
SUPERUSERS_ONLY = "Only superusers can perform this action."
# PocketBase's answer when a create reuses an existing id
ID_TAKEN = {"code": "validation_pk_invalid", "message": "The record primary key is invalid or already exists."}


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise BadRequestError(f"Invalid {name} parameter.", {name: {
            "code": "validation_invalid_number", "message": "Must be a whole number."}}) from exc


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "t", "yes")


class RecordService:
    """One request's view of the records API; reads are metered against the query budget."""

    def __init__(self, collections: CollectionRepository, records: RecordRepository, request: RequestContext,
                 *, query_budget: int = 10_000) -> None:
        self.collections = collections
        self.records = records
        self.request = request
        self.meter = ReadMeter(budget=query_budget)
        self.loader = RecordLoader(collections, records, self.meter)

    # helpers ---------------------------------------------------------------------------------------
    def collection(self, id_or_name: str) -> StoredCollection:
        return self.collections.get(id_or_name)

    def _rule(self, rule: str | None) -> Expr | None:
        """The parsed rule to enforce; superusers skip rules, and a null rule is theirs alone."""
        if self.request.is_superuser:
            return None
        if rule is None:
            raise ForbiddenError(SUPERUSERS_ONLY)
        return parse_rule(rule)

    def _matches(self, expr: Expr | None, collection: Collection, record: StoredRecord | None, *,
                 allow_hidden: bool = True, existing: StoredRecord | None = None) -> bool:
        return matches(expr, collection, record, self.request, self.loader, allow_hidden=allow_hidden,
                       existing=existing)

    def _static(self, collection: Collection) -> Any:
        def static(operand: Operand) -> tuple[bool, Any]:
            if isinstance(operand, Literal):
                return True, operand.value
            if isinstance(operand, Identifier) and operand.is_request and not operand.modifier:
                try:
                    resolved = RecordResolver(collection, None, self.request, self.loader,
                                              allow_hidden=True).resolve(operand)
                except FilterError:
                    return False, None
                if not resolved.multi and len(resolved.values) <= 1:
                    return True, resolved.values[0] if resolved.values else None
            return False, None
        return static

    def _can_view(self, collection: Collection, record: StoredRecord) -> bool:
        if self.request.is_superuser:
            return True
        if collection.view_rule is None:
            return False
        return self._matches(parse_rule(collection.view_rule), collection, record)

    def _show_email(self, collection: Collection, record: StoredRecord) -> bool:
        if not collection.is_auth or self.request.is_superuser:
            return True
        auth = self.request.auth
        if auth and auth.collection.id == collection.id and auth.record.id == record.id:
            return True
        visibility = collection.field_by_name("emailVisibility")
        # as PocketBase: whoever may manage the record (manageRule) sees its email
        return bool(visibility and record.data.get(visibility.id)) or self._manages(collection, record)

    def to_json(self, collection: Collection, record: StoredRecord) -> dict[str, Any]:
        return record_to_json(collection, record.data, can_see_hidden=self.request.is_superuser,
                              show_email=self._show_email(collection, record))

    def _finish(self, collection: Collection, records: list[StoredRecord], params: dict[str, str]
                ) -> list[dict[str, Any]]:
        pairs = [(r, self.to_json(collection, r)) for r in records]
        if params.get("expand"):
            expand_records(self.loader, collection, pairs, parse_expand(params["expand"]), self._can_view,
                           self.to_json)
        bodies = [b for _, b in pairs]
        if params.get("fields"):
            try:
                spec = parse_fields(params["fields"])
            except FilterError as exc:
                raise BadRequestError("Invalid fields parameter.", {"fields": {
                    "code": "validation_invalid_fields", "message": str(exc)}}) from exc
            bodies = [apply_fields(b, spec) for b in bodies]
        return bodies

    def _load(self, collection: Collection, record_id: str) -> StoredRecord:
        record = self.loader.one(collection, record_id)
        if record is None:
            raise NotFoundError()
        return record

    # list / view -----------------------------------------------------------------------------------
    def list_page(self, id_or_name: str, params: dict[str, str]) -> dict[str, Any]:
        stored = self.collection(id_or_name)
        collection = stored.collection
        rule = self._rule(collection.list_rule)
        user_filter = parse_user_filter(params.get("filter", ""), superuser=self.request.is_superuser)
        page = max(1, _int_param(params, "page", 1))
        # as PocketBase: a zero or negative perPage means the default, a larger one is capped
        per_page = _int_param(params, "perPage", DEFAULT_PER_PAGE)
        per_page = DEFAULT_PER_PAGE if per_page <= 0 else min(MAX_PER_PAGE, per_page)
        skip_total = _truthy(params.get("skipTotal"))
        try:
            sort = parse_sort(params.get("sort", ""))
        except FilterError as exc:
            raise BadRequestError("Invalid sort parameter.", {"sort": {
                "code": "validation_invalid_sort", "message": str(exc)}}) from exc
        superuser = self.request.is_superuser

        def matcher(record: StoredRecord) -> bool:
            return (self._matches(rule, collection, record)
                    and self._matches(user_filter, collection, record, allow_hidden=superuser))

        def value_of(record: StoredRecord, key: SortKey) -> Any:
            resolved = RecordResolver(collection, record, self.request, self.loader,
                                      allow_hidden=superuser).resolve(Identifier(key.path))
            return resolved.values[0] if resolved.values else None

        try:
            result = run_list(self.records, collection, stored.layout, combine(rule, user_filter), sort, page=page,
                              per_page=per_page, skip_total=skip_total, matcher=matcher,
                              static=self._static(collection), value_of=value_of, meter=self.meter)
        except FilterError as exc:
            raise BadRequestError("Invalid filter parameters.", {"filter": {
                "code": "validation_invalid_filter", "message": str(exc)}}) from exc
        total = result.total
        return {
            "page": page,
            "perPage": per_page,
            "totalItems": total,
            "totalPages": -1 if total < 0 else math.ceil(total / per_page),
            "items": self._finish(collection, result.items, params),
        }

    def view(self, id_or_name: str, record_id: str, params: dict[str, str]) -> tuple[dict[str, Any], str]:
        collection = self.collection(id_or_name).collection
        rule = self._rule(collection.view_rule)
        record = self._load(collection, record_id)
        if not self._matches(rule, collection, record):
            raise NotFoundError()
        return self._finish(collection, [record], params)[0], record.etag

    # writes ----------------------------------------------------------------------------------------
    def _relation_exists(self, collection_id: str, ids: list[str]) -> bool:
        target = self.collections.find(collection_id)
        if target is None:
            return False
        return len(self.loader.many(target.collection, ids)) == len(set(ids))

    def _conflict_error(self, stored: StoredCollection, write: RecordWrite, exc: RecordConflictError,
                        action: str) -> BadRequestError:
        reasons = exc.reasons
        data: dict[str, Any] = {}
        if reasons and reasons[0] == "ConditionalCheckFailed" and write.kind == "create":
            data["id"] = dict(ID_TAKEN)
        for i, claim in enumerate(write.claims, start=1):
            if i < len(reasons) and reasons[i] == "ConditionalCheckFailed":
                data.update(indexing.unique_violations(stored.collection, stored.layout, claim))
        if not data and write.kind == "create" and reasons == ["condition"]:
            data["id"] = dict(ID_TAKEN)
        return BadRequestError(f"Failed to {action} record.", data)

    def prepare_create(self, id_or_name: str, body: dict[str, Any]) -> tuple[StoredCollection, RecordWrite]:
        """Check rules and validate a create; the write is applied by the caller (alone or in a batch)."""
        stored = self.collection(id_or_name)
        collection = stored.collection
        rule = self._rule(collection.create_rule)
        prepared = self._prepare(collection, body, None, "create")
        record = StoredRecord(collection.id, prepared.record_id, dict(prepared.merged_by_field_id))
        if not self._matches(rule, collection, record):
            raise BadRequestError("Failed to create record.")
        return stored, RecordWrite(
            kind="create", record=record,
            index_attrs=indexing.index_attributes(collection, stored.layout, record.data, record.id),
            claims=indexing.unique_claims(collection, stored.layout, record.data, record.id))

    def create(self, id_or_name: str, body: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        stored, write = self.prepare_create(id_or_name, body)
        self.apply(stored, [write], "create")
        return self._finish(stored.collection, [write.record], params)[0]

    def apply(self, stored: StoredCollection, writes: list[RecordWrite], action: str) -> None:
        """Write atomically, turning a failed condition into PocketBase's 400 for the first write."""
        try:
            self.records.write(writes)
        except RecordConflictError as exc:
            raise self._conflict_error(stored, writes[0], exc, action) from exc
        self.after_write(writes)

    def _prepare(self, collection: Collection, body: dict[str, Any], existing: StoredRecord | None, action: str,
                 *, has_manage_access: bool = False) -> PreparedRecord:
        """prepare_record plus the account rules of auth records: manageRule on create and the password policy."""
        from shared.accounts.password_policy import new_password_errors

        def prepare(manage: bool) -> PreparedRecord:
            return prepare_record(collection, body, existing.data if existing else None,
                                  is_superuser=self.request.is_superuser, has_manage_access=manage,
                                  relation_exists=self._relation_exists)

        if (existing is None and collection.is_auth and collection.manage_rule and self.request.auth is not None
                and not self.request.is_superuser):
            # as PocketBase: manageRule is checked against the record the create would make
            probe = prepare(True)
            has_manage_access = self._manages(collection, StoredRecord(collection.id, probe.record_id,
                                                                       dict(probe.merged_by_field_id)))
        policy = new_password_errors(collection, body, existing.data if existing else None)
        try:
            prepared = prepare(has_manage_access)
        except BadRequestError as exc:
            exc.data = {**policy, **exc.data}
            raise
        if policy:
            raise BadRequestError(f"Failed to {action} record.", policy)
        return prepared

    def after_write(self, writes: list[RecordWrite]) -> None:
        """Side effects of committed writes: a changed tokenKey (new password) ends the record's sessions."""
        from shared.accounts.sessions import revoke_after_credential_change

        revoke_after_credential_change(self.collections.find, writes)

    def prepare_update(self, id_or_name: str, record_id: str, body: dict[str, Any], *,
                       if_match: str | None = None) -> tuple[StoredCollection, RecordWrite]:
        stored = self.collection(id_or_name)
        collection = stored.collection
        rule = self._rule(collection.update_rule)
        existing = self._load(collection, record_id)
        if not self._matches(rule, collection, existing, existing=existing):
            raise NotFoundError()
        if if_match and if_match.strip() not in ("*", existing.etag):
            raise PreconditionFailedError()
        prepared = self._prepare(collection, body, existing, "update",
                                 has_manage_access=self._manages(collection, existing))
        merged = dict(prepared.merged_by_field_id)
        if (prepared.record_id or existing.id) != existing.id:
            raise BadRequestError("Failed to update record.", {"id": {
                "code": "validation_invalid_id", "message": "The record id cannot be changed."}})
        old_claims = set(indexing.unique_claims(collection, stored.layout, existing.data, existing.id))
        new_claims = indexing.unique_claims(collection, stored.layout, merged, existing.id)
        attrs = indexing.index_attributes(collection, stored.layout, merged, existing.id)
        return stored, RecordWrite(
            kind="update", record=StoredRecord(collection.id, existing.id, merged, existing.version + 1),
            changed={k: v for k, v in prepared.values_by_field_id.items() if k not in prepared.increments},
            increments=dict(prepared.increments), expected_version=existing.version, index_attrs=attrs,
            remove_index_attrs=[a for a in _all_index_attrs() if a not in attrs],
            claims=[c for c in new_claims if c not in old_claims],
            releases=[c for c in old_claims if c not in new_claims])

    def update(self, id_or_name: str, record_id: str, body: dict[str, Any], params: dict[str, str], *,
               if_match: str | None = None) -> dict[str, Any]:
        for attempt in range(WRITE_ATTEMPTS):
            stored, write = self.prepare_update(id_or_name, record_id, body, if_match=if_match)
            try:
                self.records.write([write])
            except RecordConflictError as exc:
                # the record's own condition is the first item: it failed only when the version moved on
                stale = bool(exc.reasons) and exc.reasons[0] in ("ConditionalCheckFailed", "condition")
                if stale and if_match:
                    raise PreconditionFailedError() from exc
                if stale:
                    # a concurrent write of the record: re-read and apply ours on top, after a jittered pause
                    time.sleep(random.uniform(0, min(RETRY_CAP_S, RETRY_BASE_S * 2 ** attempt)))
                    continue
                raise self._conflict_error(stored, write, exc, "update") from exc
            self.after_write([write])
            fresh = self.records.get(stored.collection.id, record_id, self.meter) or write.record
            return self._finish(stored.collection, [fresh], params)[0]
        raise BadRequestError("Failed to update record: too many concurrent changes.")

    def _manages(self, collection: Collection, record: StoredRecord) -> bool:
        if not collection.is_auth or self.request.auth is None:
            return self.request.is_superuser
        if self.request.is_superuser:
            return True
        rule = parse_rule(collection.manage_rule) if collection.manage_rule else None
        return rule is not None and self._matches(rule, collection, record)

    def prepare_delete(self, id_or_name: str, record_id: str, *, if_match: str | None = None
                       ) -> tuple[StoredCollection, list[RecordWrite]]:
        stored = self.collection(id_or_name)
        collection = stored.collection
        rule = self._rule(collection.delete_rule)
        existing = self._load(collection, record_id)
        if not self._matches(rule, collection, existing):
            raise NotFoundError()
        if if_match and if_match.strip() not in ("*", existing.etag):
            raise PreconditionFailedError()
        from shared.records.references import reference_writes

        writes = [RecordWrite(kind="delete", record=existing, expected_version=existing.version,
                              releases=indexing.unique_claims(collection, stored.layout, existing.data, existing.id))]
        writes.extend(reference_writes(self, collection, existing))
        return stored, writes

    def delete(self, id_or_name: str, record_id: str, *, if_match: str | None = None) -> None:
        for attempt in range(WRITE_ATTEMPTS):
            _, writes = self.prepare_delete(id_or_name, record_id, if_match=if_match)
            try:
                self.records.write(writes)
                return
            except RecordConflictError as exc:
                if if_match:
                    raise PreconditionFailedError() from exc
                if attempt + 1 < WRITE_ATTEMPTS:
                    # the record or one it cascades to changed meanwhile: re-read and decide again
                    time.sleep(random.uniform(0, min(RETRY_CAP_S, RETRY_BASE_S * 2 ** attempt)))
                    continue
                raise BadRequestError("Failed to delete record. Make sure that the record is not part of a "
                                      "required relation reference.") from exc

    def finish_one(self, stored: StoredCollection, record: StoredRecord, params: dict[str, str]) -> dict[str, Any]:
        return self._finish(stored.collection, [record], params)[0]


def _all_index_attrs() -> list[str]:
    from shared.resources import INDEX_SLOTS

    return [f"gsi{i}{part}" for i in range(1, INDEX_SLOTS + 1) for part in ("pk", "sk")]
