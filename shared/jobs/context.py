"""What a job step runs against: the catalog, the records, the jobs queue, the checkpoints and a clock."""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from shared.aggregates.groups import GroupStore
from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.changes.accumulators import AccumulatorStore
from shared.jobs.checkpoints import CheckpointStore
from shared.jobs.queue import JobQueue
from shared.records.repository import RecordRepository


class JobContext(msgspec.Struct):
    collections: CollectionRepository
    records: RecordRepository
    queue: JobQueue
    checkpoints: CheckpointStore
    clock: Callable[[], float] = time.time
    # for step budgets: elapsed time, not wall time
    monotonic: Callable[[], float] = time.monotonic
    # the linked fields' accumulators (shared/changes/accumulators.py), for their backfill job
    accumulators: AccumulatorStore | None = None
    # the maintained aggregates' groups (shared/aggregates/groups.py), for their build job
    groups: GroupStore | None = None

    def fresh(self, collection_id: str) -> StoredCollection | None:
        """The collection as stored now: a job never acts on another instance's cached catalog."""
        return next((s for s in self.collections.all(fresh=True) if s.collection.id == collection_id), None)
