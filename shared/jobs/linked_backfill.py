"""The computed-field backfill job: computes new or changed lookup, rollup, count and formula fields of existing
records (a formula reading the clock is evaluated on read, so it needs none).

Message `linked_backfill {job_id, collection_id, step}`; the cursor (last parent id done) is in the job's
checkpoint, and the fields it builds are the layout's `backfills` naming the job (shown in the collection JSON
as `computedStates` until done). Like the index build, a step runs only if the checkpoint is at that step, and
advancing it is conditional, so a redelivered message does nothing twice; a parent done twice is harmless (its
accumulators are replaced with the count from its linked records, and its values rewritten from them).

For an incremental field, each parent's accumulator is replaced, conditioned on its marks being those read:
a stream record applied meanwhile makes the job read again. (A child written between the job's read of the
linked records and the stream's delivery of that write is counted twice until it next changes: the window is
the stream's lag, see docs/computed-fields.md.)
"""

from __future__ import annotations

from shared.catalog.layout import CollectionLayout, FieldBackfill
from shared.changes.accumulators import AccumulatorKey, AccumulatorStore, InMemoryAccumulatorStore
from shared.changes.linked_refresh import LinkedRefresher
from shared.collections.fields.formula import FormulaField
from shared.collections.fields.lookup import LinkedField
from shared.collections.model import Collection
from shared.jobs.checkpoints import Checkpoint
from shared.jobs.context import JobContext
from shared.jobs.index_build import new_job_id
from shared.jobs.messages import LinkedBackfillMessage
from shared.observability import logger
from shared.records.linked_values import LinkedSpec, linked_specs, sums_of
from shared.records.model import ReadMeter

# Parents per step: each costs its linked records' reads and one or two writes.
CHUNK_PARENTS = 200
STEP_BUDGET_S = 20.0
REPLACE_ATTEMPTS = 5


def start_linked_backfill(ctx: JobContext, collection_id: str, job_id: str, *, delay_s: int) -> None:
    """Create the job's checkpoint and queue its first step; called before the layout naming the job is saved."""
    ctx.checkpoints.create(Checkpoint(job_id=job_id, kind="linked_backfill", collection_id=collection_id,
                                      updated_at=ctx.clock()))
    ctx.queue.send(LinkedBackfillMessage(job_id=job_id, collection_id=collection_id), delay_s=delay_s)


def _accumulators(ctx: JobContext) -> AccumulatorStore:
    # The jobs function always passes the table's store; only unit tests build a context without one.
    return ctx.accumulators if ctx.accumulators is not None else InMemoryAccumulatorStore()


def _reset_accumulator(store: AccumulatorStore, refresher: LinkedRefresher, spec: LinkedSpec, parent_id: str,
                       parent: object) -> None:
    partition = AccumulatorKey(spec.parent.id, parent_id, spec.field.id).partition
    for _ in range(REPLACE_ATTEMPTS):
        read = store.read(partition)
        sums = sums_of(spec, refresher.linked_records(spec, parent))  # type: ignore[arg-type]
        if store.replace(partition, read, sums):
            return
    raise RuntimeError(f"accumulator {partition} kept changing during its backfill")  # the step is retried


def run_linked_backfill(ctx: JobContext, message: LinkedBackfillMessage) -> None:
    """Run one step: a chunk of parents, then the next step or the end (the fields leave `computedStates`)."""
    checkpoint = ctx.checkpoints.get(message.job_id)
    if checkpoint is None or checkpoint.done or checkpoint.step != message.step:
        return  # an earlier or duplicate delivery: another run did this step
    stored = ctx.fresh(message.collection_id)
    mine: list[FieldBackfill] = [b for b in stored.layout.backfills if b.job == message.job_id] if stored else []
    if stored is None or not mine:
        ctx.checkpoints.advance(checkpoint.model_copy(update={"step": message.step + 1, "done": True,
                                                              "updated_at": ctx.clock()}))
        return
    specs = linked_specs(s.collection for s in ctx.collections.all(fresh=True))
    field_ids = {b.field_id for b in mine}
    own = [s for s in specs if s.parent.id == stored.collection.id and s.field.id in field_ids]
    formulas = any(isinstance(f, FormulaField) and f.id in field_ids for f in stored.collection.fields)
    store = _accumulators(ctx)
    refresher = LinkedRefresher(ctx.collections, ctx.records, store, specs)
    meter = ReadMeter()
    deadline = ctx.monotonic() + STEP_BUDGET_S
    seen, last = 0, checkpoint.cursor
    done = True
    for parent in ctx.records.scan(stored.collection.id, meter, after=checkpoint.cursor, limit=CHUNK_PARENTS + 1):
        if seen == CHUNK_PARENTS or ctx.monotonic() > deadline:
            done = False
            break
        for spec in own:
            if spec.incremental:
                _reset_accumulator(store, refresher, spec, parent.id, parent)
        refresher.refresh(stored.collection.id, parent.id, {s.field.id for s in own}, all_formulas=formulas)
        seen, last = seen + 1, parent.id
    advanced = checkpoint.model_copy(update={"step": message.step + 1, "cursor": last, "done": done,
                                             "seen": checkpoint.seen + seen, "updated_at": ctx.clock()})
    if not ctx.checkpoints.advance(advanced):
        return
    _record_progress(ctx, message, advanced.seen, advanced.cursor or "", finished=done)
    logger.info("linked backfill step", extra={"job": message.job_id, "collection": message.collection_id,
                                               "step": message.step, "seen": advanced.seen, "done": done})
    if not done:
        ctx.queue.send(LinkedBackfillMessage(job_id=message.job_id, collection_id=message.collection_id,
                                             step=message.step + 1))


def _record_progress(ctx: JobContext, message: LinkedBackfillMessage, seen: int, cursor: str, *,
                     finished: bool) -> None:
    """Show the count of records done in the collection JSON, keep the last one done (until it, reads show the
    stored values), and drop this job's fields when finished."""
    stored = ctx.fresh(message.collection_id)
    if stored is None:
        return
    kept = []
    for backfill in stored.layout.backfills:
        if backfill.job != message.job_id:
            kept.append(backfill)
        elif not finished:
            kept.append(backfill.model_copy(update={"seen": seen, "cursor": cursor}))
    stored.layout.backfills = kept
    ctx.collections.save(stored)


def queue_linked_backfill(ctx: JobContext, before: Collection | None, after: Collection, layout: CollectionLayout,
                          *, delay_s: int) -> bool:
    """Queue a backfill of the computed fields a save of a collection with records adds or changes, naming them in
    `layout` (before it is saved); True when one was queued."""
    old = {f.id: f.to_json() for f in before.fields} if before is not None else {}
    fresh = [f for f in after.fields if old.get(f.id) != f.to_json() and (
        isinstance(f, LinkedField) or (isinstance(f, FormulaField) and not f.time_dependent))]
    if not fresh:
        return False
    job_id = new_job_id()
    layout.backfills = [b for b in layout.backfills if b.field_id not in {f.id for f in fresh}]
    layout.backfills += [FieldBackfill(field_id=f.id, name=f.name, job=job_id) for f in fresh]
    start_linked_backfill(ctx, after.id, job_id, delay_s=delay_s)
    return True
