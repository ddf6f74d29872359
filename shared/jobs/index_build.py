"""The index build job: backfills new indexes chunk by chunk, then marks them ready (or failed) on the layout.

Message `index_build {job_id, collection_id, step}`; the cursor (last record id done) is in the job's
checkpoint. A step runs only if the checkpoint is at that step, and advancing the checkpoint is conditional,
so a redelivered or duplicated message does nothing twice; a chunk done twice is harmless anyway (conditional,
idempotent writes). Each step reads the layout afresh, so an index dropped or redefined meanwhile is simply
not this job's any more.
"""

from __future__ import annotations

import uuid

from shared.catalog.backfill import backfill_chunk
from shared.jobs.checkpoints import Checkpoint
from shared.jobs.context import JobContext
from shared.jobs.messages import IndexBuildMessage
from shared.observability import logger

# Records per step: with a unique index each is a small transaction (about 20 ms on DynamoDB), so a step takes
# about 10 s, a sixth of the jobs function's timeout. Whatever storage does, a step stops after STEP_BUDGET_S
# (a third of the timeout; moto's transactions, for one, slow down with the table's size).
CHUNK_RECORDS = 500
STEP_BUDGET_S = 20.0
# A checkpoint that stayed at the next step this long means the message for it was lost (the step that
# advanced it stopped before sending): a redelivered message then sends it again. A duplicate is harmless.
STALLED_S = 60


def new_job_id() -> str:
    return uuid.uuid4().hex


def start_index_build(ctx: JobContext, collection_id: str, job_id: str, *, delay_s: int) -> None:
    """Create the job's checkpoint and queue its first step, `delay_s` from now (see queue.DEFAULT_SETTLE_S).

    Called before the layout naming `job_id` is saved: if that save fails, the job finds no index of its own
    and ends.
    """
    ctx.checkpoints.create(Checkpoint(job_id=job_id, kind="index_build", collection_id=collection_id,
                                      updated_at=ctx.clock()))
    ctx.queue.send(IndexBuildMessage(job_id=job_id, collection_id=collection_id), delay_s=delay_s)


def _mark_failed(ctx: JobContext, job_id: str, collection_id: str, failed: dict[str, str]) -> None:
    """Mark those of this job's indexes that failed, with the reason; they enforce nothing from now on."""
    stored = ctx.fresh(collection_id)
    if stored is None:
        return
    changed = False
    for index in stored.layout.built_by(job_id):
        if index.name in failed:
            index.error, index.job = failed[index.name], None
            changed = True
    if changed:
        ctx.collections.save(stored)


def _mark_ready(ctx: JobContext, job_id: str, collection_id: str) -> list[str]:
    stored = ctx.fresh(collection_id)
    if stored is None:
        return []
    built = stored.layout.built_by(job_id)
    for index in built:
        index.ready, index.job = True, None
    if built:
        ctx.collections.save(stored)
    return [i.name for i in built]


def run_index_build(ctx: JobContext, message: IndexBuildMessage) -> None:
    """Run one step of an index build: one chunk of records, then the next step or the final state."""
    checkpoint = ctx.checkpoints.get(message.job_id)
    if checkpoint is None or checkpoint.done:
        return
    if checkpoint.step != message.step:
        if checkpoint.step == message.step + 1 and ctx.clock() - checkpoint.updated_at > STALLED_S:
            ctx.queue.send(message.model_copy(update={"step": checkpoint.step}))
        return  # an earlier or duplicate delivery: another run did this step
    stored = ctx.fresh(message.collection_id)
    if stored is None or not stored.layout.built_by(message.job_id):
        ctx.checkpoints.advance(checkpoint.model_copy(update={"step": message.step + 1, "done": True,
                                                              "updated_at": ctx.clock()}))
        return
    chunk = backfill_chunk(ctx.records, stored.collection, stored.layout, after=checkpoint.cursor,
                           limit=CHUNK_RECORDS, deadline=ctx.monotonic() + STEP_BUDGET_S, clock=ctx.monotonic)
    if chunk.failed:
        _mark_failed(ctx, message.job_id, message.collection_id, chunk.failed)
    done = chunk.finished
    ready = _mark_ready(ctx, message.job_id, message.collection_id) if done else []
    advanced = checkpoint.model_copy(update={
        "step": message.step + 1, "cursor": chunk.last_id or checkpoint.cursor, "done": done,
        "seen": checkpoint.seen + chunk.seen, "rewritten": checkpoint.rewritten + chunk.rewritten,
        "updated_at": ctx.clock()})
    if not ctx.checkpoints.advance(advanced):
        return
    logger.info("index build step", extra={"job": message.job_id, "collection": message.collection_id,
                                           "step": message.step, "seen": advanced.seen, "done": done,
                                           "ready": ready, "failed": sorted(chunk.failed)})
    if not done:
        ctx.queue.send(IndexBuildMessage(job_id=message.job_id, collection_id=message.collection_id,
                                         step=message.step + 1))
