"""The view build job: materializes a view collection's rows, chunk by chunk over its source collection.

Message `view_build {job_id, collection_id, step}`, the checkpoint's cursor `clear:<last row id>` while the
view's previous rows are deleted (a changed query: their values are keyed by the old fields' ids), then
`fill:<last source id>` while each source record's row (or group) is recomputed. Steps advance the checkpoint
conditionally, so a redelivered message does nothing twice; a row recomputed twice is the same row anyway
(shared/views/rows.py). Meanwhile the change stream keeps rows fresh, so a reader sees the rows built so far
plus those live changes touched, and the whole view once the job is done. The layout's `view_build` shows the
progress (`buildState` in the collection JSON) until then.

A view grouped by columns is built from per-group sums instead (shared/views/group_sums.py): each step adds
its chunk's contributions to the groups' accumulators (exactly once: marked with the build's own shard and the
step), moves the layout's cursor past the chunk, so that the stream counts those records' later changes, and
then rewrites the chunk's groups.
"""

from __future__ import annotations

import contextlib

from shared.catalog.repository import CACHE_SECONDS
from shared.changes.accumulators import InMemoryAccumulatorStore, apply_accumulators
from shared.jobs.checkpoints import Checkpoint
from shared.jobs.context import JobContext
from shared.jobs.messages import ViewBuildMessage
from shared.observability import logger
from shared.records.model import ReadMeter, RecordConflictError, RecordWrite, StoredRecord
from shared.views.definition import ViewDefinition, definition_of
from shared.views.group_sums import BUILD_SHARD, GroupWork, member_of, refresh_group
from shared.views.rows import refresh

# Source records per step: each costs its row's recompute (a few reads and at most one write), so a step of
# 200 takes seconds on DynamoDB, well inside the jobs function's timeout.
CHUNK_RECORDS = 200
# The build waits for every stream consumer to see the new view (catalog caches live CACHE_SECONDS): a source
# change the stream handled without the view then happened before the build reads that record. The index
# build's longer settle (in-flight writes under an older schema) does not apply: source writes ignore views.
VIEW_SETTLE_S = int(CACHE_SECONDS) + 1
# Rows deleted per transaction while clearing (a transaction holds at most 100 items).
DELETE_BATCH = 25


def start_view_build(ctx: JobContext, view_id: str, job_id: str, *, clear: bool, delay_s: int) -> None:
    """Create the job's checkpoint and queue its first step, after at most VIEW_SETTLE_S."""
    ctx.checkpoints.create(Checkpoint(job_id=job_id, kind="view_build", collection_id=view_id,
                                      cursor="clear:" if clear else "fill:", updated_at=ctx.clock()))
    ctx.queue.send(ViewBuildMessage(job_id=job_id, collection_id=view_id), delay_s=min(delay_s, VIEW_SETTLE_S))


def _clear_chunk(ctx: JobContext, view_id: str, after: str | None) -> tuple[str | None, int, bool]:
    """Delete up to a chunk of the view's rows after `after`: (last id, how many, whether none are left)."""
    rows = list(ctx.records.scan(view_id, ReadMeter(), after=after, limit=CHUNK_RECORDS))
    for start in range(0, len(rows), DELETE_BATCH):
        batch = rows[start:start + DELETE_BATCH]
        try:
            ctx.records.write([RecordWrite(kind="delete", record=r, expected_version=r.version) for r in batch])
        except RecordConflictError:
            # a live change rewrote one meanwhile (it is then of the new definition): delete the others alone
            for row in batch:
                with contextlib.suppress(RecordConflictError):
                    ctx.records.write([RecordWrite(kind="delete", record=row, expected_version=row.version)])
    return (rows[-1].id if rows else after), len(rows), len(rows) < CHUNK_RECORDS


def run_view_build(ctx: JobContext, message: ViewBuildMessage) -> None:
    """Run one step of a view build."""
    checkpoint = ctx.checkpoints.get(message.job_id)
    if checkpoint is None or checkpoint.done or checkpoint.step != message.step:
        return  # finished, or an earlier or duplicate delivery: another run did this step
    stored = ctx.fresh(message.collection_id)
    definition = definition_of(stored.collection, lambda name: _find(ctx, name)) if stored else None
    phase, _, cursor_id = (checkpoint.cursor or "fill:").partition(":")
    after = cursor_id or None
    done, seen = False, 0
    if definition is None:
        done = True  # the view was deleted, or no longer resolves: nothing to build
        cursor = checkpoint.cursor
    elif phase == "clear":
        last, seen, cleared = _clear_chunk(ctx, message.collection_id, after)
        cursor = "fill:" if cleared else f"clear:{last or ''}"
    else:
        sources = list(ctx.records.scan(definition.source.id, ReadMeter(), after=after, limit=CHUNK_RECORDS))
        if definition.column_grouped:
            rewritten = _fill_groups(ctx, definition, message, sources)
        else:
            group_field = definition.group_field
            keys = ([r.id for r in sources] if group_field is None
                    else sorted({str(r.data.get(group_field.id) or "") for r in sources} - {""}))
            rewritten = sum(refresh(definition, ctx.records, key) for key in keys)
        seen = len(sources)
        done = len(sources) < CHUNK_RECORDS
        cursor = f"fill:{sources[-1].id}" if sources else checkpoint.cursor
        checkpoint = checkpoint.model_copy(update={"rewritten": checkpoint.rewritten + rewritten})
    advanced = checkpoint.model_copy(update={"step": message.step + 1, "cursor": cursor, "done": done,
                                             "seen": checkpoint.seen + seen, "updated_at": ctx.clock()})
    if not ctx.checkpoints.advance(advanced):
        return
    _record_progress(ctx, message, advanced.seen, cursor=None, done=done)
    logger.info("view build step", extra={"job": message.job_id, "view": message.collection_id,
                                          "step": message.step, "cursor": cursor, "done": done})
    if not done:
        ctx.queue.send(ViewBuildMessage(job_id=message.job_id, collection_id=message.collection_id,
                                        step=message.step + 1))


def _fill_groups(ctx: JobContext, definition: ViewDefinition, message: ViewBuildMessage,
                 sources: list[StoredRecord]) -> int:
    """Count a chunk into its groups' sums, let the stream follow those records from now on, rewrite the groups."""
    store = ctx.accumulators if ctx.accumulators is not None else InMemoryAccumulatorStore()
    work = GroupWork()
    for record in sources:
        member = member_of(definition, record.id, record.data)
        if member is not None:
            work.add(definition, message.job_id, member, 1, BUILD_SHARD, message.step + 1)
    apply_accumulators(work.contributions, store)
    if sources:
        _record_progress(ctx, message, None, cursor=sources[-1].id, done=False)
    meter = ReadMeter()
    return sum(refresh_group(definition, ctx.records, store, message.job_id, group, moves, meter)
               for group, moves in sorted(work.touched.items()))


def _record_progress(ctx: JobContext, message: ViewBuildMessage, seen: int | None, *, cursor: str | None,
                     done: bool) -> None:
    """The build's progress on the view's layout (`buildState`), if the view is still built by this job."""
    stored = ctx.fresh(message.collection_id)
    if stored is None or stored.layout.view_build is None or stored.layout.view_build.job != message.job_id:
        return
    update: dict[str, object] = {"done": done}
    if seen is not None:
        update["seen"] = seen
    if cursor is not None:
        update["cursor"] = cursor
    stored.layout.view_build = stored.layout.view_build.model_copy(update=update)
    ctx.collections.save(stored)


def _find(ctx: JobContext, id_or_name: str):  # type: ignore[no-untyped-def]
    found = ctx.collections.find(id_or_name)
    return found.collection if found is not None else None
