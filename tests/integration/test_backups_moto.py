"""Backups on moto: backup then restore, counters, interruption and retry, redelivery, the change stream."""

from __future__ import annotations

from typing import Any

import pytest

from shared import aws
from shared.backups.job import run_backup_step
from shared.backups.service import BUSY, BackupsService
from shared.changes.model import decode_stream_records
from shared.errors import BadRequestError
from shared.jobs.messages import BackupJobMessage
from shared.jobs.queue import InMemoryJobQueue
from shared.records import keys
from tests.support.backups_world import (
    RECORDS,
    Clock,
    and_more_data_written,
    context,
    counter_total,
    created_backup,
    drain,
    given_a_world,
    put_counter,
    put_record,
    state,
)


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
