"""PocketBase's list query parameters (page, perPage, sort, filter, expand, fields, skipTotal), and the
additive `cursor`, parsed once.

Domain-free like the filter package: it knows the parameters' syntax and limits, not collections; the caller
turns a ListQueryError into its own error answer.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from shared.tools.filter import FieldsSpec, FilterError, SortKey, parse_fields, parse_sort

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000


class ListQueryError(Exception):
    """A list parameter is malformed: which one, PocketBase's validation code and a message."""

    def __init__(self, param: str, code: str, message: str) -> None:
        self.param = param
        self.code = code
        self.message = message
        super().__init__(f"{param}: {message}")


class ListQuery(msgspec.Struct, frozen=True):
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: list[SortKey] = msgspec.field(default_factory=list)
    filter: str = ""
    expand: str = ""
    fields: FieldsSpec | None = None
    skip_total: bool = False
    # None: PocketBase's page paging; "" asks for the first page with a nextCursor; otherwise a nextCursor
    cursor: str | None = None


def _whole_number(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ListQueryError(name, "validation_invalid_number", "Must be a whole number.") from exc


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "t", "yes")


def parse_fields_param(params: Mapping[str, str]) -> FieldsSpec | None:
    """The `fields` projection, or None when absent."""
    text = params.get("fields", "")
    if not text:
        return None
    try:
        return parse_fields(text)
    except FilterError as exc:
        raise ListQueryError("fields", "validation_invalid_fields", str(exc)) from exc


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    """Every list parameter; as PocketBase, a zero or negative perPage means the default, a larger one is capped."""
    page = max(1, _whole_number(params, "page", 1))
    per_page = _whole_number(params, "perPage", DEFAULT_PER_PAGE)
    per_page = DEFAULT_PER_PAGE if per_page <= 0 else min(MAX_PER_PAGE, per_page)
    try:
        sort = parse_sort(params.get("sort", ""))
    except FilterError as exc:
        raise ListQueryError("sort", "validation_invalid_sort", str(exc)) from exc
    return ListQuery(page=page, per_page=per_page, sort=sort, filter=params.get("filter", ""),
                     expand=params.get("expand", ""), fields=parse_fields_param(params),
                     skip_total=_truthy(params.get("skipTotal")), cursor=params.get("cursor"))
