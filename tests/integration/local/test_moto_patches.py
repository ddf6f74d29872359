"""moto as the local stack patches it: atomic cheap transactions, partition queries, growing sequence numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local import moto_patches
from shared import resources
from shared.aws import client
from tests.support.moto_cloud import running_cloud

TABLE = resources.RECORDS_TABLE.physical_name


@pytest.fixture
def ddb() -> Iterator[Any]:
    with running_cloud():
        yield client("dynamodb")


def item(pk: str, sk: str, **attrs: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attrs.items()}}


def stream_records(ddb_streams: Any) -> list[dict[str, Any]]:
    arn = client("dynamodb").describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = ddb_streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = ddb_streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return list(ddb_streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"])


def test_a_failed_transaction_changes_nothing_and_leaves_no_stream_record(ddb: Any) -> None:
    # Given an item, and the stream so far
    ddb.put_item(TableName=TABLE, Item=item("p", "kept", v="before"))
    streams = client("dynamodbstreams")
    before = stream_records(streams)
    # When a transaction updates it, adds another and then fails a condition
    with pytest.raises(ClientError) as failure:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": item("p", "kept", v="after")}},
            {"Put": {"TableName": TABLE, "Item": item("p", "new")}},
            {"Put": {"TableName": TABLE, "Item": item("p", "kept2"), "ConditionExpression": "attribute_exists(pk)"}},
        ])
    # Then it is cancelled, both items are as they were, and the stream holds nothing new
    assert failure.value.response["Error"]["Code"] == "TransactionCanceledException"
    got = ddb.get_item(TableName=TABLE, Key={"pk": {"S": "p"}, "sk": {"S": "kept"}})["Item"]
    assert got["v"] == {"S": "before"}
    assert "Item" not in ddb.get_item(TableName=TABLE, Key={"pk": {"S": "p"}, "sk": {"S": "new"}})
    assert stream_records(streams) == before


def test_a_transaction_of_100_items_commits_them_all(ddb: Any) -> None:
    # When one transaction puts 100 items (the DynamoDB maximum)
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": item("t", f"{i:03d}")}}
                                            for i in range(100)])
    # Then all are there, in key order
    out = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "t"}})
    assert [i["sk"]["S"] for i in out["Items"]] == [f"{i:03d}" for i in range(100)]


def test_a_query_reads_only_its_partition_in_order_and_pages(ddb: Any) -> None:
    # Given items in three partitions
    for pk in ("a", "b", "c"):
        for sk in ("3", "1", "2"):
            ddb.put_item(TableName=TABLE, Item=item(pk, sk))
    # When partition b is read two at a time, backwards
    first = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ScanIndexForward=False, Limit=2,
                      ExpressionAttributeValues={":p": {"S": "b"}})
    rest = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ScanIndexForward=False, Limit=2,
                     ExpressionAttributeValues={":p": {"S": "b"}}, ExclusiveStartKey=first["LastEvaluatedKey"])
    # Then it gets b's items only, in descending order, across the two pages
    assert [(i["pk"]["S"], i["sk"]["S"]) for i in first["Items"] + rest["Items"]] == [("b", "3"), ("b", "2"),
                                                                                       ("b", "1")]


SORT_KEYS = [f"k{i:02d}" for i in range(0, 40, 2)]  # k00, k02, ... k38
KEY_CONDITIONS = [("", "", None), ("sk = :a", "k10", None), ("sk = :a", "k11", None), ("sk < :a", "k11", None),
                  ("sk <= :a", "k10", None), ("sk > :a", "k31", None), ("sk >= :a", "k30", None),
                  ("sk BETWEEN :a AND :b", "k05", "k21"), ("sk BETWEEN :a AND :b", "k06", "k06"),
                  ("sk BETWEEN :a AND :b", "a", "z"), ("sk > :a", "k38", None), ("sk < :a", "k00", None),
                  ("begins_with(sk, :a)", "k1", None)]


def matches(condition: str, sk: str, a: str, b: str | None) -> bool:
    return {"": True, "sk = :a": sk == a, "sk < :a": sk < a, "sk <= :a": sk <= a, "sk > :a": sk > a,
            "sk >= :a": sk >= a, "sk BETWEEN :a AND :b": b is not None and a <= sk <= b,
            "begins_with(sk, :a)": sk.startswith(a)}[condition]


def test_a_query_pages_through_exactly_its_key_range_in_either_direction(ddb: Any) -> None:
    # Given a partition of 20 items, written out of order, and another partition beside it
    for sk in SORT_KEYS[::-1]:
        ddb.put_item(TableName=TABLE, Item=item("range", sk))
        ddb.put_item(TableName=TABLE, Item=item("range-other", sk))
    for condition, a, b in KEY_CONDITIONS:
        values = {":p": {"S": "range"}, **({":a": {"S": a}} if a else {}), **({":b": {"S": b}} if b else {})}
        expected = [sk for sk in SORT_KEYS if matches(condition, sk, a, b)]
        key_condition = f"pk = :p AND {condition}" if condition else "pk = :p"
        for forward in (True, False):
            for limit in (1, 3, 100):
                # When it is read page by page, each resuming from the last page's LastEvaluatedKey
                got: list[str] = []
                start: dict[str, Any] | None = None
                for _ in range(len(SORT_KEYS) + 2):
                    out = ddb.query(TableName=TABLE, KeyConditionExpression=key_condition,
                                    ExpressionAttributeValues=values, ScanIndexForward=forward, Limit=limit,
                                    **({"ExclusiveStartKey": start} if start else {}))
                    got += [i["sk"]["S"] for i in out["Items"]]
                    assert out["Count"] == out["ScannedCount"] == len(out["Items"])
                    start = out.get("LastEvaluatedKey")
                    if not start:
                        break
                # Then the pages hold exactly the items in the key range, each once, in the asked order
                assert got == (expected if forward else expected[::-1]), (condition, a, b, forward, limit)


def test_a_query_sees_every_write_to_its_partition_at_once(ddb: Any) -> None:
    # Given a partition, read once (its order is kept for the next reads)
    def read() -> list[tuple[str, str]]:
        out = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                        ExpressionAttributeValues={":p": {"S": "seen"}, ":a": {"S": "b"}, ":b": {"S": "d"}})
        return [(i["sk"]["S"], i.get("v", {"S": ""})["S"]) for i in out["Items"]]

    for sk in "ace":
        ddb.put_item(TableName=TABLE, Item=item("seen", sk, v="1"))
    assert read() == [("c", "1")]
    # When an item is added in the range, one is updated in place, and one is deleted
    ddb.put_item(TableName=TABLE, Item=item("seen", "b", v="1"))
    assert read() == [("b", "1"), ("c", "1")]
    ddb.update_item(TableName=TABLE, Key={"pk": {"S": "seen"}, "sk": {"S": "c"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "2"}})
    assert read() == [("b", "1"), ("c", "2")]
    ddb.delete_item(TableName=TABLE, Key={"pk": {"S": "seen"}, "sk": {"S": "b"}})
    # Then each read answers the partition as it is after the last write
    assert read() == [("c", "2")]
    ddb.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": item("seen", "cc", v="3")}}]})
    assert read() == [("c", "2"), ("cc", "3")]


def test_a_new_stream_starts_above_the_saved_high_water_mark() -> None:
    # Given a snapshot that saved sequence numbers far above the clock-based start
    saved = moto_patches.next_stream_start() + 10**12
    moto_patches.raise_sequence_floor(saved)
    # When the tables are created anew (a restart)
    with running_cloud():
        client("dynamodb").put_item(TableName=TABLE, Item=item("s", "1"))
        records = stream_records(client("dynamodbstreams"))
    # Then the first change is numbered above every saved one
    assert int(records[-1]["dynamodb"]["SequenceNumber"]) > saved


def test_events_put_on_the_bus_reach_the_rules_queue_whole_with_paths_compiled_once(ddb: Any) -> None:
    import json

    import jsonpath_ng.ext

    # Given the declared bus, rule and target queue
    rule = resources.RULES[0]
    bus = next(b for b in resources.BUSES if b.key == rule.bus)
    queue = resources.queue(rule.target_queue)
    source = rule.event_pattern["source"][0]
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=queue.physical_name)["QueueUrl"]
    sqs.purge_queue(QueueUrl=url)
    # When events matching the rule are put, one after another
    for n in range(3):
        client("events").put_events(Entries=[{"EventBusName": bus.physical_name, "Source": source,
                                              "DetailType": "record.created", "Detail": json.dumps({"n": n})}])
    # Then each arrives whole on the rule's queue, and the rule's paths were compiled once for all of them
    bodies = []
    while len(bodies) < 3:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        assert got, bodies
        bodies.extend(json.loads(m["Body"]) for m in got)
    assert sorted(b["detail"]["n"] for b in bodies) == [0, 1, 2]
    assert all(b["source"] == source and b["detail-type"] == "record.created" for b in bodies)
    assert jsonpath_ng.ext.parse.cache_info().hits >= 2 * len(bodies)  # type: ignore[attr-defined]


def test_a_query_page_stops_at_1_mb_by_the_items_sizes_after_an_update(ddb: Any) -> None:
    # Given four items of 245 KB in one partition (980 KB: one page), read once (their sizes are known)
    for sk in "abcd":
        ddb.put_item(TableName=TABLE, Item=item("big", sk, blob="x" * 245_000))

    def page() -> list[str]:
        out = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={
            ":p": {"S": "big"}})
        return [i["sk"]["S"] for i in out["Items"]]

    assert page() == ["a", "b", "c", "d"]
    # When one grows in place by 25 KB (the page would pass 1 MB)
    ddb.update_item(TableName=TABLE, Key={"pk": {"S": "big"}, "sk": {"S": "a"}}, UpdateExpression="SET more = :m",
                    ExpressionAttributeValues={":m": {"S": "y" * 25_000}})
    # Then the page stops before the record that would pass the limit, as DynamoDB's 1 MB page does
    assert page() == ["a", "b", "c"]


def test_an_item_over_the_size_limit_is_refused_and_one_at_it_is_kept(ddb: Any) -> None:
    # Given the limit moto enforces (405,000 bytes: names and values), and the key's own bytes
    key = item("size", "k")
    base = sum(len(k) + len(v["S"]) for k, v in key.items()) + len("blob") + len("list") + len("m")
    # When one item sits exactly at it, its bytes spread over a string, a list and a map, and another passes it
    def sized(extra: int) -> dict[str, Any]:
        text = 405_000 - base - 2 - len("kk") - 2 + extra
        return {**key, "blob": {"S": "x" * text}, "list": {"L": [{"S": "a"}, {"N": "1"}]},
                "m": {"M": {"kk": {"S": "bb"}}}}

    ddb.put_item(TableName=TABLE, Item=sized(0))
    with pytest.raises(ClientError) as failure:
        ddb.put_item(TableName=TABLE, Item={**sized(1), "sk": {"S": "k2"}})
    # Then the first is stored whole and the second refused with DynamoDB's error
    assert ddb.get_item(TableName=TABLE, Key={"pk": key["pk"], "sk": key["sk"]})["Item"] == sized(0)
    assert failure.value.response["Error"]["Code"] == "ValidationException"
    assert "Item size has exceeded the maximum allowed size" in failure.value.response["Error"]["Message"]


EVERY_TYPE = {"n": {"N": "12.5"}, "flag": {"BOOL": False}, "none": {"NULL": True}, "ss": {"SS": ["a", "b"]},
              "ns": {"NS": ["1", "2.5"]}, "empty": {"L": []}, "nothing": {"M": {}},
              "m": {"M": {"l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"BOOL": True}}}]},
                          "part": {"M": {"s": {"S": "y"}}}}}}


def test_a_query_answers_every_value_type_as_written_and_apart_from_the_table(ddb: Any) -> None:
    # Given items with every non-binary value type, one of them with a binary value too
    ddb.put_item(TableName=TABLE, Item={**item("v", "1"), **EVERY_TYPE})
    ddb.put_item(TableName=TABLE, Item={**item("v", "2"), **EVERY_TYPE, "b": {"B": b"\x00\xff"}})
    query = {"TableName": TABLE, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "v"}}}
    # When the partition is queried plainly, with a filter, and with a projection
    plain = ddb.query(**query)["Items"]
    filtered = ddb.query(**{**query, "FilterExpression": "n > :low",
                            "ExpressionAttributeValues": {":p": {"S": "v"}, ":low": {"N": "1"}}})["Items"]
    projected = ddb.query(**query, ProjectionExpression="sk, m.part")["Items"]
    # Then every answer holds the items as written (binary as bytes), whichever way moto copied them
    written = [{**item("v", "1"), **EVERY_TYPE}, {**item("v", "2"), **EVERY_TYPE, "b": {"B": b"\x00\xff"}}]
    assert plain == filtered == written
    assert projected == [{"sk": {"S": s}, "m": {"M": {"part": EVERY_TYPE["m"]["M"]["part"]}}} for s in ("1", "2")]
    # And changing an answer, or updating an item in place, leaves the other untouched
    plain[0]["m"]["M"]["part"]["M"]["s"]["S"] = "changed"
    ddb.update_item(TableName=TABLE, Key={"pk": {"S": "v"}, "sk": {"S": "1"}},
                    UpdateExpression="SET m.part.s = :z", ExpressionAttributeValues={":z": {"S": "z"}})
    assert plain[1]["m"]["M"]["part"] == {"M": {"s": {"S": "y"}}}
    again = ddb.query(**query)["Items"]
    assert again[0]["m"]["M"]["part"] == {"M": {"s": {"S": "z"}}}
    assert again[1]["m"]["M"]["part"] == {"M": {"s": {"S": "y"}}}


def test_put_events_over_256_kb_is_refused_whole_as_eventbridge_refuses_it() -> None:
    # Given the local cloud's bus, and entries of 100 KB each
    with running_cloud():
        events = client("events")
        entry = {"Source": "lambdabase.test", "DetailType": "t", "EventBusName": resources.EVENT_BUS.physical_name,
                 "Detail": '{"x": "' + "a" * 100_000 + '"}'}
        # When two are sent together, Then they are accepted (about 200 KB)
        assert events.put_events(Entries=[entry, entry])["FailedEntryCount"] == 0
        # When three are (about 300 KB), Then the whole request is refused with EventBridge's error, none kept
        with pytest.raises(ClientError) as refused:
            events.put_events(Entries=[entry, entry, entry])
        assert refused.value.response["Error"]["Code"] == "ValidationException"
        assert "over the limit" in refused.value.response["Error"]["Message"]


def test_a_queue_hands_out_visible_messages_within_their_retention_period_only() -> None:
    with running_cloud():
        sqs = client("sqs")
        url = sqs.create_queue(QueueName="lb-retention", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        # Given three messages: one ready, one delayed, and one kept past the queue's retention period
        for body, delay in (("ready", 0), ("delayed", 900), ("expired", 0)):
            sqs.send_message(QueueUrl=url, MessageBody=body, DelaySeconds=delay)
        from moto.sqs.models import sqs_backends

        queue = next(iter(sqs_backends.values()))["us-east-1"].queues["lb-retention"]
        expired = next(m for m in queue._messages if m.body == "expired")
        expired.sent_timestamp -= 61_000
        # When the queue is received from
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        # Then only the ready message comes, and the delayed one is counted as delayed
        assert [m["Body"] for m in got] == ["ready"]
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert counts["ApproximateNumberOfMessagesDelayed"] == "1"
