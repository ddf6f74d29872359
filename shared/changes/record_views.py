"""What stream consumers need from the catalog: a collection by id, and a stored record as a superuser sees it."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import msgspec

from shared.catalog.repository import CollectionRepository, get_collection_repository
from shared.collections.model import Collection
from shared.records.context import RequestContext
from shared.records.model import StoredRecord
from shared.records.presenter import RecordPresenter
from shared.records.repository import RecordRepository, get_record_repository
from shared.records.scope import RecordScope


class CatalogRecordViews(msgspec.Struct, dict=True):
    collections: CollectionRepository
    records: RecordRepository

    @classmethod
    def for_tables(cls, system_table: str, records_table: str) -> CatalogRecordViews:
        return cls(get_collection_repository(system_table), get_record_repository(records_table, system_table))

    @cached_property
    def _presenter(self) -> RecordPresenter:
        # The records API's own presenter, for a system caller: hidden fields shown, password and tokenKey never.
        return RecordScope(self.collections, self.records, RequestContext(system=True)).presenter

    def collection(self, collection_id: str) -> Collection | None:
        """The collection of a change; None once it is deleted (its records' changes then have no schema)."""
        found = self.collections.find(collection_id)
        return found.collection if found is not None else None

    def present(self, collection: Collection, record: StoredRecord) -> dict[str, Any]:
        return self._presenter.to_json(collection, record)

    @staticmethod
    def audit_retention_days() -> int:
        from shared.app_settings import provider

        return max(1, provider.current().audit.retention_days)
