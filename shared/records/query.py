"""Runs a plan: pulls candidates in the plan's order, applies the residual filter, pages, sorts and counts."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

from shared.records.model import ReadMeter, StoredRecord
from shared.records.planner import Plan
from shared.records.repository import RecordRepository
from shared.tools.filter import SortKey

Matcher = Callable[[StoredRecord], bool]
SortValue = Callable[[StoredRecord, SortKey], Any]
# Reads what matching a chunk of candidates will need (their related records) in one go.
Prefetch = Callable[[list[StoredRecord]], None]
# Candidates are matched this many at a time when a prefetch is given: one BatchGetItem's worth of relations.
PREFETCH_CHUNK = 100
# Every candidate is read before an in-memory sort or to count a total: the largest pages take the fewest requests.
UNORDERED_READ_SIZE = 1000


@dataclass
class PageResult:
    items: list[StoredRecord]
    total: int
    plan: Plan


def _sort_value(value: Any) -> tuple[int, Any]:
    # SQLite's order: NULL (and PocketBase's empty values) first, then numbers, then text.
    if value is None or value == "" or value == []:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))


def sort_records(records: list[StoredRecord], sort: list[SortKey], value_of: SortValue) -> list[StoredRecord]:
    if any(k.path == ("@random",) for k in sort):
        shuffled = list(records)
        random.shuffle(shuffled)
        return shuffled
    ordered = list(records)
    for key in reversed(sort):
        ordered.sort(key=lambda r, k=key: _sort_value(value_of(r, k)), reverse=key.descending)  # type: ignore[misc]
    return ordered


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="total-read")


def _joined(records: Iterator[StoredRecord], counted: Future[int | None], counter_meter: ReadMeter,
            meter: ReadMeter) -> Iterator[StoredRecord]:
    """The records, with the counter read (sent with the first wave) metered once the first wave is back."""
    try:
        first = next(records, None)
    finally:
        counted.result()
        meter.add(counter_meter.items_read, requests=counter_meter.requests, round_trips=0)
    if first is None:
        return
    yield first
    yield from records


def _prefetched(records: Iterator[StoredRecord], prefetch: Prefetch, size: int) -> Iterator[StoredRecord]:
    """The candidates in chunks, each chunk's related records read before any of it is matched."""
    while chunk := list(itertools.islice(records, max(1, size))):
        prefetch(chunk)
        yield from chunk


def run_list(repo: RecordRepository, plan: Plan, sort: list[SortKey], *, page: int, per_page: int,
             skip_total: bool, matcher: Matcher, value_of: SortValue, meter: ReadMeter,
             prefetch: Prefetch | None = None) -> PageResult:
    """One page of matching records, with the honest total (or -1 when skipped)."""
    meter.plans.append(plan.description)
    offset = (page - 1) * per_page
    counted: Future[int | None] | None = None
    counter_meter = ReadMeter()
    if plan.total_counter is not None and not skip_total:
        # Sent alongside the first wave of record reads: the same round trip, not one more.
        counted = _pool().submit(repo.read_counter, plan.total_counter, counter_meter)
    # A total no counter holds is counted by reading every candidate: then the largest chunks cost least.
    reads_all = not plan.ordered or (not skip_total and plan.total_counter is None)
    want = UNORDERED_READ_SIZE if reads_all else offset + per_page
    candidates = repo.query(plan, meter, want=want, drain=reads_all)
    if counted is not None:
        candidates = _joined(candidates, counted, counter_meter, meter)
    stream = (r for r in (_prefetched(candidates, prefetch, min(PREFETCH_CHUNK, want)) if prefetch else candidates)
              if matcher(r))

    def counter_total() -> int | None:
        return counted.result() if counted is not None and counted.done() else None

    if plan.ordered:
        items: list[StoredRecord] = []
        seen = 0
        for record in stream:
            if seen >= offset and len(items) < per_page:
                items.append(record)
            seen += 1
            if len(items) >= per_page and (skip_total or counter_total() is not None):
                break
        total = counter_total()
        if total is None:
            total = -1 if skip_total else seen
        return PageResult(items, total, plan)
    everything = sort_records(list(stream), sort, value_of)
    total = counter_total()
    return PageResult(everything[offset:offset + per_page],
                      -1 if skip_total else (total if total is not None else len(everything)), plan)
