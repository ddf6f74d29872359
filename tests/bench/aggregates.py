"""Aggregates benchmark on moto: what a group-by (and a pivot) reads ad hoc, from a maintained aggregate, and from
the cache.

Default 50,000 records (`LB_BENCH_AGG_RECORDS`), seeded with import_records into a collection declaring a
maintained aggregate of the same group-by, whose groups the records stream keeps (polled here as the local stack
does, handing each batch to the maintained aggregates' consumer only). Items read come from the request's
ReadMeter; times are the median of paired runs (fresh, cached, fresh, cached ...), reported as a ratio.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from shared import resources
from shared.aggregates import maintain
from shared.aggregates.answers import answer
from shared.aggregates.cache import ANSWERS
from shared.aggregates.engine import Aggregator
from shared.aggregates.groups import get_group_store
from shared.aggregates.maintain import maintain_aggregates
from shared.aggregates.versions import get_version_store
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.changes.model import decode_stream_event
from shared.jobs.checkpoints import InMemoryCheckpointStore
from shared.jobs.context import JobContext
from shared.jobs.messages import AggregateBuildMessage
from shared.jobs.queue import InMemoryJobQueue
from shared.jobs.runner import run_job
from shared.records.context import RequestContext
from shared.records.importer import import_records
from shared.records.scope import RecordScope
from tests.bench import goals
from tests.support.record_stores import dynamo_records

RECORDS = int(os.environ.get("LB_BENCH_AGG_RECORDS", "50000"))
ROUNDS = int(os.environ.get("LB_BENCH_AGG_ROUNDS", "3"))
CHUNK = 2000
REGIONS = ["north", "south", "east", "west"]
PARAMS = {"groupBy": "region,created:month", "metrics": "count(),sum(amount),avg(amount)"}
PIVOT = {"rows": "region", "columns": "created:month", "value": "avg(amount)"}
# what the ad hoc and cached figures measure: the same group-by, never served by the maintained aggregate
AD_HOC_PARAMS = {**PARAMS, "filter": "amount >= 0"}


class Sales:
    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = dynamo_records()
        jobs = JobContext(self.collections, self.records, InMemoryJobQueue(), InMemoryCheckpointStore(),
                          groups=get_group_store(resources.RECORDS_TABLE.physical_name))
        CollectionsAdmin(self.collections, self.records, jobs).create({
            "name": "sales", "type": "base", "listRule": "", "fields": [
                {"name": "region", "type": "select", "values": REGIONS}, {"name": "amount", "type": "number"},
                {"name": "created", "type": "autodate", "onCreate": True}],
            "aggregates": [{"name": "by_region_month", "groupBy": ["region", "created:month"],
                            "metrics": ["count()", "sum(amount)"]}]})
        while (message := jobs.queue.take()) is not None:  # type: ignore[attr-defined]
            if isinstance(message, AggregateBuildMessage):
                run_job(jobs, message)  # the build over no record: ready at once (its cleanup is a day away)
        time.sleep(maintain.FLIP_S + 1)  # the records below are counted the ready way
        from local.pollers import StreamPoller

        store = get_group_store(resources.RECORDS_TABLE.physical_name)
        # made before the import: a new poller starts at the stream's end, as a new event source mapping does
        self.poller = StreamPoller(resources.EVENT_SOURCES[0], lambda _name, event: maintain_aggregates(
            decode_stream_event(event), self.collections, store))
        rows = [{"region": REGIONS[i % len(REGIONS)], "amount": i % 97} for i in range(RECORDS)]
        for start in range(0, len(rows), CHUNK):
            import_records(self.collections, self.records, "sales", rows[start:start + CHUNK])

    def maintain(self) -> int:
        """Poll the records stream until quiet, each batch applied to the maintained aggregates; batches polled."""
        polls = 0
        while self.poller.poll_once():
            polls += 1
        return polls

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
        started = time.perf_counter()
        polls = sales.maintain()
        print(f"     stream applied to the maintained aggregate: {time.perf_counter() - started:.0f} s, {polls} polls")
        versions = get_version_store(resources.RECORDS_TABLE.physical_name)
        groups = get_group_store(resources.RECORDS_TABLE.physical_name)

        def maintained() -> tuple[int, dict[str, Any], str]:
            scope = sales.scope()
            body = Aggregator(scope, groups).answer("sales", PARAMS)
            return scope.meter.items_read, body, " | ".join(scope.meter.plans)

        served_items, served, plan = maintained()
        ad_hoc_scope = sales.scope()
        ad_hoc = Aggregator(ad_hoc_scope).answer("sales", PARAMS)
        print(f"     maintained: {served_items} items read ({plan}); same answer as ad hoc: {served == ad_hoc}")
        goals.record("aggregates", f"maintained group-by over {RECORDS} records, items read", "= groups (O(groups))",
                     f"{served_items} ({served['totalGroups']} groups; ad hoc {ad_hoc_scope.meter.items_read})",
                     served_items == served["totalGroups"] and served == ad_hoc and plan.startswith("maintained"))

        pivot_scope, pivot_ad_hoc_scope = sales.scope(), sales.scope()
        pivot = Aggregator(pivot_scope, groups).answer("sales", PIVOT)
        pivot_ad_hoc = Aggregator(pivot_ad_hoc_scope).answer("sales", PIVOT)
        pivot_items = pivot_scope.meter.items_read
        print(f"     maintained pivot: {pivot_items} items read ({' | '.join(pivot_scope.meter.plans)}); same answer "
              f"as ad hoc ({pivot_ad_hoc_scope.meter.items_read} items): {pivot == pivot_ad_hoc}")
        goals.record("aggregates", f"maintained pivot over {RECORDS} records, items read", "= groups (O(groups))",
                     f"{pivot_items} ({served['totalGroups']} groups; ad hoc {pivot_ad_hoc_scope.meter.items_read})",
                     pivot_items == served["totalGroups"] and pivot == pivot_ad_hoc)

        def fresh() -> int:
            scope = sales.scope()
            Aggregator(scope).answer("sales", AD_HOC_PARAMS)
            return scope.meter.items_read

        def cached() -> int:
            scope = sales.scope()
            _, _, outcome = answer(scope, "sales", AD_HOC_PARAMS, versions)
            assert outcome == "hit", outcome
            return scope.meter.items_read

        answer(sales.scope(), "sales", AD_HOC_PARAMS, versions)  # the miss that fills the cache
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
        ANSWERS.clear()  # leave no answer of this moto world to later benchmarks


if __name__ == "__main__":
    report()
    goals.print_table()
