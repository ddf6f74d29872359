"""Creating a backup: each table exported in parts by scans, then one archive streamed from the parts and files.

Tasks: `export <table>` for every table (a consistent-read Scan, a page of `backup_part_items` items per part,
each part staged as an object under `.staging/<job>/` in the backups location, the scan position in the
cursor), then `assemble`: the zip streamed to the location by a multipart upload (manifest, staged parts, every
object of the files bucket), and the staging removed. The archive appears under its name only when complete.

What it guarantees: every item is exported as committed when the scan read it (consistent reads), and nothing
is read twice or skipped. A scan is not a snapshot: writes made while a backup runs may or may not be in it,
each item independently. Point-in-time recovery (enabled on every table) is the way back to one instant.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from shared import aws, resources
from shared.backups import archive
from shared.backups.context import BackupContext
from shared.backups.coverage import is_covered
from shared.backups.job import JobPlan, Task
from shared.backups.location import STAGING_PREFIX
from shared.backups.status import ActiveJob


def staging(job: ActiveJob) -> str:
    return f"{STAGING_PREFIX}{job.job_id}/"


def _export(table: resources.TableDef) -> Task:
    def run(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
        cursor = job.cursor or {"start": None, "part": 0}
        name = _table_name(ctx, table)
        ddb = aws.client("dynamodb")
        while True:
            params: dict[str, Any] = {"TableName": name, "Limit": ctx.config.backup_part_items,
                                      "ConsistentRead": True}
            if cursor["start"]:
                params["ExclusiveStartKey"] = cursor["start"]
            page = ddb.scan(**params)
            items = [item for item in page.get("Items", []) if is_covered(table.key, item)]
            if items:
                body = "\n".join(json.dumps(item, sort_keys=True) for item in items).encode()
                ctx.location.put(staging(job) + archive.part_name(table.key, cursor["part"]), body,
                                 content_type="application/x-ndjson")
                cursor = {**cursor, "part": cursor["part"] + 1}
                job.counts[table.key] = job.counts.get(table.key, 0) + len(items)
            cursor = {**cursor, "start": page.get("LastEvaluatedKey")}
            job.cursor = cursor
            if not cursor["start"]:
                return True
            if ctx.monotonic() >= deadline:
                return False

    return Task(f"export {table.key}", run)


def _table_name(ctx: BackupContext, table: resources.TableDef) -> str:
    return {resources.RECORDS_TABLE.key: ctx.config.records_table,
            resources.SYSTEM_TABLE.key: ctx.config.system_table}[table.key]


def _staged_parts(ctx: BackupContext, job: ActiveJob) -> dict[str, list[str]]:
    """The staged parts of each table, by their names in the archive, in order."""
    prefix = staging(job)
    names = [key[len(prefix):] for key in ctx.location.keys_under(prefix)]
    return {t.key: sorted(n for n in names if n.startswith(f"{archive.TABLES_DIR}{t.key}/"))
            for t in resources.TABLES}


def _files(ctx: BackupContext) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in aws.client("s3").get_paginator("list_objects_v2").paginate(Bucket=ctx.config.files_bucket):
        out += page.get("Contents", [])
    return out


def _assemble(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
    location, s3 = ctx.location, aws.client("s3")
    parts = _staged_parts(ctx, job)
    files = _files(ctx)
    written = 0
    writer = location.writer(job.key)
    try:
        with zipfile.ZipFile(writer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for names in parts.values():
                for name in names:
                    zf.writestr(name, location.read_all(staging(job) + name))
            for obj in files:
                info = zipfile.ZipInfo(archive.file_name(obj["Key"]),
                                       date_time=obj["LastModified"].astimezone(UTC).timetuple()[:6])
                info.compress_type = zipfile.ZIP_STORED  # files are mostly compressed already
                info.file_size = int(obj["Size"])
                try:
                    source = s3.get_object(Bucket=ctx.config.files_bucket, Key=obj["Key"])["Body"]
                except s3.exceptions.NoSuchKey:
                    continue  # deleted since it was listed
                written += 1
                with zf.open(info, "w", force_zip64=info.file_size > 2**31) as member:
                    while chunk := source.read(archive.COPY_CHUNK):
                        member.write(chunk)
            manifest = archive.Manifest(created=datetime.now(UTC).isoformat(), tables=parts, files=written)
            zf.writestr(archive.MANIFEST, manifest.to_json())
    except BaseException:
        writer.abort()
        raise
    writer.close()
    job.counts["files"] = written
    return True


def _cleanup(ctx: BackupContext, job: ActiveJob) -> None:
    # Only the job holding the status runs, so any other staging is what a stalled, taken-over create left.
    ctx.location.delete_prefix(STAGING_PREFIX)


def _tasks(ctx: BackupContext, job: ActiveJob) -> list[Task]:
    return [*(_export(t) for t in resources.TABLES), Task("assemble", _assemble)]


CREATE_PLAN = JobPlan(tasks=_tasks, cleanup=_cleanup)
