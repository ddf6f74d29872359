"""Computing a record's own computed fields in its write, and presenting computed values on read.

`recompute` is the same-write computation: the collection's formulas (computed_in_write fields) in dependency
order, over the record's stored values, including stored lookup/rollup/count values. The records writer calls
it for every create and update (and so for batch and import); the change-stream consumers that write a derived
value call it with `changed={that field's id}` so formulas over it follow in the same write.

Example: fields price (number), qty (number), total = `{price} * {qty}`, label = `IF({total} > 100, "big")`:
    recompute(orders, {"p1": 30, "q1": 4}, changed=None)
    -> {"p1": 30, "q1": 4, "t1": 120, "l1": "big"}

Time-dependent formulas (NOW, TODAY, or reading one that uses them) are stored as null and evaluated on read
by `present_computed`. An evaluation error stores null and the error's message under `error_key(field id)`; the
marker is there only while the error is (a later write that succeeds clears it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.collections.computed_graph import computed_fields, computed_plan, evaluation_order, time_dependent_names
from shared.collections.fields import BaseField
from shared.collections.fields.computed import ERROR_SUFFIX, Computed, ComputedField, error_key
from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.tools.formula.values import ErrorValue


def _values_by_name(collection: Collection, data: dict[str, Any]) -> dict[str, Any]:
    """The record's values by field name; a computed field whose stored marker says it failed reads as an error."""
    values = {f.name: f.from_stored(data.get(f.id)) for f in collection.fields}
    for f in computed_fields(collection):
        message = data.get(error_key(f.id))
        if message:
            values[f.name] = ErrorValue(str(message))
    return values


def _as_input(field: ComputedField, result: Computed) -> Any:
    return ErrorValue(result.error) if result.error else field.from_stored(result.value)


def recompute(collection: Collection, data: dict[str, Any], *, changed: set[str] | None,
              now: datetime | None = None) -> dict[str, Any]:
    """The record's data (by field id) with its own computed fields recomputed, in dependency order.

    changed: the field ids whose values changed (only the formulas reading them, directly or through other
    formulas, are recomputed), or None to recompute every one. The input is not modified.
    """
    plan = computed_plan(collection)
    if not plan.order:
        return data
    moment = now or datetime.now(UTC)
    out = dict(data)
    values = _values_by_name(collection, out)
    ids = {f.name: f.id for f in collection.fields}
    dirty = None if changed is None else set(changed)
    for name in plan.order:
        field = collection.field_by_name(name)
        if not isinstance(field, ComputedField):
            continue
        if dirty is not None:
            if not {ids.get(read) for read in plan.reads[name]} & dirty:
                continue
            dirty.add(field.id)
        if name in plan.clock:
            value, error = None, None  # evaluated on read: a stored value would go stale
        else:
            result = field.compute(collection, values, now=moment)
            value, error = result.value, result.error
        out[field.id] = value
        marker = error_key(field.id)
        if error is not None or marker in out:  # a marker is stored only while there is an error
            out[marker] = error
        values[name] = ErrorValue(error) if error else field.from_stored(value)
    return out


def recomputed_changes(collection: Collection, data: dict[str, Any], *, changed: set[str] | None,
                       now: datetime | None = None) -> dict[str, Any]:
    """Only what `recompute` changes, {field id or marker key: new value} (None clears a marker): what a derived
    write (a rollup's update) sets besides its own value, so chained formulas follow in that write."""
    out = recompute(collection, data, changed=changed, now=now)
    return {key: value for key, value in out.items()
            if (key in data and data[key] != value) or (key not in data and value is not None)}


def marker_changes(merged: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """The error markers a write sets or clears, against the stored record (None clears one)."""
    changes = {key: value for key, value in merged.items() if key.endswith(ERROR_SUFFIX)
               and (existing is None or existing.get(key) != value)}
    for key, value in (existing or {}).items():
        if key.endswith(ERROR_SUFFIX) and value is not None and key not in merged:
            changes[key] = None
    return changes


def on_read_values(collection: Collection, stored: dict[str, Any], now: datetime | None = None
                   ) -> dict[str, Computed]:
    """The time-dependent formulas of a record, evaluated now, in dependency order."""
    clock = time_dependent_names(collection)
    if not clock:
        return {}
    moment = now or datetime.now(UTC)
    values = _values_by_name(collection, stored)
    results: dict[str, Computed] = {}
    for field in evaluation_order(collection):
        if field.name in clock:
            result = field.compute(collection, values, now=moment)
            values[field.name] = _as_input(field, result)
            results[field.name] = result
    return results


def present_computed(collection: Collection, stored: dict[str, Any], body: dict[str, Any],
                     now: datetime | None = None) -> None:
    """Put the collection's computed values, as the API shows them, into a record's JSON (by name) in place.

    Only fields already in `body` are shown (hidden ones stay out); time-dependent formulas are evaluated here;
    a field whose evaluation failed shows null and `"<name>:error": message`.
    """
    fields = [f for f in computed_fields(collection) if f.name in body]
    if not fields:
        return
    on_read = on_read_values(collection, stored, now)
    for field in fields:
        result = on_read.get(field.name) or Computed(field.from_stored(stored.get(field.id)),
                                                     stored.get(error_key(field.id)))
        body[field.name] = None if result.error else field.present(result.value)
        if result.error:
            body[error_key(field.name)] = result.error


def read_value(collection: Collection, field: BaseField, data: dict[str, Any], now: datetime | None = None) -> Any:
    """One field's value for filters and rules: a time-dependent formula evaluated now, others as stored."""
    if isinstance(field, ComputedField) and field.computed_in_write and field.name in time_dependent_names(collection):
        return on_read_values(collection, data, now)[field.name].value
    return field.from_stored(data.get(field.id))


def unsortable_error(collection: Collection, names: list[str]) -> BadRequestError | None:
    """The 400 for sorting by a time-dependent formula (evaluated on read, so storage cannot order by it)."""
    clock = time_dependent_names(collection)
    for name in names:
        if name in clock:
            return BadRequestError("Invalid sort parameter.", {"sort": {
                "code": "validation_time_dependent_sort",
                "message": f"The field {name} depends on NOW() or TODAY(): it is evaluated on read and cannot be "
                           "sorted by."}})
    return None
