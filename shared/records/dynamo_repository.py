"""Records on the DynamoDB records table: with dynamo_links.py, the only code that speaks expressions for them.

Storage failures become domain errors: a failed condition is a RecordConflictError naming the stale record,
the taken id or the taken unique claims; transactions that keep colliding with others are retried with the
same ClientRequestToken (so a retried commit is applied once) and then become StorageContentionError.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from shared.aws import client
from shared.dynamo_batch import MAX_WRITE_ATTEMPTS, UnprocessedItemsError, backoff, batch_write
from shared.records import dynamo_links, keys, shard_merge
from shared.records.dynamo_expressions import (
    Op,
    conflict,
    delete_stamp_params,
    filter_expression,
    raise_item_size,
    record_item,
    record_ops,
    sk_condition,
)
from shared.records.dynamo_fetch import BATCH_GET_MAX, fetch_records
from shared.records.dynamo_reads import MAX_QUERY_PAGE, item_to_record, shard_wave
from shared.records.model import (
    Link,
    ReadMeter,
    RecordWrite,
    StorageContentionError,
    StoredRecord,
)
from shared.records.planner import Comparison, Plan
from shared.records.repository import (
    MAX_TRANSACTION_ITEMS,
    BulkWriteError,
    ClaimsOf,
    LinksOf,
    RecordRepository,
    TransactionTooLargeError,
    check_item_size,
    transaction_items,
)
from shared.runtime_resources import RECORDS_TABLE
from shared.storage_errors import unavailable_as_503

_TRANSIENT_REASONS = {"None", "", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}

Sleep = Callable[[float], None]
T = TypeVar("T")


def _guarded(items: Iterator[T]) -> Iterator[T]:
    with unavailable_as_503():
        yield from items


class DynamoRecordRepository(RecordRepository):
    """Records write-sharded over their collection's count of partition keys (`shards`, from its layout), index
    keys on the overloaded GSI slots."""

    def __init__(self, table_name: str, *, shards: keys.ShardCounts, sleep: Sleep = time.sleep,
                 index_projections: dict[str, str] | None = None) -> None:
        self.table = table_name
        self.shards = shards
        self.sleep = sleep
        # How each GSI slot is projected: declared with the records table, so CDK, the local stack and reads agree.
        self.index_projections = index_projections if index_projections is not None else {
            index.name: index.projection for index in RECORDS_TABLE.indexes}
        # Collections known to carry the unordered marker: it is never removed, so knowing saves the read (and
        # a write per create in a collection without `created`).
        self._marked: set[str] = set()

    # reads -------------------------------------------------------------------------------------------------
    def get(self, collection_id: str, record_id: str, meter: ReadMeter) -> StoredRecord | None:
        with unavailable_as_503():
            out = client("dynamodb").get_item(TableName=self.table, Key=self._key(collection_id, record_id),
                                              ConsistentRead=True)
            meter.add(1)
            item = out.get("Item")
            return item_to_record(item) if item else None

    def get_many(self, collection_id: str, ids: list[str], meter: ReadMeter) -> dict[str, StoredRecord]:
        with unavailable_as_503():
            unique = list(dict.fromkeys(ids))
            shards = self.shards(collection_id)
            found = self._fetch([keys.record_key(collection_id, i, shards) for i in unique], meter, consistent=True)
            return {record.id: record for record in found.values()}

    def _key(self, collection_id: str, record_id: str) -> dict[str, dict[str, str]]:
        return keys.record_key(collection_id, record_id, self.shards(collection_id))

    def _index_pages(self, index: str, partition: str, *, forward: bool, meter: ReadMeter, page_size: int,
                     sk: tuple[str, dict[str, Any]] | None,
                     pushdown: tuple[Comparison, ...]) -> Iterator[list[dict[str, Any]]]:
        """Raw items of one GSI partition in key order, in pages growing from `page_size` to MAX_QUERY_PAGE."""
        names = {"#pk": f"{index}pk"}
        values: dict[str, Any] = {":pk": {"S": partition}}
        condition = "#pk = :pk"
        if sk:
            condition += " AND " + sk[0]
            names["#sk"] = f"{index}sk"
            values.update(sk[1])
        kwargs: dict[str, Any] = {"TableName": self.table, "IndexName": index, "KeyConditionExpression": condition,
                                  "ScanIndexForward": forward}
        filtered = filter_expression(pushdown)
        if filtered:
            kwargs["FilterExpression"] = filtered[0]
            names.update(filtered[1])
            values.update(filtered[2])
        kwargs["ExpressionAttributeNames"] = names
        kwargs["ExpressionAttributeValues"] = values
        keys_only = not self._projects_all(index)
        ddb = client("dynamodb")
        while True:
            kwargs["Limit"] = page_size
            out = ddb.query(**kwargs)
            scanned = int(out.get("ScannedCount", len(out.get("Items", []))))
            if keys_only:
                meter.add_keys(scanned)
            else:
                meter.add(scanned)
            yield out.get("Items", [])
            start = out.get("LastEvaluatedKey")
            if not start:
                return
            kwargs["ExclusiveStartKey"] = start
            page_size = min(page_size * 2, MAX_QUERY_PAGE)

    def _fetch(self, item_keys: list[dict[str, Any]], meter: ReadMeter, *,
               consistent: bool) -> dict[tuple[str, str], StoredRecord]:
        return fetch_records(self.table, item_keys, meter, consistent=consistent,
                             backoff=lambda attempt: backoff(attempt, self.sleep))

    def _projects_all(self, index: str) -> bool:
        return self.index_projections.get(index, "ALL") == "ALL"

    def _index_records(self, plan: Plan, meter: ReadMeter, want: int) -> Iterator[StoredRecord]:
        """An index plan's candidates in index order: the GSI's items, or, where it projects only keys, the
        records its keys name, read by key."""
        index = f"gsi{plan.index.slot if plan.index else 0}"
        full = self._projects_all(index)
        # a FilterExpression cannot see attributes the GSI leaves out: keys-only reads check the fetched records
        pages = self._index_pages(index, plan.partition, forward=plan.forward, meter=meter,
                                  page_size=want if full else min(2 * want, MAX_QUERY_PAGE),
                                  sk=sk_condition(plan.sort_range), pushdown=plan.pushdown if full else ())
        if full:
            yield from (item_to_record(i) for page in pages for i in page)
            return
        # Keys are cheap (about 40 a read unit) and records dear (each its own unit): keys are read ahead, twice
        # the page, and records fetched a page first, then in chunks doubling, so a page whose first records fail
        # the filter costs one more round trip of records, not another Query first.
        chunk = want
        for page in pages:
            start = 0
            while start < len(page):
                part = page[start:start + chunk]
                start += len(part)
                chunk = min(2 * chunk, MAX_QUERY_PAGE)
                found = self._fetch([{"pk": i["pk"], "sk": i["sk"]} for i in part], meter, consistent=False)
                for item in part:
                    record = found.get((item["pk"]["S"], item["sk"]["S"]))
                    # a key whose record is gone (deleted since the GSI's copy) or no longer matches is skipped
                    if record is not None and all(c.holds(record.data) for c in plan.pushdown):
                        yield record

    def query(self, plan: Plan, meter: ReadMeter, *, want: int, drain: bool = False) -> Iterator[StoredRecord]:
        return _guarded(self._query(plan, meter, want=want, drain=drain))

    def _query(self, plan: Plan, meter: ReadMeter, *, want: int, drain: bool) -> Iterator[StoredRecord]:
        want = max(1, min(MAX_QUERY_PAGE, want))
        if plan.kind == "get":
            found = self.get(plan.collection_id, plan.ids[0], meter)
            return iter([found] if found and all(c.holds(found.data) for c in plan.pushdown) else [])
        if plan.kind == "index" and plan.index is not None:
            return self._index_records(plan, meter, want)
        # The shards in parallel rounds, each read up to where the page probably ends (shard_merge).
        wave = shard_wave(client("dynamodb"), self.table, plan.collection_id, meter, forward=plan.forward,
                          pushdown=plan.pushdown)
        return shard_merge.merged(wave, self.shards(plan.collection_id), want, forward=plan.forward, after=plan.after,
                                  drain=drain)

    def scan(self, collection_id: str, meter: ReadMeter, *, after: str | None = None,
             limit: int | None = None) -> Iterator[StoredRecord]:
        return self._scan(collection_id, self.shards(collection_id), meter, after=after, limit=limit)

    def _scan(self, collection_id: str, shards: int, meter: ReadMeter | None = None, *, after: str | None = None,
              limit: int | None = None) -> Iterator[StoredRecord]:
        # The same parallel rounds as a list: a chunk of `limit` records costs about the chunk.
        wave = shard_wave(client("dynamodb"), self.table, collection_id, meter or ReadMeter(), forward=True)
        return _guarded(shard_merge.merged(wave, shards, min(limit or MAX_QUERY_PAGE, MAX_QUERY_PAGE),
                                           after=after, drain=limit is None))

    def referencing(self, target_collection_id: str, target_id: str, source_collection_id: str, field_id: str,
                    meter: ReadMeter) -> Iterator[str]:
        return _guarded(dynamo_links.referencing(self.table, target_collection_id, target_id, source_collection_id,
                                                 field_id, meter))

    def claims_taken(self, claims: list[str]) -> set[str]:
        with unavailable_as_503():
            ddb = client("dynamodb")
            taken: set[str] = set()
            for start in range(0, len(claims), BATCH_GET_MAX):
                request: dict[str, Any] = {self.table: {"Keys": [{"pk": {"S": c}, "sk": {"S": "u"}}
                                                                 for c in claims[start:start + BATCH_GET_MAX]],
                                                        "ProjectionExpression": "pk", "ConsistentRead": True}}
                while request:
                    out = ddb.batch_get_item(RequestItems=request)
                    taken.update(item["pk"]["S"] for item in out.get("Responses", {}).get(self.table, []))
                    request = out.get("UnprocessedKeys") or {}
            return taken

    def read_counter(self, partition: str, meter: ReadMeter) -> int | None:
        with unavailable_as_503():
            out = client("dynamodb").get_item(TableName=self.table,
                                              Key={"pk": {"S": keys.counter_pk(partition)}, "sk": {"S": "count"}})
            meter.add(1)
            item = out.get("Item")
            return int(item["total"]["N"]) if item and "total" in item else None

    def is_unordered(self, collection_id: str, meter: ReadMeter) -> bool:
        if collection_id in self._marked:
            return True
        with unavailable_as_503():
            out = client("dynamodb").get_item(TableName=self.table, Key=self._marker_key(collection_id),
                                              ConsistentRead=True, ProjectionExpression="pk")
            meter.add(1)
        if "Item" in out:
            self._marked.add(collection_id)
        return "Item" in out

    @staticmethod
    def _marker_key(collection_id: str) -> dict[str, Any]:
        return {"pk": {"S": keys.unordered_pk(collection_id)}, "sk": {"S": keys.UNORDERED_SK}}

    # writes ------------------------------------------------------------------------------------------------
    def mark_unordered(self, collection_id: str) -> None:
        if collection_id in self._marked:
            return
        with unavailable_as_503():
            client("dynamodb").put_item(TableName=self.table, Item=self._marker_key(collection_id))
        self._marked.add(collection_id)

    def init_counter(self, partition: str) -> None:
        with unavailable_as_503():
            ddb = client("dynamodb")
            with contextlib.suppress(ddb.exceptions.ConditionalCheckFailedException):
                ddb.put_item(TableName=self.table, ConditionExpression="attribute_not_exists(pk)", Item={
                    "pk": {"S": keys.counter_pk(partition)}, "sk": {"S": "count"}, "total": {"N": "0"}})

    def write(self, writes: list[RecordWrite]) -> None:
        with unavailable_as_503():
            for w in writes:
                if w.kind != "delete":
                    check_item_size(w.record)
            if transaction_items(writes) > MAX_TRANSACTION_ITEMS:
                raise TransactionTooLargeError(transaction_items(writes))
            # Reverse items: added before the write and removed after it, so none is ever missing (dynamo_links).
            try:
                dynamo_links.put_links(self._batch_write, writes)
            except BulkWriteError as exc:  # throttled throughout: nothing of the record is written yet
                raise StorageContentionError(str(exc)) from exc
            for w in writes:
                if w.kind == "delete" and w.actor:
                    self._single(Op({"Update": delete_stamp_params(
                        self.table, w, self.shards(w.record.collection_id))}, w))
            ops = [op for w in writes for op in record_ops(self.table, w, self.shards(w.record.collection_id))]
            if len(ops) == 1:
                self._single(ops[0])
            elif ops:
                self._transact(ops)
            dynamo_links.remove_links(self.table, self._batch_write, writes)

    def _single(self, op: Op) -> None:
        ddb = client("dynamodb")
        (kind, params), = op.request.items()
        try:
            {"Put": ddb.put_item, "Update": ddb.update_item, "Delete": ddb.delete_item}[kind](**params)
        except ddb.exceptions.ConditionalCheckFailedException as exc:
            raise conflict([op], ["ConditionalCheckFailed"]) from exc
        except ClientError as exc:
            raise_item_size(exc, op.write)
            raise

    def _transact(self, ops: list[Op]) -> None:
        ddb = client("dynamodb")
        # The same token on every retry: DynamoDB applies a transaction once per token (for 10 minutes).
        token = uuid.uuid4().hex
        for attempt in range(MAX_WRITE_ATTEMPTS):
            try:
                ddb.transact_write_items(TransactItems=[op.request for op in ops], ClientRequestToken=token)
                return
            except ddb.exceptions.TransactionCanceledException as exc:
                reasons = [r.get("Code", "") or "None" for r in exc.response.get("CancellationReasons", [])]
                if "ConditionalCheckFailed" in reasons:
                    raise conflict(ops, reasons) from exc
                if not set(reasons) <= _TRANSIENT_REASONS:
                    raise
            except ddb.exceptions.TransactionInProgressException:
                pass  # the first try with this token is still being applied: ask again
            except ClientError as exc:
                raise_item_size(exc, ops[0].write)
                raise
            backoff(attempt, self.sleep)
        raise StorageContentionError(f"a transaction of {len(ops)} items kept colliding with others")

    # bulk --------------------------------------------------------------------------------------------------
    def import_records(self, writes: list[RecordWrite], *, conditional: bool) -> None:
        with unavailable_as_503():
            for w in writes:
                check_item_size(w.record)
            dynamo_links.put_links(self._batch_write, writes)
            if not conditional:
                self._batch_write([{"PutRequest": {"Item": record_item(w, self.shards(w.record.collection_id))}}
                                   for w in writes])
                return
            chunk: list[Op] = []
            for w in writes:
                ops = record_ops(self.table, w, self.shards(w.record.collection_id))
                if len(chunk) + len(ops) > MAX_TRANSACTION_ITEMS:
                    self._transact(chunk)
                    chunk = []
                chunk.extend(ops)
            if chunk:
                self._transact(chunk)

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        try:
            batch_write(self.table, requests, sleep=self.sleep)
        except UnprocessedItemsError as exc:
            raise BulkWriteError(str(exc)) from exc

    def add_links(self, links: list[tuple[str, str, Link]]) -> None:
        self._batch_write([{"PutRequest": {"Item": dynamo_links.link_key(c, r, link)}} for c, r, link in links])

    def delete_collection_data(self, collection_id: str, claims_of: ClaimsOf, links_of: LinksOf | None = None, *,
                               limit: int | None = None, shards: int | None = None) -> int:
        with unavailable_as_503():
            doomed: list[dict[str, Any]] = []
            count = 0
            shards = shards or self.shards(collection_id)
            for record in self._scan(collection_id, shards, limit=limit):
                if limit is not None and count >= limit:
                    break
                count += 1
                doomed.append({"DeleteRequest": {"Key": keys.record_key(collection_id, record.id, shards)}})
                doomed.extend({"DeleteRequest": {"Key": {"pk": {"S": c}, "sk": {"S": "u"}}}} for c in claims_of(record))
                doomed.extend({"DeleteRequest": {"Key": dynamo_links.link_key(collection_id, record.id, link)}}
                              for link in (links_of(record) if links_of else []))
            self._batch_write(doomed)
            return count


