"""Filtering and sorting the (small) list of collections by their JSON, for GET /api/collections."""

from __future__ import annotations

from typing import Any

from shared.errors import BadRequestError
from shared.tools.filter import FilterError, Identifier, Resolved, evaluate, parse_filter, parse_sort


class _JsonResolver:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def resolve(self, identifier: Identifier) -> Resolved:
        value: Any = self.doc
        for part in identifier.path:
            value = value.get(part) if isinstance(value, dict) else None
        return Resolved(value if isinstance(value, list) else [value], multi=isinstance(value, list))


def filter_and_sort(items: list[dict[str, Any]], filter_text: str, sort_text: str) -> list[dict[str, Any]]:
    try:
        if filter_text.strip():
            expr = parse_filter(filter_text)
            items = [i for i in items if evaluate(expr, _JsonResolver(i))]
        for key in reversed(parse_sort(sort_text)):
            items.sort(key=lambda i, k=key: str(i.get(k.path[0], "")), reverse=key.descending)  # type: ignore[misc]
    except FilterError as exc:
        raise BadRequestError("Invalid filter or sort parameter.", {"filter": {
            "code": "validation_invalid_filter", "message": str(exc)}}) from exc
    return items
