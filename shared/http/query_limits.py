"""Query parameters over their limit answer 400 before any work, on every function (PocketBase's 3,500 chars)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from shared.errors import BadRequestError, field_error

# parameter -> (the message and code records answer with); each parameter's parser owns its limit and wording
_LIMITED: dict[str, tuple[str, str]] = {
    "filter": ("Invalid filter parameters.", "validation_invalid_filter"),
    "sort": ("Invalid sort parameter.", "validation_invalid_sort"),
    "fields": ("Invalid fields parameter.", "validation_invalid_fields"),
}


def _parser(name: str) -> Callable[[str], Any]:
    # The filter package is imported by the first request that has one of its parameters, not at init.
    from shared.tools.filter import parse_fields, parse_filter, parse_sort

    return {"filter": parse_filter, "sort": parse_sort, "fields": parse_fields}[name]


async def check_query_limits(request: Request) -> None:
    """Reject a `filter`, `sort` or `fields` longer than the filter package allows, in PocketBase's shape."""
    present = [name for name in _LIMITED if name in request.query_params]
    if not present:
        return
    from shared.tools.filter import MAX_FILTER_LENGTH, FilterSyntaxError

    for name in present:
        message, code = _LIMITED[name]
        for value in request.query_params.getlist(name):
            if len(value) <= MAX_FILTER_LENGTH:
                continue
            try:
                _parser(name)(value)  # the parser checks the length first and says so in its own words
            except FilterSyntaxError as exc:
                raise BadRequestError(message, {name: field_error(code, str(exc))}) from exc
            raise BadRequestError(message, {name: field_error(code, f"The maximum is {MAX_FILTER_LENGTH} characters.")})
