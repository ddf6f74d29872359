"""Truncation: a bounded part in the request, the rest as a queued job; claims go with their records."""

from __future__ import annotations

import pytest

from shared.jobs import truncate
from shared.jobs.messages import TruncateMessage
from shared.jobs.runner import run_job
from shared.records import indexing
from shared.records.model import ReadMeter
from tests.unit.jobs.world import World

ROWS = [{"code": f"c{i:02d}", "n": i} for i in range(10)]
UNIQUE_CODE = "CREATE UNIQUE INDEX idx_code ON items (code)"


@pytest.fixture
def world() -> World:
    return World()


def all_claims(world: World, name: str = "items") -> list[str]:
    stored = world.stored(name)
    return [indexing.unique_claims(stored.collection, stored.layout, {f.id: v for f in stored.collection.fields
                                                                     for k, v in row.items() if f.name == k}, "x")[0]
            for row in ROWS]


@pytest.mark.parametrize(("sync_limit", "chunk", "left_after_request", "steps"), [
    (50, 4, 0, 0),   # small: all within the request
    (4, 3, 6, 3),    # large: 4 now, then the job deletes 3 and 3 (a full chunk queues the next, which finds none)
    (4, 7, 6, 1),    # a chunk that is not full ends the job
])
def test_truncate_deletes_within_a_bound_then_by_job(world: World, monkeypatch: pytest.MonkeyPatch, sync_limit: int,
                                                     chunk: int, left_after_request: int, steps: int) -> None:
    monkeypatch.setattr(truncate, "TRUNCATE_SYNC_RECORDS", sync_limit)
    monkeypatch.setattr(truncate, "TRUNCATE_CHUNK_RECORDS", chunk)
    # Given a collection of 10 records with a UNIQUE index
    world.collection(ROWS, UNIQUE_CODE)
    claims = all_claims(world)
    assert world.records.claims_taken(claims) == set(claims)
    # When it is truncated
    world.service.truncate("items")
    # Then the request deleted at most its bound, and the job the rest, with every claim
    assert world.count() == left_after_request
    assert world.drain() == steps
    assert world.count() == 0
    assert world.records.claims_taken(claims) == set()


def test_a_deleted_collection_is_emptied_by_its_job(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(truncate, "TRUNCATE_SYNC_RECORDS", 4)
    cid = world.collection(ROWS, UNIQUE_CODE)
    world.service.delete("items")
    # the message carries the collection, which the catalog no longer has
    world.drain()
    assert list(world.records.scan(cid, ReadMeter())) == []


def test_the_job_is_bounded_by_the_count_it_started_with(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(truncate, "TRUNCATE_CHUNK_RECORDS", 2)
    world.collection(ROWS)
    message = TruncateMessage(job_id="j", collection_id=world.stored().collection.id,
                              collection=truncate.as_json(world.stored()), steps_left=2)
    # When a job with two steps left runs, Then it stops after them even though records remain
    run_job(world.ctx, message)
    world.drain()
    assert world.count() == 6
