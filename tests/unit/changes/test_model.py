"""Decoding DynamoDB stream records into the one record-change model counters and the publisher share."""

from __future__ import annotations

from typing import Any

import pytest

from shared.changes.model import RecordChange, decode_stream_event, decode_stream_records

COLL = "pbc_tasks"


def image(rid: str, *, shard: int = 3, status: str | None = "open", version: int = 1) -> dict[str, Any]:
    out: dict[str, Any] = {"pk": {"S": f"r#{COLL}#{shard}"}, "sk": {"S": rid}, "c": {"S": COLL},
                           "v": {"N": str(version)},
                           "d": {"M": {"title": {"S": "Ship"}, "score": {"N": "1.5"}, "tags": {"SS": ["a"]},
                                       "done": {"BOOL": False}, "note": {"NULL": True}}}}
    if status is not None:
        out["gsi1pk"] = {"S": f"{COLL}#1#s{status}"}
    return out


def stream_record(event: str, pk: str, rid: str, seq: str, old: dict[str, Any] | None = None,
                  new: dict[str, Any] | None = None) -> dict[str, Any]:
    dyn: dict[str, Any] = {"Keys": {"pk": {"S": pk}, "sk": {"S": rid}}, "SequenceNumber": seq,
                           "StreamViewType": "NEW_AND_OLD_IMAGES", "SizeBytes": 100}
    if old is not None:
        dyn["OldImage"] = old
    if new is not None:
        dyn["NewImage"] = new
    return {"eventID": seq, "eventName": event, "eventSource": "aws:dynamodb", "eventVersion": "1.1",
            "awsRegion": "us-east-1", "dynamodb": dyn}


@pytest.mark.parametrize(("event", "old", "new", "action"), [
    ("INSERT", None, image("a"), "create"),
    ("MODIFY", image("a"), image("a", status="done", version=2), "update"),
    ("REMOVE", image("a"), None, "delete"),
])
def test_each_event_name_becomes_its_action_with_the_images_it_carries(
        event: str, old: dict[str, Any] | None, new: dict[str, Any] | None, action: str) -> None:
    # Given a stream record of a record item on write shard 3
    record = stream_record(event, f"r#{COLL}#3", "a", "1700000000000000000042", old, new)
    # When it is decoded
    [change] = decode_stream_records([record])
    # Then it names the action, the record, its write shard and its sequence number
    assert (change.action, change.collection_id, change.record_id) == (action, COLL, "a")
    assert (change.write_shard, change.sequence_number, change.sequence) == (
        3, "1700000000000000000042", 1700000000000000000042)
    # And carries exactly the images the event has
    assert (change.old_image is None, change.new_image is None) == (old is None, new is None)


def test_images_hold_plain_json_safe_values_including_index_keys() -> None:
    # Given an insert whose image holds numbers, a string set, a bool, a null and an index key
    [change] = decode_stream_records([stream_record("INSERT", f"r#{COLL}#3", "a", "7", new=image("a"))])
    # Then the image is plain: integral numbers as int, others as float, sets as lists
    assert change.new_image == {"pk": f"r#{COLL}#3", "sk": "a", "c": COLL, "v": 1, "gsi1pk": f"{COLL}#1#sopen",
                                "d": {"title": "Ship", "score": 1.5, "tags": ["a"], "done": False, "note": None}}
    # And the change survives the JSON trip to EventBridge and back unchanged
    assert RecordChange.model_validate_json(change.model_dump_json()) == change


@pytest.mark.parametrize("pk", ["u#pbc_tasks#title#digest", "n#pbc_tasks", "n#pbc_tasks#1#sopen",
                                "ref#pbc_posts#post00000000001"])
def test_items_that_are_not_records_are_left_out(pk: str) -> None:
    batch = [stream_record("INSERT", pk, "x", "1", new={"pk": {"S": pk}, "sk": {"S": "x"}}),
             stream_record("INSERT", f"r#{COLL}#0", "b", "2", new=image("b", shard=0))]
    assert [c.record_id for c in decode_stream_records(batch)] == ["b"]


def test_a_record_key_without_a_write_shard_keeps_its_change_but_no_shard() -> None:
    # Given a record item whose key was not written by the repository (no `#<shard>` suffix)
    record = stream_record("INSERT", "r#no-shard", "x", "5", new={"c": {"S": COLL}})
    # When it is decoded
    [change] = decode_stream_records([record])
    # Then consumers still see the change, with the image's collection, but no write shard to count it under
    assert (change.collection_id, change.write_shard) == (COLL, None)


def test_a_whole_event_decodes_in_stream_order() -> None:
    event = {"Records": [stream_record("INSERT", f"r#{COLL}#{i % 8}", f"id{i}", str(100 + i),
                                       new=image(f"id{i}", shard=i % 8)) for i in range(12)]}
    assert [c.sequence for c in decode_stream_event(event)] == list(range(100, 112))
    assert decode_stream_event({}) == []
