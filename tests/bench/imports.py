"""Bulk import on moto: import_records against one RecordWriter.create per record, time and calls per row.

Both sides validate every row the same way. Time is this process's CPU time (moto runs in-process), so that
other processes on the machine barely move it, and the ratio is the median of alternating paired rounds
(bulk, single, single, bulk, ...). A collection with a UNIQUE index is
reported in calls only: moto copies the whole table for every item of a transaction, so its time says nothing.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from shared import resources
from shared.catalog.repository import DynamoCollectionRepository
from shared.records.importer import import_records
from tests.bench import goals
from tests.bench.records import Stores, default_query_budget, dynamodb_calls, rows
from tests.support.record_stores import dynamo_records

IMPORT = int(os.environ.get("LB_BENCH_IMPORT", "10000"))  # issue 3: 10,000 records
# Small: moto copies the whole table for every item of a transaction, so its transactions cost O(items x table).
IMPORT_UNIQUE = int(os.environ.get("LB_BENCH_IMPORT_UNIQUE", "200"))
ROUNDS = 8
SPEEDUP_GOAL = 10.0


@dataclass
class ImportRun:
    seconds: float = 0.0
    calls: Counter[str] | None = None

    def add(self, seconds: float, calls: Counter[str]) -> None:
        self.seconds += seconds
        self.calls = (self.calls or Counter()) + calls

    def calls_text(self) -> str:
        writes = {k: v for k, v in (self.calls or Counter()).items() if "Write" in k or k == "PutItem"}
        others = sum(v for k, v in (self.calls or Counter()).items() if k not in writes)
        return ", ".join(f"{op} x{n}" for op, n in sorted(writes.items())) + f", {others} other calls"

    def describe(self) -> str:
        return f"{self.seconds:7.1f} s   {self.calls_text()}"


def compare_import(stores: Stores, count: int, index: str, seed: int) -> tuple[ImportRun, ImportRun, list[float]]:
    """The same rows through import_records and through one RecordWriter.create each, in alternating rounds;
    also each round's ratio (single / bulk), whose median is the figure."""
    bulk_name, single_name = f"bulk{seed}", f"single{seed}"
    stores.create_collection(bulk_name, index)
    stores.create_collection(single_name, index)
    data = rows(count, seed)
    bulk, single = ImportRun(), ImportRun()
    ratios: list[float] = []
    size = -(-count // ROUNDS)
    for n, start in enumerate(range(0, count, size)):
        chunk = data[start:start + size]
        times: dict[str, float] = {}

        def run_bulk(chunk: list[dict[str, Any]] = chunk, times: dict[str, float] = times) -> None:
            with dynamodb_calls() as calls:
                t0 = time.process_time()
                import_records(stores.collections, stores.records, bulk_name, chunk)
                times["bulk"] = time.process_time() - t0
                bulk.add(times["bulk"], calls)

        def run_single(chunk: list[dict[str, Any]] = chunk, times: dict[str, float] = times) -> None:
            service = stores.service(default_query_budget())
            with dynamodb_calls() as calls:
                t0 = time.process_time()
                for row in chunk:
                    service.writer.create(single_name, row)
                times["single"] = time.process_time() - t0
                single.add(times["single"], calls)

        for run in (run_bulk, run_single) if n % 2 == 0 else (run_single, run_bulk):
            run()
        ratios.append(times["single"] / times["bulk"])
    return bulk, single, ratios


def unique_import(stores: Stores) -> tuple[int, ImportRun]:
    stores.create_collection("uniq", "CREATE UNIQUE INDEX idx_{name}_code ON {name} (code)")
    with dynamodb_calls() as calls:
        written = import_records(stores.collections, stores.records, "uniq", rows(IMPORT_UNIQUE, seed=4))
    return written, ImportRun(calls=calls)


def _stores() -> Stores:
    return Stores(DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name),
                  dynamo_records())


def report() -> None:
    from tests.support.moto_cloud import running_cloud

    print(f"Bulk import on moto: LB_BENCH_IMPORT={IMPORT}, LB_BENCH_IMPORT_UNIQUE={IMPORT_UNIQUE}; "
          f"import_records against one RecordWriter.create per record (validation on both sides)")
    with running_cloud():
        bulk, single, ratios = compare_import(_stores(), IMPORT,
                                              "CREATE INDEX idx_{name}_status_score ON {name} (status, score)", seed=3)
    # A fresh, empty table: moto's transactions cost a copy of the whole table per item.
    with running_cloud():
        written, unique = unique_import(_stores())
    median = sorted(ratios)[len(ratios) // 2]
    print(f"  {IMPORT} rows, import_records       {bulk.describe()}")
    print(f"  {IMPORT} rows, RecordWriter.create  {single.describe()}")
    print(f"  speed-up x{median:.1f} (median of {len(ratios)} paired rounds, spread x{min(ratios):.1f}-"
          f"x{max(ratios):.1f}; {bulk.seconds / IMPORT * 1000:.2f} ms against {single.seconds / IMPORT * 1000:.2f} "
          f"ms a record)")
    # On DynamoDB a request is a network round trip (several ms), so there requests per row bound the speed-up
    bulk_requests = sum((bulk.calls or Counter()).values()) / IMPORT
    single_requests = sum((single.calls or Counter()).values()) / IMPORT
    print(f"  requests per row: {bulk_requests:.3f} bulk against {single_requests:.3f} single "
          f"(x{single_requests / max(bulk_requests, 1e-9):.0f} fewer round trips)")
    print(f"  {written} rows into a collection with a UNIQUE index: {unique.calls_text()}; one create each would be "
          f"{written} TransactWriteItems")
    goals.record("import", "bulk import vs single creates (speed-up)", f">= x{SPEEDUP_GOAL:.0f}",
                 f"x{median:.1f} ({bulk.seconds / IMPORT * 1000:.2f} ms/row)", median >= SPEEDUP_GOAL)
    goals.record("import", "bulk import vs single creates (requests per row)", "-",
                 f"{bulk_requests:.3f} vs {single_requests:.3f}", None)


if __name__ == "__main__":
    report()
