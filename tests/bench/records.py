"""Records benchmarks on moto: items read, requests and round trips per page (unfiltered, deep, by cursor,
indexed, sorted), filtered totals, reads spent on totalItems (bulk import: tests/bench/imports.py).

Every figure is a count or a ratio within this run: items read come from the service's ReadMeter, requests
from a hook on the DynamoDB client.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import msgspec

from shared import resources
from shared.aws import client
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import CollectionRepository, DynamoCollectionRepository
from shared.errors import ApiError
from shared.records import keys
from shared.records.context import RequestContext
from shared.records.cursor import encode_cursor, fingerprint
from shared.records.dynamo_repository import DynamoRecordRepository
from shared.records.importer import import_records
from shared.records.model import ReadMeter
from shared.records.scope import RecordScope
from tests.bench import goals
from tests.support.record_stores import dynamo_records

RECORDS = int(os.environ.get("LB_BENCH_RECORDS", "50000"))
PAGE = 20
# Pages walked by nextCursor to show the spread of a page's cost (each costs ~16 moto Queries).
CURSOR_PAGES = int(os.environ.get("LB_BENCH_CURSOR_PAGES", "10"))
# Page 1's cost depends on where the first ids fall among the shards, so one collection's page 1 is one draw:
# page 1 is measured on this many more collections of SMALL_RECORDS records each, and judged on the median.
SMALL_COLLECTIONS = int(os.environ.get("LB_BENCH_PAGE1_COLLECTIONS", "30"))
SMALL_RECORDS = 3 * 20
# A page by cursor deep in the collection: the most of 10 pages by cursor reads about 30 (docs/data-model.md).
DEEP_PAGE_ITEMS = 30
STATUSES = ("open", "closed", "pending", "archived")
KINDS = ("x", "y", "z")
LOAD_CHUNK = 5000
SETTLE_TIMEOUT_S = 600.0
FIELDS = [{"name": "status", "type": "text"}, {"name": "score", "type": "number"},
          {"name": "kind", "type": "text"}, {"name": "code", "type": "text"},
          {"name": "created", "type": "autodate", "onCreate": True}]


def default_query_budget() -> int:
    """The query budget deployed functions run with."""
    from shared.composition import DataSettings

    return int(DataSettings.model_fields["query_budget"].default)


@dataclass
class Stores:
    collections: CollectionRepository
    records: DynamoRecordRepository

    def service(self, budget: int) -> RecordScope:
        """A superuser-equivalent request (operator context: rules skipped, like `_superusers`)."""
        return RecordScope(self.collections, self.records, RequestContext(system=True), query_budget=budget)

    def create_collection(self, name: str, index: str) -> str:
        body = {"name": name, "type": "base", "fields": FIELDS, "indexes": [index.format(name=name)]}
        return CollectionsAdmin(self.collections, self.records).create(body).id


def rows(count: int, seed: int) -> list[dict[str, Any]]:
    """Records with a status of a few values, a numeric score, a kind and a distinct code."""
    rng = random.Random(seed)
    return [{"status": STATUSES[i % len(STATUSES)], "score": rng.randint(0, 1_000_000), "kind": KINDS[i % len(KINDS)],
             "code": f"c{seed}-{i}"} for i in range(count)]


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    """Counts DynamoDB API calls by operation while inside the block."""
    counts: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counts[model.name] += 1

    # `after-call`, not `before-call`: the local stack's direct moto path (local/moto_direct.py) hands item
    # operations to moto without the HTTP request `before-call` announces, so that count read 0; every path
    # emits `after-call` once per call, errors included
    events = client("dynamodb").meta.events
    events.register("after-call.dynamodb", count, unique_id="bench-records-calls")
    try:
        yield counts
    finally:
        events.unregister("after-call.dynamodb", unique_id="bench-records-calls")


# 1 and 2: reads -------------------------------------------------------------------------------------------
@dataclass
class ListRun:
    items_read: int
    returned: int
    total: int
    plan: str
    requests: int = 0
    round_trips: int = 0
    error: ApiError | None = None
    body: dict[str, Any] | None = None

    @property
    def ratio(self) -> float:
        return self.items_read / max(1, self.returned)

    def cost(self) -> str:
        return f"{self.items_read} items, {self.requests} requests, {self.round_trips} round trips"


def list_page(stores: Stores, params: dict[str, str], budget: int, collection: str = "items") -> ListRun:
    """One list request: items read (the ReadMeter), DynamoDB requests (counted on the client) and round
    trips (waves of requests sent at once, from the ReadMeter)."""
    service = stores.service(budget)
    with dynamodb_calls() as calls:
        try:
            out = service.reader.list_page(collection, params)
        except ApiError as err:
            return ListRun(service.meter.items_read, 0, -1, " | ".join(service.meter.plans), sum(calls.values()),
                           service.meter.round_trips, err)
    return ListRun(service.meter.items_read, len(out["items"]), out["totalItems"], " | ".join(service.meter.plans),
                   sum(calls.values()), service.meter.round_trips, body=out)


def settle_counters(stores: Stores, drain: Callable[[], bool], partitions: dict[str, int]) -> str:
    """Feed the stream to the counters until every partition holds its expected total."""
    started, polls = time.perf_counter(), 0
    while time.perf_counter() - started < SETTLE_TIMEOUT_S:
        busy = drain()
        polls += 1
        if not busy and all(stores.records.read_counter(p, ReadMeter()) == n for p, n in partitions.items()):
            return f"stream counters settled in {time.perf_counter() - started:.0f} s over {polls} polls"
    return f"stream counters NOT settled after {SETTLE_TIMEOUT_S:.0f} s"


def counters_only_poller() -> Any:
    """The changes function's stream mapping, feeding the function's counter step alone.

    The full handler also publishes one EventBridge event per record, which moto serves at about 75 ms an
    event: 50,000 of them would take an hour. Counters are the first step of the handler, the same code.
    """
    from local.pollers import StreamPoller
    from shared.changes.counters import apply_counters, get_counter_store
    from shared.changes.model import decode_stream_event

    store = get_counter_store(resources.RECORDS_TABLE.physical_name)

    def invoke(_: str, event: dict[str, Any]) -> dict[str, Any]:
        apply_counters(decode_stream_event(event), store)
        return {"batchItemFailures": []}

    source = next(s for s in resources.EVENT_SOURCES if s.function == "changes")
    # GetRecords' largest batch: 50,000 records settle in 50 batches, and totals do not depend on batch size.
    return StreamPoller(msgspec.structs.replace(source, batch_size=1000), invoke)


def small_collection_names() -> list[str]:
    return [f"page1_{i}" for i in range(SMALL_COLLECTIONS)]


def report_reads(stores: Stores, data: list[dict[str, Any]], collection_id: str) -> None:
    budget = default_query_budget()
    open_total = sum(1 for r in data if r["status"] == "open")
    query = {"filter": "status = 'open'", "sort": "-score", "perPage": str(PAGE)}
    print(f"  1. items read / items returned, page of {PAGE}, goal <= 1.05")
    fast = list_page(stores, {**query, "skipTotal": "1"}, budget)
    print(f"     status = 'open' sort -score, skipTotal=1      {fast.items_read:>6} / {fast.returned:<3} "
          f"x{fast.ratio:7.2f}   {fast.cost()}   plan: {fast.plan}")
    goals.record("reads", "indexed page of 20, items read per item", "<= 1.05",
                 f"x{fast.ratio:.2f} ({fast.requests} req, {fast.round_trips} rt)", fast.ratio <= 1.05)
    counted = list_page(stores, query, budget)
    exact = "exact" if counted.total == open_total else f"expected {open_total}"
    print(f"     same, total from the index-partition counter {counted.items_read:>6} / {counted.returned:<3} "
          f"x{counted.ratio:7.2f}   totalItems {counted.total} ({exact})")
    slow_query = {"filter": "kind = 'x'", "sort": "-score", "perPage": str(PAGE), "skipTotal": "1"}
    refused = list_page(stores, slow_query, budget)
    if refused.error is not None:
        print(f"     kind = 'x' sort -score (no index), budget {budget}: {refused.error.status} "
              f"after {refused.items_read} reads: {refused.error.message}")
    else:
        print(f"     kind = 'x' sort -score (no index), budget {budget}: answered, not refused "
              f"({refused.items_read} reads)")
    raised = list_page(stores, slow_query, RECORDS * 10)
    print(f"     same with the budget raised to {RECORDS * 10}:     {raised.items_read:>6} / {raised.returned:<3} "
          f"x{raised.ratio:7.1f}   plan: {raised.plan}")

    print("  2. reads spent on totalItems, unfiltered list page 1 as a superuser, goal 1")
    with_total = list_page(stores, {"perPage": str(PAGE)}, budget)
    without = list_page(stores, {"perPage": str(PAGE), "skipTotal": "1"}, budget)
    print(f"     skipTotal=0 read {with_total.items_read}, skipTotal=1 read {without.items_read}: "
          f"{with_total.items_read - without.items_read} read(s) for totalItems {with_total.total} "
          f"(counter of {collection_id}, {len(data)} records)")
    report_unfiltered(stores, budget)
    report_filtered_totals(stores, budget)


def report_unfiltered(stores: Stores, budget: int) -> None:
    """Issue 8: unfiltered pages cost about the page (shards in parallel rounds), cursors keep deep pages so."""
    shards = stores.collections.get("items").layout.shards
    print(f"  4. unfiltered pages of {PAGE} ({shards} write shards read in parallel rounds), goal page 1 <= 25 "
          "items and <= 2 round trips")
    first = list_page(stores, {"perPage": str(PAGE)}, budget)
    print(f"     page 1, default order, with totalItems        {first.cost()}")
    small = [list_page(stores, {"perPage": str(PAGE)}, budget, name) for name in small_collection_names()]
    items = sorted(run.items_read for run in [first, *small])
    rounds = max(run.round_trips for run in [first, *small])
    requests = sorted(run.requests for run in [first, *small])
    median, p90 = items[len(items) // 2], items[int(len(items) * 0.9)]
    print(f"     page 1 of {len(items)} collections (this one and {len(small)} of {SMALL_RECORDS} records): items "
          f"median {median}, 90th percentile {p90}, most {items[-1]}; requests median "
          f"{requests[len(requests) // 2]}; round trips at most {rounds}")
    goals.record("reads", f"unfiltered page 1 of {PAGE}, items read, median of {len(items)} collections", "<= 25",
                 f"{median} items (p90 {p90}, this collection {first.items_read})", median <= 25)
    goals.record("reads", f"unfiltered page 1 of {PAGE}, round trips, most of {len(items)} collections", "<= 2",
                 f"{rounds} rt, {first.requests} requests here", rounds <= 2)
    deep = list_page(stores, {"perPage": str(PAGE), "page": "50"}, budget)
    print(f"     page 50 (offset {49 * PAGE}), PocketBase's page    {deep.cost()}")
    goals.record("reads", f"unfiltered page 50 of {PAGE} (page=)", "~ offset+page", f"{deep.items_read} items, "
                 f"{deep.round_trips} rt", None)
    # Page 50 by cursor: the cursor a client holds after page 49 (made here from page 49's last id, as the
    # reader makes it, instead of walking 49 pages on moto, whose every Query iterates the whole table).
    before = list_page(stores, {"perPage": str(PAGE), "page": "49", "skipTotal": "1"}, budget)
    last = before.body["items"][-1]["id"] if before.body and before.body["items"] else ""
    cursor = encode_cursor(stores.collections.get("items").collection.id, fingerprint("", ""), True, last)
    at_50 = list_page(stores, {"perPage": str(PAGE), "cursor": cursor, "skipTotal": "1"}, budget)
    print(f"     page 50 by cursor (nextCursor of page 49)      {at_50.cost()}")
    # one draw, like any one page: judged on cost in proportion to the page, not to the 980 records before it
    goals.record("reads", "page 50 by cursor, items read", f"<= {DEEP_PAGE_ITEMS} (~page, not depth)",
                 f"{at_50.items_read} items, {at_50.round_trips} rt", at_50.items_read <= DEEP_PAGE_ITEMS)
    walk = list_page(stores, {"perPage": str(PAGE), "cursor": "", "skipTotal": "1"}, budget)
    pages = [walk]
    while len(pages) < CURSOR_PAGES and walk.body and walk.body.get("nextCursor"):
        walk = list_page(stores, {"perPage": str(PAGE), "cursor": str(walk.body["nextCursor"]), "skipTotal": "1"},
                         budget)
        pages.append(walk)
    # One page's cost depends on where its ids fall among the shards: the spread over the pages walked.
    items = sorted(p.items_read for p in pages)
    rounds = sorted(p.round_trips for p in pages)
    median, p90 = items[len(items) // 2], items[int(len(items) * 0.9)]
    third = sum(1 for r in rounds if r > 2)
    print(f"     pages 1..{len(pages)} by cursor: items median {median}, 90th percentile {p90}; round trips median "
          f"{rounds[len(rounds) // 2]}, more than 2 on {third} of {len(pages)}")
    goals.record("reads", f"a page of {PAGE} by cursor, median of {len(pages)}", "<= 25, <= 2 rt",
                 f"{median} items (p90 {p90}), {rounds[len(rounds) // 2]} rt", median <= 25 and
                 rounds[len(rounds) // 2] <= 2)
    newest = list_page(stores, {"perPage": str(PAGE), "sort": "-id"}, budget)
    print(f"     sort=-id page 1 (descending shards)           {newest.cost()}")
    created = list_page(stores, {"perPage": str(PAGE), "sort": "-created"}, budget)
    if created.error is not None:
        print(f"     sort=-created page 1: {created.error.status} after {created.items_read} reads "
              f"({created.requests} requests): {created.error.message[:80]}")
        measured = f"{created.error.status} after {created.items_read} items"
    else:
        print(f"     sort=-created page 1                          {created.cost()}   plan: {created.plan}")
        measured = f"{created.items_read} items, {created.round_trips} rt"
    goals.record("reads", f"sort=-created page 1 of {PAGE}", "~ page", measured,
                 created.error is None and created.items_read <= 3 * PAGE)


def report_filtered_totals(stores: Stores, budget: int) -> None:
    """Issue 8: a total whose filter is not an exact leading equality is counted while reading, under the budget."""
    print("  5. filtered totals (no counter serves them: counted while reading the plan, bounded by the budget)")
    cases = (("status = 'open' && score > 500000", "index range"), ("kind = 'x'", "no index"))
    for text, how in cases:
        run = list_page(stores, {"filter": text, "perPage": str(PAGE)}, budget)
        if run.error is not None:
            line = f"{run.error.status} after {run.items_read} items, {run.requests} requests"
        else:
            line = f"totalItems {run.total}: {run.cost()}"
        print(f"     {text:<36} ({how}) {line}")
        goals.record("reads", f"filtered total, {how}", f"<= budget {budget}",
                     f"{run.items_read} items, {run.requests} req", run.items_read <= budget + PAGE)


def report() -> None:
    from tests.support.moto_cloud import running_cloud

    print(f"Records on moto: LB_BENCH_RECORDS={RECORDS}")
    with running_cloud():
        stores = Stores(DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name),
                        dynamo_records())
        collection_id = stores.create_collection("items", "CREATE INDEX idx_status_score ON {name} (status, score)")
        poller = counters_only_poller()
        data = rows(RECORDS, seed=1)
        started = time.perf_counter()
        for start in range(0, RECORDS, LOAD_CHUNK):
            import_records(stores.collections, stores.records, "items", data[start:start + LOAD_CHUNK])
        loaded = time.perf_counter() - started
        expected = {collection_id: RECORDS}
        for seed, name in enumerate(small_collection_names(), start=2):
            expected[stores.create_collection(name, "CREATE INDEX idx_{name}_code ON {name} (code)")] = SMALL_RECORDS
            import_records(stores.collections, stores.records, name, rows(SMALL_RECORDS, seed))
        for status in STATUSES:
            expected[keys.index_pk(collection_id, 1, status)] = sum(1 for r in data if r["status"] == status)
        settled = settle_counters(stores, poller.poll_once, expected)
        print(f"  loaded {RECORDS} records with import_records in {loaded:.0f} s; {settled}")
        report_reads(stores, data, collection_id)


if __name__ == "__main__":
    report()
