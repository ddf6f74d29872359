"""Turns an identifier token into a Literal (true/false/null), a Macro or a validated Identifier."""

from __future__ import annotations

import re

from shared.tools.filter.ast import MODIFIERS, Identifier, Literal, Macro
from shared.tools.filter.errors import FilterSyntaxError

MACRO_NAMES = frozenset({
    "@now", "@second", "@minute", "@hour", "@weekday", "@day", "@month", "@year",
    "@yesterday", "@tomorrow", "@todayStart", "@todayEnd",
    "@monthStart", "@monthEnd", "@yearStart", "@yearEnd",
})

KEYWORD_LITERALS: dict[str, bool | None] = {"true": True, "false": False, "null": None}

# @request.<section>: sections that are a single value vs. sections that need a key after them.
REQUEST_SCALARS = frozenset({"method", "context"})
REQUEST_MAPS = frozenset({"auth", "body", "query", "headers"})

_FIRST_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Later segments may start with a digit: json paths (`data.items.0`) and normalized header names.
_SEGMENT = re.compile(r"[A-Za-z0-9_]+")


def parse_identifier(raw: str, position: int) -> Identifier | Macro | Literal:
    """Validate the identifier `raw` found at 1-based `position` and build its node."""
    # PocketBase falls back to these constants case-insensitively when no field has the name.
    keyword = raw.lower()
    if keyword in KEYWORD_LITERALS:
        return Literal(KEYWORD_LITERALS[keyword])
    if raw in MACRO_NAMES:
        return Macro(raw)

    segments = raw.split(".")
    if any(segment == "" for segment in segments):
        raise FilterSyntaxError(f"Invalid identifier {raw!r} at position {position}: empty path segment.")
    last, modifier = _split_modifier(segments[-1], raw, position)
    path = (*segments[:-1], last)

    root = path[0]
    if root.startswith("@"):
        _check_special_root(path, raw, position)
    elif not _FIRST_SEGMENT.fullmatch(root):
        raise FilterSyntaxError(f"Invalid identifier {raw!r} at position {position}.")
    for index, segment in enumerate(path[1:], start=1):
        if index == 1 and root == "@collection":
            continue  # checked with its optional alias in _check_special_root
        if not _SEGMENT.fullmatch(segment):
            raise FilterSyntaxError(f"Invalid identifier {raw!r} at position {position}.")
    return Identifier(path, modifier)


def _split_modifier(segment: str, raw: str, position: int) -> tuple[str, str | None]:
    name, colon, modifier = segment.partition(":")
    if not colon:
        return name, None
    if modifier not in MODIFIERS:
        known = ", ".join(f":{m}" for m in sorted(MODIFIERS))
        raise FilterSyntaxError(
            f"Unknown modifier {':' + modifier!r} in {raw!r} at position {position}; expected one of {known}."
        )
    if name == "":
        raise FilterSyntaxError(f"Invalid identifier {raw!r} at position {position}: missing field name.")
    return name, modifier


def _check_special_root(path: tuple[str, ...], raw: str, position: int) -> None:
    root = path[0]
    if root == "@request":
        section = path[1] if len(path) > 1 else ""
        if section in REQUEST_SCALARS and len(path) == 2:
            return
        if section in REQUEST_MAPS and len(path) >= 3:
            return
        raise FilterSyntaxError(
            f"Invalid request identifier {raw!r} at position {position}; expected @request.method, "
            "@request.context, or @request.auth/body/query/headers followed by a key."
        )
    if root == "@collection":
        if len(path) < 3 or not re.fullmatch(r"[A-Za-z0-9_]+(:[A-Za-z0-9_]+)?", path[1]):
            raise FilterSyntaxError(
                f"Invalid collection identifier {raw!r} at position {position}; "
                "expected @collection.name.field or @collection.name:alias.field."
            )
        return
    if root in MACRO_NAMES:
        raise FilterSyntaxError(f"The macro {root!r} at position {position} takes no path or modifier.")
    raise FilterSyntaxError(f"Unknown identifier {raw!r} at position {position}.")
