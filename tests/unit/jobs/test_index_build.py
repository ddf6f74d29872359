"""The index build job on the in-memory repositories: queued, chunked, checkpointed, idempotent, then ready."""

from __future__ import annotations

import pytest

from shared import resources
from shared.catalog import backfill
from shared.errors import BadRequestError
from shared.jobs import index_build
from shared.jobs.messages import IndexBuildMessage
from shared.jobs.runner import run_job
from shared.records.context import RequestContext
from shared.records.scope import RecordScope
from tests.unit.jobs.world import SETTLE_S, World

ROWS = [{"code": f"c{i:02d}", "n": i % 4} for i in range(10)]
IDX_N = "CREATE INDEX idx_n ON items (n)"
UNIQUE_CODE = "CREATE UNIQUE INDEX idx_code ON items (code)"
UNIQUE_N = "CREATE UNIQUE INDEX idx_un ON items (n)"


@pytest.fixture
def world() -> World:
    return World()


def scope(world: World) -> RecordScope:
    return RecordScope(world.collections, world.records, RequestContext(system=True))


def create(world: World, **values: object) -> None:
    scope(world).writer.create("items", dict(values))


def test_an_index_added_to_a_collection_with_records_is_queued_then_ready(world: World) -> None:
    # Given a collection with 10 records
    world.collection(ROWS)
    # When an index is added
    world.set_indexes(IDX_N)
    # Then the update returns with the index building, its first step queued after the settle time
    index = world.index("idx_n")
    assert (index.state, index.ready, index.job is not None) == ("building", False, True)
    assert [s.delay_s for s in world.queue.sent] == [SETTLE_S]
    # And the planner does not use it yet
    assert world.plan("n = 1").kind == "scan"
    # When the job runs
    world.drain()
    # Then the index is ready, every record carries its keys, and the planner uses it
    assert (world.index("idx_n").state, world.index("idx_n").job) == ("ready", None)
    assert len(world.by_index("idx_n", 1)) == 3
    assert world.plan("n = 1").kind == "index"


def test_an_empty_collection_gets_its_index_ready_without_a_job(world: World) -> None:
    world.collection([])
    world.set_indexes(IDX_N, UNIQUE_CODE)
    assert [world.index(n).state for n in ("idx_n", "idx_code")] == ["ready", "ready"]
    assert world.queue.sent == []


def test_a_long_backfill_goes_chunk_by_chunk_with_a_checkpoint(world: World,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # Given chunks of 3 records and a collection of 10
    monkeypatch.setattr(index_build, "CHUNK_RECORDS", 3)
    world.collection(ROWS)
    world.set_indexes(IDX_N)
    job_id = world.index("idx_n").job
    assert job_id is not None
    cursors = []
    # When the steps run one by one
    while world.queue.sent:
        world.step()
        checkpoint = world.checkpoints.get(job_id)
        assert checkpoint is not None
        cursors.append((checkpoint.step, checkpoint.seen, checkpoint.done))
        if not checkpoint.done:
            assert world.index("idx_n").state == "building"
    # Then each step did one chunk, and the last one marked the index ready
    assert cursors == [(1, 3, False), (2, 6, False), (3, 9, False), (4, 10, True)]
    assert world.index("idx_n").state == "ready"


def test_a_step_stops_at_its_time_budget_and_the_next_goes_on(world: World,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Given storage so slow that each record takes a second, and steps of at most 3.5 s
    monkeypatch.setattr(index_build, "STEP_BUDGET_S", 3.5)
    ticks = iter(range(10_000))
    world.ctx.monotonic = lambda: float(next(ticks))
    world.collection(ROWS)
    world.set_indexes(IDX_N)
    # When the job runs, Then it takes several steps although a chunk could hold every record, and completes
    assert world.drain() > 1
    assert world.index("idx_n").state == "ready"
    assert len(world.by_index("idx_n", 1)) == 3


@pytest.mark.parametrize("redelivered_step", [0, 1])
def test_a_redelivered_step_does_nothing_twice(world: World, monkeypatch: pytest.MonkeyPatch,
                                               redelivered_step: int) -> None:
    monkeypatch.setattr(index_build, "CHUNK_RECORDS", 4)
    world.collection(ROWS)
    world.set_indexes(IDX_N)
    job_id = world.index("idx_n").job
    assert job_id is not None
    cid = world.stored().collection.id
    world.drain()
    writes = world.records.writes
    # When an already done step is delivered again
    run_job(world.ctx, IndexBuildMessage(job_id=job_id, collection_id=cid, step=redelivered_step))
    # Then nothing is written and nothing is queued
    assert (world.records.writes, world.queue.sent) == (writes, [])


def test_a_lost_next_message_is_sent_again_by_a_redelivery_once_stalled(world: World,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_build, "CHUNK_RECORDS", 4)
    world.collection(ROWS)
    world.set_indexes(IDX_N)
    first = world.queue.take()
    assert isinstance(first, IndexBuildMessage)
    # Given step 0 ran and advanced the checkpoint, but its message for step 1 was lost
    run_job(world.ctx, first)
    world.queue.sent.clear()
    # When step 0 is redelivered soon after, Then it does nothing (step 1 may still be on its way)
    run_job(world.ctx, first)
    assert world.queue.sent == []
    # When it is redelivered once the checkpoint stalled, Then step 1 is sent again and the job completes
    world.now += index_build.STALLED_S + 1
    run_job(world.ctx, first)
    assert [getattr(s.message, "step", None) for s in world.queue.sent] == [1]
    world.drain()
    assert world.index("idx_n").state == "ready"


def test_an_index_dropped_before_its_job_runs_ends_the_job(world: World) -> None:
    world.collection(ROWS)
    world.set_indexes(IDX_N)
    world.set_indexes()
    writes = world.records.writes
    world.drain()
    assert world.records.writes == writes
    assert world.stored().layout.indexes == []


def test_a_build_whose_job_ended_is_rescheduled_by_the_next_save(world: World) -> None:
    # Given an index whose ready state was lost (a save racing the job's last step put back "building")
    world.collection(ROWS)
    world.set_indexes(IDX_N)
    world.drain()
    stored = world.stored()
    index = stored.layout.indexes[0]
    index.ready, index.job = False, next(iter(world.checkpoints.items))
    world.collections.save(stored)
    # When the collection is saved again, Then a new job builds it, and it gets ready
    world.set_indexes(IDX_N)
    assert world.index("idx_n").job not in (None, index.job)
    world.drain()
    assert world.index("idx_n").state == "ready"


def test_a_build_whose_messages_were_lost_is_rescheduled_once_stalled(world: World) -> None:
    # Given a build whose first message was lost (in-flight messages are not snapshotted by the local stack)
    world.collection(ROWS)
    world.set_indexes(IDX_N)
    lost = world.index("idx_n").job
    world.queue.sent.clear()
    # When the collection is saved soon after, Then the job is left alone
    world.set_indexes(IDX_N)
    assert (world.index("idx_n").job, world.queue.sent) == (lost, [])
    # When it is saved once the checkpoint stalled, Then a new job builds the index
    world.now += SETTLE_S + resources.JOBS_QUEUE.visibility_timeout_s + 1
    world.set_indexes(IDX_N)
    assert world.index("idx_n").job != lost
    world.drain()
    assert world.index("idx_n").state == "ready"


def test_two_indexes_added_one_after_the_other_each_get_ready(world: World) -> None:
    world.collection(ROWS)
    world.set_indexes(IDX_N)
    world.set_indexes(IDX_N, UNIQUE_CODE)
    assert len({world.index("idx_n").job, world.index("idx_code").job}) == 2
    world.drain()
    assert [world.index(n).state for n in ("idx_n", "idx_code")] == ["ready", "ready"]


# --- UNIQUE indexes ---------------------------------------------------------------------------------------------

def test_duplicates_in_a_small_collection_answer_400_naming_the_index(world: World) -> None:
    # Given a small collection where n repeats
    world.collection(ROWS)
    # When a UNIQUE index on n is added, Then the update is refused as PocketBase refuses it, and nothing changes
    with pytest.raises(BadRequestError) as exc:
        world.set_indexes(IDX_N, UNIQUE_N)
    assert exc.value.data["indexes"]["1"]["code"] == "validation_invalid_index_expression"
    assert "idx_un" in exc.value.data["indexes"]["1"]["message"]
    assert (world.stored().layout.indexes, world.queue.sent) == ([], [])


@pytest.mark.parametrize(("claims_limit", "enforced_at_once"), [(100, True), (5, False)])
def test_a_small_collection_gets_its_unique_index_enforced_at_once(world: World, monkeypatch: pytest.MonkeyPatch,
                                                                   claims_limit: int, enforced_at_once: bool) -> None:
    # Given a collection of 10 records, within (or over) the bound of claims written in the request
    monkeypatch.setattr(backfill, "SYNC_CLAIMS_LIMIT", claims_limit)
    world.collection(ROWS)
    # When a UNIQUE index is added
    world.set_indexes(UNIQUE_CODE)
    # Then, while the job has not run, an existing value is refused only if the request claimed them
    assert world.index("idx_code").state == "building"
    if enforced_at_once:
        with pytest.raises(BadRequestError):
            create(world, code="c02", n=1)
    else:
        create(world, code="fresh", n=1)
    # And once the job ran, the index is ready and enforced either way
    world.drain()
    assert world.index("idx_code").state == "ready"
    with pytest.raises(BadRequestError):
        create(world, code="c02", n=1)


def test_duplicates_in_a_large_collection_fail_the_index_in_the_job(world: World,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a collection over the synchronous check's limit, where n repeats
    monkeypatch.setattr(backfill, "SYNC_UNIQUE_CHECK_LIMIT", 5)
    world.collection(ROWS)
    # When a UNIQUE index on n is added, Then the update is accepted with the index building
    world.set_indexes(UNIQUE_N)
    assert world.index("idx_un").state == "building"
    # When the job runs, Then the index is failed with the reason, and enforces nothing
    world.drain()
    index = world.index("idx_un")
    assert index.state == "failed" and index.error is not None and "duplicate values" in index.error
    create(world, code="new", n=1)
    # And saving the collection again (unchanged) keeps it failed without a new job
    world.set_indexes(UNIQUE_N)
    assert (world.index("idx_un").state, world.queue.sent) == ("failed", [])


def test_a_large_collection_without_duplicates_gets_an_enforced_unique_index(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backfill, "SYNC_UNIQUE_CHECK_LIMIT", 5)
    world.collection(ROWS)
    world.set_indexes(UNIQUE_CODE)
    world.drain()
    assert world.index("idx_code").state == "ready"
    # Then an existing value is refused, as the backfill wrote every record's claim
    with pytest.raises(BadRequestError) as exc:
        create(world, code="c03", n=9)
    assert exc.value.data["code"]["code"] == "validation_not_unique"


@pytest.mark.parametrize(("code", "final_state"), [("fresh", "ready"), ("c04", "failed")])
def test_writes_during_the_backfill_keep_uniqueness(world: World, monkeypatch: pytest.MonkeyPatch, code: str,
                                                    final_state: str) -> None:
    # Given a UNIQUE index being built on a large collection
    monkeypatch.setattr(backfill, "SYNC_UNIQUE_CHECK_LIMIT", 5)
    world.collection(ROWS)
    world.set_indexes(UNIQUE_CODE)
    # When a record is created before the job runs: it claims its value, as every write claims every unique index
    create(world, code=code, n=7)
    with pytest.raises(BadRequestError):
        create(world, code=code, n=8)
    # Then a fresh value leaves the index ready; one an older record holds makes it fail
    world.drain()
    assert world.index("idx_code").state == final_state


def test_an_index_made_unique_later_is_rebuilt_for_its_claims(world: World) -> None:
    world.collection(ROWS)
    world.set_indexes("CREATE INDEX idx_code ON items (code)")
    world.drain()
    world.set_indexes(UNIQUE_CODE)
    assert world.index("idx_code").state == "building"
    world.drain()
    assert world.index("idx_code").state == "ready"
    with pytest.raises(BadRequestError):
        create(world, code="c01", n=1)
