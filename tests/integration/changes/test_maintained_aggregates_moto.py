"""Faults: a maintained aggregate on moto, fed by the records stream through the changes function as on AWS,
stays exact through a parallel write storm (creates, updates that move records between groups, deletes) that
races its build job, and through Lambda redelivering every batch, whole and from its middle."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from local.invoke import invoke
from local.pollers import StreamPoller
from shared import resources
from shared.aggregates import maintain
from shared.aggregates.engine import Aggregator
from shared.aggregates.groups import get_group_store
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.jobs.checkpoints import InMemoryCheckpointStore
from shared.jobs.context import JobContext
from shared.jobs.messages import AggregateBuildMessage
from shared.jobs.queue import InMemoryJobQueue
from shared.jobs.runner import run_job
from shared.records.context import RequestContext
from shared.records.scope import RecordScope
from tests.integration.changes.test_linked_fields_moto import Recorder
from tests.support.moto_cloud import running_cloud
from tests.support.record_stores import dynamo_records

TABLE = resources.RECORDS_TABLE.physical_name
REGIONS = ["north", "south", "east"]
PARAMS = {"groupBy": "region,paid", "metrics": "count(),sum(amount),avg(amount)"}
THREADS, OPS = 4, 6


class Sales:
    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = dynamo_records(TABLE)
        self.queue = InMemoryJobQueue()
        self.jobs = JobContext(self.collections, self.records, self.queue, InMemoryCheckpointStore(),
                               groups=get_group_store(TABLE))
        self.admin = CollectionsAdmin(self.collections, self.records, self.jobs)
        self.admin.create({"name": "sales", "type": "base", "fields": [
            {"name": "region", "type": "select", "values": REGIONS}, {"name": "paid", "type": "bool"},
            {"name": "amount", "type": "number"}]})
        self.recorder = Recorder()
        self.poller = StreamPoller(resources.EVENT_SOURCES[0], self.recorder)

    def scope(self) -> RecordScope:
        return RecordScope(self.collections, self.records, RequestContext(system=True), query_budget=100_000)

    def storm(self, thread: int, wave: int = 0) -> None:
        """One writer's share: its own records, created, moved between groups, deleted."""
        rng, writer, mine = random.Random(thread * 10 + wave), self.scope().writer, []
        for n in range(OPS):
            roll = rng.random()
            body = {"region": rng.choice(REGIONS), "paid": rng.random() < 0.5, "amount": rng.randint(0, 99)}
            if not mine or roll < 0.4:
                mine.append(writer.create("sales", {"id": f"w{wave}t{thread:02d}n{n:03d}000000", **body}).record.id)
            elif roll < 0.8:
                writer.update("sales", rng.choice(mine), body)
            else:
                writer.delete("sales", mine.pop(rng.randrange(len(mine))))

    def storm_all(self, wave: int) -> None:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(lambda t: self.storm(t, wave), range(THREADS)))

    def drain(self) -> None:
        for _ in range(60):
            if not self.poller.poll_once():
                return
        raise AssertionError("the stream never went quiet")

    def answers(self) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        """(from the maintained aggregate, ad hoc from the records, the maintained read's plans)."""
        served = self.scope()
        maintained = Aggregator(served, get_group_store(TABLE)).answer("sales", PARAMS)
        return maintained, Aggregator(self.scope()).answer("sales", PARAMS), served.meter.plans


@pytest.fixture
def sales(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sales]:
    monkeypatch.setattr(maintain, "FLIP_S", 0.0)  # changes made after the build are counted the ready way
    with running_cloud():
        yield Sales()


def test_a_write_storm_racing_the_build_and_redelivered_batches_leave_it_exact(sales: Sales) -> None:
    # Given records written before the aggregate exists
    sales.storm_all(0)
    sales.drain()
    # When it is declared, and a second storm races its build (the stream delivering as it goes)
    sales.admin.update("sales", {"aggregates": [{"name": "by_region_paid", "groupBy": ["region", "paid"],
                                                 "metrics": ["count()", "sum(amount)"]}]})
    with ThreadPoolExecutor(1) as pool:
        storming = pool.submit(lambda: [sales.storm(t, 1) for t in range(THREADS)])
        while (message := sales.queue.take()) is not None:
            if isinstance(message, AggregateBuildMessage):
                run_job(sales.jobs, message)
            sales.drain()
        storming.result()
    sales.drain()
    # and a third storm runs once every consumer counts in ready mode, then Lambda redelivers every batch
    time.sleep(1.0)  # creation times are whole seconds
    sales.storm_all(2)
    sales.drain()
    for batch in list(sales.recorder.batches):
        assert invoke("changes", batch) == {"batchItemFailures": []}
        assert invoke("changes", {"Records": batch["Records"][len(batch["Records"]) // 2:]}) == {
            "batchItemFailures": []}
    sales.drain()
    # Then the maintained answer, read from its groups, is exactly the ad hoc recount of the records
    maintained, recount, plans = sales.answers()
    assert plans and plans[0].startswith("maintained aggregate by_region_paid")
    assert maintained == recount and recount["totalGroups"] > 1
