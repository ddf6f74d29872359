"""Bulk operations on a collection's records: delete everything, rewrite index keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.aws import client
from shared.records import keys
from shared.records.model import ReadMeter, StoredRecord
from shared.records.repository import RecordRepository

BATCH_WRITE_MAX = 25


def all_records(records: RecordRepository, collection_id: str) -> Iterator[StoredRecord]:
    for shard in range(keys.RECORD_SHARDS):
        for page in records.query_pages(pk_attr="pk", pk_value=keys.record_pk(collection_id, shard), index=None,
                                        forward=True, meter=ReadMeter(), page_size=1000):
            yield from page


def batch_write(table: str, requests: list[dict[str, Any]]) -> None:
    """BatchWriteItem in chunks of 25, resubmitting unprocessed items."""
    ddb = client("dynamodb")
    for start in range(0, len(requests), BATCH_WRITE_MAX):
        pending: dict[str, Any] = {table: requests[start:start + BATCH_WRITE_MAX]}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def delete_all_records(records: RecordRepository, collection_id: str) -> int:
    """Delete every record of a collection and its unique claims; the stream keeps counters right."""
    doomed: list[dict[str, Any]] = []
    for record in all_records(records, collection_id):
        doomed.append({"DeleteRequest": {"Key": keys.record_key(collection_id, record.id)}})
    ddb = client("dynamodb")
    claims: list[dict[str, Any]] = []
    paginator = ddb.get_paginator("scan")
    for page in paginator.paginate(TableName=records.table, FilterExpression="begins_with(pk, :u)",
                                   ExpressionAttributeValues={":u": {"S": f"{keys.UNIQUE_PREFIX}{collection_id}#"}},
                                   ProjectionExpression="pk, sk"):
        claims.extend({"DeleteRequest": {"Key": item}} for item in page.get("Items", []))
    batch_write(records.table, doomed + claims)
    return len(doomed)
