"""Backups on moto: bad archives, large archives, listing, the backups.s3 location, scheduling, a stalled create."""

from __future__ import annotations

import io
import os
import re
import zipfile
from typing import Any

import pytest

from shared import aws
from shared.app_settings import provider
from shared.app_settings.model import AppSettings, BackupsSettings, S3Settings
from shared.app_settings.provider import MemorySettingsSource
from shared.backups.context import BackupContext, configured_location
from shared.backups.scheduled import schedule_backup
from shared.backups.service import BackupsService
from shared.errors import BadRequestError
from tests.support.backups_world import (
    FILES,
    Clock,
    and_more_data_written,
    context,
    created_backup,
    drain,
    given_a_world,
    put_file,
    state,
)


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


def test_backups_go_to_the_bucket_of_enabled_backups_s3_settings(moto: Any) -> None:
    # Given backups.s3 settings naming another bucket
    aws.client("s3").create_bucket(Bucket="elsewhere-backups")
    s3_settings = S3Settings(enabled=True, bucket="elsewhere-backups", region="us-east-1", access_key="key",
                             secret="secret")
    provider.use_source(MemorySettingsSource(AppSettings(backups=BackupsSettings(s3=s3_settings))))
    try:
        clock = Clock()
        base = context(clock)
        ctx = BackupContext(config=base.config, status=base.status, queue=base.queue, clock=clock.wall,
                            monotonic=clock.tick, location_for=lambda: configured_location(base.config))
        given_a_world()

        # When a backup is created
        key = created_backup(ctx, "away.zip")

        # Then it is listed from that bucket, and the deployment's own holds none
        assert [b["key"] for b in BackupsService(ctx).list()] == [key]
        own = aws.client("s3").list_objects_v2(Bucket=ctx.config.backups_bucket).get("KeyCount")
        assert own == 0
    finally:
        provider.use_source(None)

