"""Index keys and unique claims of a record, derived from its collection's index layout."""

from __future__ import annotations

from typing import Any

from shared.catalog.layout import CollectionLayout, IndexLayout
from shared.collections.model import Collection
from shared.records import keys


def column_value(collection: Collection, data: dict[str, Any], record_id: str, column: str) -> Any:
    """A record's value for an index column (a field name), defaults for fields it has never stored."""
    if column == "id":
        return record_id
    field = collection.field_by_name(column)
    if field is None:
        return None
    stored = data.get(field.id)
    return field.default_value() if stored is None else stored


UNCOUNTED_ATTR = keys.UNCOUNTED_ATTR


def counts_partitions(index: IndexLayout) -> bool:
    """Whether the index's partitions keep a `totalItems` counter.

    A whole-table single-column UNIQUE index holds at most one record per partition once it is ready (the
    planner uses no other), so its total is the page itself: a counter per value would cost a write per create
    and never serve a read.
    """
    return not (index.unique and index.where is None and len(index.columns) == 1)


def index_attributes(collection: Collection, layout: CollectionLayout, data: dict[str, Any],
                     record_id: str) -> dict[str, str]:
    """The gsi<slot>pk/sk attributes a record carries for each slotted index, and which partitions are uncounted.

    The uncounted list goes with every set of index keys (empty when none), so the stream's images say
    what the write decided and a slot reused by another index never inherits a stale list.
    """
    attrs: dict[str, str] = {}
    uncounted: list[str] = []
    for index in layout.slotted():
        values = [column_value(collection, data, record_id, c) for c in index.columns]
        attrs[f"gsi{index.slot}pk"] = keys.index_pk(collection.id, index.slot or 0, values[0])
        attrs[f"gsi{index.slot}sk"] = keys.index_sk(values[1:], record_id)
        if not counts_partitions(index):
            uncounted.append(f"gsi{index.slot}pk")
    if attrs:
        attrs[UNCOUNTED_ATTR] = " ".join(uncounted)
    return attrs


def index_applies(index: IndexLayout, collection: Collection, data: dict[str, Any], record_id: str) -> bool:
    """Whether a partial unique index (`WHERE ...`) covers this record."""
    if not index.where:
        return True
    from shared.records.rules import evaluate_record_condition

    return evaluate_record_condition(index.where, collection, data, record_id)


def unique_claims(collection: Collection, layout: CollectionLayout, data: dict[str, Any],
                  record_id: str) -> list[str]:
    """The claim item keys that make each UNIQUE index hold for this record."""
    claims = []
    for index in layout.indexes:
        if index.enforced and index_applies(index, collection, data, record_id):
            values = [column_value(collection, data, record_id, c) for c in index.columns]
            claims.append(keys.unique_pk(collection.id, index.name, values))
    return claims


def unique_violations(collection: Collection, layout: CollectionLayout, claim: str) -> dict[str, Any]:
    """PocketBase's validation data for a taken unique value, by the index's columns."""
    for index in layout.indexes:
        if index.unique and claim.startswith(f"{keys.UNIQUE_PREFIX}{collection.id}#{index.name}#"):
            return {c: {"code": "validation_not_unique", "message": "Value must be unique."} for c in index.columns}
    return {}
