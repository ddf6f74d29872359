"""Runs a plan: reads candidates in key order, applies the residual filter, pages, sorts and counts."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from shared.catalog.layout import CollectionLayout
from shared.collections.model import Collection
from shared.records import keys
from shared.records.model import ReadMeter, StoredRecord
from shared.records.planner import Plan, plan_query
from shared.records.repository import RecordRepository
from shared.tools.filter import Expr, SortKey

Matcher = Callable[[StoredRecord], bool]


@dataclass
class PageResult:
    items: list[StoredRecord]
    total: int
    plan: Plan


def _shard_stream(repo: RecordRepository, collection: Collection, plan: Plan, meter: ReadMeter,
                  page_size: int) -> Iterator[StoredRecord]:
    """All shards merged by id, reading each shard lazily."""
    streams = []
    for shard in range(keys.RECORD_SHARDS):
        pages = repo.query_pages(pk_attr="pk", pk_value=keys.record_pk(collection.id, shard), index=None,
                                 forward=plan.forward, meter=meter, page_size=page_size,
                                 # unfiltered, each shard holds about its share of the page: no need to grow
                                 grow=plan.filtered, filter_expression=plan.pushdown)
        streams.append(record for page in pages for record in page)
    return heapq.merge(*streams, key=lambda r: r.id, reverse=not plan.forward)


def candidates(repo: RecordRepository, collection: Collection, plan: Plan, meter: ReadMeter,
               page_size: int) -> Iterator[StoredRecord]:
    if plan.kind == "get":
        found = repo.get(collection.id, plan.ids[0], meter)
        return iter([found] if found else [])
    if plan.kind == "index" and plan.index is not None:
        pages = repo.query_pages(pk_attr=f"gsi{plan.index.slot}pk", pk_value=plan.pk_value,
                                 index=f"gsi{plan.index.slot}", forward=plan.forward, meter=meter,
                                 page_size=page_size, sk_condition=plan.sk_condition, filter_expression=plan.pushdown)
        return (record for page in pages for record in page)
    return _shard_stream(repo, collection, plan, meter, page_size)


def _sort_value(value: Any) -> tuple[int, Any]:
    # SQLite's order: NULL (and PocketBase's empty values) first, then numbers, then text.
    if value is None or value == "" or value == []:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))


def sort_records(records: list[StoredRecord], sort: list[SortKey], value_of: Callable[[StoredRecord, SortKey], Any],
                 ) -> list[StoredRecord]:
    if any(k.path == ("@random",) for k in sort):
        shuffled = list(records)
        random.shuffle(shuffled)
        return shuffled
    ordered = list(records)
    for key in reversed(sort):
        ordered.sort(key=lambda r, k=key: _sort_value(value_of(r, k)), reverse=key.descending)  # type: ignore[misc]
    return ordered


def run_list(repo: RecordRepository, collection: Collection, layout: CollectionLayout, expr: Expr | None,
             sort: list[SortKey], *, page: int, per_page: int, skip_total: bool, matcher: Matcher,
             static: Any, value_of: Callable[[StoredRecord, SortKey], Any], meter: ReadMeter) -> PageResult:
    """One page of matching records, with the honest total (or -1 when skipped)."""
    plan = plan_query(collection, layout, expr, sort, static)
    meter.plans.append(plan.description)
    offset = (page - 1) * per_page
    # DynamoDB pages sized to the request: the first read is about one page, later ones grow.
    page_size = max(1, min(1000, offset + per_page + (0 if plan.kind == "index" else 1)))
    if plan.kind == "scan":
        page_size = max(1, min(1000, -(-(offset + per_page) // keys.RECORD_SHARDS) + 2))
    if not plan.ordered:
        page_size = 1000  # every candidate is read before sorting: the largest pages take the fewest requests
    total: int | None = None
    if plan.total_counter is not None and not skip_total:
        total = repo.read_counter(plan.total_counter, meter)
    stream = (r for r in candidates(repo, collection, plan, meter, page_size) if matcher(r))
    if plan.ordered:
        items: list[StoredRecord] = []
        seen = 0
        for record in stream:
            if seen >= offset and len(items) < per_page:
                items.append(record)
            seen += 1
            if len(items) >= per_page and (skip_total or total is not None):
                break
        if total is None:
            total = -1 if skip_total else seen
        return PageResult(items, total, plan)
    everything = sort_records(list(stream), sort, value_of)
    return PageResult(everything[offset:offset + per_page],
                      -1 if skip_total else (total if total is not None else len(everything)), plan)


def scan_collection(repo: RecordRepository, collection: Collection, meter: ReadMeter, *, limit: int
                    ) -> list[StoredRecord]:
    """Up to `limit` records of a collection in id order (joins and back-relations)."""
    plan = Plan(kind="scan", description="join scan")
    out = []
    for record in _shard_stream(repo, collection, plan, meter, min(1000, limit)):
        out.append(record)
        if len(out) >= limit:
            break
    return out
