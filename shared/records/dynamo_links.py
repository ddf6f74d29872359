"""Reverse-reference items on DynamoDB: put before the record write, removed after it, read by one Query.

Why not inside the record's transaction: a reverse item that outlives its reference is harmless (every one
read is checked against the record it names), while a missing one would hide a reference. So adds go first
and removals last, outside the transaction: a write that fails, or a crash between the steps, leaves only
such harmless items, writes cost 1 WCU per reverse item instead of 2, the record write stays a single
operation, and reverse items never count against the transaction's 100 items.

Each item carries `v`, the record version that put it. A removal is conditional on `v` being older than the
version that decided it, so a slow removal never deletes the item a later version of the record put back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.aws import client
from shared.observability import logger
from shared.records import keys
from shared.records.model import Link, ReadMeter, RecordWrite
from shared.records.repository import BulkWriteError

BatchWrite = Callable[[list[dict[str, Any]]], None]
QUERY_PAGE = 1000


def link_key(source_collection_id: str, source_id: str, link: Link) -> dict[str, Any]:
    field_id, target_collection_id, target_id = link
    return {"pk": {"S": keys.reference_pk(target_collection_id, target_id)},
            "sk": {"S": keys.reference_sk(source_collection_id, field_id, source_id)}}


def committed_version(w: RecordWrite) -> int:
    """The record version the write leaves in storage (a delete's is one past the last)."""
    if w.kind == "create" or w.expected_version is None:
        return w.record.version
    return w.expected_version + 1


def put_links(batch_write: BatchWrite, writes: list[RecordWrite]) -> None:
    """Put the reverse items the writes add; before the writes themselves."""
    batch_write([{"PutRequest": {"Item": {**link_key(w.record.collection_id, w.record.id, link),
                                          "v": {"N": str(committed_version(w))}}}}
                 for w in writes for link in w.links_added])


def remove_links(table: str, batch_write: BatchWrite, writes: list[RecordWrite]) -> None:
    """Delete the reverse items the committed writes removed; a failure only leaves harmless items behind."""
    gone = [w for w in writes if w.kind == "delete" and w.links_removed]
    try:
        # A deleted record puts nothing back, so its items go in plain batches.
        batch_write([{"DeleteRequest": {"Key": link_key(w.record.collection_id, w.record.id, link)}}
                     for w in gone for link in w.links_removed])
        ddb = client("dynamodb")
        for w in writes:
            if w.kind == "delete":
                continue
            for link in w.links_removed:
                # a failed condition: a later version of the record holds the reference again
                with contextlib.suppress(ddb.exceptions.ConditionalCheckFailedException):
                    ddb.delete_item(TableName=table, Key=link_key(w.record.collection_id, w.record.id, link),
                                    ConditionExpression="attribute_not_exists(v) OR v < :v",
                                    ExpressionAttributeValues={":v": {"N": str(committed_version(w))}})
    except (ClientError, BotoCoreError, BulkWriteError) as exc:  # the write is committed: never fail it afterwards
        logger.warning("reverse references left behind after a committed write", extra={"error": str(exc)})


def referencing(table: str, target_collection_id: str, target_id: str, source_collection_id: str, field_id: str,
                meter: ReadMeter) -> Iterator[str]:
    """Source record ids of one target's reverse items through one field, in id order, read page by page."""
    kwargs: dict[str, Any] = {
        "TableName": table, "ConsistentRead": True, "ProjectionExpression": "sk",
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": keys.reference_pk(target_collection_id, target_id)},
                                      ":prefix": {"S": keys.reference_sk_prefix(source_collection_id, field_id)}}}
    ddb = client("dynamodb")
    while True:
        out = ddb.query(Limit=QUERY_PAGE, **kwargs)
        meter.add(int(out.get("ScannedCount", len(out.get("Items", [])))))
        for item in out.get("Items", []):
            yield keys.reference_source(item["sk"]["S"])[2]
        if not out.get("LastEvaluatedKey"):
            return
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
