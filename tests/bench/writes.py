"""Write cost on moto: WCU and RCU per create and per one-field update, per rate-limited request, and the read
units of the list pages of the same collection (what the GSI projection trades against the update).

Capacity is priced by tests/support/capacity.py from the requests actually sent (moto's ConsumedCapacity is a
constant), with the GSI projection the records table is created with. A create's figure has three parts: the
request (the record, its unique claim, the GSI entries), the stream-side counter work of the changes function,
amortised over the stream batch (one counter write per counter partition per batch), and the rate limiter's
share (its sync writes, per request). Counters are shown for the mapping's batch size and for batches of one
record (a quiet table: no amortisation); the goals add the limiter's share.
"""

from __future__ import annotations

import dataclasses
import os
import random
from collections.abc import Callable
from typing import Any

import msgspec

from shared import resources
from shared.aws import client
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.records.context import RequestContext
from shared.records.scope import RecordScope
from tests.bench import goals
from tests.support.capacity import Capacity, CapacityMeter
from tests.support.record_stores import dynamo_records

CREATES = int(os.environ.get("LB_BENCH_WRITE_CREATES", "100"))
LIMITED_REQUESTS = int(os.environ.get("LB_BENCH_LIMITED_REQUESTS", "300"))
CREATE_GOAL_WCU = 8
UPDATE_GOAL_WCU = 3
STATUSES = ("open", "closed", "pending", "archived")
KINDS = ("x", "y", "z")
FIELDS = [{"name": "status", "type": "text"}, {"name": "kind", "type": "text"},
          {"name": "code", "type": "text"}, {"name": "score", "type": "number"}]
# The collection of issue 8: two indexes and a UNIQUE index.
INDEXES = ["CREATE INDEX idx_{name}_status ON {name} (status)", "CREATE INDEX idx_{name}_kind ON {name} (kind)",
           "CREATE UNIQUE INDEX idx_{name}_code ON {name} (code)"]


@dataclasses.dataclass
class WriteCost:
    """Capacity of n writes: on the request path, and stream-side (counters)."""

    writes: int
    request: Capacity
    stream: Capacity

    def per_write(self) -> tuple[float, float, float]:
        n = max(1, self.writes)
        return self.request.wcu / n, self.stream.wcu / n, (self.request.rcu + self.stream.rcu) / n

    def describe(self) -> str:
        request_wcu, stream_wcu, rcu = self.per_write()
        n = max(1, self.writes)
        parts = ", ".join(f"{op} {units / n:.2f}" for op, units in sorted(self.request.wcu_by.items()))
        return (f"{request_wcu + stream_wcu:5.2f} WCU ({request_wcu:.2f} request: {parts}; {stream_wcu:.2f} "
                f"counters), {rcu:.2f} RCU")


def _counters(batch_size: int) -> Any:
    """The changes function's stream mapping feeding its counter step (events to EventBridge cost no WCU)."""
    from local.pollers import StreamPoller
    from shared.changes.counters import apply_counters, get_counter_store
    from shared.changes.model import decode_stream_event

    store = get_counter_store(resources.RECORDS_TABLE.physical_name)

    def invoke(_: str, event: dict[str, Any]) -> dict[str, Any]:
        apply_counters(decode_stream_event(event), store)
        return {"batchItemFailures": []}

    source = next(s for s in resources.EVENT_SOURCES if s.function == "changes")
    return StreamPoller(msgspec.structs.replace(source, batch_size=batch_size), invoke)


def _measure(meter: CapacityMeter, writes: list[Callable[[], Any]], poller: Any) -> WriteCost:
    start = meter.snapshot()
    for write in writes:
        write()
    mid = meter.snapshot()
    while poller.poll_once():
        pass
    return WriteCost(len(writes), mid - start, meter.snapshot() - mid)


def _rows(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{"status": rng.choice(STATUSES), "kind": rng.choice(KINDS), "code": f"c{seed}-{i}",
             "score": rng.randint(0, 1000)} for i in range(count)]


@dataclasses.dataclass
class PageCost:
    """What one list page cost: read units (priced), items read and requests (the service's ReadMeter)."""

    name: str
    rcu: float
    items: int
    requests: int
    round_trips: int
    returned: int

    def describe(self) -> str:
        return (f"{self.rcu:5.2f} RCU, {self.items} items, {self.requests} requests, {self.round_trips} round trips "
                f"for {self.returned} records")


# Read by the index slot of `status` (one equality; with a range pushed down), and by the shards (no index).
PAGES = {"indexed page": "status = 'open'", "indexed page + pushed-down range": "status = 'open' && score > 20",
         "unfiltered page": ""}


def measure_pages(name: str, collections: Any, records: Any) -> list[PageCost]:
    """Each of PAGES, first page of 20 with skipTotal (totals are priced apart: one counter read)."""
    costs = []
    for label, text in PAGES.items():
        scope = RecordScope(collections, records, RequestContext(system=True))
        collections.get(name)  # the catalog's own Query (cached 2 s per instance) is left out, as for writes
        meter = CapacityMeter()
        with meter.attached(client("dynamodb")):
            out = scope.reader.list_page(name, {"filter": text, "perPage": "20", "skipTotal": "1"})
        costs.append(PageCost(label, meter.total.rcu, scope.meter.items_read, scope.meter.requests,
                              scope.meter.round_trips, len(out["items"])))
    return costs


def measure_writes(count: int, batch_size: int, seed: int, projection: str | None = None,
                   pages: list[PageCost] | None = None) -> tuple[WriteCost, WriteCost]:
    """(creates, one-field updates) of `count` records in a fresh collection, counters fed `batch_size` at a time;
    `projection` prices the GSIs as if declared with it (a what-if), else as the table has them; `pages` gets
    what list pages of the collection cost after the writes."""
    collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
    records = dynamo_records()
    name = f"posts{seed}"
    CollectionsAdmin(collections, records).create({"name": name, "type": "base", "fields": FIELDS,
                                                   "indexes": [i.format(name=name) for i in INDEXES]})
    poller = _counters(batch_size)
    writer = RecordScope(collections, records, RequestContext(system=True)).writer
    meter = CapacityMeter(projection)
    with meter.attached(client("dynamodb")):
        rows = _rows(count, seed)
        ids: list[str] = []
        created = _measure(meter, [lambda r=r: ids.append(writer.create(name, r).record.id) for r in rows], poller)
        updated = _measure(meter, [lambda i=i, n=n: writer.update(name, i, {"score": n})
                                   for n, i in enumerate(ids)], poller)
    if pages is not None:
        pages.extend(measure_pages(name, collections, records))
    return created, updated


def measure_rate_limit(method: str, path: str, requests: int) -> float:
    """WCU per request of `requests` of one guest IP through the deployed limiter (PocketBase's default rules)."""
    from shared.ratelimit.limiter import RequestInfo, default_rate_limiter

    default_rate_limiter.cache_clear()
    limiter = default_rate_limiter()
    info = RequestInfo(method=method, path=path, ip="203.0.113.7")
    meter = CapacityMeter()
    with meter.attached(client("dynamodb")):
        for _ in range(requests):
            limiter.check(info)
        limiter.flush()  # what the instance still holds is synced too: the figure covers every request
    return meter.total.wcu / max(1, requests)


def report() -> None:
    from tests.support.moto_cloud import running_cloud

    batch = next(s for s in resources.EVENT_SOURCES if s.function == "changes").batch_size
    print(f"Writes on moto (WCU/RCU priced from the requests sent): LB_BENCH_WRITE_CREATES={CREATES}, "
          f"LB_BENCH_LIMITED_REQUESTS={LIMITED_REQUESTS}; collection with 2 indexes and a UNIQUE index")
    with running_cloud():
        pages: list[PageCost] = []
        created, updated = measure_writes(CREATES, batch, seed=1, pages=pages)
        quiet_created, quiet_updated = measure_writes(max(5, CREATES // 10), 1, seed=2)
        projected_all = measure_writes(max(5, CREATES // 10), batch, seed=3, projection="ALL")
        per_view = measure_rate_limit("GET", "/api/collections/posts/records/abc", LIMITED_REQUESTS)
        per_create = measure_rate_limit("POST", "/api/collections/posts/records", LIMITED_REQUESTS)
    print(f"  create, stream batches of {batch:<5}       {created.describe()}")
    print(f"  create, stream batches of 1           {quiet_created.describe()}")
    print(f"  one-field update, stream batches of {batch:<3} {updated.describe()}")
    print(f"  one-field update, stream batches of 1   {quiet_updated.describe()}")
    print("  what if every GSI projected ALL (as before; GSI writes priced so, reads as they are):")
    print(f"    create                              {projected_all[0].describe()}")
    print(f"    one-field update                    {projected_all[1].describe()}")
    print(f"  rate limiter, {LIMITED_REQUESTS} requests of one IP: {per_view:.3f} WCU a GET (/api/), "
          f"{per_create:.3f} WCU a create (*:create)")
    print("  list pages of 20 of that collection (skipTotal; keys-only pages read records eventually consistent):")
    for page in pages:
        print(f"    {page.name:<34} {page.describe()}")
    create_wcu = sum(created.per_write()[:2]) + per_create
    quiet_wcu = sum(quiet_created.per_write()[:2]) + per_create
    update_wcu = sum(updated.per_write()[:2]) + per_view
    goals.record("writes", "create, 2 indexes + UNIQUE, limiter incl. (WCU)", f"<= {CREATE_GOAL_WCU}",
                 f"{create_wcu:.2f} amortised (stream batch {batch}); {quiet_wcu:.2f} alone",
                 create_wcu <= CREATE_GOAL_WCU)
    goals.record("writes", "one-field update, limiter incl. (WCU)", f"<= {UPDATE_GOAL_WCU}", f"{update_wcu:.2f}",
                 update_wcu <= UPDATE_GOAL_WCU)
    what_if = sum(projected_all[1].per_write()[:2]) + per_view
    goals.record("writes", "one-field update if GSIs projected ALL", f"<= {UPDATE_GOAL_WCU}",
                 f"{what_if:.2f} (what-if)", None)
    for page in pages:
        goals.record("writes", f"{page.name} of 20, read units", "-", f"{page.rcu:.2f} RCU, {page.requests} req",
                     None)
    goals.record("writes", "rate limiter WCU per GET", "< 1", f"{per_view:.3f}", per_view < 1)


if __name__ == "__main__":
    report()
