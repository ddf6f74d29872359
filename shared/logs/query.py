"""`GET /api/logs` and `GET /api/logs/stats`: PocketBase's list and hourly stats over the logs, with bounded reads.

A query reads the day partitions of its time window (shared/logs/window.py) in time order, oldest first by
default, tests each log against the filter, and keeps the page. The read is bounded by `READ_BUDGET` logs:

- a list in time order (no sort, or `created`, `id`, `@rowid` either way) stops as soon as its page is full
  with `skipTotal`, or without a filter, whose total the repository counts without reading the logs (the
  days' counts, shared/logs/dynamo_repository.py); otherwise it reads on to count, and when the budget runs
  out after the page is full it answers the page with `totalItems` and `totalPages` -1 (unknown, as with
  `skipTotal`);
- a list sorted by anything else, and stats, need every matching log of the window: past the budget they
  answer 400 with advice (narrow the window with a `created` filter).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cmp_to_key
from typing import Any

import msgspec

from shared.errors import BadRequestError
from shared.logs.fields import TIME_ORDER_KEYS, LogFieldResolver, check_filter_fields, check_sort_fields, field_value
from shared.logs.model import LogEntry, from_epoch_ms
from shared.logs.repository import LogRepository
from shared.logs.window import Window, narrow, retention_window
from shared.tools.filter import RANDOM_SORT, Expr, FilterError, SortKey, apply_fields, evaluate, parse_filter
from shared.tools.list_query import ListQuery, ListQueryError, parse_list_query

# Logs one query may read; at about 0.6 KB a log that is some 12 MB of Query pages (about 1,500 read units).
READ_BUDGET = 20_000
GENERIC_ERROR = "Something went wrong while processing your request."
INVALID_FILTER = "Invalid filter format."
BUDGET_ADVICE = ("The logs query would read more than {budget} logs. Narrow it with a created filter, "
                 "e.g. created >= \"2026-12-01 10:00:00\", or sort by created.")


class LogsView(msgspec.Struct, frozen=True):
    """What a query acts on: the logs, the retention in days, and the moment it runs."""

    repository: LogRepository
    max_days: int
    now_ms: int
    budget: int = READ_BUDGET

    def window(self, expr: Expr | None) -> Window:
        base = retention_window(self.now_ms, self.max_days, self.repository.truncated_before())
        return narrow(base, expr, from_epoch_ms(self.now_ms))

    def visible(self, entry: LogEntry) -> bool:
        base = retention_window(self.now_ms, self.max_days, self.repository.truncated_before())
        return base.start_ms <= entry.created_ms <= base.end_ms


class BudgetExceededError(Exception):
    """The query would read more logs than its budget."""


def list_logs(view: LogsView, params: Mapping[str, str]) -> dict[str, Any]:
    """One page of logs, in PocketBase's list shape."""
    try:
        query = parse_list_query(params)
        expr = parse_filter(query.filter) if query.filter.strip() else None
        if expr is not None:
            check_filter_fields(expr)
        check_sort_fields(query.sort)
    except (ListQueryError, FilterError) as exc:
        raise BadRequestError(GENERIC_ERROR, {}) from exc
    now = from_epoch_ms(view.now_ms)
    in_time_order = not query.sort or (len(query.sort) == 1 and query.sort[0].path in TIME_ORDER_KEYS)
    # No sort lists oldest first, as PocketBase does (its insertion order).
    newest_first = bool(query.sort) and query.sort[0].descending
    window = view.window(expr)
    matches = _matching(view, window, expr, now, newest_first=newest_first if in_time_order else False)
    try:
        if in_time_order and expr is None and not query.skip_total and not window.empty:
            # No filter: the page is read (past the days that hold none), then the total is counted without
            # reading the logs (the days' counts; a day the page's read went through is counted from that read).
            items, _ = _page_in_order(matches, msgspec.structs.replace(query, skip_total=True))
            counted = view.repository.count(window.start_ms, window.end_ms, view.now_ms, view.budget)
            total = -1 if counted is None else counted
        elif in_time_order:
            items, total = _page_in_order(matches, query)
        else:
            items, total = _page_sorted(list(matches), query)
    except BudgetExceededError as exc:
        raise BadRequestError(BUDGET_ADVICE.format(budget=view.budget), {}) from exc
    except FilterError as exc:
        raise BadRequestError(GENERIC_ERROR, {}) from exc
    shown = [entry.to_api_json() for entry in items]
    if query.fields is not None:
        shown = [apply_fields(item, query.fields) for item in shown]
    pages = -1 if total < 0 else math.ceil(total / query.per_page)
    return {"items": shown, "page": query.page, "perPage": query.per_page, "totalItems": total,
            "totalPages": pages}


def logs_stats(view: LogsView, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """`[{date, total}]`: how many logs the filter matches per hour, oldest hour first."""
    text = params.get("filter", "")
    try:
        expr = parse_filter(text) if text.strip() else None
        if expr is not None:
            check_filter_fields(expr)
    except FilterError as exc:
        raise BadRequestError(INVALID_FILTER, {}) from exc
    counts: dict[str, int] = {}
    try:
        for entry in _matching(view, view.window(expr), expr, from_epoch_ms(view.now_ms), newest_first=False):
            hour = entry.created[:13] + ":00:00.000Z"
            counts[hour] = counts.get(hour, 0) + 1
    except BudgetExceededError as exc:
        raise BadRequestError(BUDGET_ADVICE.format(budget=view.budget), {}) from exc
    except FilterError as exc:
        raise BadRequestError("Failed to generate logs stats.", {}) from exc
    return [{"date": hour, "total": total} for hour, total in sorted(counts.items())]


class _Counted:
    """The logs a query reads, counted against its budget as they are read."""

    def __init__(self, logs: Iterator[LogEntry], budget: int) -> None:
        self._logs = logs
        self._budget = budget
        self.read = 0

    def __iter__(self) -> Iterator[LogEntry]:
        for entry in self._logs:
            self.read += 1
            if self.read > self._budget:
                raise BudgetExceededError()
            yield entry


def _matching(view: LogsView, window: Window, expr: Expr | None, now: datetime, *,
              newest_first: bool) -> Iterator[LogEntry]:
    if window.empty:
        return
    for entry in _Counted(view.repository.scan(window.start_ms, window.end_ms, newest_first), view.budget):
        if expr is None or evaluate(expr, LogFieldResolver(entry), now=now):
            yield entry


def _page_in_order(matches: Iterator[LogEntry], query: ListQuery) -> tuple[list[LogEntry], int]:
    start = (query.page - 1) * query.per_page
    end = start + query.per_page
    items: list[LogEntry] = []
    total = 0
    try:
        for entry in matches:
            if start <= total < end:
                items.append(entry)
            total += 1
            if query.skip_total and total >= end:
                break
    except BudgetExceededError:
        if total < end:
            raise  # the page itself is not complete
        return items, -1
    return items, -1 if query.skip_total else total


def _page_sorted(matches: list[LogEntry], query: ListQuery) -> tuple[list[LogEntry], int]:
    def by_keys(a: LogEntry, b: LogEntry) -> int:
        return _compare(a, b, query.sort)

    if query.sort[0].path == (RANDOM_SORT,):
        ordered = random.sample(matches, len(matches))  # PocketBase's ORDER BY RANDOM()
    else:
        ordered = sorted(matches, key=cmp_to_key(by_keys))
    start = (query.page - 1) * query.per_page
    return ordered[start:start + query.per_page], -1 if query.skip_total else len(matches)


def _compare(a: LogEntry, b: LogEntry, keys: list[SortKey]) -> int:
    for key in keys:
        if key.path in TIME_ORDER_KEYS:
            left: Any = a.id
            right: Any = b.id
        else:
            left, right = _sortable(field_value(a, key.path)[0]), _sortable(field_value(b, key.path)[0])
        if left != right:
            result = -1 if left < right else 1
            return -result if key.descending else result
    return 0


def _sortable(value: Any) -> tuple[int, Any]:
    """SQLite's order of types: null, then numbers, then text (anything else as its text)."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))
