"""The dependency graph of computed fields across collections: the cycle check on every schema change, and the
order in which a collection's own computed fields are evaluated.

Nodes are fields (`FieldRef`: collection id, field name); a computed field has an edge to every field it reads
(`ComputedField.depends_on`), other fields are leaves. A collection create or update is checked before anything
is saved: the graph is walked from the collection's computed fields, with the collection as it would be saved,
and a cycle answers 400 on the first field of the cycle that the collection holds, naming the whole cycle.

Example: `total = {price} * {qty}` and `price = {total} / {qty}` in `orders` answer
`fields.1.formula: Reference cycle: orders.price → orders.total → orders.price.`
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable
from typing import Any

import msgspec

from shared.collections.field_errors import FieldError
from shared.collections.fields.computed import ComputedField, FieldRef, FindCollection
from shared.collections.model import Collection

CYCLE_CODE = "validation_computed_cycle"


class ComputedCycleError(Exception):
    """The schema would close a reference cycle; `cycle` starts and ends with the same field."""

    def __init__(self, cycle: list[FieldRef], names: list[str]) -> None:
        self.cycle = cycle
        self.names = names
        super().__init__("Reference cycle: " + " → ".join(names) + ".")


def computed_fields(collection: Collection) -> list[ComputedField]:
    return [f for f in collection.fields if isinstance(f, ComputedField)]


def with_collection(collection: Collection, find_collection: FindCollection) -> FindCollection:
    """find_collection, answering `collection` (as it is about to be saved) for its own id or name."""
    def find(id_or_name: str) -> Collection | None:
        if id_or_name == collection.id or id_or_name.lower() == collection.name.lower():
            return collection
        found = find_collection(id_or_name)
        return None if found is not None and found.id == collection.id else found
    return find


def dependency_graph(collection: Collection, find_collection: FindCollection) -> dict[FieldRef, set[FieldRef]]:
    """Every field reachable from the collection's computed fields, with the fields each reads."""
    find = with_collection(collection, find_collection)
    graph: dict[FieldRef, set[FieldRef]] = {}
    pending = [FieldRef(collection.id, f.name) for f in computed_fields(collection)]
    while pending:
        node = pending.pop()
        if node in graph:
            continue
        owner = find(node.collection_id)
        field = owner.field_by_name(node.field_name) if owner else None
        deps = field.depends_on(owner, find) if isinstance(field, ComputedField) and owner else set()
        graph[node] = deps
        pending.extend(dep for dep in deps if dep not in graph)
    return graph


def find_cycle(collection: Collection, find_collection: FindCollection) -> ComputedCycleError | None:
    """The cycle the collection's computed fields would close, if any."""
    graph = dependency_graph(collection, find_collection)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        cycle: list[FieldRef] = list(exc.args[1])
        find = with_collection(collection, find_collection)
        names = []
        for ref in cycle:
            owner = find(ref.collection_id)
            names.append(f"{owner.name if owner else ref.collection_id}.{ref.field_name}")
        return ComputedCycleError(cycle, names)
    return None


def cycle_errors(collection: Collection, find_collection: FindCollection) -> dict[str, Any]:
    """The collection's `fields` errors for a cycle: {position: {option: error}}, or {} without one."""
    error = find_cycle(collection, find_collection)
    if error is None:
        return {}
    for position, field in enumerate(collection.fields):
        if isinstance(field, ComputedField) and FieldRef(collection.id, field.name) in error.cycle:
            return {str(position): {field.definition_option: FieldError(CYCLE_CODE, str(error)).as_data()}}
    return {}


class ComputedPlan(msgspec.Struct, frozen=True):
    """What a write needs about a collection's own computed fields: the computed_in_write ones in dependency
    order, the own fields each reads, and which depend on the clock (themselves or through what they read)."""

    order: tuple[str, ...]
    reads: dict[str, frozenset[str]]
    clock: frozenset[str]


_PLANS: dict[tuple[Any, ...], ComputedPlan] = {}
# schemas seen by one warm instance are few; past this, the cache starts over rather than grow
_MAX_PLANS = 256


def computed_plan(collection: Collection) -> ComputedPlan:
    """The collection's plan, cached by its fields' definitions (every write of the collection asks)."""
    key = (collection.id, tuple((f.id, f.name, f.model_dump_json() if isinstance(f, ComputedField) else "")
                                for f in collection.fields))
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        plan = _PLANS[key] = _build_plan(collection)
    return plan


def _build_plan(collection: Collection) -> ComputedPlan:
    fields = {f.name: f for f in computed_fields(collection)}

    def none(_: str) -> Collection | None:
        return None

    reads = {name: frozenset(d.field_name for d in f.depends_on(collection, none) if d.collection_id == collection.id)
             for name, f in fields.items()}
    graph = {name: {d for d in reads[name] if d in fields} for name, f in fields.items() if f.computed_in_write}
    try:
        order = [name for name in graphlib.TopologicalSorter(graph).static_order() if name in graph]
    except graphlib.CycleError:
        order = sorted(graph)  # a stored schema passed the cycle check; this only guards older data
    clock = {name for name, f in fields.items() if f.time_dependent}
    grew = True
    while grew:
        grew = False
        for name in graph:
            if name not in clock and reads[name] & clock:
                clock.add(name)
                grew = True
    return ComputedPlan(tuple(order), reads, frozenset(clock))


def evaluation_order(collection: Collection) -> list[ComputedField]:
    """The collection's computed_in_write fields, each after the own fields it reads (dependencies first)."""
    by_name = {f.name: f for f in computed_fields(collection)}
    return [by_name[name] for name in computed_plan(collection).order]


def time_dependent_names(collection: Collection) -> frozenset[str]:
    """The collection's computed fields that depend on the clock, themselves or through fields they read."""
    return computed_plan(collection).clock


def clock_reader_errors(collection: Collection, catalog: Iterable[Collection]) -> dict[str, Any]:
    """The collection's `fields` errors when a stored lookup, rollup or count of another collection would read one
    of its fields that depends on the clock (a formula changed to use NOW()): {position: {option: error}}.

    The collection's own linked fields check this in their settings; this is the other direction, which the walk
    from the collection's computed fields does not reach."""
    from shared.collections.fields.lookup import LinkedField

    clock = time_dependent_names(collection)
    if not clock:
        return {}
    others = [c for c in catalog if c.id != collection.id]
    by_key = {c.id: c for c in others} | {c.name.lower(): c for c in others}
    find = with_collection(collection, lambda key: by_key.get(key) or by_key.get(key.lower()))
    for other in others:
        for linked in (f for f in other.fields if isinstance(f, LinkedField)):
            link = linked.link(other, find)
            if link is None or link.source.id != collection.id:
                continue
            read = sorted(({str(getattr(linked, "field", "") or "")} | linked.filter_names()) & clock)
            if read:
                position, field = next((i, f) for i, f in enumerate(collection.fields)
                                       if isinstance(f, ComputedField) and f.name == read[0])
                return {str(position): {field.definition_option: FieldError(
                    "validation_time_dependent_linked",
                    f"The {linked.field_type} {other.name}.{linked.name} reads {field.name}, which would depend on "
                    "NOW() or TODAY(): a value evaluated on read cannot feed a stored one.").as_data()}}
    return {}


def time_dependent_index_errors(collection: Collection) -> dict[str, Any]:
    """{position: error} for the first index with a time-dependent column: its keys would go stale by the hour."""
    from shared.collections.indexes import try_parse_index

    clock = {name.lower() for name in time_dependent_names(collection)}
    if not clock:
        return {}
    for position, raw in enumerate(collection.indexes):
        spec = try_parse_index(raw)
        for column in spec.columns if spec else ():
            if column.name.lower() in clock:
                return {str(position): FieldError(
                    "validation_time_dependent_index",
                    f"The field {column.name} depends on NOW() or TODAY(): it is evaluated on read and cannot be "
                    "indexed.").as_data()}
    return {}
