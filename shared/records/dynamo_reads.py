"""A collection's write shards read on DynamoDB in parallel waves: the storage side of shard_merge's rounds.

One wave is one Query per shard asked, sent at once from a small thread pool (boto3 clients are thread-safe),
and metered as one round trip. A read past `after` up to `bound` is `sk BETWEEN after AND bound` resuming
from `after` as the ExclusiveStartKey (DynamoDB wants the start key inside the key condition's range), so
nothing past the bound is read and `after` itself is not read again.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from shared import concurrent_calls
from shared.dynamo_values import from_attribute
from shared.records import keys
from shared.records.dynamo_expressions import filter_expression
from shared.records.model import ReadMeter, StoredRecord
from shared.records.planner import Comparison
from shared.records.shard_merge import ShardAnswer, ShardRead, Wave, within_budget

MAX_QUERY_PAGE = 1000


def item_to_record(item: dict[str, Any]) -> StoredRecord:
    return StoredRecord(collection_id=item["c"]["S"], id=item["sk"]["S"],
                        data=from_attribute(item["d"]) if "d" in item else {}, version=int(item["v"]["N"]))


class ShardRecord(StoredRecord):
    """A record as a shard read returned it, its values converted from the item on first use: a page's merge
    reads about a third more records than it returns (each shard's answer runs past the page's end), and for
    those only the id is ever read."""

    def __init__(self, item: dict[str, Any]) -> None:
        self.collection_id = item["c"]["S"]
        self.id = item["sk"]["S"]
        self.version = int(item["v"]["N"])
        self._item: dict[str, Any] | None = item
        self._data: dict[str, Any] = {}

    @property
    def data(self) -> dict[str, Any]:
        if self._item is not None:
            item, self._item = self._item, None
            self._data = from_attribute(item["d"]) if "d" in item else {}
        return self._data

    @data.setter
    def data(self, value: dict[str, Any]) -> None:
        self._item, self._data = None, value

    def __eq__(self, other: object) -> bool:
        # a StoredRecord's dataclass equality asks for the same class: a record is the same whichever way read
        if not isinstance(other, StoredRecord):
            return NotImplemented
        return (self.collection_id, self.id, self.data, self.version) == \
            (other.collection_id, other.id, other.data, other.version)

    __hash__ = None  # type: ignore[assignment]  # as the dataclass's (eq without frozen)


@cache
def _pool() -> ThreadPoolExecutor:
    # A thread per shard of the largest count (the caller's thread sends one read itself); created on the first
    # list, not at import (cold starts stay cheap).
    return ThreadPoolExecutor(max_workers=keys.MAX_SHARDS, thread_name_prefix="shard-read")


def shard_query(table: str, collection_id: str, read: ShardRead, *, forward: bool,
                pushdown: tuple[Comparison, ...]) -> dict[str, Any]:
    """The Query parameters of one shard read."""
    names = {"#pk": "pk"}
    values: dict[str, Any] = {":pk": {"S": keys.record_pk(collection_id, read.shard)}}
    condition = "#pk = :pk"
    kwargs: dict[str, Any] = {"TableName": table, "ScanIndexForward": forward, "ConsistentRead": True,
                              "Limit": max(1, min(MAX_QUERY_PAGE, read.limit))}
    if read.after is not None and read.bound is not None:
        low, high = (read.after, read.bound) if forward else (read.bound, read.after)
        condition += " AND #sk BETWEEN :lo AND :hi"
        values.update({":lo": {"S": low}, ":hi": {"S": high}})
        kwargs["ExclusiveStartKey"] = {"pk": values[":pk"], "sk": {"S": read.after}}
    elif read.after is not None:
        condition += f" AND #sk {'>' if forward else '<'} :after"
        values[":after"] = {"S": read.after}
    elif read.bound is not None:
        condition += f" AND #sk {'<=' if forward else '>='} :bound"
        values[":bound"] = {"S": read.bound}
    if "#sk" in condition:
        names["#sk"] = "sk"
    filtered = filter_expression(pushdown)
    if filtered:
        kwargs["FilterExpression"] = filtered[0]
        names.update(filtered[1])
        values.update(filtered[2])
    kwargs.update(KeyConditionExpression=condition, ExpressionAttributeNames=names,
                  ExpressionAttributeValues=values)
    return kwargs


def _answer(read: ShardRead, out: dict[str, Any]) -> ShardAnswer:
    records: list[StoredRecord] = [ShardRecord(i) for i in out.get("Items", [])]
    scanned = int(out.get("ScannedCount", len(records)))
    last = out.get("LastEvaluatedKey")
    if last:
        return ShardAnswer(records, last["sk"]["S"], False, scanned)
    if read.bound is not None:
        return ShardAnswer(records, read.bound, True, scanned)
    return ShardAnswer(records, records[-1].id if records else read.after, True, scanned)


def shard_wave(ddb: Any, table: str, collection_id: str, meter: ReadMeter, *, forward: bool,
               pushdown: tuple[Comparison, ...] = ()) -> Wave:
    """A Wave over one collection's shards on DynamoDB (`ddb` a boto3 client): every read of a wave sent at
    once."""

    def run(reads: list[ShardRead]) -> list[ShardAnswer]:
        if not reads:
            return []
        reads = within_budget(reads, meter)
        params = [shard_query(table, collection_id, r, forward=forward, pushdown=pushdown) for r in reads]
        # The caller's thread sends the first read itself while the pool sends the rest: one hand-off fewer
        # a wave, and no idle thread waiting on the others
        rest = [concurrent_calls.submit(_pool, ddb.query, **kw) for kw in params[1:]]
        outs = [ddb.query(**params[0]), *(f.result() for f in rest)]
        answers = [_answer(r, o) for r, o in zip(reads, outs, strict=True)]
        meter.add(sum(a.items_read for a in answers), requests=len(reads), round_trips=1)
        return answers

    return run
