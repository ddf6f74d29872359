"""Maintained aggregates kept by the stream: random writes (moves between groups, multiple values, deletes and
re-creates of one id) delivered in batches with redeliveries and failures mid-batch, interleaved with the build
job's scan, end exactly at a recount of the records as they finally are."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from shared.aggregates.groups import InMemoryGroupStore
from shared.aggregates.maintain import FLIP_S, maintain_aggregates, maintained_of
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import InMemoryCollectionRepository
from shared.changes.model import RecordChange
from shared.jobs import aggregate_build
from shared.jobs.checkpoints import InMemoryCheckpointStore
from shared.jobs.context import JobContext
from shared.jobs.messages import AggregateBuildMessage
from shared.jobs.queue import InMemoryJobQueue
from shared.jobs.runner import run_job
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import ReadMeter, StoredRecord
from shared.records.repository import RecordRepository

REGIONS = ["north", "south", "east"]
TAGS = ["a", "b", "c"]


class FlakyGroupStore(InMemoryGroupStore):
    """Fails a write now and then, before it happens: the batch is then delivered again, whole."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng
        self.failing = False

    def _maybe_fail(self) -> None:
        if self.failing and self.rng.random() < 0.05:
            raise RuntimeError("storage failed")

    def apply_new(self, partition: str, update: Any) -> bool:
        self._maybe_fail()
        return super().apply_new(partition, update)

    def count_record(self, *args: Any, **kwargs: Any) -> bool:
        self._maybe_fail()
        return super().count_record(*args, **kwargs)


@dataclass
class Table:
    """The records as they are now, scanned by the job in id order, and the changes the stream has yet to deliver."""

    collection_id: str = ""
    rows: dict[str, StoredRecord] = field(default_factory=dict)
    pending: list[RecordChange] = field(default_factory=list)
    sequence: int = 0
    now: float = 0.0

    def scan(self, collection_id: str, meter: ReadMeter, *, after: str | None = None,
             limit: int | None = None) -> Iterator[StoredRecord]:
        for rid in sorted(self.rows):
            if after is None or rid > after:
                yield self.rows[rid]

    def write(self, rid: str, data: dict[str, Any] | None, *, streamed: bool = True) -> None:
        old = self.rows.get(rid)
        if data is None:
            self.rows.pop(rid, None)
            new = None
        else:
            new = self.rows[rid] = StoredRecord(self.collection_id, rid, data, old.version + 1 if old else 1)
        self.sequence += 1
        action = "delete" if new is None else "update" if old else "create"
        if streamed:
            self.pending.append(RecordChange(
                action=action, collection_id=self.collection_id, record_id=rid, sequence_number=str(self.sequence),
                write_shard=int(rid[1:]) % 4, old_image={"d": old.data, "v": old.version} if old else None,
                new_image={"d": new.data, "v": new.version} if new else None, changed_at=self.now))


class World:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.now = 10_000.0
        self.collections = InMemoryCollectionRepository()
        self.store = FlakyGroupStore(self.rng)
        self.table = Table()
        self.queue = InMemoryJobQueue()
        self.ctx = JobContext(self.collections, cast(RecordRepository, self.table), self.queue,
                              InMemoryCheckpointStore(), clock=lambda: self.now, groups=self.store)
        admin = CollectionsAdmin(self.collections, InMemoryRecordRepository(self.collections.shard_count), self.ctx)
        created = admin.create({"name": "sales", "type": "base", "fields": [
            {"name": "region", "type": "select", "values": REGIONS},
            {"name": "tags", "type": "select", "values": TAGS, "maxSelect": 2},
            {"name": "amount", "type": "number"}],
            "aggregates": [{"name": "by_region_tag", "groupBy": ["region", "tags"],
                            "metrics": ["count()", "sum(amount)"]}]})
        self.table.collection_id = created.id
        self.ids = {f.name: f.id for f in created.fields}

    def random_data(self) -> dict[str, Any]:
        return {self.ids["region"]: self.rng.choice([*REGIONS, ""]),
                self.ids["tags"]: self.rng.sample(TAGS, self.rng.randint(0, 2)),
                self.ids["amount"]: self.rng.randint(-5, 50)}

    def random_write(self, *, streamed: bool = True) -> None:
        self.table.now = self.now
        rid = f"r{self.rng.randint(0, 24)}"
        exists = rid in self.table.rows
        self.table.write(rid, None if exists and self.rng.random() < 0.25 else self.random_data(), streamed=streamed)

    def deliver(self) -> None:
        """The next batch of the stream, redelivered (whole or a suffix) now and then, retried when it fails."""
        size = self.rng.randint(1, 8)
        batch, self.table.pending = self.table.pending[:size], self.table.pending[size:]
        deliveries = [batch] + ([batch[self.rng.randint(0, len(batch) - 1):]] if self.rng.random() < 0.4 else [])
        for delivery in deliveries:
            while True:
                try:
                    maintain_aggregates(delivery, self.collections, self.store)
                    break
                except RuntimeError:
                    continue  # Lambda retries the batch

    def groups(self) -> dict[tuple[str, str], tuple[int, int]]:
        stored = self.collections.get("sales")
        (maintained,) = maintained_of(stored)
        found = {}
        for key, sums in self.store.groups(stored.collection.id, maintained.state.generation, ReadMeter()):
            if sums["n"]:
                region, tag = json.loads(key)
                found[(region, tag)] = (int(sums["n"]), int(sums[f"sum_{self.ids['amount']}"]))
        return found

    def recount(self) -> dict[tuple[str, str], tuple[int, int]]:
        expected: dict[tuple[str, str], tuple[int, int]] = {}
        for record in self.table.rows.values():
            for tag in record.data[self.ids["tags"]] or [""]:
                key = (record.data[self.ids["region"]], tag)
                n, total = expected.get(key, (0, 0))
                expected[key] = (n + 1, total + record.data[self.ids["amount"]])
        return expected


@pytest.mark.parametrize("seed", range(8))
def test_ready_aggregates_end_at_the_recount_whatever_the_redeliveries(seed: int) -> None:
    # Given a maintained aggregate built over no record, and the stream switched to ready mode
    world = World(seed)
    while (message := world.queue.take()) is not None:
        if isinstance(message, AggregateBuildMessage):
            run_job(world.ctx, message)  # (the markers' cleanup is a day away)
    world.now += FLIP_S + 1
    world.store.failing = True
    # When random writes are delivered in batches, some twice, some failing halfway and retried
    for _ in range(8):
        world.random_write()
        if world.rng.random() < 0.3:
            world.deliver()
    while world.table.pending:
        world.deliver()
    # Then every group holds exactly what a recount of the records gives
    assert world.groups() == world.recount()


@pytest.mark.parametrize("seed", range(8))
def test_a_build_racing_the_stream_counts_every_record_once(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aggregate_build, "CHUNK_RECORDS", 3)
    monkeypatch.setattr(aggregate_build, "MARKER_KEEP_S", 60)
    # Given records written before any stream consumer knew the aggregate (the scan's to count)
    world = World(seed)
    for _ in range(30):
        world.random_write(streamed=False)
    world.store.failing = True
    # When the scan's steps, new writes and their (lagging, redelivered) stream batches interleave
    steps = 0
    due: list[tuple[float, Any]] = []  # the queue's messages with the time their delay ends
    while world.queue.sent or due or world.table.pending:
        due += [(world.now + sent.delay_s, sent.message) for sent in world.queue.sent]
        world.queue.sent.clear()
        ready = [d for d in due if d[0] <= world.now]
        roll = world.rng.random()
        if roll < 0.3 and ready:
            due.remove(ready[0])
            try:
                run_job(world.ctx, ready[0][1])
            except RuntimeError:
                due.append(ready[0])  # SQS delivers it again
            steps += 1
        elif roll < 0.6 and world.table.pending:
            world.deliver()
        elif steps < 200:
            world.random_write()
            world.now += world.rng.random()  # the switch to ready mode happens somewhere in here
        else:
            world.now += world.rng.random() * 10
        steps += 1
    # Then the build finished, and the groups hold exactly the recount
    (maintained,) = maintained_of(world.collections.get("sales"))
    assert maintained.ready
    assert world.groups() == world.recount()
