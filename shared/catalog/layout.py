"""How a collection's declared indexes map onto the records table's overloaded GSI slots, and their build state.

Every index gets a slot (1..INDEX_SLOTS) while slots last, in declaration order, and keeps it across
schema changes. An index added to a collection that already has records is `ready=False` until the
backfill job (shared/jobs) has written its keys and unique claims onto every record; the planner only uses
ready indexes. Unique indexes are enforced with claim items whether or not they have a slot, ready or not,
except a `failed` one (existing records turned out to share a value), which enforces nothing.
"""


from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.collections.indexes import IndexSpec, try_parse_index
from shared.collections.model import Collection
from shared.records.keys import LEGACY_SHARDS, MAX_SHARDS, NEW_COLLECTION_SHARDS
from shared.resource_defs import INDEX_SLOTS


class IndexLayout(BaseModel):
    # Built on first use (`defer_build`): a read meets the layout only inside StoredCollection, whose own
    # schema holds it; its builders and admin paths build it standalone when they first need it.
    model_config = ConfigDict(defer_build=True)

    name: str
    columns: list[str]
    unique: bool = False
    where: str | None = None
    slot: int | None = None
    ready: bool = True
    # The backfill job building this index, while it is not ready; why it failed, if it did.
    job: str | None = None
    error: str | None = None

    @property
    def state(self) -> Literal["ready", "building", "failed"]:
        if self.error is not None:
            return "failed"
        return "ready" if self.ready else "building"

    @property
    def enforced(self) -> bool:
        """Whether writes claim this index's values: a unique index that has not failed."""
        return self.unique and self.error is None


class FieldBackfill(BaseModel):
    """A computed field (formula, lookup, rollup, count) being backfilled by a job (shared/jobs/linked_backfill.py).

    `cursor` is the last record id the job has done (it goes in id order): records after it read the field
    computed on read (shared/records/backfill_reads.py), those up to it their stored value.
    """

    model_config = ConfigDict(defer_build=True)

    field_id: str
    name: str
    job: str
    seen: int = 0
    cursor: str = ""


class ViewBuild(BaseModel):
    """A view collection's latest build job (shared/jobs/view_build.py) and its progress: `seen` source records
    read, `cursor` the last one done (a view grouped by columns counts the changes of records up to it from the
    stream, the build counts the rest: shared/views/group_sums.py)."""

    model_config = ConfigDict(defer_build=True)

    job: str
    seen: int = 0
    cursor: str = ""
    done: bool = False


class MaintainedState(BaseModel):
    """A maintained aggregate's storage generation and build state (shared/jobs/aggregate_build.py): its groups
    are kept under `generation`, a new one whenever its definition (`digest`) changes; `ready_at` is when its
    build finished (None while the job runs), `seen` the records the job has counted so far."""

    model_config = ConfigDict(defer_build=True)

    name: str
    digest: str
    generation: str
    job: str
    ready_at: float | None = None
    seen: int = 0


class CollectionLayout(BaseModel):
    model_config = ConfigDict(defer_build=True)

    # The records' write shard count (shared/records/keys.py), fixed at creation: a layout stored before
    # collections had their own count is read as the 8 every collection had then, which its records are under.
    shards: int = Field(default=LEGACY_SHARDS, ge=1, le=MAX_SHARDS)
    indexes: list[IndexLayout] = []
    backfills: list[FieldBackfill] = []
    view_build: ViewBuild | None = None
    maintained: list[MaintainedState] = []

    def slotted(self) -> list[IndexLayout]:
        return [i for i in self.indexes if i.slot is not None]

    def by_name(self, name: str) -> IndexLayout | None:
        return next((i for i in self.indexes if i.name == name), None)

    def unscheduled(self) -> list[IndexLayout]:
        """Indexes waiting for a backfill that no job builds yet."""
        return [i for i in self.indexes if i.state == "building" and i.job is None]

    def built_by(self, job_id: str) -> list[IndexLayout]:
        """Indexes this job still builds (an index dropped or redefined meanwhile is no longer its own)."""
        return [i for i in self.indexes if i.job == job_id and i.state == "building"]


def index_states(layout: CollectionLayout) -> list[dict[str, Any]]:
    """The additive `indexStates` of the collection JSON: each declared index's build state."""
    return [{"name": i.name, "state": i.state, "ready": i.ready, **({"error": i.error} if i.error else {})}
            for i in layout.indexes]


def with_index_states(collection_json: dict[str, Any], layout: CollectionLayout) -> dict[str, Any]:
    """Collection JSON plus `indexStates` while an index is building or failed, `computedStates` while computed
    fields are backfilled and `buildState` while a view is built; with none of these the JSON is exactly
    PocketBase's (an additive field a PocketBase client ignores, see docs/compatibility.md)."""
    if layout.backfills:
        collection_json = {**collection_json, "computedStates": [
            {"name": b.name, "state": "building", "seen": b.seen} for b in layout.backfills]}
    if layout.view_build is not None and not layout.view_build.done:
        collection_json = {**collection_json, "buildState": {"state": "building", "seen": layout.view_build.seen}}
    building = [m for m in layout.maintained if m.ready_at is None]
    if building:
        collection_json = {**collection_json, "aggregateStates": [
            {"name": m.name, "state": "building", "seen": m.seen} for m in building]}
    if all(i.state == "ready" for i in layout.indexes):
        return collection_json
    return {**collection_json, "indexStates": index_states(layout)}


def _columns_signature(spec: IndexSpec) -> list[str]:
    return [c.name for c in spec.columns]


def plan_layout(collection: Collection, previous: CollectionLayout | None, *, has_records: bool) -> CollectionLayout:
    """The layout for a collection's current indexes, keeping slots of unchanged indexes stable; a new
    collection (no previous layout) gets NEW_COLLECTION_SHARDS, a saved one keeps its count."""
    previous = previous or CollectionLayout(shards=NEW_COLLECTION_SHARDS)
    specs = [s for s in (try_parse_index(raw) for raw in collection.indexes) if s is not None]
    kept: dict[str, IndexLayout] = {}
    for spec in specs:
        old = previous.by_name(spec.name)
        if old and old.columns == _columns_signature(spec) and old.where == spec.where:
            kept[spec.name] = old.model_copy(update={"unique": spec.unique})
            if spec.unique and not old.unique and has_records:
                # becoming UNIQUE: existing records' claims must be written (and checked) first
                kept[spec.name] = kept[spec.name].model_copy(update={"ready": False, "job": None, "error": None})
            elif not spec.unique and old.error is not None:
                kept[spec.name] = kept[spec.name].model_copy(update={"ready": old.slot is None, "job": None,
                                                                     "error": None})
    used = {i.slot for i in kept.values() if i.slot is not None}
    free = [s for s in range(1, INDEX_SLOTS + 1) if s not in used]
    result = []
    for spec in specs:
        if spec.name in kept:
            result.append(kept[spec.name])
            continue
        slot = free.pop(0) if free else None
        # Existing records need their keys (a slot) or their claims (unique) written before the index is ready.
        needs_backfill = has_records and (slot is not None or spec.unique)
        result.append(IndexLayout(name=spec.name, columns=_columns_signature(spec), unique=spec.unique,
                                  where=spec.where, slot=slot, ready=not needs_backfill))
    # a linked field's backfill goes on across saves, unless the field is gone
    return CollectionLayout(shards=previous.shards, indexes=result, backfills=[b for b in previous.backfills
                                                       if collection.field_by_id(b.field_id) is not None],
                            view_build=previous.view_build,
                            maintained=previous.maintained)  # planned by shared/jobs/aggregate_build.py
