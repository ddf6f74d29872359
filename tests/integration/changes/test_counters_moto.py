"""Counters maintained by the changes function from the records stream, on moto with every resource."""

from __future__ import annotations

from typing import Any

import pytest

from local import cloud
from local.invoke import invoke
from local.pollers import StreamPoller
from shared import resources
from shared.aws import client
from shared.changes.counters import CounterConflictError, CounterUpdate, apply_counters
from shared.changes.dynamo_counters import DynamoCounterStore
from shared.changes.model import RecordChange
from shared.records import keys
from shared.records.model import ReadMeter
from tests.support.capacity import CapacityMeter
from tests.support.record_stores import dynamo_records

TABLE = resources.RECORDS_TABLE.physical_name
COLL = "pbc_tasks"
OPEN, DONE = keys.index_pk(COLL, 1, "open"), keys.index_pk(COLL, 1, "done")



class Recorder:
    """The real invoke, keeping every batch handed to the changes function."""

    def __init__(self) -> None:
        self.batches: list[dict[str, Any]] = []
        self.results: list[Any] = []

    def __call__(self, name: str, event: dict[str, Any]) -> Any:
        result = invoke(name, event)
        if name == "changes":
            self.batches.append(event)
            self.results.append(result)
        return result


def drain(poller: StreamPoller) -> None:
    """Poll until the stream is quiet, counter writes included (the handler ignores those)."""
    for _ in range(20):
        if not poller.poll_once():
            return
    raise AssertionError("the stream never went quiet")


def put(rid: str, status: str | None, version: int = 1) -> None:
    item: dict[str, Any] = {**keys.record_key(COLL, rid, keys.LEGACY_SHARDS), "c": {"S": COLL},
                            "v": {"N": str(version)}, "d": {"M": {"title": {"S": rid}}}}
    if status is not None:
        item["gsi1pk"] = {"S": keys.index_pk(COLL, 1, status)}
        item["gsi1sk"] = {"S": keys.index_sk([], rid)}
    client("dynamodb").put_item(TableName=TABLE, Item=item)


def move(rid: str, status: str) -> None:
    client("dynamodb").update_item(TableName=TABLE, Key=keys.record_key(COLL, rid, keys.LEGACY_SHARDS),
                                   UpdateExpression="SET gsi1pk = :p, v = v + :one",
                                   ExpressionAttributeValues={":p": {"S": keys.index_pk(COLL, 1, status)},
                                                              ":one": {"N": "1"}})


def delete(rid: str) -> None:
    client("dynamodb").delete_item(TableName=TABLE, Key=keys.record_key(COLL, rid, keys.LEGACY_SHARDS))


def total(partition: str) -> int | None:
    return dynamo_records(TABLE).read_counter(partition, ReadMeter())


def truth() -> dict[str, int]:
    """Totals by a full scan of the record items."""
    counts: dict[str, int] = {}
    for item in client("dynamodb").scan(TableName=TABLE)["Items"]:
        if item["pk"]["S"].startswith(keys.RECORD_PREFIX):
            counts[COLL] = counts.get(COLL, 0) + 1
            if "gsi1pk" in item:
                counts[item["gsi1pk"]["S"]] = counts.get(item["gsi1pk"]["S"], 0) + 1
    return counts


def test_totals_are_exact_after_inserts_moves_and_deletes(moto: cloud.MotoCloud) -> None:
    # Given the changes function fed by the records stream, as its event source mapping does
    recorder = Recorder()
    poller = StreamPoller(resources.EVENT_SOURCES[0], recorder)
    ids = [f"task{i:011d}abcd" for i in range(6)]
    # When records are created, a unique claim and a non-index update happen alongside
    for rid in ids:
        put(rid, "open")
    put("nostatus0000abc", None)
    client("dynamodb").put_item(TableName=TABLE, Item={"pk": {"S": "u#pbc_tasks#title#x"}, "sk": {"S": "u"}})
    drain(poller)
    # Then the collection and the index partition hold exact totals
    assert (total(COLL), total(OPEN), total(DONE)) == (7, 6, None)
    # When records move between index partitions, one is rewritten in place, and some are deleted
    move(ids[0], "done")
    move(ids[1], "done")
    put(ids[2], "open", version=2)
    delete(ids[3])
    delete(ids[1])
    delete("nostatus0000abc")
    drain(poller)
    # Then every total matches a full count
    assert (total(COLL), total(OPEN), total(DONE)) == (4, 3, 1)
    assert truth() == {COLL: 4, OPEN: 3, DONE: 1}
    # And every batch reported no failed record
    assert recorder.results and all(r == {"batchItemFailures": []} for r in recorder.results)


def test_invoking_the_handler_twice_with_a_batch_leaves_totals_unchanged(moto: cloud.MotoCloud) -> None:
    # Given a batch of creates, moves and deletes that the changes function has already handled
    recorder = Recorder()
    poller = StreamPoller(resources.EVENT_SOURCES[0], recorder)
    for i in range(5):
        put(f"dup{i:012d}ab", "open")
    move("dup000000000000ab", "done")
    delete("dup000000000001ab")
    drain(poller)
    before = (total(COLL), total(OPEN), total(DONE))
    assert before == (4, 3, 1)
    record_batches = [b for b in recorder.batches
                      if any(r["dynamodb"]["Keys"]["pk"]["S"].startswith("r#") for r in b["Records"])]
    # When Lambda redelivers the same batches, whole and from the middle
    for batch in record_batches:
        assert invoke("changes", batch) == {"batchItemFailures": []}
        assert invoke("changes", {"Records": batch["Records"][len(batch["Records"]) // 2:]}) == {
            "batchItemFailures": []}
    # Then no total moved
    assert (total(COLL), total(OPEN), total(DONE)) == before


def test_dynamo_store_rejects_a_write_based_on_a_stale_read(moto: cloud.MotoCloud) -> None:
    store = DynamoCounterStore(TABLE)
    # Given two consumers that read the missing counter, and one that wrote shard 1 first
    stale = store.read(COLL)
    store.apply(COLL, stale, CounterUpdate(delta=2, seq={1: 10}, records=2))
    # Then the other's write of the same shard, based on its read of no mark, is refused
    with pytest.raises(CounterConflictError):
        store.apply(COLL, stale, CounterUpdate(delta=1, seq={1: 12}, records=1))
    # While a write of another shard is not: only a counter's own shards decide
    store.apply(COLL, stale, CounterUpdate(delta=1, seq={2: 5}, records=1))
    # And a write conditioned on shard 1's old high-water mark is refused once shard 1 moved on
    fresh = store.read(COLL)
    store.apply(COLL, fresh, CounterUpdate(delta=1, seq={1: 11}, records=1))
    with pytest.raises(CounterConflictError):
        store.apply(COLL, fresh, CounterUpdate(delta=5, seq={1: 12}, records=1))
    assert store.read(COLL).model_dump() == {"total": 4, "seq": {1: 11, 2: 5}, "legacy": False}
    assert total(COLL) == 4


def test_a_new_update_is_one_conditional_write_and_a_counted_one_is_refused(moto: cloud.MotoCloud) -> None:
    store = DynamoCounterStore(TABLE)
    # Given a counter that counted shard 3 up to a 22-digit sequence number (stream numbers outgrow N)
    high = 10**21 + 7
    assert store.apply_new(COLL, CounterUpdate(delta=2, seq={3: high}, records=2, since={3: high - 5}))
    # When a later update of shard 3 comes, Then it is applied without a read
    meter = CapacityMeter()
    with meter.attached(client("dynamodb")):
        assert store.apply_new(COLL, CounterUpdate(delta=1, seq={3: high + 1}, records=1, since={3: high + 1}))
    assert (meter.total.wcu, meter.total.rcu, dict(meter.total.requests)) == (1, 0, {"UpdateItem": 1})
    # When an update overlapping what was counted comes (a redelivery), Then it is refused and nothing moves
    assert not store.apply_new(COLL, CounterUpdate(delta=9, seq={3: high + 2}, records=2, since={3: high}))
    # And a lower sequence number with fewer digits still compares below the mark
    assert not store.apply_new(COLL, CounterUpdate(delta=9, seq={3: 99}, records=1, since={3: 99}))
    assert store.read(COLL).model_dump() == {"total": 3, "seq": {3: high + 1}, "legacy": False}


def change(action: str, shard: int, sequence: int) -> RecordChange:
    image = {"c": COLL, "v": 1}
    return RecordChange(action=action, collection_id=COLL, record_id=f"rec{sequence}", sequence_number=str(sequence),
                        write_shard=shard, new_image=None if action == "delete" else image,
                        old_image=image if action == "delete" else None)


def test_a_counter_in_the_older_seq_map_format_is_converted_by_its_next_batch(moto: cloud.MotoCloud) -> None:
    # Given a counter written before per-shard marks: its marks in a map of unpadded strings
    client("dynamodb").put_item(TableName=TABLE, Item={
        "pk": {"S": keys.counter_pk(COLL)}, "sk": {"S": "count"}, "total": {"N": "5"},
        "seq": {"M": {"1": {"S": "100"}, "2": {"S": "200"}}}})
    store = DynamoCounterStore(TABLE)
    # When a batch counts shard 1 past its mark and replays shard 2 below its mark
    batch = [change("create", 1, 150), change("create", 2, 190), change("delete", 2, 210)]
    report = apply_counters(batch, store)
    # Then only the records past each mark count, and the marks left the map
    assert (report.applied, report.skipped) == (2, 1)
    state = store.read(COLL)
    assert state.model_dump() == {"total": 5, "seq": {1: 150, 2: 210}, "legacy": False}
    item = client("dynamodb").get_item(TableName=TABLE, Key={"pk": {"S": keys.counter_pk(COLL)},
                                                             "sk": {"S": "count"}})["Item"]
    assert "seq" not in item
    # And the next new batch takes the one-write path
    assert store.apply_new(COLL, CounterUpdate(delta=1, seq={1: 151}, records=1))
