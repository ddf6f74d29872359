"""An in-memory world for job tests: catalog, records, jobs queue and checkpoints, with a settable clock."""

from __future__ import annotations

from typing import Any

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.layout import IndexLayout
from shared.catalog.repository import InMemoryCollectionRepository, StoredCollection
from shared.jobs.checkpoints import InMemoryCheckpointStore
from shared.jobs.context import JobContext
from shared.jobs.queue import InMemoryJobQueue
from shared.jobs.runner import drain, run_job
from shared.records import keys
from shared.records.importer import import_records
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import ReadMeter
from shared.records.planner import Plan, plan_query
from shared.tools.filter import Literal, Operand, parse_filter

SETTLE_S = 32
FIELDS = [{"name": "code", "type": "text"}, {"name": "n", "type": "number"}]


def _static(operand: Operand) -> tuple[bool, Any]:
    return (True, operand.value) if isinstance(operand, Literal) else (False, None)


class World:
    def __init__(self) -> None:
        self.now = 1_000.0
        self.collections = InMemoryCollectionRepository()
        self.records = InMemoryRecordRepository(self.collections.shard_count)
        self.queue = InMemoryJobQueue()
        self.checkpoints = InMemoryCheckpointStore()
        self.ctx = JobContext(self.collections, self.records, self.queue, self.checkpoints, clock=lambda: self.now)
        self.service = CollectionsAdmin(self.collections, self.records, self.ctx, settle_s=SETTLE_S)

    def collection(self, rows: list[dict[str, Any]], *indexes: str, name: str = "items") -> str:
        cid = self.service.create({"name": name, "type": "base", "fields": FIELDS, "indexes": list(indexes)}).id
        if rows:
            import_records(self.collections, self.records, name, rows)
        return cid

    def set_indexes(self, *indexes: str, name: str = "items") -> None:
        fields = self.service.get(name).collection.to_api_json()["fields"]
        self.service.update(name, {"fields": fields, "indexes": list(indexes)})

    def stored(self, name: str = "items") -> StoredCollection:
        return self.collections.get(name)

    def index(self, index_name: str, name: str = "items") -> IndexLayout:
        found = self.stored(name).layout.by_name(index_name)
        assert found is not None
        return found

    def plan(self, filter_text: str, name: str = "items") -> Plan:
        stored = self.stored(name)
        return plan_query(stored.collection, stored.layout, parse_filter(filter_text), [], _static)

    def by_index(self, index_name: str, value: Any, name: str = "items") -> list[str]:
        """Ids whose index keys are in the index partition of `value` (what an index query finds)."""
        stored, index = self.stored(name), self.index(index_name, name)
        plan = Plan(kind="index", description="test", collection_id=stored.collection.id, index=index,
                    partition=keys.index_pk(stored.collection.id, index.slot or 0, value))
        return [r.id for r in self.records.query(plan, ReadMeter(), want=1000)]

    def count(self, name: str = "items") -> int:
        return sum(1 for _ in self.records.scan(self.stored(name).collection.id, ReadMeter()))

    def step(self) -> None:
        message = self.queue.take()
        assert message is not None, "no job message queued"
        run_job(self.ctx, message)

    def drain(self) -> int:
        return drain(self.ctx)
