"""What a lookup, rollup or count field's value is, given the records it links: pure, shared by the change stream
(shared/changes/linked_*.py), the backfill job and the reads of a field still being backfilled.

`LinkedSpec` is one linked field with its link resolved against the catalog; `selected` applies its filter to a
linked record; `value_from_linked` is its value from the linked records the filter selects. An incremental
field's value is computed from the same sums and counts its accumulators keep (`contribution_sums`), so a value
computed on read is exactly the one the accumulators reach.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

import msgspec

from shared.collections.fields.lookup import Link, LinkedField
from shared.collections.fields.rollup import flat, is_blank, is_number
from shared.collections.model import Collection
from shared.records.model import StoredRecord
from shared.records.record_loader import field_values
from shared.tools.filter import FilterError, Identifier, Resolved, evaluate, identifier_paths, parse_filter


class LinkedSpec(msgspec.Struct, frozen=True):
    """One linked field of a parent collection, with its link resolved against the current catalog."""

    parent: Collection
    field: LinkedField
    link: Link

    @property
    def incremental(self) -> bool:
        return self.link.kind == "back" and bool(getattr(self.field, "is_incremental", lambda: False)())

    @property
    def target(self) -> str:
        return str(getattr(self.field, "field", "") or "")

    def read_ids(self) -> set[str]:
        """Field ids of the linked records whose change can move this field's value."""
        source = self.link.source
        names = {self.target} if self.target else set()
        if self.field.filter.strip():
            with contextlib.suppress(FilterError):
                names |= {p[0] for p in identifier_paths(parse_filter(self.field.filter))}
        ids = {f.id for n in names if (f := source.field_by_name(n)) is not None}
        if self.link.kind == "back":
            ids.add(self.link.relation.id)
        return ids


def linked_specs(collections: Iterable[Collection]) -> list[LinkedSpec]:
    """Every linked field of the catalog whose link still resolves."""
    catalog = list(collections)
    by_key = {c.id: c for c in catalog} | {c.name: c for c in catalog}
    specs = []
    for parent in catalog:
        for f in parent.fields:
            if isinstance(f, LinkedField):
                link = f.link(parent, by_key.get)
                if link is not None:
                    specs.append(LinkedSpec(parent, f, link))
    return specs


class _OwnFields:
    """The filter's resolver: a linked record's own fields only (the option allows nothing else)."""

    def __init__(self, collection: Collection, record: StoredRecord) -> None:
        self.collection, self.record = collection, record

    def resolve(self, identifier: Identifier) -> Resolved:
        values, multi = field_values(self.collection, self.record, identifier.path[0])
        return Resolved(values, multi=multi)


def selected(spec: LinkedSpec, record: StoredRecord) -> bool:
    """Whether the filter selects this linked record (no filter selects all; an undecidable one none)."""
    text = spec.field.filter
    if not text.strip():
        return True
    try:
        return evaluate(parse_filter(text), _OwnFields(spec.link.source, record))
    except FilterError:
        return False


def target_values(spec: LinkedSpec, record: StoredRecord) -> list[Any]:
    """The target field's value of one linked record (a list for multi-valued fields)."""
    if not spec.target:
        return []
    values, multi = field_values(spec.link.source, record, spec.target)
    return values if multi else values[:1]


def contribution_sums(spec: LinkedSpec, record: StoredRecord) -> dict[str, float]:
    """What one linked record adds to its parents' accumulators for this field."""
    items = flat(target_values(spec, record))
    numbers = [v for v in items if is_number(v)]
    return {"records": 1, "sum": sum(numbers), "numbers": len(numbers),
            "filled": sum(1 for v in items if not is_blank(v))}


def parent_ids(spec: LinkedSpec, record: StoredRecord | None) -> list[str]:
    """The parents a linked record points at through a back-relation."""
    if record is None:
        return []
    return [i for i in field_values(spec.link.source, record, spec.link.relation.name)[0] if isinstance(i, str) and i]


def sums_of(spec: LinkedSpec, linked: Iterable[StoredRecord]) -> dict[str, float]:
    """The accumulator sums of these linked records (those the filter selects)."""
    sums: dict[str, float] = {}
    for record in linked:
        if selected(spec, record):
            for name, value in contribution_sums(spec, record).items():
                sums[name] = sums.get(name, 0) + value
    return sums


def value_from_linked(spec: LinkedSpec, linked: list[StoredRecord]) -> Any:
    """The field's value over these linked records (in the link's order; the filter is applied here)."""
    if spec.incremental:
        return spec.field.from_sums(sums_of(spec, linked))  # type: ignore[attr-defined]
    chosen = [r for r in linked if selected(spec, r)]
    if spec.field.field_type == "lookup":
        return flat([target_values(spec, r) for r in chosen])
    if spec.field.field_type == "count":
        return len(chosen)
    per_record = [v for r in chosen for v in [target_values(spec, r)] if v]
    return spec.field.aggregate_of([v if len(v) > 1 else v[0] for v in per_record])  # type: ignore[attr-defined]
