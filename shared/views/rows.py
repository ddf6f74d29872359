"""Computes a view's row from the stored records, and writes it: one row per source record, or per group.

A row is recomputed from what is stored now, never patched by a delta: the same recompute done twice (a
redelivered stream record, a backfill crossing a live change) writes the same row, so it is exactly-once by
construction. Reads: a plain view's row is its source record plus one record per LEFT JOIN; a grouped view's
row reads its group's members through the reverse-relation index of the GROUP BY relation, never a scan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.records.model import ReadMeter, RecordConflictError, RecordWrite, StoredRecord
from shared.records.repository import RecordRepository
from shared.views.definition import ViewDefinition
from shared.views.evaluate import Row, aggregate, evaluate
from shared.views.subset import ColumnRef

# A row write conflicts when another recompute of the same row wrote first; the next attempt reads afresh.
MAX_ATTEMPTS = 5


def row_values(alias: str, collection_fields: list[Any], record: StoredRecord | None) -> dict[ColumnRef, Any]:
    if record is None:
        return {ColumnRef(alias, field.name.lower()): None for field in collection_fields}
    values = {ColumnRef(alias, field.name.lower()): record.data.get(field.id, field.default_value())
              for field in collection_fields}
    values[ColumnRef(alias, "id")] = record.id
    return values


def _rows(definition: ViewDefinition, records: RecordRepository, members: list[StoredRecord],
          meter: ReadMeter) -> list[Row]:
    """The joined rows of these source records that pass the WHERE."""
    query, sources = definition.query, definition.sources
    # each member's record per alias, joins in order: a join follows the source or a collection joined before
    chains: list[dict[str, StoredRecord | None]] = [{query.source_alias: m} for m in members]
    for join in query.joins:
        field, target = sources.join_fields[join.alias], sources.by_alias[join.alias]
        via = join.via_alias or query.source_alias

        def link(chain: dict[str, StoredRecord | None], field_id: str = field.id, via: str = via) -> str:
            record = chain[via]
            return str(record.data.get(field_id) or "") if record is not None else ""

        ids = sorted({link(c) for c in chains} - {""})
        found = records.get_many(target.id, ids, meter) if ids else {}
        for chain in chains:
            chain[join.alias] = found.get(link(chain))
    rows: list[Row] = []
    for member, chain in zip(members, chains, strict=True):
        row = row_values(query.source_alias, definition.source.fields, member)
        for join in query.joins:
            row.update(row_values(join.alias, sources.by_alias[join.alias].fields, chain[join.alias]))
        if query.where is None or passes(evaluate(query.where, row, query.source_alias)):
            rows.append(row)
    return rows


def passes(value: Any) -> bool:
    try:
        return value is not None and bool(float(value))
    except (TypeError, ValueError):
        return False


def _raw(row: Row, ref: ColumnRef | None, source_alias: str) -> tuple[bool, Any]:
    """A plain column's stored value as is (a clone field stores what its original stores)."""
    if ref is None:
        return False, None
    return True, row.get(ColumnRef(ref.alias or source_alias, ref.name.lower()))


def compute(definition: ViewDefinition, records: RecordRepository, key: str,
            meter: ReadMeter) -> dict[str, Any] | None:
    """The view row `key` (a source record id, or a group's key) as field id -> value; None: no such row."""
    query, view = definition.query, definition.view
    group_field = definition.group_field
    if group_field is None:
        source = records.get(definition.source.id, key, meter)
        rows = _rows(definition, records, [source], meter) if source is not None else []
        if not rows:
            return None
        row = rows[0]
        data: dict[str, Any] = {}
        for column in query.columns:
            field = view.field_by_name(column.name)
            if field is None:
                continue
            if column.name == "id":
                data[field.id] = key  # stored like any record's id value
                continue
            plain, value = _raw(row, column.ref, query.source_alias)
            data[field.id] = value if plain else evaluate(column.expression, row, query.source_alias)
        return data
    ids = list(records.referencing(group_field.collection_id, key, definition.source.id, group_field.id, meter))
    found = records.get_many(definition.source.id, ids, meter) if ids else {}
    # the reverse index may hold stale ids: a member counts only while it still holds the key
    members = [r for r in found.values() if str(r.data.get(group_field.id) or "") == key]
    rows = _rows(definition, records, members, meter)
    if not rows:
        return None
    data = {}
    for column in query.columns:
        field = view.field_by_name(column.name)
        if field is None:
            continue
        data[field.id] = (aggregate(column.aggregate, column.expression, rows, query.source_alias)
                          if column.aggregate else key)
    return data


def refresh(definition: ViewDefinition, records: RecordRepository, key: str, meter: ReadMeter | None = None) -> bool:
    """Recompute view row `key` and store it (or delete it); True when storage changed."""
    meter = meter or ReadMeter()
    view_id = definition.view.id
    if not key:
        return False  # a record without the group key (or an id-less row): no row, as no record has id ""
    return store_row(records, view_id, key, lambda _current: compute(definition, records, key, meter), meter)


def store_row(records: RecordRepository, view_id: str, key: str,
              compute_row: Callable[[StoredRecord | None], dict[str, Any] | None], meter: ReadMeter) -> bool:
    """Write row `key` as `compute_row(current row)` makes it (None: no row), conditioned on the row read first;
    True when storage changed. The row is read before its sources, so a write by a recompute that read older
    sources conflicts with ours, and the retry reads afresh."""
    for _ in range(MAX_ATTEMPTS):
        current = records.get(view_id, key, meter)
        write = row_write(view_id, key, current, compute_row(current))
        if write is None:
            return False
        try:
            records.write([write])
            return True
        except RecordConflictError:
            continue
    raise RecordConflictError(stale=[(view_id, key)])


def row_write(view_id: str, key: str, current: StoredRecord | None, data: dict[str, Any] | None) -> RecordWrite | None:
    if data is None:
        if current is None:
            return None
        return RecordWrite(kind="delete", record=current, expected_version=current.version)
    if current is None:
        return RecordWrite(kind="create", record=StoredRecord(view_id, key, data))
    if current.data == data:
        return None
    return RecordWrite(kind="update", record=StoredRecord(view_id, key, data, current.version + 1),
                       changed={**{k: None for k in current.data if k not in data}, **data},
                       expected_version=current.version)
