"""The capacity meter of tests and benchmarks prices requests by AWS's rules, on moto with the records table."""

from __future__ import annotations

import contextlib
from typing import Any

from local import cloud
from shared import resources
from shared.aws import client
from tests.support.capacity import CapacityMeter, item_size

TABLE = resources.RECORDS_TABLE.physical_name


def _item(pk: str, payload_bytes: int, **extra: str) -> dict[str, Any]:
    item = {"pk": {"S": pk}, "sk": {"S": "s"}, "d": {"S": "x" * payload_bytes}}
    item.update({k: {"S": v} for k, v in extra.items()})
    return item


def test_item_size_counts_names_and_values() -> None:
    # Given an item with a string, a number, a bool and a nested map, Then its size follows AWS's rules
    item = {"pk": {"S": "abc"}, "n": {"N": "12345"}, "b": {"BOOL": True}, "m": {"M": {"k": {"S": "vv"}}}}
    assert item_size(item) == (2 + 3) + (1 + 4) + (1 + 1) + (1 + 3 + 1 + 1 + 2)


def test_writes_are_priced_by_size_transactions_and_indexes(moto: cloud.MotoCloud) -> None:
    ddb = client("dynamodb")
    meter = CapacityMeter()
    with meter.attached(ddb):
        # When a 500-byte item without index keys is put, Then it costs 1 WCU
        ddb.put_item(TableName=TABLE, Item=_item("a", 500))
        assert (meter.total.wcu, meter.total.wcu_by["gsi"]) == (1, 0)
        # When a 1,500-byte item is put, Then 2 WCU
        ddb.put_item(TableName=TABLE, Item=_item("b", 1500))
        assert meter.total.wcu == 3
        # When two small items are written in one transaction, Then 2 WCU each
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": _item(p, 10)}}
                                                for p in ("c", "d")])
        assert meter.total.wcu == 7
        # When an item carrying one GSI's keys is put, Then the index entry is one more write
        ddb.put_item(TableName=TABLE, Item=_item("e", 10, gsi1pk="p1", gsi1sk="s"))
        assert (meter.total.wcu, meter.total.wcu_by["gsi"]) == (9, 1)
        # When its index key changes, Then the entry is deleted and put again: 2 index writes
        ddb.update_item(TableName=TABLE, Key={"pk": {"S": "e"}, "sk": {"S": "s"}},
                        UpdateExpression="SET gsi1pk = :p", ExpressionAttributeValues={":p": {"S": "p2"}})
        assert (meter.total.wcu, meter.total.wcu_by["gsi"]) == (12, 3)
        # When a failed condition refuses a write, Then the write is still paid, its index is not touched
        with contextlib.suppress(ddb.exceptions.ConditionalCheckFailedException):
            ddb.put_item(TableName=TABLE, Item=_item("e", 10), ConditionExpression="attribute_not_exists(pk)")
        assert (meter.total.wcu, meter.total.wcu_by["gsi"]) == (13, 3)


def test_reads_are_priced_in_4kb_units_half_for_eventual_consistency(moto: cloud.MotoCloud) -> None:
    ddb = client("dynamodb")
    # Given a 5 KB item and ten 1 KB items in one partition
    ddb.put_item(TableName=TABLE, Item=_item("big", 5000))
    for i in range(10):
        ddb.put_item(TableName=TABLE, Item={**_item("q", 1000), "sk": {"S": f"s{i}"}})
    meter = CapacityMeter()
    with meter.attached(ddb):
        # When the big item is read consistently and then eventually, even with a projection
        ddb.get_item(TableName=TABLE, Key={"pk": {"S": "big"}, "sk": {"S": "s"}}, ConsistentRead=True)
        ddb.get_item(TableName=TABLE, Key={"pk": {"S": "big"}, "sk": {"S": "s"}}, ProjectionExpression="pk")
        # Then 2 RCU and 1 RCU
        assert meter.total.rcu == 3
        # When the partition is queried consistently with a filter that keeps nothing
        ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", FilterExpression="sk = :none",
                  ExpressionAttributeValues={":p": {"S": "q"}, ":none": {"S": "zz"}}, ConsistentRead=True)
        # Then every item evaluated is paid for: about 10 KB, 3 RCU
        assert meter.total.rcu == 6


def test_an_update_of_a_non_key_attribute_rewrites_only_indexes_that_project_it(moto: cloud.MotoCloud) -> None:
    ddb = client("dynamodb")
    # Given an item in one GSI (the table declares its GSIs keys-only)
    ddb.put_item(TableName=TABLE, Item=_item("p", 10, gsi1pk="p1", gsi1sk="s"))
    projected_all, keys_only = CapacityMeter(projection="ALL"), CapacityMeter(projection="KEYS_ONLY")
    as_declared = CapacityMeter()
    with projected_all.attached(ddb), keys_only.attached(ddb), as_declared.attached(ddb):
        # When an attribute outside the index keys changes
        ddb.update_item(TableName=TABLE, Key={"pk": {"S": "p"}, "sk": {"S": "s"}},
                        UpdateExpression="SET d = :d", ExpressionAttributeValues={":d": {"S": "changed"}})
    # Then the index entry is rewritten only where it projects that attribute
    assert (projected_all.total.wcu, projected_all.total.wcu_by["gsi"]) == (2, 1)
    assert (keys_only.total.wcu, keys_only.total.wcu_by["gsi"]) == (1, 0)
    assert as_declared.total.wcu == (2 if resources.RECORDS_TABLE.indexes[0].projection == "ALL" else 1)
