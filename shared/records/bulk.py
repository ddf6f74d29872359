"""Bulk operations on a collection's records: import many, delete everything, rewrite index keys."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from shared.aws import client
from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.collections.records import prepare_record
from shared.errors import BadRequestError, field_error
from shared.records import indexing, keys
from shared.records.model import ReadMeter, RecordWrite, StoredRecord
from shared.records.repository import MAX_TRANSACTION_ITEMS, RecordRepository

BATCH_WRITE_MAX = 25
BATCH_GET_MAX = 100
# Unprocessed items and conflicting transactions are retried this often, with full-jitter exponential backoff.
MAX_WRITE_ATTEMPTS = 8
BACKOFF_BASE_S = 0.05
BACKOFF_CAP_S = 2.0
# Reasons a cancelled import transaction is worth retrying as is: nothing in it was wrong.
_TRANSIENT_REASONS = {"None", "", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}

Sleep = Callable[[float], None]


class BulkWriteError(Exception):
    """Writes were still unprocessed or throttled after every retry; the earlier chunks stay written."""


def _backoff(attempt: int, sleep: Sleep) -> None:
    sleep(random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** attempt)))


def all_records(records: RecordRepository, collection_id: str) -> Iterator[StoredRecord]:
    for shard in range(keys.RECORD_SHARDS):
        for page in records.query_pages(pk_attr="pk", pk_value=keys.record_pk(collection_id, shard), index=None,
                                        forward=True, meter=ReadMeter(), page_size=1000):
            yield from page


def batch_write(table: str, requests: list[dict[str, Any]], *, sleep: Sleep = time.sleep) -> None:
    """BatchWriteItem in chunks of 25, resubmitting unprocessed items with backoff, as AWS advises."""
    ddb = client("dynamodb")
    for start in range(0, len(requests), BATCH_WRITE_MAX):
        pending: dict[str, Any] = {table: requests[start:start + BATCH_WRITE_MAX]}
        for attempt in range(MAX_WRITE_ATTEMPTS):
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
            _backoff(attempt, sleep)
        else:
            raise BulkWriteError(f"{len(pending[table])} items stayed unprocessed after {MAX_WRITE_ATTEMPTS} tries")


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


# import ----------------------------------------------------------------------------------------------------
def import_records(collections: CollectionRepository, records: RecordRepository, collection_id_or_name: str,
                   rows: list[dict[str, Any]], *, sleep: Sleep = time.sleep) -> int:
    """Create many records with superuser rights; returns how many were written.

    Every row is validated first, as a superuser's create (rules skipped, hidden fields allowed), and
    nothing is written when any row fails: the 400 lists each failing row's field errors under its index.
    Ids reused among the rows or already stored, and unique values repeated among the rows or already
    claimed, are validation errors too.

    Collections without UNIQUE indexes are written with BatchWriteItem, 25 records a call. A batch write
    cannot be conditional, so collections with UNIQUE indexes are written with TransactWriteItems
    instead: each record with its claim items, all conditional, up to 100 items a call; uniqueness then
    holds even against writers racing the import. A batch write would overwrite a record created with the
    same explicit id between validation and write; generated ids cannot collide.

    The import is not atomic: a failure while writing (a racing unique value, exhausted retries) leaves
    the chunks before it written, and the error says how many rows those were.
    """
    stored = collections.get(collection_id_or_name)
    if stored.collection.type == "view":
        raise BadRequestError("View collections have no records of their own to import.")
    if not isinstance(rows, list) or not rows:
        raise BadRequestError("Failed to import records.", {"rows": field_error(
            "validation_required", "Cannot be blank.")})
    writes = _prepare_rows(collections, records, stored, rows)
    if any(index.unique for index in stored.layout.indexes):
        _write_transactions(records, stored, writes, sleep)
    else:
        puts = [{"PutRequest": {"Item": records.write_operations(w)[0]["Put"]["Item"]}} for _, w in writes]
        batch_write(records.table, puts, sleep=sleep)
    return len(writes)


def _prepare_rows(collections: CollectionRepository, records: RecordRepository, stored: StoredCollection,
                  rows: list[dict[str, Any]]) -> list[tuple[int, RecordWrite]]:
    """Each valid row's create write, by row index; raises the 400 listing every invalid row."""
    from shared.records.resolver import RecordLoader

    collection, layout = stored.collection, stored.layout
    meter = ReadMeter()
    loader = RecordLoader(collections, records, meter)  # caches related ids across rows

    def relation_exists(collection_id: str, ids: list[str]) -> bool:
        target = collections.find(collection_id)
        return target is not None and len(loader.many(target.collection, ids)) == len(set(ids))

    errors: dict[str, Any] = {}
    writes: list[tuple[int, RecordWrite]] = []
    row_of_id: dict[str, int] = {}
    row_of_claim: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[str(i)] = field_error("validation_invalid_value", "Must be an object.")
            continue
        try:
            prepared = prepare_record(collection, row, None, is_superuser=True, relation_exists=relation_exists)
        except BadRequestError as exc:
            errors[str(i)] = exc.data or field_error("validation_invalid_value", exc.message)
            continue
        record = StoredRecord(collection.id, prepared.record_id, dict(prepared.merged_by_field_id))
        claims = indexing.unique_claims(collection, layout, record.data, record.id)
        problems: dict[str, Any] = {}
        if record.id in row_of_id:
            problems["id"] = field_error("validation_invalid_id", f"Row {row_of_id[record.id]} has the same id.")
        for claim in claims:
            if claim in row_of_claim:
                problems.update(indexing.unique_violations(collection, layout, claim))
        if problems:
            errors[str(i)] = problems
            continue
        row_of_id[record.id] = i
        row_of_claim.update(dict.fromkeys(claims, i))
        writes.append((i, RecordWrite(kind="create", record=record, claims=claims,
                                      index_attrs=indexing.index_attributes(collection, layout, record.data,
                                                                            record.id))))
    # Only explicitly given ids can already exist: generated ones are a timestamp and 7 random characters.
    explicit = [w.record.id for i, w in writes if rows[i].get("id")]
    for record_id in records.batch_get(collection.id, explicit, meter):
        errors[str(row_of_id[record_id])] = {"id": field_error("validation_invalid_id",
                                                               "The record id already exists.")}
    for claim in _claimed(records.table, list(row_of_claim)):
        errors.setdefault(str(row_of_claim[claim]), {}).update(indexing.unique_violations(collection, layout, claim))
    if errors:
        ordered = dict(sorted(errors.items(), key=lambda item: int(item[0])))
        raise BadRequestError("Failed to import records.", {"rows": ordered})
    return writes


def _claimed(table: str, claims: list[str]) -> set[str]:
    """Those of the claim keys that some stored record already holds."""
    ddb = client("dynamodb")
    taken: set[str] = set()
    for start in range(0, len(claims), BATCH_GET_MAX):
        request: dict[str, Any] = {table: {"Keys": [{"pk": {"S": c}, "sk": {"S": "u"}}
                                                    for c in claims[start:start + BATCH_GET_MAX]],
                                           "ProjectionExpression": "pk", "ConsistentRead": True}}
        while request:
            out = ddb.batch_get_item(RequestItems=request)
            taken.update(item["pk"]["S"] for item in out.get("Responses", {}).get(table, []))
            request = out.get("UnprocessedKeys") or {}
    return taken


def _write_transactions(records: RecordRepository, stored: StoredCollection, writes: list[tuple[int, RecordWrite]],
                        sleep: Sleep) -> None:
    """Records with their claims in TransactWriteItems of up to 100 items, never splitting one record's."""
    chunks: list[list[tuple[int, list[dict[str, Any]]]]] = [[]]
    size = 0
    for i, write in writes:
        ops = records.write_operations(write)
        if size + len(ops) > MAX_TRANSACTION_ITEMS:
            chunks.append([])
            size = 0
        chunks[-1].append((i, ops))
        size += len(ops)
    written = 0
    for chunk in chunks:
        _transact(records, stored, chunk, written, len(writes), sleep)
        written += len(chunk)


def _transact(records: RecordRepository, stored: StoredCollection, chunk: list[tuple[int, list[dict[str, Any]]]],
              written: int, total: int, sleep: Sleep) -> None:
    ddb = client("dynamodb")
    items = [op for _, ops in chunk for op in ops]
    row_of_item = [i for i, ops in chunk for _ in ops]
    for attempt in range(MAX_WRITE_ATTEMPTS):
        try:
            ddb.transact_write_items(TransactItems=items)
            return
        except ddb.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code", "") for r in exc.response.get("CancellationReasons", [])]
            failed = {row_of_item[k]: items[k] for k, r in enumerate(reasons) if r == "ConditionalCheckFailed"}
            if failed:
                raise _race_error(stored, failed, written, total) from exc
            if not set(reasons) <= _TRANSIENT_REASONS:
                raise
        _backoff(attempt, sleep)
    raise BulkWriteError(f"a transaction kept conflicting after {MAX_WRITE_ATTEMPTS} tries; "
                         f"{written} of {total} rows were written")


def _race_error(stored: StoredCollection, failed: dict[int, dict[str, Any]], written: int, total: int
                ) -> BadRequestError:
    """A record or claim written by someone else since validation: the rows it hit, and what was written."""
    rows: dict[str, Any] = {}
    for i, op in failed.items():
        pk = op["Put"]["Item"]["pk"]["S"]
        rows[str(i)] = (indexing.unique_violations(stored.collection, stored.layout, pk)
                        if pk.startswith(keys.UNIQUE_PREFIX)
                        else {"id": field_error("validation_invalid_id", "The record id already exists.")})
    return BadRequestError(f"Failed to import records: {written} of {total} rows were written before a "
                           "concurrent change took a value of a later row.", {"rows": rows})
