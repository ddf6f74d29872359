"""`DynamoLogRepository`: the logs table on DynamoDB, the only module that speaks DynamoDB for logs.

Item: `pk` `log#<YYYYMMDD>#<shard>`, `sk` the log id, `level` (N), `message` (S), `data` (S, the JSON text:
stored as written, read back without DynamoDB's number conversion), `ttl` (N, epoch seconds). The truncation
mark of `DELETE /api/logs` is one item, `pk` `meta`, `sk` `truncated`, `before` (N, epoch ms); the same item
keeps the counts of closed days, `d<YYYYMMDD>` (M: `n` the count, `at` when counted, epoch ms), and `late` (N),
how many deliveries brought logs of a day already over.

Counting: an unfiltered total is the sum of its days' counts. A day wholly inside the window and over for
`SETTLE_MS` has had its logs delivered, so its count, once counted (a COUNT query per shard), is kept on the meta
item and read with it. A log that still comes for a past day (a delivery retried for hours, a redrive) drops
that day's kept count and adds to `late` once its batch is stored; a count is kept only if `late` has not moved
since the meta item was read before counting, so a count that missed a late log is never kept. A day that this
repository's scan read to its end, for the same window, is counted from that read instead of by COUNT queries:
a list that reads its page first counts nothing more on a window holding fewer logs than the page. A kept count is
used for `COUNT_KEPT_MS`, then counted again: TTL removes a log with the expiry of the `logs.maxDays` it was
written under, so after that setting was raised a day inside the window can still lose logs.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import msgspec

from shared import runtime_resources, settings
from shared.aws import client
from shared.dynamo_batch import UnprocessedItemsError, batch_write
from shared.logs.model import LogEntry, id_epoch_ms
from shared.logs.repository import (
    DAY_MS,
    WRITE_SHARDS,
    StoredLog,
    day_of,
    day_start_ms,
    days_between,
    merge_by_id,
    partition_key,
    shard_of,
    sort_key_bounds,
    utc_now_ms,
)
from shared.tools.env_settings import EnvSettings

META_KEY = {"pk": {"S": "meta"}, "sk": {"S": "truncated"}}
# How long after its end a day counts as over: CloudWatch Logs delivers within seconds, and a log later than this
# drops the kept count of its day (see the module docstring).
SETTLE_MS = 15 * 60_000
# How long a kept day count is used before it is counted again (see the module docstring).
COUNT_KEPT_MS = 3_600_000
_DAY_COUNT_PREFIX = "d"


class _Meta(msgspec.Struct, frozen=True):
    """The meta item: the truncation mark, the kept day counts (day: (count, counted at)), and `late`."""

    truncated_before: int
    days: dict[str, tuple[int, int]]
    late: int


class LogsTable(EnvSettings):
    """The logs table's physical name: CDK passes it as LB_LOGS_TABLE, the local stack uses the default."""


    logs_table: str = runtime_resources.LOGS_TABLE.physical_name


class LogWriteError(Exception):
    """Logs stayed unprocessed after every retry: the batch fails, so that its delivery is retried."""


class DynamoLogRepository:
    """The logs table. The meta item is read once per repository, which a request builds for itself."""

    def __init__(self, table: str, sleep: Callable[[float], None] = time.sleep,
                 now_ms: Callable[[], int] = utc_now_ms) -> None:
        self.table = table
        self.sleep = sleep
        self.now_ms = now_ms
        self._meta_read: _Meta | None = None
        # (day, window start, window end) -> logs of the day in that window, for each day a scan read to its end
        self._read_whole: dict[tuple[str, int, int], int] = {}

    def put_many(self, logs: Sequence[StoredLog]) -> None:
        # One log id once per batch: BatchWriteItem refuses a batch naming a key twice (a line delivered twice).
        unique = {stored.entry.id: stored for stored in logs}
        self._write([{"PutRequest": {"Item": _item(stored)}} for stored in unique.values()])
        today = day_of(self.now_ms())
        past = sorted({day for day in (day_of(s.entry.created_ms) for s in unique.values()) if day < today})
        if past:
            # After the logs are written, never before: a count made in between then misses them, and this
            # moves `late` under it, so that it is not kept.
            names = {f"#d{n}": _DAY_COUNT_PREFIX + day for n, day in enumerate(past)}
            client("dynamodb").update_item(
                TableName=self.table, Key=META_KEY, UpdateExpression="ADD late :one REMOVE " + ", ".join(names),
                ExpressionAttributeNames=names, ExpressionAttributeValues={":one": {"N": "1"}})
            self._meta_read = None

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
            if self._kept_count(day) == 0:
                continue  # a day over that holds no log
            shards = [self._query(partition_key(day, shard), low, high, newest_first)
                      for shard in range(WRITE_SHARDS)]
            found = 0
            for entry in merge_by_id(shards, newest_first):
                found += 1
                yield entry
            # reached only when the caller asked for more after the day's last log: the day was read whole,
            # and a count of this window takes its logs from here rather than querying it again
            self._read_whole[(day, start_ms, end_ms)] = found

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
        return self._meta().truncated_before

    def _meta(self) -> _Meta:
        if self._meta_read is None:
            item = client("dynamodb").get_item(TableName=self.table, Key=META_KEY, ConsistentRead=True).get("Item")
            item = item or {}
            days = {name[1:]: (int(value["M"]["n"]["N"]), int(value["M"]["at"]["N"])) for name, value in item.items()
                    if name.startswith(_DAY_COUNT_PREFIX) and "M" in value}
            self._meta_read = _Meta(int(item["before"]["N"]) if "before" in item else 0, days,
                                    int(item["late"]["N"]) if "late" in item else 0)
        return self._meta_read

    def count(self, start_ms: int, end_ms: int, now_ms: int, budget: int) -> int | None:
        meta = self._meta()
        total = read = 0
        counted: dict[str, int] = {}
        for day in days_between(start_ms, end_ms, newest_first=False):
            first = day_start_ms(day)
            last = first + DAY_MS - 1
            over = start_ms <= first and last <= end_ms and last + SETTLE_MS <= now_ms
            kept = self._kept_count(day, now_ms) if over else None
            if kept is not None:
                total += kept
                continue
            in_day = self._read_whole.get((day, start_ms, end_ms))
            if in_day is None:
                in_day = 0
                low, high = sort_key_bounds(max(start_ms, first), min(end_ms, last))
                for shard in range(WRITE_SHARDS):
                    found = self._count_partition(partition_key(day, shard), low, high, budget - read - in_day)
                    if found is None:
                        return None
                    in_day += found
            read += in_day
            total += in_day
            if over:
                counted[day] = in_day
        if counted:
            self._keep_counts(counted, meta, now_ms, start_ms)
        return total

    def _kept_count(self, day: str, now_ms: int | None = None) -> int | None:
        """The kept count of a day over, while it may be used; None when there is none."""
        kept = self._meta().days.get(day)
        if kept is None or (now_ms if now_ms is not None else self.now_ms()) - kept[1] >= COUNT_KEPT_MS:
            return None
        return kept[0]

    def _count_partition(self, pk: str, low: str, high: str, budget: int) -> int | None:
        request: dict[str, Any] = {
            "TableName": self.table, "Select": "COUNT",
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":low": {"S": low}, ":high": {"S": high}},
        }
        ddb = client("dynamodb")
        found = 0
        while True:
            page = ddb.query(**request)
            found += int(page.get("Count", 0))
            if found > budget:
                return None
            last = page.get("LastEvaluatedKey")
            if not last:
                return found
            request["ExclusiveStartKey"] = last

    def _keep_counts(self, counted: dict[str, int], meta: _Meta, now_ms: int, start_ms: int) -> None:
        """Keep the counts of days over, unless a late log has come since the meta item was read; drop the kept
        counts of days before the window."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        sets = []
        for n, (day, found) in enumerate(sorted(counted.items())):
            names[f"#d{n}"] = _DAY_COUNT_PREFIX + day
            values[f":d{n}"] = {"M": {"n": {"N": str(found)}, "at": {"N": str(now_ms)}}}
            sets.append(f"#d{n} = :d{n}")
        gone = [day for day in meta.days if day < day_of(start_ms)]
        for n, day in enumerate(gone):
            names[f"#g{n}"] = _DAY_COUNT_PREFIX + day
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(f"#g{n}" for n in range(len(gone))) if gone else "")
        if meta.late:
            condition = "late = :late"
            values[":late"] = {"N": str(meta.late)}
        else:
            condition = "attribute_not_exists(late)"
        # This request's own reads may use them (they are what it counted), whether or not they are kept.
        days = {**meta.days, **{day: (found, now_ms) for day, found in counted.items()}}
        self._meta_read = msgspec.structs.replace(meta, days=days)
        ddb = client("dynamodb")
        # a late log came while counting: the counts may have missed it, and the next request counts again
        with contextlib.suppress(ddb.exceptions.ConditionalCheckFailedException):
            ddb.update_item(TableName=self.table, Key=META_KEY, UpdateExpression=update,
                            ConditionExpression=condition, ExpressionAttributeNames=names,
                            ExpressionAttributeValues=values)

    def truncate(self, before_ms: int) -> None:
        # Conditional, so that a mark is never moved back by a slower, earlier truncation. The item is replaced
        # whole: the kept counts go with it (every day they counted is now before the window).
        self._meta_read = None
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
