"""Computed fields' costs: what one child write costs the parent's SUM rollup (at 100 and 10,000 children), and
the lag from a child write to the parent's updated rollup on the local stack.

Cost: on moto, an invoice with N line items (imported in bulk), then one more line item written through the
API's writer; the changes function's linked-field step is then handed that write's stream record, as its event
source mapping would, with the capacity meter on. Items read and written are counted from the requests it
sends: the goal is a constant, whatever N. Lag: `lambdabase run`, line items created one at a time, each
followed by polling the invoice until its total counts it (create's response -> first read showing it).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from shared import resources
from shared.aws import client
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.changes.accumulators import get_accumulator_store
from shared.changes.linked_batch import maintain_linked_fields
from shared.changes.model import RecordChange
from shared.dynamo_values import plain_value
from shared.records import keys
from shared.records.context import RequestContext
from shared.records.importer import import_records
from shared.records.scope import RecordScope
from tests.bench.goals import record
from tests.support.capacity import CapacityMeter
from tests.support.moto_cloud import running_cloud
from tests.support.record_stores import dynamo_records
from tests.support.records_api import Api, unique
from tests.support.stack_process import StackProcess

CHILDREN = (100, int(os.environ.get("LB_BENCH_COMPUTED_CHILDREN", "10000")))
LAG_WRITES = int(os.environ.get("LB_BENCH_COMPUTED_LAG_WRITES", "20"))
TIMEOUT_S = 15.0
_READS = ("GetItem", "Query", "BatchGetItem", "Scan")
_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


def _shop(tag: str) -> tuple[Any, Any, str]:
    collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
    records = dynamo_records()
    admin = CollectionsAdmin(collections, records)
    invoices = admin.create({"name": f"invoices{tag}", "type": "base", "fields": [{"name": "title", "type": "text"}]})
    admin.create({"name": f"items{tag}", "type": "base", "fields": [
        {"name": "amount", "type": "number"},
        {"name": "invoice", "type": "relation", "collectionId": invoices.id, "maxSelect": 1}]})
    admin.update(invoices.id, {"fields": [*[f.to_json() for f in invoices.fields], {
        "name": "total", "type": "rollup", "relation": f"items{tag}_via_invoice", "field": "amount",
        "aggregate": "SUM"}]})
    return collections, records, invoices.id


def _change_of(collection_id: str, record_id: str, sequence: int) -> RecordChange:
    """The stream record of a create, from the item as stored (what the stream's NEW_IMAGE holds)."""
    shards = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name).shard_count(collection_id)
    item = client("dynamodb").get_item(TableName=resources.RECORDS_TABLE.physical_name,
                                       Key=keys.record_key(collection_id, record_id, shards),
                                       ConsistentRead=True)["Item"]
    from boto3.dynamodb.types import TypeDeserializer

    raw = TypeDeserializer()
    return RecordChange(action="create", collection_id=collection_id, record_id=record_id,
                        sequence_number=str(sequence), write_shard=keys.shard_of(record_id, shards),
                        new_image={k: plain_value(raw.deserialize(v)) for k, v in item.items()})


def measure_child_write(children: int) -> dict[str, int]:
    """Requests and items of the linked-field step for one child write of a parent with `children` children."""
    with running_cloud():
        collections, records, invoices_id = _shop(str(children))
        writer = RecordScope(collections, records, RequestContext(system=True)).writer
        parent = writer.create(invoices_id, {"title": "big"}).record.id
        items_id = collections.get(f"items{children}").collection.id
        import_records(collections, records, items_id, [{"amount": 1, "invoice": parent} for _ in range(children)])
        child = writer.create(items_id, {"amount": 5, "invoice": parent}).record.id
        change = _change_of(items_id, child, 10**20)
        store = get_accumulator_store(resources.RECORDS_TABLE.physical_name)
        meter = CapacityMeter()
        with meter.attached(client("dynamodb")):
            report = maintain_linked_fields([change], collections, records, store)
        requests = meter.total.requests
        return {"reads": sum(requests[r] for r in _READS), "writes": sum(requests[w] for w in _WRITES),
                "items_read": report.items_read, "parents_written": report.written}


def measure_lag(api: Api, writes: int) -> list[float]:
    """Seconds from each line item create's response until the invoice's total counts it."""
    invoices, items = unique("inv"), unique("items")
    api.create_collection({"name": invoices, "type": "base", "fields": [{"name": "title", "type": "text"}]})
    parent_cid = api.ok("GET", f"/api/collections/{invoices}")["id"]
    api.create_collection({"name": items, "type": "base", "fields": [
        {"name": "amount", "type": "number"},
        {"name": "invoice", "type": "relation", "collectionId": parent_cid, "maxSelect": 1}]})
    fields = api.ok("GET", f"/api/collections/{invoices}")["fields"]
    api.ok("PATCH", f"/api/collections/{invoices}", json={"fields": [*fields, {
        "name": "total", "type": "rollup", "relation": f"{items}_via_invoice", "field": "amount", "aggregate": "SUM"}]})
    parent = api.create_record(invoices, {"title": "lag"})["id"]
    lags: list[float] = []
    for i in range(writes + 1):
        api.create_record(items, {"amount": 1, "invoice": parent})
        since = time.perf_counter()
        while api.ok("GET", f"/api/collections/{invoices}/records/{parent}")["total"] < i + 1:
            if time.perf_counter() - since > TIMEOUT_S:
                raise AssertionError(f"the rollup did not follow within {TIMEOUT_S} s")
            time.sleep(0.01)
        if i:  # the first one warms the stack up
            lags.append(time.perf_counter() - since)
    return lags


def report() -> None:
    """Measure, print and record the figures."""
    costs = {n: measure_child_write(n) for n in CHILDREN}
    for n, cost in costs.items():
        print(f"SUM rollup, one child write, parent with {n} children: {cost}")
    small, large = costs[CHILDREN[0]], costs[CHILDREN[-1]]
    constant = small == large
    for n, cost in costs.items():
        record("computed", f"child write -> SUM rollup, {n} children", "constant",
               f"{cost['reads']} reads, {cost['writes']} writes ({cost['items_read']} items read)", constant)
    # The cost of a formula-bearing write against a plain one is tests/bench/formulas.py's (paired rounds).
    with tempfile.TemporaryDirectory() as tmp:
        stack = StackProcess(Path(tmp) / "data", env={"LB_SUPERUSER_EMAIL": "root@example.com",
                                                      "LB_SUPERUSER_PASSWORD": "Root-pass-1234567"}).start()
        try:
            lags = measure_lag(Api(stack.url).sign_in_superuser(), LAG_WRITES)
        finally:
            stack.stop()
    p50 = statistics.median(lags)
    print(f"child write -> parent rollup updated, local stack: {len(lags)} writes, p50 {p50 * 1000:.0f} ms, "
          f"max {max(lags) * 1000:.0f} ms")
    record("computed", "child write -> rollup lag (local, p50)", "-", f"{p50 * 1000:.0f} ms", None)


if __name__ == "__main__":
    report()
