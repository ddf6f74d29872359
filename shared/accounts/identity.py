"""Finding an auth record by one of its identity fields, through the query planner (index when declared)."""

from __future__ import annotations

from shared.catalog.repository import StoredCollection
from shared.records.model import StoredRecord
from shared.records.query import run_list
from shared.records.service import RecordService
from shared.tools.filter import Compare, Identifier, Literal


def find_by_identity(service: RecordService, stored: StoredCollection, identity: str,
                     fields: list[str]) -> StoredRecord | None:
    """The first record whose identity field equals `identity` (one indexed lookup per field)."""
    collection = stored.collection
    for name in fields:
        if collection.field_by_name(name) is None and name != "id":
            continue
        expr = Compare(Identifier((name,)), "=", Literal(identity))
        result = run_list(service.records, collection, stored.layout, expr, [], page=1, per_page=1,
                          skip_total=True,
                          matcher=lambda r, e=expr: service._matches(e, collection, r),  # type: ignore[misc]
                          static=service._static(collection), value_of=lambda r, k: None, meter=service.meter)
        if result.items:
            return result.items[0]
    return None
