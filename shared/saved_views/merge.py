"""A read through a saved view: the request's own sort and fields merged on top of the view's.

The view's filter is not merged here: it narrows the read as a rule (RecordReader.list_page's `scope_rule`),
so the request's `filter` stays the caller's own, with its limits (no `@request.*`, no hidden fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import BadRequestError
from shared.tools.filter import FilterError, parse_sort


def merged_sort(*sorts: str) -> str:
    """The sorts in order (the request's first), a key already sorted on left out of later ones."""
    keys: list[str] = []
    seen: set[str] = set()
    for text in sorts:
        try:
            parsed = parse_sort(text or "")
        except FilterError:
            return ",".join(s for s in sorts if s)  # the list answers the bad sort as PocketBase does
        for key in parsed:
            name = ".".join(key.path)
            if name not in seen:
                seen.add(name)
                keys.append(str(key))
    return ",".join(keys)


def _split_fields(text: str) -> list[str]:
    """`a,b:excerpt(200,true),expand.c` to its entries (commas inside a modifier's arguments kept)."""
    entries, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            entries.append(text[start:index].strip())
            start = index + 1
    entries.append(text[start:].strip())
    return [entry for entry in entries if entry]


def _top_name(entry: str) -> str:
    return entry.split(":", 1)[0].split(".", 1)[0]


def merged_fields(requested: str, visible: list[str] | None, expand: str) -> str:
    """The request's `fields` kept to the view's visible fields (all of them when the request names none)."""
    if not visible:
        return requested
    if not requested or requested.strip() == "*":
        return ",".join([*visible, *(["expand"] if expand else [])])
    allowed = set(visible) | {"expand"}
    kept = [entry for entry in _split_fields(requested)
            if _top_name(entry) in allowed]
    if not kept:
        raise BadRequestError("None of the requested fields is visible in this view.", {"fields": {
            "code": "validation_invalid_fields", "message": f"The view shows {', '.join(visible)}."}})
    return ",".join(kept)


def list_params(params: Mapping[str, str], view: dict[str, Any], *, sort_before_view: str = "",
                sort_after_view: str = "") -> dict[str, str]:
    """The list parameters of a read through the view: the request's, with the sorts and fields merged."""
    merged = {key: value for key, value in params.items() if key not in ("stack", "start", "end")}
    merged["sort"] = merged_sort(params.get("sort", ""), sort_before_view, str(view.get("sort") or ""),
                                 sort_after_view)
    fields = merged_fields(params.get("fields", ""), view.get("fields"), params.get("expand", ""))
    if fields:
        merged["fields"] = fields
    return {key: value for key, value in merged.items() if value != ""}
