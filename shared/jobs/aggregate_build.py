"""The maintained aggregates' build job: counts a collection's existing records into newly declared aggregates,
marks them ready, then deletes the markers; and deletes the items of aggregates no longer declared.

`aggregate_build {job_id, collection_id, step}` walks the records in id order (the cursor in the job's
checkpoint, advanced conditionally as the index build's, so a redelivered step does nothing twice). Each record
is counted by one transaction that writes its marker only if none exists (shared/aggregates/groups.py): a
record the stream counted first is skipped, and a change the stream sees after the scan read the record moves
the groups from what the scan counted. Every declaration starts here, even on an empty collection: a record
written while some stream consumer's catalog did not know the aggregate yet is counted by the scan, which
starts once every catalog has it (AGGREGATE_SETTLE_S). Until the job is done, requests are answered ad hoc.

`aggregate_cleanup {generations, groups, not_before}` waits until `not_before`, then deletes a chunk of markers
(and groups) per step and sends the next step while some remain; a duplicate step deletes nothing twice.
"""

from __future__ import annotations

import uuid

from shared.aggregates.groups import CountedRecord, GroupStore
from shared.aggregates.maintain import FLIP_S, Maintained, contribution, maintained_of
from shared.catalog.layout import CollectionLayout, MaintainedState
from shared.catalog.repository import CACHE_SECONDS
from shared.collections.model import Collection
from shared.jobs.checkpoints import Checkpoint
from shared.jobs.context import JobContext
from shared.jobs.index_build import new_job_id
from shared.jobs.messages import AggregateBuildMessage, AggregateCleanupMessage
from shared.jobs.queue import MAX_DELAY_S
from shared.observability import logger
from shared.records.model import ReadMeter, StoredRecord

# The scan waits for every stream consumer's catalog to hold the declaration (caches live CACHE_SECONDS).
AGGREGATE_SETTLE_S = int(CACHE_SECONDS) + 1
# Records per step: one small transaction each (its marker and its groups).
CHUNK_RECORDS = 500
STEP_BUDGET_S = 20.0
# Items deleted per cleanup step (25 a BatchWriteItem).
CLEANUP_CHUNK = 1000
# Markers are kept while a change made before the switch to ready mode may still be delivered (again): the
# stream keeps records 24 hours. The cleanup waits in steps of the longest SQS delay.
MARKER_KEEP_S = 25 * 3600
# A generation no longer declared is deleted once no consumer's catalog still holds it.
DROP_DELAY_S = int(FLIP_S) + 60


def plan_aggregates(ctx: JobContext, collection: Collection, layout: CollectionLayout) -> None:
    """Set `layout.maintained` for the collection's declarations (before it is saved): a new or changed one gets
    a new generation and a build job; the items of generations no longer declared are queued for deletion."""
    from shared.aggregates.declarations import definitions

    previous = {m.name: m for m in layout.maintained}
    states: list[MaintainedState] = []
    job_id: str | None = None
    for definition in definitions(collection):
        old = previous.get(definition.name)
        if old is not None and old.digest == definition.digest:
            states.append(old)
            continue
        job_id = job_id or new_job_id()
        states.append(MaintainedState(name=definition.name, digest=definition.digest, generation=new_job_id(),
                                      job=job_id))
    kept = {s.generation for s in states}
    dropped = [m.generation for m in layout.maintained if m.generation not in kept]
    layout.maintained = states
    if job_id is not None:
        ctx.checkpoints.create(Checkpoint(job_id=job_id, kind="aggregate_build", collection_id=collection.id,
                                          updated_at=ctx.clock()))
        ctx.queue.send(AggregateBuildMessage(job_id=job_id, collection_id=collection.id),
                       delay_s=AGGREGATE_SETTLE_S)
    if dropped:
        # after FLIP_S: a consumer with an older catalog may still write to them until then
        ctx.queue.send(AggregateCleanupMessage(job_id=new_job_id(), collection_id=collection.id,
                                               generations=dropped, groups=True), delay_s=DROP_DELAY_S)



def count_scanned(store: GroupStore, maintained: Maintained, record: StoredRecord) -> bool:
    """Count one record as the scan read it, unless the stream counted it first."""
    counted = contribution(maintained.definition, record)
    marker = CountedRecord(contribution=counted, version=record.version, token=uuid.uuid4().hex)
    return store.count_record(record.collection_id, maintained.state.generation, record.id, None, marker, counted,
                              None)


def run_aggregate_job(ctx: JobContext, message: AggregateBuildMessage | AggregateCleanupMessage) -> None:
    store = ctx.groups
    if store is None:
        # A context without the table's store (an in-process tool): counting into a throwaway one would mark
        # the aggregate ready over no group, so it stays building and every request is answered ad hoc.
        logger.warning("aggregate job skipped: no group store", extra={"job": message.job_id})
        return
    if isinstance(message, AggregateCleanupMessage):
        _cleanup(ctx, store, message)
        return
    checkpoint = ctx.checkpoints.get(message.job_id)
    if checkpoint is None or checkpoint.done or checkpoint.step != message.step:
        return  # an earlier or duplicate delivery: another run did this step
    stored = ctx.fresh(message.collection_id)
    mine = [m for m in maintained_of(stored) if m.state.job == message.job_id and not m.ready] if stored else []
    if stored is None or not mine:
        ctx.checkpoints.advance(checkpoint.model_copy(update={"step": message.step + 1, "done": True,
                                                              "updated_at": ctx.clock()}))
        return
    deadline = ctx.monotonic() + STEP_BUDGET_S
    seen, last, done = 0, checkpoint.cursor, True
    for record in ctx.records.scan(stored.collection.id, ReadMeter(), after=checkpoint.cursor,
                                   limit=CHUNK_RECORDS + 1):
        if seen == CHUNK_RECORDS or ctx.monotonic() > deadline:
            done = False
            break
        for maintained in mine:
            count_scanned(store, maintained, record)
        seen, last = seen + 1, record.id
    advanced = checkpoint.model_copy(update={"step": message.step + 1, "cursor": last, "done": done,
                                             "seen": checkpoint.seen + seen, "updated_at": ctx.clock()})
    if not ctx.checkpoints.advance(advanced):
        return
    _record_progress(ctx, message, advanced.seen, finished=done)
    logger.info("aggregate build step", extra={"job": message.job_id, "collection": message.collection_id,
                                               "step": message.step, "seen": advanced.seen, "done": done})
    if not done:
        ctx.queue.send(message.model_copy(update={"step": message.step + 1}))
        return
    ctx.queue.send(AggregateCleanupMessage(job_id=message.job_id, collection_id=message.collection_id,
                                           generations=[m.state.generation for m in mine],
                                           not_before=ctx.clock() + MARKER_KEEP_S), delay_s=MAX_DELAY_S)


def _record_progress(ctx: JobContext, message: AggregateBuildMessage, seen: int, *, finished: bool) -> None:
    """Show the records counted in the collection JSON (`aggregateStates`), and mark this job's aggregates
    ready when finished."""
    stored = ctx.fresh(message.collection_id)
    if stored is None:
        return
    for state in stored.layout.maintained:
        if state.job == message.job_id and state.ready_at is None:
            state.seen = seen
            if finished:
                state.ready_at = ctx.clock()
    ctx.collections.save(stored)


def _cleanup(ctx: JobContext, store: GroupStore, message: AggregateCleanupMessage) -> None:
    wait = message.not_before - ctx.clock()
    if wait > 0:
        ctx.queue.send(message, delay_s=int(min(wait, MAX_DELAY_S)) + 1)
        return
    deleted = sum(store.delete_items(message.collection_id, generation, groups=message.groups, limit=CLEANUP_CHUNK)
                  for generation in message.generations)
    logger.info("aggregate cleanup step", extra={"job": message.job_id, "collection": message.collection_id,
                                                  "deleted": deleted})
    if deleted:
        ctx.queue.send(message.model_copy(update={"step": message.step + 1}))
