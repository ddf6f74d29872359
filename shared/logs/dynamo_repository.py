"""`DynamoLogRepository`: the logs table on DynamoDB, the only module that speaks DynamoDB for logs.

Item: `pk` `log#<YYYYMMDD>#<shard>`, `sk` the log id, `level` (N), `message` (S), `data` (S, the JSON text:
stored as written, read back without DynamoDB's number conversion), `ttl` (N, epoch seconds). The truncation
mark of `DELETE /api/logs` is one item, `pk` `meta`, `sk` `truncated`, `before` (N, epoch ms).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from shared import resources, settings
from shared.aws import client
from shared.dynamo_batch import UnprocessedItemsError, batch_write
from shared.logs.model import LogEntry, id_epoch_ms
from shared.logs.repository import (
    WRITE_SHARDS,
    StoredLog,
    day_of,
    days_between,
    merge_by_id,
    partition_key,
    shard_of,
    sort_key_bounds,
)
from shared.tools.env_settings import EnvSettings

META_KEY = {"pk": {"S": "meta"}, "sk": {"S": "truncated"}}


class LogsTable(EnvSettings):
    """The logs table's physical name: CDK passes it as LB_LOGS_TABLE, the local stack uses the default."""


    logs_table: str = resources.LOGS_TABLE.physical_name


class LogWriteError(Exception):
    """Logs stayed unprocessed after every retry: the batch fails, so that its delivery is retried."""


class DynamoLogRepository:
    def __init__(self, table: str, sleep: Callable[[float], None] = time.sleep) -> None:
        self.table = table
        self.sleep = sleep

    def put_many(self, logs: Sequence[StoredLog]) -> None:
        # One log id once per batch: BatchWriteItem refuses a batch naming a key twice (a line delivered twice).
        unique = {stored.entry.id: stored for stored in logs}
        self._write([{"PutRequest": {"Item": _item(stored)}} for stored in unique.values()])

    def delete_many(self, log_ids: Sequence[str]) -> None:
        keys = [_key(log_id) for log_id in dict.fromkeys(log_ids)]
        self._write([{"DeleteRequest": {"Key": key}} for key in keys if key is not None])

    def _write(self, requests: list[dict[str, Any]]) -> None:
        try:
            batch_write(self.table, requests, sleep=self.sleep)
        except UnprocessedItemsError as exc:
            raise LogWriteError(str(exc)) from exc

    def get(self, log_id: str) -> LogEntry | None:
        key = _key(log_id)
        if key is None:
            return None
        item = client("dynamodb").get_item(TableName=self.table, Key=key).get("Item")
        return _entry(item) if item else None

    def scan(self, start_ms: int, end_ms: int, newest_first: bool) -> Iterator[LogEntry]:
        low, high = sort_key_bounds(start_ms, end_ms)
        for day in days_between(start_ms, end_ms, newest_first):
            shards = [self._query(partition_key(day, shard), low, high, newest_first)
                      for shard in range(WRITE_SHARDS)]
            yield from merge_by_id(shards, newest_first)

    def _query(self, pk: str, low: str, high: str, newest_first: bool) -> Iterator[LogEntry]:
        """One partition's logs in the id range, read a page at a time as the caller consumes them."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":low": {"S": low}, ":high": {"S": high}},
            "ScanIndexForward": not newest_first,
        }
        ddb = client("dynamodb")
        while True:
            page = ddb.query(**request)
            for item in page.get("Items", []):
                yield _entry(item)
            last = page.get("LastEvaluatedKey")
            if not last:
                return
            request["ExclusiveStartKey"] = last

    def truncated_before(self) -> int:
        item = client("dynamodb").get_item(TableName=self.table, Key=META_KEY).get("Item")
        return int(item["before"]["N"]) if item else 0

    def truncate(self, before_ms: int) -> None:
        # Conditional, so that a mark is never moved back by a slower, earlier truncation.
        ddb = client("dynamodb")
        with contextlib.suppress(ddb.exceptions.ConditionalCheckFailedException):
            ddb.put_item(TableName=self.table, Item={**META_KEY, "before": {"N": str(before_ms)}},
                         ConditionExpression="attribute_not_exists(#b) OR #b < :b",
                         ExpressionAttributeNames={"#b": "before"},
                         ExpressionAttributeValues={":b": {"N": str(before_ms)}})


def _key(log_id: str) -> dict[str, Any] | None:
    created = id_epoch_ms(log_id)
    if created is None:
        return None
    return {"pk": {"S": partition_key(day_of(created), shard_of(log_id))}, "sk": {"S": log_id}}


def _item(stored: StoredLog) -> dict[str, Any]:
    entry = stored.entry
    return {
        "pk": {"S": partition_key(day_of(entry.created_ms), shard_of(entry.id))},
        "sk": {"S": entry.id},
        "level": {"N": str(entry.level)},
        "message": {"S": entry.message},
        "data": {"S": json.dumps(entry.data, separators=(",", ":"), ensure_ascii=False)},
        "ttl": {"N": str(stored.expires_at)},
    }


def _entry(item: dict[str, Any]) -> LogEntry:
    log_id = item["sk"]["S"]
    return LogEntry(id=log_id, created_ms=id_epoch_ms(log_id) or 0, level=int(item["level"]["N"]),
                    message=item["message"]["S"], data=json.loads(item["data"]["S"]))


def log_repository() -> DynamoLogRepository:
    """The repository of this function's logs table."""
    return DynamoLogRepository(settings.load(LogsTable).logs_table)
