"""Query parameters over their limit answer 400 before any work, on every function (PocketBase's 3,500 chars)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request

from shared.errors import BadRequestError, field_error
from shared.tools.filter import MAX_FILTER_LENGTH, FilterSyntaxError, parse_fields, parse_filter, parse_sort

# parameter -> (its parser, which owns the limit and its wording; the message and code records answer with)
_LIMITED: dict[str, tuple[Callable[[str], Any], str, str]] = {
    "filter": (parse_filter, "Invalid filter parameters.", "validation_invalid_filter"),
    "sort": (parse_sort, "Invalid sort parameter.", "validation_invalid_sort"),
    "fields": (parse_fields, "Invalid fields parameter.", "validation_invalid_fields"),
}


async def check_query_limits(request: Request) -> None:
    """Reject a `filter`, `sort` or `fields` longer than the filter package allows, in PocketBase's shape."""
    for name, (parse, message, code) in _LIMITED.items():
        for value in request.query_params.getlist(name):
            if len(value) <= MAX_FILTER_LENGTH:
                continue
            try:
                parse(value)  # the parser checks the length first and says so in its own words
            except FilterSyntaxError as exc:
                raise BadRequestError(message, {name: field_error(code, str(exc))}) from exc
            raise BadRequestError(message, {name: field_error(code, f"The maximum is {MAX_FILTER_LENGTH} characters.")})
