"""Aggregates benchmark on moto: what a group-by reads ad hoc, and what the same answer costs from the cache.

Default 50,000 records (`LB_BENCH_AGG_RECORDS`), seeded with import_records. Items read come from the
request's ReadMeter; times are the median of paired runs (fresh, cached, fresh, cached ...), reported as a ratio.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from shared import resources
from shared.aggregates.answers import answer
from shared.aggregates.cache import ANSWERS
from shared.aggregates.engine import Aggregator
from shared.aggregates.versions import get_version_store
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.records.context import RequestContext
from shared.records.dynamo_repository import DynamoRecordRepository
from shared.records.importer import import_records
from shared.records.scope import RecordScope
from tests.bench import goals

RECORDS = int(os.environ.get("LB_BENCH_AGG_RECORDS", "50000"))
ROUNDS = int(os.environ.get("LB_BENCH_AGG_ROUNDS", "3"))
CHUNK = 2000
REGIONS = ["north", "south", "east", "west"]
PARAMS = {"groupBy": "region,created:month", "metrics": "count(),sum(amount),avg(amount)"}


class Sales:
    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = DynamoRecordRepository(resources.RECORDS_TABLE.physical_name)
        CollectionsAdmin(self.collections, self.records).create({
            "name": "sales", "type": "base", "listRule": "", "fields": [
                {"name": "region", "type": "select", "values": REGIONS}, {"name": "amount", "type": "number"},
                {"name": "created", "type": "autodate", "onCreate": True}]})
        rows = [{"region": REGIONS[i % len(REGIONS)], "amount": i % 97} for i in range(RECORDS)]
        for start in range(0, len(rows), CHUNK):
            import_records(self.collections, self.records, "sales", rows[start:start + CHUNK])

    def scope(self) -> RecordScope:
        return RecordScope(self.collections, self.records, RequestContext(system=True), query_budget=10 * RECORDS)


def _timed(action: Any) -> tuple[float, int]:
    started = time.perf_counter()
    items = action()
    return time.perf_counter() - started, items


def report() -> None:
    from tests.support.moto_cloud import running_cloud

    print(f"Aggregates on moto: {RECORDS} records, group by region and month, count/sum/avg")
    with running_cloud():
        started = time.perf_counter()
        sales = Sales()
        print(f"     loaded in {time.perf_counter() - started:.0f} s (import_records)")
        versions = get_version_store(resources.RECORDS_TABLE.physical_name)

        def fresh() -> int:
            scope = sales.scope()
            Aggregator(scope).answer("sales", PARAMS)
            return scope.meter.items_read

        def cached() -> int:
            scope = sales.scope()
            _, _, outcome = answer(scope, "sales", PARAMS, versions)
            assert outcome == "hit", outcome
            return scope.meter.items_read

        answer(sales.scope(), "sales", PARAMS, versions)  # the miss that fills the cache
        pairs = [(_timed(fresh), _timed(cached)) for _ in range(ROUNDS)]
        fresh_items, cached_items = pairs[0][0][1], pairs[0][1][1]
        ratio = statistics.median(f[0] / max(c[0], 1e-9) for f, c in pairs)
        print(f"     ad hoc: {fresh_items} items read, median {statistics.median(f[0] for f, _ in pairs) * 1000:.0f} "
              f"ms; cached: {cached_items} item(s) read, {ratio:.0f}x faster (median of {ROUNDS} pairs)")
        goals.record("aggregates", f"ad-hoc group-by over {RECORDS} records, items read", f"= {RECORDS}",
                     str(fresh_items), fresh_items == RECORDS)
        goals.record("aggregates", "cached aggregate, items read", "1 (the version)", str(cached_items),
                     cached_items == 1)
        goals.record("aggregates", "cached vs fresh aggregate, time", "> 10x", f"{ratio:.0f}x", ratio > 10)
        goals.record("aggregates", "maintained group-by vs ad hoc, items read", "O(groups)", "not built", None)
        ANSWERS.clear()  # leave no answer of this moto world to later benchmarks


if __name__ == "__main__":
    report()
    goals.print_table()
