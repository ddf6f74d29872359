"""Creating a backup: each table exported in parts by scans, then one archive streamed from the parts and files.

Tasks: `export <table>` for every table (a consistent-read Scan, a page of `backup_part_items` items per part,
each part staged as an object under `.staging/<job>/` in the backups location, the scan position in the
cursor), `list` (the members to pack: staged parts and the files bucket's objects), then `pack` (packing.py):
the zip written by a multipart upload over as many steps as it takes. The staging is removed at the end.

What it guarantees: every item is exported as committed when the scan read it (consistent reads), and nothing
is read twice or skipped. A scan is not a snapshot: writes made while a backup runs may or may not be in it,
each item independently. Point-in-time recovery (enabled on every table) is the way back to one instant.
"""

from __future__ import annotations

import json

from shared import runtime_resources
from shared.backups import archive
from shared.backups.context import BackupContext
from shared.backups.coverage import is_covered
from shared.backups.job import JobPlan, Task
from shared.backups.location import STAGING_PREFIX
from shared.backups.status import ActiveJob
from shared.resource_defs import TableDef


def staging(job: ActiveJob) -> str:
    return f"{STAGING_PREFIX}{job.job_id}/"


def _export(table: TableDef) -> Task:
    def run(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
        cursor = job.cursor or {"start": None, "part": 0}
        store = ctx.table(table.key)
        while True:
            page, start = store.scan_page(cursor["start"], ctx.config.backup_part_items)
            items = [item for item in page if is_covered(table.key, item)]
            if items:
                body = "\n".join(json.dumps(item, sort_keys=True) for item in items).encode()
                ctx.location.put(staging(job) + archive.part_name(table.key, cursor["part"]), body,
                                 content_type="application/x-ndjson")
                cursor = {**cursor, "part": cursor["part"] + 1}
                job.counts[table.key] = job.counts.get(table.key, 0) + len(items)
            cursor = {**cursor, "start": start}
            job.cursor = cursor
            if not start:
                return True
            if ctx.monotonic() >= deadline:
                return False

    return Task(f"export {table.key}", run)


def _cleanup(ctx: BackupContext, job: ActiveJob) -> None:
    # Only the job holding the status runs, so any other staging is what a stalled, taken-over create left.
    ctx.location.delete_prefix(STAGING_PREFIX)


def _list(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
    from shared.backups.packing import list_members

    list_members(ctx, job)
    return True


def _pack(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
    from shared.backups.packing import pack

    return pack(ctx, job, deadline)


def _tasks(ctx: BackupContext, job: ActiveJob) -> list[Task]:
    return [*(_export(t) for t in runtime_resources.BACKED_UP_TABLES), Task("list", _list), Task("pack", _pack)]


CREATE_PLAN = JobPlan(tasks=_tasks, cleanup=_cleanup)
