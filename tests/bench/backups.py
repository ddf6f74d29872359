"""Backups benchmark on moto: create and restore throughput, and the longest job step against the step budget.

A backup or restore runs as a chain of job steps, each of which must end well inside the jobs function's
timeout whatever the table's size; the goal is that the longest step stays under a third of it (the step
budget plus the one part a step finishes). moto is far slower than DynamoDB, so throughput figures bound AWS's
from below; `LB_BENCH_BACKUP_ITEMS` sets the number of records (default 2,000), `LB_BENCH_BACKUP_FILES` files.
"""

from __future__ import annotations

import os
import time
from typing import Any

from shared import aws, resources
from shared.backups.context import BackupContext, BackupSettings
from shared.backups.job import run_backup_step
from shared.backups.location import BackupLocation
from shared.backups.service import BackupsService
from shared.backups.status import StatusStore
from shared.jobs.messages import BackupJobMessage
from shared.jobs.queue import InMemoryJobQueue
from shared.records import keys
from tests.bench import goals

ITEMS = int(os.environ.get("LB_BENCH_BACKUP_ITEMS", "2000"))
FILES = int(os.environ.get("LB_BENCH_BACKUP_FILES", "50"))
STEP_GOAL_S = resources.JOBS_FUNCTION_TIMEOUT_S / 3


def _seed() -> None:
    ddb, s3 = aws.client("dynamodb"), aws.client("s3")
    table = resources.RECORDS_TABLE.physical_name
    requests: list[dict[str, Any]] = []
    for i in range(ITEMS):
        record_id = f"bench{i:010d}"
        requests.append({"PutRequest": {"Item": {
            "pk": {"S": keys.record_pk("pbc_bench", keys.shard_of(record_id, keys.LEGACY_SHARDS))},
            "sk": {"S": record_id},
            "c": {"S": "pbc_bench"}, "v": {"N": "1"}, "d": {"M": {"f_title": {"S": f"title {i}" * 5}}},
            "gsi1pk": {"S": keys.index_pk("pbc_bench", 1, i % 10)}, "gsi1sk": {"S": record_id}}}})
    for start in range(0, len(requests), 25):
        ddb.batch_write_item(RequestItems={table: requests[start:start + 25]})
    for i in range(FILES):
        s3.put_object(Bucket=resources.FILES_BUCKET.physical_name, Key=f"pbc_bench/{i}/f.bin", Body=os.urandom(4096))


def _drain(ctx: BackupContext) -> tuple[float, list[float]]:
    """Run every queued step; (total seconds, each step's seconds)."""
    queue = ctx.queue
    assert isinstance(queue, InMemoryJobQueue)
    steps: list[float] = []
    started = time.perf_counter()
    while (message := queue.take()) is not None:
        assert isinstance(message, BackupJobMessage)
        t0 = time.perf_counter()
        run_backup_step(ctx, message)
        steps.append(time.perf_counter() - t0)
    return time.perf_counter() - started, steps


def run() -> dict[str, Any]:
    from tests.support.moto_cloud import running_cloud

    with running_cloud():
        _seed()
        # The step budget is scaled down with the table, so that the run has many steps to measure.
        config = BackupSettings(backup_step_budget_s=2.0, backup_counter_settle_s=0)
        location = BackupLocation(config.backups_bucket)
        ctx = BackupContext(config=config, status=StatusStore(config.system_table), queue=InMemoryJobQueue(),
                            location_for=lambda: location)
        service = BackupsService(ctx)
        service.create("bench.zip", "Bench")
        create_s, create_steps = _drain(ctx)
        size = location.head("bench.zip")
        service.restore("bench.zip")
        restore_s, restore_steps = _drain(ctx)
        return {"create_s": create_s, "create_steps": create_steps, "restore_s": restore_s,
                "restore_steps": restore_steps, "size": size.size if size else 0}


def report() -> None:
    print(f"Backups on moto: {ITEMS} records, {FILES} files of 4 KB")
    out = run()
    longest = max(out["create_steps"] + out["restore_steps"])
    for action in ("create", "restore"):
        seconds, steps = out[f"{action}_s"], out[f"{action}_steps"]
        rate = ITEMS / seconds if seconds else 0.0
        print(f"  {action:<8} {seconds:6.2f} s  {len(steps):3d} steps  {rate:8.0f} records/s  "
              f"longest step {max(steps):.2f} s")
        goals.record("backups", f"{action} throughput (moto)", "reported", f"{rate:.0f} records/s", None)
    print(f"  archive {out['size'] / 1024:.0f} KB")
    goals.record("backups", "longest job step", f"<= {STEP_GOAL_S:.0f} s", f"{longest:.2f} s", longest <= STEP_GOAL_S)


if __name__ == "__main__":
    report()
