"""A small world on moto for backup tests: record-shaped items, counters, catalog items, files, and a clock."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from shared import aws, resources
from shared.backups.context import BackupContext, BackupSettings
from shared.backups.job import run_backup_step
from shared.backups.location import BackupLocation
from shared.backups.marks import RESTORE_ATTR, RESTORE_DELETE_ATTR
from shared.backups.service import BackupsService
from shared.backups.status import StatusStore
from shared.jobs.messages import BackupJobMessage
from shared.jobs.queue import InMemoryJobQueue
from shared.records import keys

RECORDS = resources.RECORDS_TABLE.physical_name
SYSTEM = resources.SYSTEM_TABLE.physical_name
FILES = resources.FILES_BUCKET.physical_name
# What a restore adds to the items it writes, and what stays out of a backup: not part of "the state".
MARK_ATTRS = {RESTORE_ATTR, RESTORE_DELETE_ATTR, "rp"}


class Clock:
    """Wall time the test moves, and a monotonic clock that ticks on every read, so every step is short."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self._ticks = itertools.count()

    def wall(self) -> float:
        return self.now

    def tick(self) -> float:
        return float(next(self._ticks))


def context(clock: Clock, **overrides: Any) -> BackupContext:
    config = BackupSettings(**{"backup_part_items": 3, "backup_step_budget_s": 2.5, "backup_counter_settle_s": 0,
                               **overrides})
    location = BackupLocation(config.backups_bucket)
    return BackupContext(config=config, status=StatusStore(config.system_table), queue=InMemoryJobQueue(),
                         location_for=lambda: location, clock=clock.wall, monotonic=clock.tick)


def drain(ctx: BackupContext, *, max_steps: int = 500, stop_after: int | None = None) -> int:
    """Run queued backup steps; `stop_after` drops the queue after that many steps (a crash mid-job)."""
    queue = ctx.queue
    assert isinstance(queue, InMemoryJobQueue)
    steps = 0
    while (message := queue.take()) is not None:
        assert isinstance(message, BackupJobMessage)
        run_backup_step(ctx, message)
        steps += 1
        if stop_after is not None and steps >= stop_after:
            queue.sent.clear()
            return steps
        assert steps < max_steps
    return steps


def put_record(collection: str, record_id: str, title: str, *, index_value: str | None = None) -> None:
    item: dict[str, Any] = {"pk": {"S": keys.record_pk(collection, keys.shard_of(record_id, keys.LEGACY_SHARDS))},
                            "sk": {"S": record_id}, "c": {"S": collection}, "v": {"N": "1"},
                            "d": {"M": {"f_title": {"S": title}}}}
    if index_value is not None:
        item["gsi1pk"] = {"S": keys.index_pk(collection, 1, index_value)}
        item["gsi1sk"] = {"S": record_id}
        item["nc"] = {"S": ""}
    aws.client("dynamodb").put_item(TableName=RECORDS, Item=item)


def delete_record(collection: str, record_id: str) -> None:
    aws.client("dynamodb").delete_item(TableName=RECORDS, Key=keys.record_key(collection, record_id,
                                                                                  keys.LEGACY_SHARDS))


def put_counter(partition: str, total: int) -> None:
    aws.client("dynamodb").put_item(TableName=RECORDS, Item={"pk": {"S": keys.counter_pk(partition)},
                                                             "sk": {"S": "count"}, "total": {"N": str(total)}})


def put_system(pk: str, sk: str, doc: str) -> None:
    aws.client("dynamodb").put_item(TableName=SYSTEM, Item={"pk": {"S": pk}, "sk": {"S": sk}, "doc": {"S": doc}})


def put_file(key: str, body: bytes) -> None:
    aws.client("s3").put_object(Bucket=FILES, Key=key, Body=body)


def _scan(table: str, keep: Callable[[dict[str, Any]], bool]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for page in aws.client("dynamodb").get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for item in page["Items"]:
            if keep(item):
                out[(item["pk"]["S"], item["sk"]["S"])] = {k: v for k, v in item.items() if k not in MARK_ATTRS}
    return out


def state() -> dict[str, Any]:
    """Everything a backup covers, without restore marks: both tables' items and every file's bytes.

    Counters are left out: a restore computes them from the archive's records (test_counters_... checks them).
    """
    s3 = aws.client("s3")
    files = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=FILES):
        for obj in page.get("Contents", []):
            files[obj["Key"]] = s3.get_object(Bucket=FILES, Key=obj["Key"])["Body"].read()
    instance = ("job#", "backup#", "conn#", "ws#", "rt#", "th#", "rl#", "mr#")
    return {"records": _scan(RECORDS, lambda i: not i["pk"]["S"].startswith(keys.COUNTER_PREFIX)),
            "system": _scan(SYSTEM, lambda i: not i["pk"]["S"].startswith(instance)),
            "files": files}


def counter_total(partition: str) -> int | None:
    item = aws.client("dynamodb").get_item(TableName=RECORDS, Key={"pk": {"S": keys.counter_pk(partition)},
                                                                   "sk": {"S": "count"}}).get("Item")
    return int(item["total"]["N"]) if item else None


def given_a_world() -> None:
    put_record("pbc_a", "rec1", "one", index_value="x")
    put_record("pbc_a", "rec2", "two", index_value="x")
    put_record("pbc_a", "rec3", "three", index_value="y")
    put_record("pbc_b", "rec4", "four")
    put_counter("pbc_a", 3)
    put_counter("pbc_b", 1)
    put_system("collections", "pbc_a", '{"name": "a"}')
    put_system("collections", "pbc_b", '{"name": "b"}')
    put_file("pbc_a/rec1/photo.png", b"\x89PNG one")
    put_file("pbc_b/rec4/doc.txt", b"four's file")


def and_more_data_written() -> None:
    put_record("pbc_a", "rec1", "one, changed", index_value="z")
    delete_record("pbc_a", "rec2")
    put_record("pbc_a", "rec9", "nine", index_value="x")
    put_counter("pbc_a", 3)
    put_system("collections", "pbc_c", '{"name": "c"}')
    put_file("pbc_a/rec9/new.png", b"new")
    put_file("pbc_a/rec1/photo.png", b"overwritten")
    aws.client("s3").delete_object(Bucket=FILES, Key="pbc_b/rec4/doc.txt")


def created_backup(ctx: BackupContext, name: str = "snap.zip") -> str:
    key = BackupsService(ctx).create(name, "Acme")
    drain(ctx)
    assert ctx.status.get() is None
    return key
