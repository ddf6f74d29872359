"""Backups on moto: create, restore, interruption and retry, corrupt archives, counters and rotation."""

from __future__ import annotations

import io
import itertools
import os
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from shared import aws, resources
from shared.backups.context import BackupContext, BackupSettings
from shared.backups.job import run_backup_step
from shared.backups.location import BackupLocation
from shared.backups.marks import RESTORE_ATTR, RESTORE_DELETE_ATTR
from shared.backups.scheduled import schedule_backup
from shared.backups.service import BUSY, BackupsService
from shared.backups.status import StatusStore
from shared.changes.model import decode_stream_records
from shared.errors import BadRequestError
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
    item: dict[str, Any] = {"pk": {"S": keys.record_pk(collection, keys.shard_of(record_id))},
                            "sk": {"S": record_id}, "c": {"S": collection}, "v": {"N": "1"},
                            "d": {"M": {"f_title": {"S": title}}}}
    if index_value is not None:
        item["gsi1pk"] = {"S": keys.index_pk(collection, 1, index_value)}
        item["gsi1sk"] = {"S": record_id}
        item["nc"] = {"S": ""}
    aws.client("dynamodb").put_item(TableName=RECORDS, Item=item)


def delete_record(collection: str, record_id: str) -> None:
    aws.client("dynamodb").delete_item(TableName=RECORDS, Key=keys.record_key(collection, record_id))


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
    instance = ("job#", "backup#", "conn#", "rt#", "th#", "rl#", "mr#")
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


def test_backup_then_restore_brings_back_exactly_the_backed_up_state(moto: Any) -> None:
    # Given a world, backed up, then changed
    clock = Clock()
    ctx = context(clock)
    given_a_world()
    before = state()
    key = created_backup(ctx)
    and_more_data_written()
    assert state() != before

    # When the backup is restored
    BackupsService(ctx).restore(key)
    steps = drain(ctx)

    # Then every table and file is as it was backed up, and the job has ended
    assert steps > 3
    assert state() == before
    assert ctx.status.get() is None
    last = ctx.status.last()
    assert last is not None and last.action == "restore" and not last.error


def test_counters_equal_the_archives_records(moto: Any) -> None:
    # Given a backup whose stored counters were wrong, and a collection whose counter drifted since
    clock = Clock()
    ctx = context(clock)
    given_a_world()
    put_counter("pbc_a", 42)
    key = created_backup(ctx)
    put_record("pbc_b", "rec8", "eight")
    put_counter("pbc_b", 7)

    # When it is restored
    BackupsService(ctx).restore(key)
    drain(ctx)

    # Then each counter counts the archive's records: collections and index partitions
    assert counter_total("pbc_a") == 3
    assert counter_total("pbc_b") == 1
    assert counter_total(keys.index_pk("pbc_a", 1, "x")) == 2
    assert counter_total(keys.index_pk("pbc_a", 1, "y")) == 1


def test_a_restore_interrupted_midway_and_retried_ends_in_the_backed_up_state(moto: Any) -> None:
    # Given a backup and more data written since
    clock = Clock()
    ctx = context(clock, backup_stalled_s=60)
    given_a_world()
    before = state()
    key = created_backup(ctx)
    and_more_data_written()

    # When its restore dies after a few steps (its messages lost), leaving a mix
    BackupsService(ctx).restore(key)
    drain(ctx, stop_after=4)
    assert ctx.status.get() is not None
    mixed = state()
    assert mixed != before

    # Then a retry is refused while the first might still run, and once it has stalled, the retry restores
    with pytest.raises(BadRequestError):
        BackupsService(ctx).restore(key)
    clock.now += 61
    BackupsService(ctx).restore(key)
    drain(ctx)
    assert state() == before
    assert counter_total("pbc_a") == 3


def test_a_redelivered_step_changes_nothing(moto: Any) -> None:
    # Given a restore whose every step is delivered twice
    clock = Clock()
    ctx = context(clock)
    given_a_world()
    before = state()
    key = created_backup(ctx)
    and_more_data_written()
    BackupsService(ctx).restore(key)
    queue = ctx.queue
    assert isinstance(queue, InMemoryJobQueue)

    # When each message runs twice
    while (message := queue.take()) is not None:
        assert isinstance(message, BackupJobMessage)
        run_backup_step(ctx, message)
        run_backup_step(ctx, message)

    # Then the end state is the archive's, counters included
    assert state() == before
    assert counter_total(keys.index_pk("pbc_a", 1, "x")) == 2


def test_a_second_create_while_one_runs_is_refused(moto: Any) -> None:
    # Given a create that has been queued but not run
    clock = Clock()
    ctx = context(clock)
    BackupsService(ctx).create("first.zip", "Acme")

    # When another create or a restore is asked for, then PocketBase's 400 answers
    for attempt in (lambda: BackupsService(ctx).create("second.zip", "Acme"),
                    lambda: BackupsService(ctx).restore("first.zip")):
        with pytest.raises(BadRequestError) as raised:
            attempt()
        assert raised.value.message == BUSY


def test_a_corrupt_or_foreign_archive_is_refused_and_touches_nothing(moto: Any) -> None:
    # Given a world and an uploaded good backup whose bytes are then damaged, and a foreign zip
    clock = Clock()
    ctx = context(clock)
    given_a_world()
    key = created_backup(ctx)
    good = ctx.location.read_all(key)
    foreign = io.BytesIO()
    with zipfile.ZipFile(foreign, "w") as zf:
        zf.writestr("data.db", b"SQLite format 3\x00")
    damaged = good[:40] + bytes(b ^ 0xFF for b in good[40:80]) + good[80:]
    ctx.location.put("damaged.zip", damaged)
    ctx.location.put("foreign.zip", foreign.getvalue())
    and_more_data_written()
    after = state()

    # When each is uploaded or restored, then each answers 400 and nothing changed
    for attempt in (lambda: BackupsService(ctx).upload("f.zip", foreign.getvalue()),
                    lambda: BackupsService(ctx).upload("d.zip", damaged),
                    lambda: BackupsService(ctx).upload("t.zip", b"not a zip at all"),
                    lambda: BackupsService(ctx).restore("foreign.zip"),
                    lambda: BackupsService(ctx).restore("damaged.zip")):
        with pytest.raises(BadRequestError):
            attempt()
    drain(ctx)
    assert state() == after
    assert [f.key for f in ctx.location.list()] == ["damaged.zip", "foreign.zip", key]


def test_a_restore_writes_no_change_the_stream_would_count_or_publish(moto: Any) -> None:
    # Given a backup and a change since, and the records table's stream read from now on
    clock = Clock()
    ctx = context(clock)
    given_a_world()
    key = created_backup(ctx)
    and_more_data_written()
    streams = aws.client("dynamodbstreams")
    arn = aws.client("dynamodb").describe_table(TableName=RECORDS)["Table"]["LatestStreamArn"]
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterators = [streams.get_shard_iterator(StreamArn=arn, ShardId=s["ShardId"], ShardIteratorType="LATEST")
                 ["ShardIterator"] for s in shards]

    # When the backup is restored, and a record is updated afterwards
    BackupsService(ctx).restore(key)
    drain(ctx)
    put_record("pbc_a", "rec3", "three, after")

    # Then the stream's records decode to that one update only
    raw: list[dict[str, Any]] = []
    for iterator in iterators:
        for record in streams.get_records(ShardIterator=iterator)["Records"]:
            raw.append({**record, "eventSource": "aws:dynamodb", "eventSourceARN": arn})
    changes = decode_stream_records(raw)
    assert [(c.action, c.record_id) for c in changes] == [("update", "rec3")]


def test_scheduled_backups_are_named_auto_and_rotated(moto: Any) -> None:
    # Given three auto backups and one by hand
    clock = Clock()
    ctx = context(clock)
    for stamp in ("20260101000000", "20260102000000", "20260103000000"):
        ctx.location.put(f"@auto_pb_backup_acme_{stamp}.zip", b"x")
    ctx.location.put("mine.zip", b"x")

    # When a scheduled backup runs with cronMaxKeep 2
    key = schedule_backup(ctx, "My App", 2)
    drain(ctx)

    # Then it is named as PocketBase names it, and only the newest auto backups are kept
    assert key is not None and key.startswith("@auto_pb_backup_my_app_") and key.endswith(".zip")
    assert sorted(f.key for f in ctx.location.list()) == sorted([key, "@auto_pb_backup_acme_20260103000000.zip",
                                                                 "mine.zip"])


def test_a_corrupt_file_in_an_archive_fails_the_restore_before_any_write(moto: Any) -> None:
    # Given a backup whose tables are sound but one stored file's bytes changed (its CRC no longer matches)
    clock = Clock()
    ctx = context(clock)
    given_a_world()
    key = created_backup(ctx)
    good = ctx.location.read_all(key)
    assert good.count(b"\x89PNG one") == 1  # files are stored uncompressed
    ctx.location.put("bitrot.zip", good.replace(b"\x89PNG one", b"\x89PNG ONE"))
    and_more_data_written()
    after = state()

    # When it is restored: the request finds its structure and tables sound and queues the job
    BackupsService(ctx).restore("bitrot.zip")
    drain(ctx)

    # Then the job's verify task refuses it, nothing was touched, and the outcome says why
    assert state() == after
    last = ctx.status.last()
    assert last is not None and last.action == "restore" and "corrupt" in last.error
    assert ctx.status.get() is None


def test_the_archive_a_job_works_on_cannot_be_deleted_and_a_stalled_create_is_taken_over(moto: Any) -> None:
    # Given a create that ran one step and then lost its messages
    clock = Clock()
    ctx = context(clock, backup_stalled_s=60)
    given_a_world()
    BackupsService(ctx).create("stuck.zip", "Acme")
    drain(ctx, stop_after=1)

    # When its archive is deleted meanwhile, Then PocketBase's 400 answers
    with pytest.raises(BadRequestError) as raised:
        BackupsService(ctx).delete("stuck.zip")
    assert raised.value.message == "The backup is currently being used and cannot be deleted."

    # When it has stalled and another create runs, Then that one completes and no staging is left behind
    clock.now += 61
    key = created_backup(ctx, "next.zip")
    assert [f.key for f in ctx.location.list()] == [key]
    staged = aws.client("s3").list_objects_v2(Bucket=ctx.location.bucket, Prefix=".staging/").get("KeyCount")
    assert staged == 0


def test_listing_has_pocketbases_shape(moto: Any) -> None:
    # Given one archive, When the backups are listed, Then each is {key, modified, size} in PocketBase's format
    clock = Clock()
    ctx = context(clock)
    ctx.location.put("a.zip", b"12345")
    [entry] = BackupsService(ctx).list()
    assert set(entry) == {"key", "modified", "size"} and entry["key"] == "a.zip" and entry["size"] == 5
    assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$", str(entry["modified"]))


def test_an_archive_larger_than_a_part_is_packed_over_steps_and_restored_whole(moto: Any) -> None:
    # Given files that make an archive of several 8 MB parts, packed one member a step
    clock = Clock()
    ctx = context(clock)
    given_a_world()
    for i in range(3):
        put_file(f"pbc_a/rec1/big{i}.bin", os.urandom(6 * 1024 * 1024))
    before = state()

    # When it is backed up, the files are changed, and it is restored
    key = created_backup(ctx)
    size = ctx.location.head(key)
    assert size is not None and size.size > 18 * 1024 * 1024
    aws.client("s3").delete_object(Bucket=FILES, Key="pbc_a/rec1/big1.bin")
    put_file("pbc_a/rec1/big2.bin", b"small now")
    BackupsService(ctx).restore(key)
    drain(ctx)

    # Then every byte is back
    assert state() == before
