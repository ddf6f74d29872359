"""Jobs benchmarks on moto: seconds per index build step and per truncation chunk, run through the jobs handler.

moto is far slower than DynamoDB (and copies the table for every transaction item, so UNIQUE builds are
measured on fewer records); the figures bound the step sizes from above, they do not predict AWS latency.
"""

from __future__ import annotations

import os
import time
from typing import Any

from local.invoke import invoke
from local.pollers import QueuePoller
from shared import resources
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.jobs import index_build, truncate
from shared.jobs.checkpoints import DynamoCheckpointStore
from shared.jobs.context import JobContext
from shared.jobs.queue import SqsJobQueue
from shared.records.importer import import_records
from shared.records.model import ReadMeter
from tests.support.record_stores import dynamo_records

RECORDS = int(os.environ.get("LB_BENCH_JOB_RECORDS", "5000"))
UNIQUE_RECORDS = int(os.environ.get("LB_BENCH_JOB_UNIQUE_RECORDS", "300"))
FIELDS = [{"name": "code", "type": "text"}, {"name": "n", "type": "number"}]


def _world() -> tuple[CollectionsAdmin, JobContext]:
    collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
    records = dynamo_records()
    ctx = JobContext(collections, records, SqsJobQueue(resources.JOBS_QUEUE.physical_name),
                     DynamoCheckpointStore(resources.SYSTEM_TABLE.physical_name))
    return CollectionsAdmin(collections, records, ctx, settle_s=0), ctx


def _run_steps() -> list[float]:
    source = next(s for s in resources.EVENT_SOURCES if s.function == "jobs")
    times: list[float] = []

    def timed(name: str, event: dict[str, Any]) -> Any:
        start = time.perf_counter()
        try:
            return invoke(name, event)
        finally:
            times.append(time.perf_counter() - start)

    poller = QueuePoller(source, timed)
    while poller.poll_once():
        pass
    return times


def _build(name: str, count: int, index: str) -> dict[str, float]:
    service, _ = _world()
    service.create({"name": name, "type": "base", "fields": FIELDS})
    service.collections.invalidate()
    import_records(service.collections, service.records, name,
                   [{"code": f"c{i:06d}", "n": i % 100} for i in range(count)])
    fields = service.get(name).collection.to_api_json()["fields"]
    start = time.perf_counter()
    service.update(name, {"fields": fields, "indexes": [index]})
    request_s = time.perf_counter() - start
    steps = _run_steps()
    service.collections.invalidate()
    assert service.get(name).layout.indexes[0].state == "ready"
    return {"records": count, "request_s": request_s, "steps": len(steps), "max_step_s": max(steps),
            "records_per_s": count / sum(steps)}


def _truncate(name: str) -> dict[str, float]:
    service, ctx = _world()
    cid = service.get(name).collection.id
    start = time.perf_counter()
    service.truncate(name)
    request_s = time.perf_counter() - start
    steps = _run_steps()
    assert not list(ctx.records.scan(cid, ReadMeter()))
    return {"request_s": request_s, "steps": len(steps), "max_step_s": max(steps, default=0.0)}


def report() -> None:
    from tests.support.moto_cloud import running_cloud

    with running_cloud():
        # UNIQUE first, while the table is small: moto's transactions slow down with the table's size.
        unique = _build("bench_unique", UNIQUE_RECORDS, "CREATE UNIQUE INDEX idx_code ON bench_unique (code)")
        print(f"unique index build, {UNIQUE_RECORDS} records: {unique}")
        plain = _build("bench_plain", RECORDS, "CREATE INDEX idx_n ON bench_plain (n)")
        print(f"index build, {RECORDS} records, {index_build.CHUNK_RECORDS} a step: {plain}")
        print(f"truncate {RECORDS} records ({truncate.TRUNCATE_SYNC_RECORDS} in the request): "
              f"{_truncate('bench_plain')}")


if __name__ == "__main__":
    report()
