"""GET /api/collections: PocketBase's list of collections, with page, perPage, filter, sort, skipTotal and fields.

As in PocketBase, filter and sort may only name id, created, updated, name, system and type; anything else,
an unparsable filter or sort and a page or perPage that is not a whole number answer the generic 400.
"""

from __future__ import annotations

import math
import random
from typing import Any

from shared.errors import BadRequestError
from shared.tools.filter import (
    FilterError,
    Identifier,
    Resolved,
    apply_fields,
    evaluate,
    parse_filter,
)
from shared.tools.list_query import ListQueryError, parse_list_query

LISTABLE_KEYS = frozenset({"id", "created", "updated", "name", "system", "type"})
_RANDOM_SORT = "@random"


def _generic_error() -> BadRequestError:
    return BadRequestError("Something went wrong while processing your request.", {})


class _CollectionResolver:
    """Resolves only the listable keys of one collection's JSON; any other name is an error."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def resolve(self, identifier: Identifier) -> Resolved:
        if len(identifier.path) != 1 or identifier.path[0] not in LISTABLE_KEYS or identifier.modifier:
            raise FilterError(f"unknown field {identifier.dotted!r}")
        return Resolved([self.doc.get(identifier.path[0])], multi=False)


def _sort_value(value: Any) -> tuple[int, Any]:
    # None sorts first, as NULL does in SQLite; booleans compare as 0/1
    return (0, "") if value is None else (1, value)


def list_collections(items: list[dict[str, Any]], params: dict[str, str]) -> dict[str, Any]:
    """The page of `items` (collection JSON, in creation order) that params ask for, in PocketBase's list shape."""
    try:
        query = parse_list_query(params)
    except ListQueryError as exc:
        raise _generic_error() from exc
    page, per_page = query.page, query.per_page
    try:
        if query.filter.strip():
            expr = parse_filter(query.filter)
            items = [item for item in items if evaluate(expr, _CollectionResolver(item))]
        for key in reversed(query.sort):
            if key.path == (_RANDOM_SORT,):
                random.shuffle(items)
                continue
            if len(key.path) != 1 or key.path[0] not in LISTABLE_KEYS:
                raise FilterError(f"unknown sort field {key}")
            items.sort(key=lambda item, name=key.path[0]: _sort_value(item.get(name)),  # type: ignore[misc]
                       reverse=key.descending)
    except FilterError as exc:
        raise _generic_error() from exc
    spec = query.fields
    total = len(items)
    page_items = items[(page - 1) * per_page: page * per_page]
    if spec is not None:
        page_items = [apply_fields(item, spec) for item in page_items]
    return {"page": page, "perPage": per_page, "totalItems": -1 if query.skip_total else total,
            "totalPages": -1 if query.skip_total else math.ceil(total / per_page), "items": page_items}
