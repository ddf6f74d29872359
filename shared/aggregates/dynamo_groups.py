"""Maintained aggregate groups on DynamoDB.

- group (records table): `pk = agg#<collection>#<generation>`, `sk = <key text>` (its digest past
  MAX_KEY_BYTES), `k` the key text, `n` and `sum_<field id>` numbers, `s<k>` write-shard marks. One Query of the
  partition reads every group. The records stream ignores the items (not `r#` keys).
- marker (records table, only while an aggregate builds): `pk = aggm#<collection>#<generation>`, `sk = <record
  id>`, `c` the contribution JSON, `v` or `q` (scan version, stream sequence), `w` the write token; the build
  job deletes them once no consumer can still be building (shared/jobs/aggregate_build.py).
Both kinds of a generation no longer declared are deleted by the same job.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared import aws
from shared.aggregates.groups import (
    CountedRecord,
    GroupStorageError,
    GroupStore,
    KeyText,
    Sums,
    group_sort_key,
    split_partition,
)
from shared.changes.dynamo_accumulators import DynamoAccumulatorStore, number_attribute
from shared.changes.exactly_once import padded_mark
from shared.dynamo_batch import UnprocessedItemsError, backoff, batch_write
from shared.records.model import ReadMeter

GROUP_PREFIX = "agg#"
MARKER_PREFIX = "aggm#"
TRANSACTION_ATTEMPTS = 6
# another transaction on one of its items, or throttling: retried with backoff
_RETRIED = ("TransactionConflictException", "ProvisionedThroughputExceededException", "ThrottlingException")


def _group_key(collection_id: str, generation: str, key: KeyText) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"{GROUP_PREFIX}{collection_id}#{generation}"}, "sk": {"S": group_sort_key(key)}}


class DynamoGroupStore(DynamoAccumulatorStore, GroupStore):
    def __init__(self, records_table: str) -> None:
        super().__init__(records_table)

    @staticmethod
    def _key(partition: str) -> dict[str, dict[str, str]]:
        return _group_key(*split_partition(partition))

    def _fixed(self, partition: str) -> dict[str, dict[str, str]]:
        return {"k": {"S": split_partition(partition)[2]}}

    def replace(self, partition: str, read: Any, sums: dict[str, float]) -> bool:
        return GroupStore.replace(self, partition, read, sums)

    def _marker_key(self, collection_id: str, generation: str, record_id: str) -> dict[str, dict[str, str]]:
        return {"pk": {"S": f"{MARKER_PREFIX}{collection_id}#{generation}"}, "sk": {"S": record_id}}

    def marker(self, collection_id: str, generation: str, record_id: str) -> CountedRecord | None:
        try:
            item = aws.client("dynamodb").get_item(TableName=self.table, ConsistentRead=True,
                                                   Key=self._marker_key(collection_id, generation, record_id))
        except (ClientError, BotoCoreError) as exc:
            raise GroupStorageError(str(exc)) from exc
        found = item.get("Item")
        if not found:
            return None
        return CountedRecord(contribution=json.loads(found["c"]["S"]), token=found["w"]["S"],
                             version=int(found["v"]["N"]) if "v" in found else None,
                             sequence=int(found["q"]["S"]) if "q" in found else None)

    def count_record(self, collection_id: str, generation: str, record_id: str, expected: CountedRecord | None,
                     marker: CountedRecord, deltas: dict[KeyText, Sums], mark: tuple[int, int] | None) -> bool:
        item: dict[str, Any] = {**self._marker_key(collection_id, generation, record_id),
                                "c": {"S": json.dumps(marker.contribution, separators=(",", ":"))},
                                "w": {"S": marker.token}}
        if marker.version is not None:
            item["v"] = {"N": str(marker.version)}
        if marker.sequence is not None:
            item["q"] = {"S": padded_mark(marker.sequence)}
        put: dict[str, Any] = {"TableName": self.table, "Item": item}
        if expected is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put.update(ConditionExpression="w = :w", ExpressionAttributeValues={":w": {"S": expected.token}})
        actions: list[dict[str, Any]] = [{"Put": put}]
        for key, sums in deltas.items():
            actions.append({"Update": self._group_update(collection_id, generation, key, sums, mark)})
        ddb = aws.client("dynamodb")
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                ddb.transact_write_items(TransactItems=actions)
                return True
            except ClientError as exc:
                codes = [r.get("Code") for r in exc.response.get("CancellationReasons") or []]
                if codes and codes[0] == "ConditionalCheckFailed":
                    return False  # the marker changed since it was read
                if "ConditionalCheckFailed" in codes[1:]:
                    return True  # a group's mark covers this change: applied before, in ready mode
                if "TransactionConflict" not in codes and exc.response["Error"]["Code"] not in _RETRIED:
                    raise GroupStorageError(str(exc)) from exc
                backoff(attempt)
            except BotoCoreError as exc:
                raise GroupStorageError(str(exc)) from exc
        raise GroupStorageError(f"marker {record_id} kept conflicting")

    def _group_update(self, collection_id: str, generation: str, key: KeyText, sums: Sums,
                      mark: tuple[int, int] | None) -> dict[str, Any]:
        names = {"#k": "k"}
        values: dict[str, Any] = {":k": {"S": key}, ":zero": {"N": "0"}}
        sets = ["#k = :k"]
        for i, (name, amount) in enumerate(sorted(sums.items())):
            names[f"#v{i}"], values[f":v{i}"] = name, number_attribute(amount)
            sets.append(f"#v{i} = if_not_exists(#v{i}, :zero) + :v{i}")
        update: dict[str, Any] = {"TableName": self.table, "Key": _group_key(collection_id, generation, key)}
        if mark is not None:
            shard, sequence = mark
            names["#s"], values[":q"] = f"s{shard}", {"S": padded_mark(sequence)}
            sets.append("#s = :q")
            update["ConditionExpression"] = "attribute_not_exists(#s) OR #s < :q"
        update.update(UpdateExpression="SET " + ", ".join(sets), ExpressionAttributeNames=names,
                      ExpressionAttributeValues=values)
        return update

    def groups(self, collection_id: str, generation: str, meter: ReadMeter) -> Iterator[tuple[KeyText, Sums]]:
        pk = f"{GROUP_PREFIX}{collection_id}#{generation}"
        paginator = aws.client("dynamodb").get_paginator("query")
        try:
            for page in paginator.paginate(TableName=self.table, KeyConditionExpression="pk = :pk",
                                           ExpressionAttributeValues={":pk": {"S": pk}}):
                items = page.get("Items", [])
                meter.add(len(items))
                for item in items:
                    yield item["k"]["S"], {name: float(v["N"]) for name, v in item.items() if "N" in v}
        except (ClientError, BotoCoreError) as exc:
            raise GroupStorageError(str(exc)) from exc

    def delete_items(self, collection_id: str, generation: str, *, groups: bool, limit: int) -> int:
        prefixes = [MARKER_PREFIX, GROUP_PREFIX] if groups else [MARKER_PREFIX]
        ddb = aws.client("dynamodb")
        requests: list[dict[str, Any]] = []
        try:
            for prefix in prefixes:
                page = ddb.query(TableName=self.table, KeyConditionExpression="pk = :pk", Limit=limit - len(requests),
                                 ProjectionExpression="pk, sk",
                                 ExpressionAttributeValues={":pk": {"S": f"{prefix}{collection_id}#{generation}"}})
                requests += [{"DeleteRequest": {"Key": item}} for item in page.get("Items", [])]
                if len(requests) >= limit:
                    break
            batch_write(self.table, requests)
        except (ClientError, BotoCoreError, UnprocessedItemsError) as exc:
            raise GroupStorageError(str(exc)) from exc
        return len(requests)
