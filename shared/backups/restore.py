"""Restoring a backup: idempotent, resumable tasks keyed by the restore's id, ending in exactly the archive.

Tasks, from the archive's manifest:
1. `verify`: read every member to its end (CRCs, and every table line); the request checked the structure and,
   up to a size, the tables already. Nothing has been written yet, so a corrupt archive ends the job here,
   touching nothing.
2. `put <table> <part>`: write every item of the part, marked `rs = <restoreId>#<nonce>` (marks.py), so the
   change stream neither counts nor publishes them. Counters are not copied (task 5 computes them).
3. `sweep <table>`: delete every item the restore did not write (no `rs` of this restore), but the
   per-instance state (coverage.py); a record is first marked `rsd`, so its delete is not a change either.
4. `put files`, `sweep files`: every archived object written to the files bucket, then every other one deleted.
5. `counters <part>`: each part's records add to the counters they belong to, once per part (the part's tag
   in the counter's `rp` set). The old counters were deleted by the sweep, which starts after a settle delay:
   writes made before the restore leave the stream onto the old counters first.

Retrying: each step reruns from its task's cursor; writes are puts of archived values and deletes of what the
archive lacks, so running a task twice ends in the same state. A restore whose messages were lost (a crash) is
taken over by a new restore, with a new id: its puts mark every item anew, and its sweep removes what the first
one left, so the end state is again exactly the archive. While a restore runs, the data is a mix of old and
restored; `canBackup` is false and health shows its progress.
"""

from __future__ import annotations

import uuid
import zipfile
from collections import defaultdict
from typing import Any

from shared import runtime_resources
from shared.backups import archive
from shared.backups.context import BackupContext
from shared.backups.coverage import is_counter, is_covered
from shared.backups.job import JobPlan, Task
from shared.backups.marks import RESTORE_ATTR, RESTORE_DELETE_ATTR
from shared.backups.status import ActiveJob
from shared.backups.table_store import item_string, string_value
from shared.dynamo_values import from_item
from shared.records import keys

# On a counter a restore wrote: the archive parts whose records it has counted.
COUNTED_PARTS_ATTR = "rp"

def _open(ctx: BackupContext, job: ActiveJob) -> zipfile.ZipFile:
    return archive.open_archive(ctx.location.open(job.key))


def _verify(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
    offset = int((job.cursor or {}).get("offset", 0))
    with _open(ctx, job) as zf:
        names = archive.members_to_check(zf, archive.read_manifest(zf), with_files=True)
        while offset < len(names):
            archive.check_member(zf, names[offset])
            offset += 1
            job.cursor = {"offset": offset}
            if ctx.monotonic() >= deadline:
                break
    return offset >= len(names)


def _put(table_key: str, part: str) -> Task:
    def run(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
        mark = string_value(f"{job.job_id}#{uuid.uuid4().hex}")  # a new nonce each run: every put is a change
        with _open(ctx, job) as zf:
            archived = list(archive.parse_items(zf.read(part)))
        items = [{**{k: v for k, v in item.items() if k not in (RESTORE_ATTR, RESTORE_DELETE_ATTR)},
                  RESTORE_ATTR: mark} for item in archived if is_covered(table_key, item) and not is_counter(item)]
        ctx.table(table_key).put_items(items)
        job.counts[f"restored {table_key}"] = job.counts.get(f"restored {table_key}", 0) + len(items)
        return True

    return Task(f"put {part}", run)


def _is_leftover(job: ActiveJob, table_key: str, item: dict[str, Any]) -> bool:
    """Whether a stored item is not this restore's: not covered items stay, as do those it wrote."""
    if not is_covered(table_key, item):
        return False
    mark = item_string(item, RESTORE_ATTR)
    return not mark.startswith(f"{job.job_id}#") or RESTORE_DELETE_ATTR in item


def _sweep(table_key: str) -> Task:
    def run(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
        store = ctx.table(table_key)
        start = (job.cursor or {}).get("start")
        while True:
            page, start = store.scan_page(start, ctx.config.backup_part_items)
            doomed = [item for item in page if _is_leftover(job, table_key, item)]
            for item in doomed:
                if item_string(item, "pk").startswith(keys.RECORD_PREFIX) and RESTORE_DELETE_ATTR not in item:
                    # Marked first, so that its delete is the restore's own change (marks.py).
                    store.set_string_attributes(item, {RESTORE_DELETE_ATTR: True,
                                                       RESTORE_ATTR: f"del#{uuid.uuid4().hex}"})
            store.delete_items(doomed)
            job.counts[f"swept {table_key}"] = job.counts.get(f"swept {table_key}", 0) + len(doomed)
            job.cursor = {"start": start}
            if not start:
                return True
            if ctx.monotonic() >= deadline:
                return False

    return Task(f"sweep {table_key}", run)


def _file_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return sorted((i for i in zf.infolist() if i.filename.startswith(archive.FILES_DIR)),
                  key=lambda i: i.filename)


def _put_files(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
    offset = int((job.cursor or {}).get("offset", 0))
    with _open(ctx, job) as zf:
        members = _file_members(zf)
        while offset < len(members):
            info = members[offset]
            with zf.open(info) as member:
                ctx.files.put(info.filename[len(archive.FILES_DIR):], member)
            offset += 1
            job.cursor = {"offset": offset}
            if ctx.monotonic() >= deadline:
                return offset >= len(members)
    return True


def _sweep_files(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
    token = (job.cursor or {}).get("token")
    with _open(ctx, job) as zf:
        kept = {i.filename[len(archive.FILES_DIR):] for i in _file_members(zf)}
    while True:
        page, token = ctx.files.list_page(token)
        ctx.files.delete([key for key in page if key not in kept])
        job.cursor = {"token": token}
        if not token:
            return True
        if ctx.monotonic() >= deadline:
            return False


def part_totals(items: list[dict[str, Any]]) -> dict[str, int]:
    """How many of these archived records each counter partition counts, as the change stream would count them."""
    from shared.changes.counters import record_contributions
    from shared.changes.model import RecordChange

    totals: dict[str, int] = defaultdict(int)
    for item in items:
        pk = item_string(item, "pk")
        if not pk.startswith(keys.RECORD_PREFIX):
            continue
        collection_id, _, shard = pk[len(keys.RECORD_PREFIX):].rpartition("#")
        if not shard.isdigit():
            continue
        change = RecordChange(action="create", collection_id=collection_id, record_id=item_string(item, "sk"),
                              sequence_number="0", write_shard=int(shard), new_image=from_item(item))
        for partition, contribution in record_contributions(change):
            totals[partition] += contribution.delta
    return dict(totals)


def _counters(part: str, number: int) -> Task:
    def run(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
        from shared.changes.counters import COUNTER_SK

        with _open(ctx, job) as zf:
            totals = part_totals(list(archive.parse_items(zf.read(part))))
        store = ctx.table(runtime_resources.RECORDS_TABLE.key)
        for partition, total in sorted(totals.items()):
            # False: an earlier run of this step counted the part already
            store.add_once(keys.counter_pk(partition), COUNTER_SK, "total", total, f"{job.job_id}:{number}",
                           COUNTED_PARTS_ATTR, (RESTORE_ATTR, f"{job.job_id}#c"))
        return True

    return Task(f"counters {part}", run, delay_s=0)


def _tasks(ctx: BackupContext, job: ActiveJob) -> list[Task]:
    with _open(ctx, job) as zf:
        manifest = archive.read_manifest(zf)
    tasks = [Task("verify", _verify)]
    for table in runtime_resources.BACKED_UP_TABLES:
        tasks += [_put(table.key, part) for part in manifest.tables[table.key]]
    sweeps = [_sweep(table.key) for table in runtime_resources.BACKED_UP_TABLES]
    # The settle delay comes before the sweep that deletes the old counters: writes made just before the
    # restore are still in the stream, and counted onto those old counters, not onto the archive's.
    sweeps[0] = Task(sweeps[0].name, sweeps[0].run, delay_s=ctx.config.backup_counter_settle_s)
    tasks += [*sweeps, Task("put files", _put_files), Task("sweep files", _sweep_files)]
    return tasks + [_counters(part, n) for n, part in enumerate(manifest.tables[runtime_resources.RECORDS_TABLE.key])]


def _cleanup(ctx: BackupContext, job: ActiveJob) -> None:
    """Nothing to remove: a restore leaves only the archive's items, and its marks on them."""


RESTORE_PLAN = JobPlan(tasks=_tasks, cleanup=_cleanup)
