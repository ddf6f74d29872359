"""`parse_sort`: PocketBase's `sort` parameter (`-created,title,@random`) to a list of SortKey."""

from __future__ import annotations

import re

import msgspec

from shared.tools.filter.errors import FilterSyntaxError
from shared.tools.filter.limits import MAX_FILTER_LENGTH, MAX_SORT_KEYS

RANDOM_SORT = "@random"
ROWID_SORT = "@rowid"

_SORT_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*")


class SortKey(msgspec.Struct, frozen=True):
    """One sort key; `path` is the dotted name split (`('author', 'name')`) or `('@random',)`."""

    path: tuple[str, ...]
    descending: bool = False

    def __str__(self) -> str:
        return ("-" if self.descending else "") + ".".join(self.path)


def parse_sort(text: str) -> list[SortKey]:
    """Parse `-a,+b,c.d`: `-` sorts descending, `+` (or nothing) ascending; blank text sorts nothing.

    `@random` and `@rowid` are accepted as keys; whether a key (or a dotted relation path) may be sorted on
    is for the caller to decide.
    """
    if not isinstance(text, str):
        raise FilterSyntaxError("The sort expression must be a string.")
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterSyntaxError(f"The sort expression is too long (the maximum is {MAX_FILTER_LENGTH} characters).")
    if not text.strip():
        return []
    parts = text.split(",")
    if len(parts) > MAX_SORT_KEYS:
        raise FilterSyntaxError(f"Too many sort keys ({len(parts)}; the maximum is {MAX_SORT_KEYS}).")
    return [_parse_key(part.strip()) for part in parts]


def _parse_key(part: str) -> SortKey:
    descending = part.startswith("-")
    name = part[1:] if part[:1] in ("-", "+") else part
    if name in (RANDOM_SORT, ROWID_SORT):
        return SortKey((name,), descending)
    if not _SORT_PATH.fullmatch(name):
        shown = name if len(name) <= 40 else name[:37] + "..."
        raise FilterSyntaxError(f"Invalid sort field {shown!r}." if name else "Empty sort field.")
    return SortKey(tuple(name.split(".")), descending)
