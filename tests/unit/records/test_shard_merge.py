"""The write shards merged in parallel rounds: the merged page is the true page, for any ids and any skew."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.collections.ids import new_record_id
from shared.records import keys
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import QueryBudgetError, ReadMeter, RecordWrite, StoredRecord
from shared.records.planner import Plan
from shared.records.shard_merge import ShardAnswer, ShardRead, merged

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
generated_ids = st.text(alphabet=ALPHABET, min_size=15, max_size=15)
# client-supplied ids: any length and characters, not time-ordered
client_ids = st.text(alphabet=ALPHABET + "_-ABZ~", min_size=1, max_size=20)


def repository(ids: list[str]) -> InMemoryRecordRepository:
    repo = InMemoryRecordRepository()
    for record_id in ids:
        repo.write([RecordWrite("create", StoredRecord("c1", record_id, {}))])
    return repo


def first_page(repo: InMemoryRecordRepository, want: int, *, forward: bool = True, after: str | None = None,
               take: int | None = None, drain: bool = False) -> tuple[list[str], ReadMeter]:
    meter = ReadMeter()
    plan = Plan(kind="scan", description="scan", collection_id="c1", forward=forward, after=after)
    out = []
    for record in repo.query(plan, meter, want=want, drain=drain):
        out.append(record.id)
        if len(out) >= (take or want):
            break
    return out, meter


def expected(ids: list[str], count: int, *, forward: bool = True, after: str | None = None) -> list[str]:
    ordered = sorted(set(ids), reverse=not forward)
    if after is not None:
        ordered = [i for i in ordered if (i > after if forward else i < after)]
    return ordered[:count]


@settings(max_examples=150, deadline=None)
@given(ids=st.lists(st.one_of(generated_ids, client_ids), max_size=120, unique=True),
       want=st.integers(1, 60), forward=st.booleans())
def test_the_merged_page_is_the_true_first_page_for_any_ids(ids: list[str], want: int, forward: bool) -> None:
    # Given records with any ids, generated or client-supplied
    repo = repository(ids)
    # When the first `want` are read in id order (either direction)
    page, _ = first_page(repo, want, forward=forward)
    # Then they are exactly the first `want` ids of the collection
    assert page == expected(ids, want, forward=forward)


@settings(max_examples=100, deadline=None)
@given(ids=st.lists(generated_ids, min_size=1, max_size=150, unique=True), want=st.integers(1, 40),
       pick=st.integers(0, 10_000), forward=st.booleans(), take=st.integers(1, 200))
def test_reading_on_past_a_position_or_past_the_first_page_keeps_the_order(
        ids: list[str], want: int, pick: int, forward: bool, take: int) -> None:
    # Given records, and a position at one of them (a cursor)
    repo = repository(ids)
    after = sorted(ids)[pick % len(ids)]
    # When reading past it, pulling more than the first chunk
    page, _ = first_page(repo, want, forward=forward, after=after, take=take)
    # Then the records past it come in order, none skipped or repeated
    assert page == expected(ids, take, forward=forward, after=after)


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(st.one_of(generated_ids, client_ids), max_size=120, unique=True), forward=st.booleans())
def test_a_draining_read_returns_every_record_in_order(ids: list[str], forward: bool) -> None:
    # Given records with any ids
    repo = repository(ids)
    # When the caller will read them all (a total, an in-memory sort)
    everything, meter = first_page(repo, 1000, forward=forward, take=10_000, drain=True)
    # Then all come back in order, in one wave of one request per shard (each shard holds under 1,000)
    assert everything == expected(ids, len(ids), forward=forward)
    assert meter.round_trips <= 1 and meter.items_read == len(ids)


def test_skewed_shards_few_records_and_an_empty_shard_still_merge_exactly() -> None:
    # Given 30 records in one shard, 2 in another and the other six shards empty
    candidates = [f"id{i:04d}" for i in range(4000)]
    ids = [i for i in candidates if keys.shard_of(i) == 3][:30] + [i for i in candidates if keys.shard_of(i) == 5][:2]
    repo = repository(ids)
    # When pages are read
    for want in (1, 5, 20, 31, 40):
        page, meter = first_page(repo, want)
        # Then each is the true first page
        assert page == expected(ids, want)
        assert meter.items_read <= len(ids)


def test_an_unfiltered_page_of_20_takes_about_10_requests_in_at_most_2_round_trips() -> None:
    # Given 5,000 records with generated, time-ordered ids (their random part seeded: the bounds below are
    # about the typical read, and an unseeded run sometimes draws a layout needing more rounds for one start)
    rng = random.Random(8)
    ids = [new_record_id(1_700_000_000_000 + i * 3)[:8] + "".join(rng.choices(ALPHABET, k=7))
           for i in range(5000)]
    repo = repository(ids)
    # When page 1 of 20 is read, many times from different starting points
    reads, rounds, requests = [], [], []
    for start in range(0, 4000, 97):
        page, meter = first_page(repo, 20, after=sorted(ids)[start])
        assert page == expected(ids, 20, after=sorted(ids)[start])
        reads.append(meter.items_read)
        rounds.append(meter.round_trips)
        requests.append(meter.requests)
    # Then a page costs about 10 requests (a consistent Query bills at least 1 RCU each), in 2 round trips,
    # reading about a page and a half of records and never much more
    for figures in (reads, rounds, requests):
        figures.sort()
    assert requests[len(requests) // 2] <= 11 and max(requests) <= 14
    assert rounds[len(rounds) // 2] <= 2 and max(rounds) <= 3
    assert reads[len(reads) // 2] <= 36 and max(reads) <= 48


def test_a_storage_that_answers_in_small_pieces_still_merges_exactly() -> None:
    # Given shards that answer at most 3 records a read (as DynamoDB does past 1 MB)
    ids = sorted(f"k{i:05d}" for i in range(300))
    shards: dict[int, list[str]] = {}
    for i in ids:
        shards.setdefault(keys.shard_of(i), []).append(i)

    def wave(reads: list[ShardRead]) -> list[ShardAnswer]:
        answers = []
        for read in reads:
            rng = [i for i in shards.get(read.shard, []) if (read.after is None or i > read.after)
                   and (read.bound is None or i <= read.bound)]
            got = rng[:min(3, read.limit)]
            more = len(rng) > len(got)
            reached = got[-1] if more else (read.bound if read.bound is not None else (got[-1] if got else read.after))
            answers.append(ShardAnswer([StoredRecord("c", i, {}) for i in got], reached, not more, len(got)))
        return answers

    # When 50 are merged
    page = [r.id for r in merged(wave, keys.RECORD_SHARDS, 50)]
    # Then they are all the ids, in order
    assert page == ids


def test_a_read_past_the_query_budget_stops_within_a_shard_item_each_of_it() -> None:
    # Given 2,000 records and a request allowed to read 300 items
    repo = repository([new_record_id(1_700_000_000_000 + i) for i in range(2000)])
    meter = ReadMeter(budget=300)
    plan = Plan(kind="scan", description="scan", collection_id="c1")
    # When it drains the collection (as a total no counter holds would)
    with pytest.raises(QueryBudgetError):
        list(repo.query(plan, meter, want=1000, drain=True))
    # Then it is refused having read at most one item per shard past the budget
    assert 300 < meter.items_read <= 300 + keys.RECORD_SHARDS
