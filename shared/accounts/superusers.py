"""Operator management of superusers: `lambdabase superuser upsert` and the start-up bootstrap."""

from __future__ import annotations

from shared.accounts.identity import find_by_identity
from shared.catalog.repository import CollectionRepository
from shared.collections.system import SUPERUSERS_COLLECTION_NAME
from shared.records.context import RequestContext
from shared.records.hooks import RecordHooks
from shared.records.repository import RecordRepository
from shared.records.scope import RecordScope


def upsert_superuser(collections: CollectionRepository, records: RecordRepository, hooks: RecordHooks, email: str,
                     password: str) -> tuple[str, bool]:
    """Create the superuser, or set its password (ending its sessions); returns (record id, created)."""
    scope = RecordScope(collections, records, RequestContext(method="POST", system=True), hooks)
    stored = collections.get(SUPERUSERS_COLLECTION_NAME)
    existing = find_by_identity(scope, stored, email, ["email"])
    if existing is None:
        body = {"email": email, "password": password, "passwordConfirm": password, "verified": True}
        created = scope.writer.create(SUPERUSERS_COLLECTION_NAME, body)
        return created.record.id, True
    scope.writer.update(SUPERUSERS_COLLECTION_NAME, existing.id, {"password": password, "passwordConfirm": password})
    return existing.id, False
