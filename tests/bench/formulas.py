"""Formula write cost on moto: a create and a one-field update of a collection with formulas, against the same
collection without them (paired runs A B A B, medians), in time and in write units.

The formula collection has the plain collection's fields plus five formulas, two of them chained (a total, a
label over it, a text, a date and a rounding), all computed in the write (shared/records/computed.py).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from shared import resources
from shared.aws import client
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.records.context import RequestContext
from shared.records.scope import RecordScope
from tests.bench import goals
from tests.support.capacity import CapacityMeter
from tests.support.record_stores import dynamo_records

WRITES = int(os.environ.get("LB_BENCH_FORMULA_WRITES", "40"))
ROUNDS = int(os.environ.get("LB_BENCH_FORMULA_ROUNDS", "4"))
# a formula costs CPU only, no request: the time it adds to a write, per formula (a DynamoDB write takes ms)
ADDED_MS_GOAL = 0.1
PLAIN_FIELDS = [{"name": "price", "type": "number"}, {"name": "qty", "type": "number"},
                {"name": "title", "type": "text"}, {"name": "due", "type": "date"}]
FORMULAS = [
    {"name": "total", "type": "formula", "formula": "{price} * {qty}"},
    {"name": "size", "type": "formula", "formula": 'IF({total} > 1000, "big", "small")'},
    {"name": "slug", "type": "formula", "formula": 'LOWER(SUBSTITUTE(TRIM({title}), " ", "-"))'},
    {"name": "renewal", "type": "formula", "formula": "DATEADD({due}, 1, 'month')"},
    {"name": "rounded", "type": "formula", "formula": "ROUND({total} * 1.2, 2)"},
]


class Side:
    """One collection, its writer and the ids it created."""

    def __init__(self, name: str, fields: list[dict[str, Any]]) -> None:
        collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        records = dynamo_records()
        CollectionsAdmin(collections, records).create({"name": name, "type": "base", "fields": fields})
        self.name = name
        self.writer = RecordScope(collections, records, RequestContext(system=True)).writer
        self.ids: list[str] = []

    def create(self, i: int) -> None:
        body = {"price": i % 97, "qty": i % 13 + 1, "title": f" Item number {i} ", "due": "2024-01-31 10:00:00Z"}
        self.ids.append(self.writer.create(self.name, body).record.id)

    def update(self, i: int) -> None:
        self.writer.update(self.name, self.ids[i % len(self.ids)], {"qty": i % 7 + 2})


def _timed(meter: CapacityMeter, action: Callable[[int], None], count: int) -> tuple[float, float]:
    """(seconds per write, WCU per write) of `count` writes."""
    before = meter.snapshot()
    start = time.perf_counter()
    for i in range(count):
        action(i)
    elapsed = time.perf_counter() - start
    return elapsed / count, (meter.snapshot() - before).wcu / count


def measure() -> dict[str, tuple[float, float, float, float]]:
    """Per operation: (plain s, formula s, plain WCU, formula WCU), medians of ROUNDS paired rounds."""
    plain, formula = Side("bench_plain", PLAIN_FIELDS), Side("bench_formula", PLAIN_FIELDS + FORMULAS)
    meter = CapacityMeter()
    results: dict[str, tuple[float, float, float, float]] = {}
    with meter.attached(client("dynamodb")):
        for side in (plain, formula):  # warm both paths (first parse, first requests) before timing
            side.create(0)
        for operation in ("create", "update"):
            runs: dict[str, list[tuple[float, float]]] = {"plain": [], "formula": []}
            for _ in range(ROUNDS):
                for label, side in (("plain", plain), ("formula", formula)):
                    runs[label].append(_timed(meter, getattr(side, operation), WRITES))
            results[operation] = (statistics.median(t for t, _ in runs["plain"]),
                                  statistics.median(t for t, _ in runs["formula"]),
                                  statistics.median(w for _, w in runs["plain"]),
                                  statistics.median(w for _, w in runs["formula"]))
    return results


def report() -> None:
    from tests.support.moto_cloud import running_cloud

    print(f"Formula writes on moto: {len(FORMULAS)} formulas vs none, LB_BENCH_FORMULA_WRITES={WRITES} writes per "
          f"round, {ROUNDS} paired rounds (A B A B), medians")
    with running_cloud():
        results = measure()
    for operation, (plain_s, formula_s, plain_wcu, formula_wcu) in results.items():
        ratio = formula_s / plain_s if plain_s else float("nan")
        print(f"  {operation:<7} plain {plain_s * 1000:6.2f} ms {plain_wcu:.2f} WCU; with formulas "
              f"{formula_s * 1000:6.2f} ms {formula_wcu:.2f} WCU; time ratio {ratio:.2f}x")
        added_ms = (formula_s - plain_s) * 1000 / len(FORMULAS)
        goals.record("formulas", f"{operation} with {len(FORMULAS)} formulas vs plain (time ratio)", "-",
                     f"{ratio:.2f}x (plain {plain_s * 1000:.2f} ms)", None)
        goals.record("formulas", f"{operation}: time added per formula", f"<= {ADDED_MS_GOAL} ms",
                     f"{added_ms:.3f} ms", added_ms <= ADDED_MS_GOAL)
        goals.record("formulas", f"{operation} with {len(FORMULAS)} formulas vs plain (WCU)", "-",
                     f"{formula_wcu:.2f} vs {plain_wcu:.2f}", None)


if __name__ == "__main__":
    report()
    goals.print_table()
