"""Counters from the records stream: aggregation, exactly-once on redelivery, and optimistic retries."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.changes.counters import (
    Contribution,
    CounterConflictError,
    CounterState,
    CounterUpdate,
    InMemoryCounterStore,
    aggregate,
    apply_counters,
    pending_update,
)
from shared.changes.model import RecordChange, decode_stream_records

COLL = "pbc_tasks"
OPEN, DONE = f"{COLL}#1#sopen", f"{COLL}#1#sdone"


class Stream:
    """Builds Lambda-shaped DynamoDB stream records with growing sequence numbers, as one table stream does,
    decoded as the changes function hands them to counters."""

    def __init__(self) -> None:
        self.seq = 1000
        self.items: dict[tuple[int, str], dict[str, Any]] = {}

    def _record(self, event: str, shard: int, rid: str, old: dict[str, Any] | None,
                new: dict[str, Any] | None) -> RecordChange:
        self.seq += 1
        dyn: dict[str, Any] = {"Keys": {"pk": {"S": f"r#{COLL}#{shard}"}, "sk": {"S": rid}},
                               "SequenceNumber": str(self.seq)}
        if old is not None:
            dyn["OldImage"] = old
        if new is not None:
            dyn["NewImage"] = new
        [change] = decode_stream_records([{"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": dyn}])
        return change

    def _image(self, shard: int, rid: str, gsi1: str | None, uncounted: bool) -> dict[str, Any]:
        image: dict[str, Any] = {"pk": {"S": f"r#{COLL}#{shard}"}, "sk": {"S": rid}, "c": {"S": COLL},
                                 "v": {"N": "1"}}
        if gsi1 is not None:
            image["gsi1pk"] = {"S": gsi1}
            image["gsi1sk"] = {"S": rid}
            image["nc"] = {"S": "gsi1pk" if uncounted else ""}
        return image

    def put(self, shard: int, rid: str, gsi1: str | None, *, uncounted: bool = False) -> RecordChange:
        """Create or replace a record; `uncounted`: its gsi1 partition keeps no counter (a UNIQUE index's)."""
        old = self.items.get((shard, rid))
        new = self._image(shard, rid, gsi1, uncounted)
        self.items[(shard, rid)] = new
        return self._record("MODIFY" if old else "INSERT", shard, rid, old, new)

    def delete(self, shard: int, rid: str) -> RecordChange:
        old = self.items.pop((shard, rid))
        return self._record("REMOVE", shard, rid, old, None)

    def truth(self) -> dict[str, int]:
        """Totals recomputed from the items, as a full scan would."""
        totals: dict[str, int] = {}
        for image in self.items.values():
            totals[COLL] = totals.get(COLL, 0) + 1
            if "gsi1pk" in image and image["nc"]["S"] != "gsi1pk":
                totals[image["gsi1pk"]["S"]] = totals.get(image["gsi1pk"]["S"], 0) + 1
        return totals


def totals(store: InMemoryCounterStore) -> dict[str, int]:
    return {p: s.total for p, s in store.items.items() if s.total}


def no_sleep(_: float) -> None:
    pass


# aggregation -------------------------------------------------------------------------------------------
def test_aggregation_counts_inserts_moves_and_removes_per_partition() -> None:
    # Given an insert, a move between index partitions, an update that keeps its partition, and a remove
    s = Stream()
    batch = [s.put(1, "a", OPEN), s.put(2, "b", OPEN), s.put(1, "a", DONE), s.put(2, "b", OPEN), s.delete(2, "b")]
    # When the batch is aggregated
    grouped = aggregate(batch)
    # Then the collection counts inserts and removes, and each index partition counts entries and exits
    assert [c.delta for c in grouped[COLL]] == [1, 1, -1]
    assert [c.delta for c in grouped[OPEN]] == [1, 1, -1, -1]
    assert [c.delta for c in grouped[DONE]] == [1]
    assert {c.shard for c in grouped[DONE]} == {1}


def test_aggregation_counts_an_index_value_appearing_and_disappearing() -> None:
    s = Stream()
    batch = [s.put(0, "a", None), s.put(0, "a", OPEN), s.put(0, "a", None)]
    grouped = aggregate(batch)
    assert [c.delta for c in grouped[COLL]] == [1]
    assert [c.delta for c in grouped[OPEN]] == [1, -1]


def test_aggregation_ignores_unique_claims_counters_reverse_references_and_malformed_keys() -> None:
    other = [{"eventName": event, "dynamodb": {"Keys": {"pk": {"S": pk}, "sk": {"S": "x"}},
                                               "SequenceNumber": "1", "NewImage": {}, "OldImage": {}}}
             for pk in ("u#pbc#idx#digest", "n#pbc_tasks", "r#no-shard", "ref#pbc_posts#p1")
             for event in ("INSERT", "REMOVE")]
    assert aggregate(decode_stream_records(other)) == {}


def test_pending_update_skips_what_each_write_shard_already_applied() -> None:
    contributions = [Contribution(1, 10, 1), Contribution(2, 5, 1), Contribution(1, 12, -1), Contribution(2, 7, 1)]
    # shard 1 applied up to 10, shard 2 nothing: a lower sequence number of another shard still counts
    update = pending_update(contributions, {1: 10})
    assert update == CounterUpdate(delta=1, seq={1: 12, 2: 7}, records=3, since={1: 12, 2: 5})
    assert pending_update(contributions, {1: 12, 2: 7}) is None


def test_partitions_of_a_unique_index_keep_no_counter() -> None:
    # Given records whose gsi1 partition the write marked uncounted (a single-column UNIQUE index)
    s = Stream()
    batch = [s.put(0, "a", OPEN, uncounted=True), s.put(1, "b", DONE, uncounted=True)]
    # When the batch is aggregated, Then only the collection counts them
    assert set(aggregate(batch)) == {COLL}
    # When a record moves from a counted partition to an uncounted one, Then the counted one loses it
    s2 = Stream()
    moved = aggregate([s2.put(0, "a", OPEN), s2.put(0, "a", OPEN, uncounted=True)])
    assert [c.delta for c in moved[OPEN]] == [1, -1]


# exactly once ------------------------------------------------------------------------------------------
class CountingReads(InMemoryCounterStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def read(self, partition: str) -> CounterState:
        self.reads += 1
        return super().read(partition)


def test_a_first_delivery_writes_each_counter_once_without_reading_it() -> None:
    # Given a batch of creates and moves over a few write shards
    s, store = Stream(), CountingReads()
    batch = [s.put(0, "a", OPEN), s.put(1, "b", OPEN), s.put(0, "a", DONE), s.put(2, "c", DONE)]
    # When it is delivered for the first time
    report = apply_counters(batch, store)
    # Then no counter was read, and every contribution was applied
    assert store.reads == 0 and report.skipped == 0
    assert totals(store) == s.truth() == {COLL: 3, OPEN: 1, DONE: 2}
    # When it is delivered again, Then each counter is read once and nothing moves
    report = apply_counters(batch, store)
    assert store.reads == 3 and report.applied == 0
    assert totals(store) == s.truth()


def test_totals_are_exact_after_inserts_moves_and_deletes() -> None:
    s, store = Stream(), InMemoryCounterStore()
    apply_counters([s.put(k, f"id{k}", OPEN) for k in range(4)], store)
    apply_counters([s.put(0, "id0", DONE), s.put(1, "id1", DONE), s.delete(2, "id2")], store)
    assert totals(store) == s.truth() == {COLL: 3, OPEN: 1, DONE: 2}


def test_redelivering_a_batch_changes_nothing() -> None:
    # Given a batch already applied
    s, store = Stream(), InMemoryCounterStore()
    batch = [s.put(0, "a", OPEN), s.put(1, "b", OPEN), s.put(0, "a", DONE), s.delete(1, "b")]
    apply_counters(batch, store)
    before = dict(store.items)
    # When Lambda delivers the same batch again
    report = apply_counters(batch, store)
    # Then no counter moves and every contribution is reported as skipped
    assert store.items == before
    assert report.applied == 0 and report.skipped == sum(len(v) for v in aggregate(batch).values())
    assert totals(store) == s.truth()


def test_a_retry_starting_mid_batch_applies_only_the_unapplied_records() -> None:
    # Given a batch of which only a prefix was counted (an earlier invocation covered it)
    s, store = Stream(), InMemoryCounterStore()
    batch = [s.put(0, "a", OPEN), s.put(0, "b", OPEN), s.put(0, "a", DONE), s.put(3, "c", DONE), s.delete(0, "b")]
    apply_counters(batch[:2], store)
    # When the retry resumes from the third record, re-delivering records the prefix did not hold
    report = apply_counters(batch[2:], store)
    # Then the totals count each record exactly once
    assert totals(store) == s.truth() == {COLL: 2, DONE: 2}
    # And redelivering the tail once more is a no-op
    apply_counters(batch[1:], store)
    assert totals(store) == s.truth()
    assert report.applied > 0


def test_a_batch_that_failed_half_way_through_its_counters_is_completed_by_the_retry() -> None:
    # Given a store that fails on the index partition after the collection counter was written
    class FailingOnce(InMemoryCounterStore):
        failed = False

        def apply_new(self, partition: str, update: CounterUpdate) -> bool:
            if partition == OPEN and not self.failed:
                self.failed = True
                raise RuntimeError("throttled")
            return super().apply_new(partition, update)

    s, store = Stream(), FailingOnce()
    batch = [s.put(0, "a", OPEN), s.put(5, "b", OPEN)]
    with pytest.raises(RuntimeError):
        apply_counters(batch, store, max_workers=1)
    # When the whole batch is retried
    apply_counters(batch, store)
    # Then every counter holds each record once
    assert totals(store) == s.truth() == {COLL: 2, OPEN: 2}


def test_a_pair_that_cancels_out_still_advances_seq() -> None:
    # Given an insert and a delete of one record in one batch, net zero
    s, store = Stream(), InMemoryCounterStore()
    batch = [s.put(0, "a", OPEN), s.delete(0, "a")]
    apply_counters(batch, store)
    # When a retry resumes from the delete
    apply_counters(batch[1:], store)
    # Then the delete is not counted a second time
    assert store.items[COLL].total == 0 and store.items[OPEN].total == 0


# optimistic concurrency ----------------------------------------------------------------------------------
class ConflictOnce(InMemoryCounterStore):
    """A counter that takes the read path (as one in the older format does), and another consumer that writes
    it between our read and our write, once."""

    def __init__(self, rival: CounterUpdate) -> None:
        super().__init__()
        self.rival = rival
        self.conflicts = 0

    def apply_new(self, partition: str, update: CounterUpdate) -> bool:
        return False

    def apply(self, partition: str, read: CounterState, update: CounterUpdate) -> None:
        if not self.conflicts:
            self.conflicts += 1
            super().apply(partition, read, self.rival)
        super().apply(partition, read, update)


def test_a_concurrent_update_is_retried_against_the_fresh_counter() -> None:
    # Given a rival consumer that counts two records of write shard 0 under our feet
    s = Stream()
    batch = [s.put(0, "a", None), s.put(0, "b", None), s.put(1, "c", None)]
    store = ConflictOnce(CounterUpdate(delta=2, seq={0: batch[1].sequence}, records=2))
    sleeps: list[float] = []
    # When we apply the batch
    report = apply_counters(batch, store, sleep=sleeps.append)
    # Then the conflict was retried after a backoff, and what the rival counted was not counted again
    assert report.conflicts == 1 and len(sleeps) == 1
    assert store.items[COLL].total == 3
    assert report.applied == 1 and report.skipped == 2


def test_disjoint_write_shards_do_not_conflict() -> None:
    # Given a rival that counted a record of another write shard between our read and our write
    s = Stream()
    batch = [s.put(0, "a", None)]
    store = ConflictOnce(CounterUpdate(delta=1, seq={7: 99}, records=1))
    store.items[COLL] = CounterState(total=5, seq={3: 1})
    # When we apply our batch
    report = apply_counters(batch, store, sleep=no_sleep)
    # Then both counted, without a retry: `total` is added server-side, only our shards' seq are checked
    assert report.conflicts == 0 and store.items[COLL].total == 7
    assert store.items[COLL].seq == {3: 1, 7: 99, 0: batch[0].sequence}


def test_endless_conflicts_fail_the_batch_after_a_few_attempts() -> None:
    class AlwaysConflicting(InMemoryCounterStore):
        def apply_new(self, partition: str, update: CounterUpdate) -> bool:
            return False

        def apply(self, partition: str, read: CounterState, update: CounterUpdate) -> None:
            raise CounterConflictError(partition)

    sleeps: list[float] = []
    with pytest.raises(CounterConflictError):
        apply_counters([Stream().put(0, "a", None)], AlwaysConflicting(), sleep=sleeps.append, max_attempts=4)
    assert len(sleeps) == 3


# property: any delivery with redeliveries gives the truth ----------------------------------------------------
_ops = st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["a", "b", "c"]),
                          st.sampled_from([OPEN, DONE, None, "delete", "uncounted"])), min_size=1, max_size=40)


@settings(deadline=None)
@given(ops=_ops, cuts=st.lists(st.integers(1, 8), min_size=1, max_size=10),
       replays=st.lists(st.integers(0, 8), max_size=10))
def test_totals_match_a_full_count_under_any_redelivery(ops: list[tuple[int, str, str | None]],
                                                        cuts: list[int], replays: list[int]) -> None:
    # Given a stream of writes on a few records spread over write shards
    s, store = Stream(), InMemoryCounterStore()
    records = []
    for shard, rid, value in ops:
        if value == "delete":
            if (shard, rid) in s.items:
                records.append(s.delete(shard, rid))
        elif value == "uncounted":
            records.append(s.put(shard, rid, OPEN, uncounted=True))
        else:
            records.append(s.put(shard, rid, value))
    # When it is delivered in batches, each followed by a redelivery of some suffix of it
    start, i = 0, 0
    while start < len(records):
        end = min(len(records), start + cuts[i % len(cuts)])
        batch = records[start:end]
        apply_counters(batch, store, max_workers=1)
        if replays:
            apply_counters(batch[replays[i % len(replays)] % len(batch):], store, max_workers=1)
        start, i = end, i + 1
    # Then every counter equals what a full count finds
    expected = s.truth()
    assert totals(store) == {p: n for p, n in expected.items() if n}
    assert all(state.total >= 0 for state in store.items.values())
