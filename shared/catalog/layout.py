"""How a collection's declared indexes map onto the records table's overloaded GSI slots.

Every index gets a slot (1..INDEX_SLOTS) while slots last, in declaration order, and keeps it across
schema changes. An index added to a collection that already has records is `ready=False` until the
backfill job has written its keys onto every record; the planner only uses ready indexes. Unique
indexes are enforced with claim items whether or not they have a slot.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.collections.indexes import IndexSpec, try_parse_index
from shared.collections.model import Collection
from shared.resources import INDEX_SLOTS


class IndexLayout(BaseModel):
    name: str
    columns: list[str]
    unique: bool = False
    where: str | None = None
    slot: int | None = None
    ready: bool = True


class CollectionLayout(BaseModel):
    indexes: list[IndexLayout] = Field(default_factory=list)

    def slotted(self) -> list[IndexLayout]:
        return [i for i in self.indexes if i.slot is not None]

    def by_name(self, name: str) -> IndexLayout | None:
        return next((i for i in self.indexes if i.name == name), None)


def _columns_signature(spec: IndexSpec) -> list[str]:
    return [c.name for c in spec.columns]


def plan_layout(collection: Collection, previous: CollectionLayout | None, *, has_records: bool) -> CollectionLayout:
    """The layout for a collection's current indexes, keeping slots of unchanged indexes stable."""
    previous = previous or CollectionLayout()
    specs = [s for s in (try_parse_index(raw) for raw in collection.indexes) if s is not None]
    kept: dict[str, IndexLayout] = {}
    for spec in specs:
        old = previous.by_name(spec.name)
        if old and old.columns == _columns_signature(spec) and old.where == spec.where:
            kept[spec.name] = old.model_copy(update={"unique": spec.unique})
    used = {i.slot for i in kept.values() if i.slot is not None}
    free = [s for s in range(1, INDEX_SLOTS + 1) if s not in used]
    result = []
    for spec in specs:
        if spec.name in kept:
            result.append(kept[spec.name])
            continue
        slot = free.pop(0) if free else None
        result.append(IndexLayout(name=spec.name, columns=_columns_signature(spec), unique=spec.unique,
                                  where=spec.where, slot=slot, ready=not has_records or slot is None))
    return CollectionLayout(indexes=result)
