"""Realtime fan-out: one change to 1,000 WebSocket subscribers on the local stack, and what matching reads.

(a) A local stack process, N guest WebSocket connections subscribed to one public collection and one more
subscribed alone to another: the time from sending a create (HTTP) to the last subscriber's event, next to
the same write reaching the one subscriber, in paired runs (A B A B, medians).
(b) On moto in-process: 1,000 subscribers spread over 100 collections, one change fanned out; the
subscription items the DynamoDB store read, next to every subscription (what scanning connections reads).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from shared import resources
from shared.auth.refresh_repository import InMemoryRefreshFamilyRepository
from shared.catalog.repository import InMemoryCollectionRepository
from shared.changes.model import RecordChange
from shared.realtime.dynamo_subscriptions import DynamoSubscriptionStore
from shared.realtime.fanout import FanOut
from shared.realtime.fanout_delivery import Deliverer
from shared.realtime.fanout_ledger import InMemoryDeliveryLedger
from shared.realtime.sender import InMemorySender
from shared.realtime.subscriptions import Connection, Target
from shared.records.memory_repository import InMemoryRecordRepository
from tests.bench import goals
from tests.support.moto_cloud import running_cloud
from tests.support.realtime_stack import Subscriber, connect, stack_clients, subscribe, wait_for
from tests.support.records_api import Api, unique
from tests.support.stack_process import StackProcess

SUBSCRIBERS = int(os.environ.get("LB_BENCH_RT_SUBSCRIBERS", "1000"))
ROUNDS = int(os.environ.get("LB_BENCH_RT_ROUNDS", "3"))
SPREAD_SUBSCRIBERS, SPREAD_COLLECTIONS = 1000, 100
GOAL_S = 1.0


def _public_collection(api: Api) -> tuple[str, str]:
    name = unique("rt")
    body = api.create_collection({"name": name, "type": "base", "listRule": "", "viewRule": "", "createRule": "",
                                  "fields": [{"name": "title", "type": "text"}]})
    return name, str(body["id"])


async def _one_write(api: Api, collection: str, audience: list[Subscriber], nth: int) -> float:
    """Seconds from sending a create to the last of `audience` receiving it (their `nth` event)."""
    start = time.perf_counter()
    await asyncio.to_thread(api.create_record, collection, {"title": f"w{nth}"})
    await wait_for(audience, nth, timeout=30)
    return max(s.events[nth - 1][0] for s in audience) - start


async def _latencies(stack: StackProcess, api: Api) -> tuple[list[float], list[float]]:
    many, many_id = _public_collection(api)
    one, one_id = _public_collection(api)
    with stack_clients(stack):
        subscribers = await connect(stack, SUBSCRIBERS + 1)
        crowd, alone = subscribers[:-1], subscribers[-1:]
        subscribe(crowd, many, many_id)
        subscribe(alone, one, one_id)
    try:
        # Warm-up: the first change of each collection loads the fan-out function and its caches.
        await _one_write(api, many, crowd, 1)
        await _one_write(api, one, alone, 1)
        crowd_s, alone_s = [], []
        for round_number in range(2, ROUNDS + 2):
            crowd_s.append(await _one_write(api, many, crowd, round_number))
            alone_s.append(await _one_write(api, one, alone, round_number))
        return crowd_s, alone_s
    finally:
        await asyncio.gather(*(s.close() for s in subscribers))


def fanout_latency() -> tuple[float, float]:
    """(median seconds to the last of SUBSCRIBERS, median seconds to a lone subscriber)."""
    with tempfile.TemporaryDirectory() as tmp:
        stack = StackProcess(Path(tmp) / "data", env={"LB_SUPERUSER_EMAIL": "root@example.com",
                                                      "LB_SUPERUSER_PASSWORD": "Root-pass-1234567"}).start()
        try:
            api = Api(stack.url).sign_in_superuser()
            crowd_s, alone_s = asyncio.run(_latencies(stack, api))
        finally:
            stack.stop()
    return statistics.median(crowd_s), statistics.median(alone_s)


def matching_reads() -> tuple[int, int]:
    """(subscription items read to fan out one change, every subscription stored)."""
    with running_cloud():
        store = DynamoSubscriptionStore(resources.SYSTEM_TABLE.physical_name)
        per_collection = SPREAD_SUBSCRIBERS // SPREAD_COLLECTIONS
        for c in range(SPREAD_COLLECTIONS):
            for s in range(per_collection):
                connection_id = f"c{c}-{s}"
                store.open(Connection(connection_id=connection_id, connected_at=1))
                store.subscribe(connection_id, [(f"coll{c}", Target(collection_id=f"pbc_coll{c}"))])
        sender = InMemorySender()
        fanout = FanOut(store, InMemoryCollectionRepository(), InMemoryRecordRepository(),
                        InMemoryRefreshFamilyRepository(), sender, Deliverer(sender, store), InMemoryDeliveryLedger())
        before = store.items_read
        fanout.handle([RecordChange(action="create", collection_id="pbc_coll7", record_id="r1",
                                    sequence_number="1", new_image={"c": "pbc_coll7", "sk": "r1", "d": {}, "v": 1})])
        return store.items_read - before, SPREAD_SUBSCRIBERS


def report() -> None:
    print(f"\nRealtime fan-out ({SUBSCRIBERS} WebSocket subscribers on the local stack, {ROUNDS} paired runs)")
    try:
        crowd, alone = fanout_latency()
    except (AssertionError, RuntimeError, httpx.HTTPError) as exc:
        print(f"  fan-out run failed: {exc}")
        goals.record("realtime", f"1 change -> {SUBSCRIBERS} WebSocket subscribers", "<= 1 s", "failed", False)
    else:
        print(f"  write to last delivery: {crowd * 1000:.0f} ms ({SUBSCRIBERS} subscribers) vs "
              f"{alone * 1000:.0f} ms (1 subscriber)")
        goals.record("realtime", f"1 change -> {SUBSCRIBERS} WebSocket subscribers, write to last delivery",
                     "<= 1 s", f"{crowd * 1000:.0f} ms (1 sub: {alone * 1000:.0f} ms)", crowd <= GOAL_S)
    read, stored = matching_reads()
    per_collection = SPREAD_SUBSCRIBERS // SPREAD_COLLECTIONS
    print(f"  items read to match one change: {read} of {stored} subscriptions ({SPREAD_COLLECTIONS} collections)")
    goals.record("realtime", f"items read per change, {stored} subs over {SPREAD_COLLECTIONS} collections",
                 f"{per_collection} (its own)", f"{read} (all: {stored})", read == per_collection)


if __name__ == "__main__":
    report()
    goals.print_table()
