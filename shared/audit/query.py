"""`GET /api/audit`: PocketBase's list shape over the audit log, filtered and sorted with PocketBase's language.

Fields a filter or sort may name are the entry's JSON keys (`id`, `created`, `action`, `collectionId`,
`collectionName`, `record`, `ip`, `userAgent`, `requestId`, `sequence`, `changedFields`) and paths below
`actor.` and `changes.` (`actor.kind = "impersonator"`, `changes.title.new ~ "draft"`); a list or object
compares as its JSON text. A filter whose top level requires `record = "<id>"` reads that record's history
(one Query on gsi1) instead of the time-ordered log. Reads are bounded by READ_BUDGET entries, as the logs'.
Newest first by default (`-created`): an audit trail is read from its end.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import cmp_to_key
from typing import Any

import msgspec

from shared.audit.model import AuditEntry
from shared.audit.repository import AuditRepository
from shared.errors import BadRequestError
from shared.tools.filter import (
    And,
    Compare,
    Expr,
    FilterError,
    FilterEvaluationError,
    Identifier,
    Literal,
    Resolved,
    SortKey,
    apply_fields,
    evaluate,
    identifier_paths,
    parse_filter,
)
from shared.tools.list_query import ListQueryError, parse_list_query

READ_BUDGET = 20_000
INVALID_QUERY = "Invalid audit query."
BUDGET_ADVICE = ("The audit query would read more than {budget} entries. Narrow it with a created filter, e.g. "
                 "created >= \"2026-12-01 10:00:00\", or with record = \"<record id>\".")
COLUMNS = frozenset({"id", "created", "action", "collectionId", "collectionName", "record", "ip", "userAgent",
                     "requestId", "sequence", "changedFields", "actor", "changes"})
TIME_ORDER_KEYS = frozenset({("id",), ("created",)})


class AuditView(msgspec.Struct, frozen=True):
    repository: AuditRepository
    retention_days: int
    now_ms: int
    budget: int = READ_BUDGET

    @property
    def start_ms(self) -> int:
        return self.now_ms - self.retention_days * 86_400_000


def field_value(entry: dict[str, Any], path: tuple[str, ...]) -> tuple[Any, bool]:
    if path[0] not in COLUMNS:
        raise FilterEvaluationError(f"unknown audit field {'.'.join(path)!r}")
    value: Any = entry
    for segment in path:
        if not isinstance(value, dict) or segment not in value:
            return None, False
        value = value[segment]
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":")), True
    return value, True


class AuditFieldResolver:
    """The filter language's view of one entry."""

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry

    def resolve(self, identifier: Identifier) -> Resolved:
        value, exists = field_value(self.entry, identifier.path)
        return Resolved([value], multi=False, exists=exists)


def record_of(expr: Expr | None) -> str | None:
    """The record id a filter requires at its top level (`record = "x"`, alone or in an AND), if any."""
    items = expr.items if isinstance(expr, And) else (expr,) if expr is not None else ()
    for item in items:
        if (isinstance(item, Compare) and item.op == "=" and isinstance(item.left, Identifier)
                and item.left.path == ("record",) and isinstance(item.right, Literal)
                and isinstance(item.right.value, str)):
            return item.right.value
    return None


def _sortable(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, (bool, int, float)):
        return (1, float(value))
    return (2, str(value))


def _compare(a: dict[str, Any], b: dict[str, Any], keys: list[SortKey]) -> int:
    for key in keys:
        path = ("id",) if key.path in TIME_ORDER_KEYS else key.path
        left, right = _sortable(field_value(a, path)[0]), _sortable(field_value(b, path)[0])
        if left != right:
            result = -1 if left < right else 1
            return -result if key.descending else result
    return 0


def _candidates(view: AuditView, expr: Expr | None, newest_first: bool) -> Iterator[AuditEntry]:
    record = record_of(expr)
    source = (view.repository.history(record, newest_first) if record is not None
              else view.repository.scan(view.start_ms, view.now_ms, newest_first))
    for read, entry in enumerate(source, start=1):
        if read > view.budget:
            raise BadRequestError(BUDGET_ADVICE.format(budget=view.budget), {})
        if view.start_ms <= entry.created_ms:
            yield entry


def list_audit(view: AuditView, params: Mapping[str, str]) -> dict[str, Any]:
    """One page of the audit log, in PocketBase's list shape."""
    try:
        query = parse_list_query(params)
        expr = parse_filter(query.filter) if query.filter.strip() else None
        # every field the filter and the sort name is checked now, not only once an entry is evaluated: an
        # unknown field is a 400 on an empty log too
        for path in [*identifier_paths(expr), *(key.path for key in query.sort)]:
            field_value({}, path)
    except (ListQueryError, FilterError) as exc:
        raise BadRequestError(INVALID_QUERY, {}) from exc
    sort = query.sort or [SortKey(("created",), descending=True)]
    in_time_order = len(sort) == 1 and sort[0].path in TIME_ORDER_KEYS
    now = datetime.fromtimestamp(view.now_ms / 1000, UTC)
    start = (query.page - 1) * query.per_page
    end = start + query.per_page
    matched: list[dict[str, Any]] = []
    total = 0
    try:
        for entry in _candidates(view, expr, sort[0].descending if in_time_order else False):
            shown = entry.to_api_json()
            if expr is not None and not evaluate(expr, AuditFieldResolver(shown), now=now):
                continue
            if not in_time_order or start <= total < end:
                matched.append(shown)
            total += 1
            if in_time_order and query.skip_total and total >= end:
                break
    except FilterError as exc:
        raise BadRequestError(INVALID_QUERY, {}) from exc
    if not in_time_order:
        def by_keys(a: dict[str, Any], b: dict[str, Any]) -> int:
            return _compare(a, b, sort)

        matched = sorted(matched, key=cmp_to_key(by_keys))[start:end]
    if query.fields is not None:
        matched = [apply_fields(item, query.fields) for item in matched]
    total = -1 if query.skip_total else total
    pages = -1 if total < 0 else math.ceil(total / query.per_page)
    return {"items": matched, "page": query.page, "perPage": query.per_page, "totalItems": total,
            "totalPages": pages}
