"""A subscription's `filter`: PocketBase's filter language, evaluated on the event's `data.record` (plain JSON).

The record is the one the event carries (as the REST API shows it to a superuser), so identifiers are its
field names and paths into JSON values (`meta.kind`); a list is multi-valued (`tags ?= "x"`). Relations are not
followed and `@request.*` / `@collection.*` are refused when the filter is saved: a delivery reads nothing.
"""

from __future__ import annotations

from typing import Any

from shared.tools.filter import (
    Expr,
    FilterError,
    FilterEvaluationError,
    Identifier,
    Resolved,
    evaluate,
    parse_filter,
)
from shared.tools.filter.ast import And, Compare, Or


class JsonRecordResolver:
    """Answers identifiers from one record's JSON."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def resolve(self, identifier: Identifier) -> Resolved:
        if identifier.path[0].startswith("@"):
            raise FilterEvaluationError(f"{identifier.dotted} is not available to webhook filters.")
        value: Any = self.record
        exists = True
        for part in identifier.path:
            if isinstance(value, dict) and part in value:
                value = value[part]
            else:
                value, exists = None, False
                break
        if isinstance(value, list):
            return Resolved(list(value), multi=True, exists=exists)
        return Resolved([] if value is None else [value], multi=False, exists=exists,
                        null_fallback=not isinstance(value, dict))


def _identifiers(expr: Any) -> list[Identifier]:
    if isinstance(expr, And | Or):
        return [i for item in expr.items for i in _identifiers(item)]
    if isinstance(expr, Compare):
        return [side for side in (expr.left, expr.right) if isinstance(side, Identifier)]
    return []


def filter_error(text: str) -> str | None:
    """Why a subscription filter is invalid, or None (an empty filter matches every record)."""
    if not text.strip():
        return None
    try:
        expr = parse_filter(text)
    except FilterError as exc:
        return f"Invalid filter: {exc}"
    for identifier in _identifiers(expr):
        if identifier.path[0].startswith("@"):
            return f"Invalid filter: {identifier.dotted} is not available to webhook filters."
    return None


def compile_filter(text: str) -> Expr | None:
    """The parsed filter, or None for an empty one (which matches everything)."""
    return parse_filter(text) if text.strip() else None


def record_matches(expr: Expr | None, record: dict[str, Any] | None) -> bool:
    """Whether the record satisfies the filter; a filter cannot match an event without a record."""
    if expr is None:
        return True
    if record is None:
        return False
    try:
        return evaluate(expr, JsonRecordResolver(record))
    except FilterEvaluationError:
        return False
