"""Finding an auth record by one of its identity fields, through the query planner (index when declared)."""

from __future__ import annotations

from shared.catalog.repository import StoredCollection
from shared.records.model import StoredRecord
from shared.records.planner import plan_query
from shared.records.query import run_list
from shared.records.scope import RecordScope
from shared.tools.filter import Compare, Identifier, Literal


def find_by_identity(service: RecordScope, stored: StoredCollection, identity: str,
                     fields: list[str]) -> StoredRecord | None:
    """The first record whose identity field equals `identity` (one indexed lookup per field)."""
    collection = stored.collection
    for name in fields:
        if collection.field_by_name(name) is None and name != "id":
            continue
        expr = Compare(Identifier((name,)), "=", Literal(identity))
        plan = plan_query(collection, stored.layout, expr, [], service.rules.static(collection))
        result = run_list(service.records, plan, [], page=1, per_page=1, skip_total=True,
                          matcher=lambda r, e=expr: service.rules.matches(e, collection, r),  # type: ignore[misc]
                          value_of=lambda r, k: None, meter=service.meter)
        if result.items:
            return result.items[0]
    return None
