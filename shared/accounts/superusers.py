"""Operator management of superusers: `lambdabase superuser upsert` and the start-up bootstrap."""

from __future__ import annotations

from shared.accounts.identity import find_by_identity
from shared.catalog.repository import CollectionRepository
from shared.collections.system import SUPERUSERS_COLLECTION_NAME
from shared.records.context import RequestContext
from shared.records.repository import RecordRepository
from shared.records.service import RecordService


def upsert_superuser(collections: CollectionRepository, records: RecordRepository, email: str, password: str
                     ) -> tuple[str, bool]:
    """Create the superuser, or set its password; returns (record id, created)."""
    service = RecordService(collections, records, RequestContext(method="POST", system=True))
    stored = service.collection(SUPERUSERS_COLLECTION_NAME)
    existing = find_by_identity(service, stored, email, ["email"])
    if existing is None:
        body = {"email": email, "password": password, "passwordConfirm": password, "verified": True}
        created = service.create(SUPERUSERS_COLLECTION_NAME, body, {})
        return str(created["id"]), True
    service.update(SUPERUSERS_COLLECTION_NAME, existing.id, {"password": password, "passwordConfirm": password}, {})
    return existing.id, False
