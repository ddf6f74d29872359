"""Per-request reads of related records for rules, filters and expands: cached, metered, bounded by the budget."""

from __future__ import annotations

import itertools
from typing import Any

from shared.catalog.repository import CollectionRepository
from shared.collections.model import Collection
from shared.records.computed import read_value
from shared.records.context import RequestContext
from shared.records.model import ReadMeter, StoredRecord
from shared.records.repository import RecordRepository
from shared.tools.filter import FilterEvaluationError


class RecordLoader:
    """Per-request cache of related records and collection scans, metered and bounded."""

    def __init__(self, collections: CollectionRepository, records: RecordRepository, meter: ReadMeter) -> None:
        self.collections = collections
        self.records = records
        self.meter = meter
        self._by_id: dict[tuple[str, str], StoredRecord | None] = {}
        self._scans: dict[str, list[StoredRecord]] = {}
        self._listable: dict[tuple[str, str], bool] = {}
        self._referencing: dict[tuple[str, str, str, str, int | None], list[str]] = {}
        # Changes a batch has planned but not yet written (None: deleted); they win over what is stored.
        self.pending: dict[tuple[str, str], StoredRecord | None] = {}
        # `@request.context` while this request expands relations: PocketBase checks the related records'
        # viewRules in the "expand" context, so a rule can keep a record out of expands
        self.context_override: str | None = None
        # field-level rule outcomes of this request (shared/records/field_rules.py)
        self.field_checks: dict[tuple[Any, ...], Any] = {}

    def one(self, collection: Collection, record_id: str) -> StoredRecord | None:
        """A record as this request sees it: its own pending change first, then the table (consistent)."""
        key = (collection.id, record_id)
        if key in self.pending:
            return self.pending[key]
        return self.records.get(collection.id, record_id, self.meter)

    def many(self, collection: Collection, ids: list[str]) -> list[StoredRecord]:
        missing = [i for i in ids if (collection.id, i) not in self._by_id and (collection.id, i) not in self.pending]
        if missing:
            found = self.records.get_many(collection.id, missing, self.meter)
            for i in missing:
                self._by_id[(collection.id, i)] = found.get(i)
        out = []
        for i in ids:
            key = (collection.id, i)
            record = self.pending[key] if key in self.pending else self._by_id[key]
            if record is not None:
                out.append(record)
        return out

    def prefetch(self, collection: Collection, records: list[StoredRecord], paths: list[tuple[str, ...]]) -> None:
        """Read, for a chunk of candidates at once, the related records these filter paths walk through
        (`author.name`: every candidate's author), so that matching them one by one reads nothing more: one
        BatchGetItem per 100 distinct ids and hop, instead of one per candidate."""
        by_field: dict[str, list[tuple[str, ...]]] = {}
        for path in paths:
            if len(path) > 1 and not path[0].startswith("@") and "_via_" not in path[0]:
                by_field.setdefault(path[0], []).append(path[1:])
        for name, rests in by_field.items():
            field = collection.field_by_name(name)
            if field is None or field.field_type != "relation":
                continue
            target = self.collections.find(getattr(field, "collection_id", ""))
            if target is None:
                continue
            ids = list(dict.fromkeys(i for r in records for i in field_values(collection, r, name)[0] if i))
            related = self.many(target.collection, ids) if ids else []
            if related:
                self.prefetch(target.collection, related, rests)

    def listable(self, collection: Collection, record: StoredRecord, request: RequestContext) -> bool:
        """Whether this request's listRule on `collection` admits `record` (cached per request)."""
        key = (collection.id, record.id)
        if key not in self._listable:
            from shared.records.rules import matches, parse_rule

            self._listable[key] = matches(parse_rule(collection.list_rule), collection, record, request, self,
                                          allow_hidden=True)
        return self._listable[key]

    def all_rows(self, collection: Collection) -> list[StoredRecord]:
        """Every record of a collection, for `@collection` joins: bounded by the meter's query budget (a 400)."""
        if collection.id not in self._scans:
            self._scans[collection.id] = list(self.records.scan(collection.id, self.meter))
        return self._scans[collection.id]

    def referencing(self, source: Collection, field_name: str, target_collection_id: str, target_ids: list[str],
                    *, limit: int | None = None) -> list[StoredRecord]:
        """Records of `source` whose relation `field_name` holds one of `target_ids`, read through the reverse
        references (never a scan of `source`), by id; at most `limit` read for each target."""
        field = source.field_by_name(field_name)
        if field is None or getattr(field, "collection_id", None) != target_collection_id:
            return []
        targets = set(target_ids)
        ids: list[str] = []
        for target_id in dict.fromkeys(target_ids):
            key = (source.id, field.id, target_collection_id, target_id, limit)
            if key not in self._referencing:
                found = self.records.referencing(target_collection_id, target_id, source.id, field.id, self.meter)
                self._referencing[key] = list(found if limit is None else itertools.islice(found, limit))
            ids.extend(self._referencing[key])
        # A reverse item outlives its meaning when a schema change drops the field: the record decides.
        return [r for r in self.many(source, sorted(set(ids))) if targets & set(field_values(source, r, field_name)[0])]


def field_values(collection: Collection, record: StoredRecord, name: str) -> tuple[list[Any], bool]:
    """A record's values for one field name, and whether the field is multi-valued."""
    if name == "id":
        return [record.id], False
    if name == "collectionId":
        return [collection.id], False
    if name == "collectionName":
        return [collection.name], False
    field = collection.field_by_name(name)
    if field is None:
        raise FilterEvaluationError(f"Unknown field {name!r} in collection {collection.name!r}.")
    value = read_value(collection, field, record.data)  # a NOW() formula is evaluated now
    if field.is_multiple():
        return list(value or []), True
    return [value], False
