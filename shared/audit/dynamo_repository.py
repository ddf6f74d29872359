"""`DynamoAuditRepository`: the audit table on DynamoDB, the only module that speaks DynamoDB for the audit log.

Item: `pk` `audit#<YYYYMM>#<shard>`, `sk` the entry id, `gsi1pk` `rec#<record id>`, `gsi1sk` the zero-padded
stream sequence number, `doc` (S: the entry's JSON, read back as written), `ttl` (N, epoch seconds).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from shared import runtime_resources, settings
from shared.audit.model import AuditEntry, id_epoch_ms, id_time_prefix
from shared.audit.repository import (
    SEQUENCE_DIGITS,
    WRITE_SHARDS,
    AuditRepository,
    history_key,
    merge_by_id,
    month_of,
    months_between,
    partition_key,
    shard_of,
)
from shared.aws import client
from shared.dynamo_batch import MAX_WRITE_ATTEMPTS, UnprocessedItemsError, backoff, batch_write
from shared.storage_errors import unavailable_as_503
from shared.tools.env_settings import EnvSettings

BATCH_GET_MAX = 100


class AuditTable(EnvSettings):
    """The audit table's physical name: CDK passes it as LB_AUDIT_TABLE, the local stack uses the default."""


    audit_table: str = runtime_resources.AUDIT_TABLE.physical_name


def audit_item(entry: AuditEntry, expires_at: int) -> dict[str, Any]:
    """The DynamoDB item of one entry (public for the write-cost benchmark)."""
    return {
        "pk": {"S": partition_key(month_of(entry.created_ms), shard_of(entry.id))},
        "sk": {"S": entry.id},
        "gsi1pk": {"S": history_key(entry.record)},
        "gsi1sk": {"S": entry.sequence.zfill(SEQUENCE_DIGITS) + "#" + entry.id},
        "doc": {"S": entry.model_dump_json(by_alias=True)},
        "ttl": {"N": str(expires_at)},
    }


def _entry(item: dict[str, Any]) -> AuditEntry:
    return AuditEntry.model_validate_json(item["doc"]["S"])


class DynamoAuditRepository(AuditRepository):
    def __init__(self, table: str, sleep: Callable[[float], None] = time.sleep) -> None:
        self.table = table
        self.sleep = sleep

    def append(self, entries: list[AuditEntry], expires_at: int) -> None:
        # One id once per call: BatchWriteItem refuses a batch naming a key twice (a redelivered stream record).
        unique = {entry.id: entry for entry in entries}
        batch_write(self.table, [{"PutRequest": {"Item": audit_item(e, expires_at)}} for e in unique.values()],
                    sleep=self.sleep)

    def get(self, audit_id: str) -> AuditEntry | None:
        created = id_epoch_ms(audit_id)
        if created is None:
            return None
        key = {"pk": {"S": partition_key(month_of(created), shard_of(audit_id))}, "sk": {"S": audit_id}}
        with unavailable_as_503():
            item = client("dynamodb").get_item(TableName=self.table, Key=key).get("Item")
        return _entry(item) if item else None

    def _pages(self, params: dict[str, Any]) -> Iterator[AuditEntry]:
        ddb = client("dynamodb")
        while True:
            with unavailable_as_503():
                out = ddb.query(**params)
            yield from (_entry(item) for item in out.get("Items", []))
            if "LastEvaluatedKey" not in out:
                return
            params = {**params, "ExclusiveStartKey": out["LastEvaluatedKey"]}

    def _shard(self, pk: str, low: str, high: str, newest_first: bool) -> Iterator[AuditEntry]:
        return self._pages({"TableName": self.table, "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
                            "ExpressionAttributeValues": {":pk": {"S": pk}, ":lo": {"S": low}, ":hi": {"S": high}},
                            "ScanIndexForward": not newest_first, "Limit": 200})

    def scan(self, start_ms: int, end_ms: int, newest_first: bool) -> Iterator[AuditEntry]:
        low, high = id_time_prefix(start_ms), id_time_prefix(end_ms) + "~"
        for month in months_between(start_ms, end_ms, newest_first):
            yield from merge_by_id((self._shard(partition_key(month, k), low, high, newest_first)
                                    for k in range(WRITE_SHARDS)), newest_first)

    def history(self, record_id: str, newest_first: bool) -> Iterator[AuditEntry]:
        """gsi1 holds keys only: each page of keys is read back whole with one BatchGetItem, in the page's order."""
        ddb = client("dynamodb")
        params: dict[str, Any] = {"TableName": self.table, "IndexName": "gsi1",
                                  "KeyConditionExpression": "gsi1pk = :pk",
                                  "ExpressionAttributeValues": {":pk": {"S": history_key(record_id)}},
                                  "ScanIndexForward": not newest_first, "Limit": BATCH_GET_MAX}
        while True:
            with unavailable_as_503():
                out = ddb.query(**params)
            keys = [{"pk": item["pk"], "sk": item["sk"]} for item in out.get("Items", [])]
            found = self._batch_get(keys)
            yield from (found[key["sk"]["S"]] for key in keys if key["sk"]["S"] in found)
            if "LastEvaluatedKey" not in out:
                return
            params = {**params, "ExclusiveStartKey": out["LastEvaluatedKey"]}

    def _batch_get(self, keys: list[dict[str, Any]]) -> dict[str, AuditEntry]:
        ddb = client("dynamodb")
        found: dict[str, AuditEntry] = {}
        pending: dict[str, Any] = {self.table: {"Keys": keys}} if keys else {}
        for attempt in range(MAX_WRITE_ATTEMPTS):
            if not pending:
                return found
            with unavailable_as_503():
                out = ddb.batch_get_item(RequestItems=pending)
            for item in out.get("Responses", {}).get(self.table, []):
                found[item["sk"]["S"]] = _entry(item)
            pending = out.get("UnprocessedKeys") or {}
            if pending:
                backoff(attempt, self.sleep)
        # an entry expired between the index read and the get is simply not there; keys still pending are not
        raise UnprocessedItemsError(f"{len(pending[self.table]['Keys'])} audit entries stayed unprocessed")


@cache
def audit_repository() -> DynamoAuditRepository:
    """The repository of this function's audit table."""
    return DynamoAuditRepository(settings.load(AuditTable).audit_table)
