"""Runs a plan: pulls candidates in the plan's order, applies the residual filter, pages, sorts and counts."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from typing import Any

import msgspec

from shared import concurrent_calls
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


class PageResult(msgspec.Struct):
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


class _OrderUnprovenError(Exception):
    """The collection carries the unordered marker: its id order is not proven to be `created` order."""


class _SideRead(msgspec.Struct):
    """A point read sent with the first wave of record reads (a counter, the unordered marker)."""

    result: Future[Any]
    meter: ReadMeter


def _side_read(read: Callable[[ReadMeter], Any]) -> _SideRead:
    side_meter = ReadMeter()
    return _SideRead(concurrent_calls.submit(_pool, read, side_meter), side_meter)


def _joined(records: Iterator[StoredRecord], sides: list[_SideRead], meter: ReadMeter,
            marker: _SideRead | None) -> Iterator[StoredRecord]:
    """The records, with the side reads (sent with the first wave) metered once the first wave is back; the
    first record comes only once the unordered marker, if asked, is known absent."""
    try:
        first = next(records, None)
    finally:
        for side in sides:
            side.result.result()
            meter.add(side.meter.items_read, requests=side.meter.requests, round_trips=0)
    if first is None:
        return
    if marker is not None and marker.result.result():
        raise _OrderUnprovenError()
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
    def run(chosen: Plan, order: list[SortKey]) -> PageResult:
        return _run_plan(repo, chosen, order, page=page, per_page=per_page, skip_total=skip_total, matcher=matcher,
                         value_of=value_of, meter=meter, prefetch=prefetch)

    try:
        return run(plan, sort)
    except _OrderUnprovenError:
        # What the first wave read is spent (and metered): the in-memory sort reads from the start. Ties on
        # `created` are broken by id in the sort's direction, as the id order breaks them.
        tiebroken = sort if len(sort) > 1 else [*sort, SortKey(("id",), sort[0].descending)]
        read = "scan by id" if plan.kind == "scan" else f"index {plan.index.name if plan.index else ''}"
        return run(msgspec.structs.replace(plan, ordered=False, forward=True, creation_order=False,
                                       description=f"{read}, sorted in memory (the collection is marked "
                                                   "unordered: its ids do not prove creation order)"), tiebroken)


def _run_plan(repo: RecordRepository, plan: Plan, sort: list[SortKey], *, page: int, per_page: int,
              skip_total: bool, matcher: Matcher, value_of: SortValue, meter: ReadMeter,
              prefetch: Prefetch | None) -> PageResult:
    meter.plans.append(plan.description)
    offset = (page - 1) * per_page
    sides: list[_SideRead] = []
    counted: Future[int | None] | None = None
    if plan.total_counter is not None and not skip_total:
        # Sent alongside the first wave of record reads: the same round trip, not one more.
        sides.append(_side_read(lambda m: repo.read_counter(plan.total_counter or "", m)))
        counted = sides[-1].result
    marker = _side_read(lambda m: repo.is_unordered(plan.collection_id, m)) if plan.creation_order else None
    if marker is not None:
        sides.append(marker)
    # A total no counter holds is counted by reading every candidate: then the largest chunks cost least.
    reads_all = not plan.ordered or (not skip_total and plan.total_counter is None)
    want = UNORDERED_READ_SIZE if reads_all else offset + per_page
    candidates = repo.query(plan, meter, want=want, drain=reads_all)
    if sides:
        candidates = _joined(candidates, sides, meter, marker)
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
