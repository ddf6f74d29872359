"""`parse_fields` / `apply_fields`: PocketBase's `fields` parameter, projecting record JSON (tools/picker).

`fields=*,expand.author.name,description:excerpt(200,true)` keeps every top-level key, only `name` of the
expanded author, and a 200-character plain-text excerpt of `description`. A path reaches into nested
objects and into lists of objects (`expand.comments_via_post.text`); `*` at any level keeps the keys of that
level that no other path names.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from shared.tools.filter.errors import FilterSyntaxError
from shared.tools.filter.limits import MAX_FILTER_LENGTH

_SEGMENT = re.compile(r"[^\s.,:()'\"]+")
_MODIFIER = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*", re.DOTALL)
# Go's cast.ToBool vocabulary; anything else counts as false, as in PocketBase.
_TRUE_WORDS = frozenset({"1", "t", "T", "TRUE", "true", "True"})


class Excerpt(msgspec.Struct, frozen=True):
    """The `:excerpt(max_length, with_ellipsis)` modifier."""

    max_length: int
    with_ellipsis: bool = False

    def apply(self, value: Any) -> Any:
        # Non-text values (e.g. a missing expand) pass through untouched, as in PocketBase.
        if not isinstance(value, str):
            return value
        # html.parser is loaded by the first excerpt, not by every cold start that imports the filter language
        from shared.tools.filter.excerpt import make_excerpt

        return make_excerpt(value, self.max_length, self.with_ellipsis)


class FieldSelector(msgspec.Struct, frozen=True):
    """One requested path (`('expand', 'author', 'name')`, `('*',)`), with its optional excerpt."""

    path: tuple[str, ...]
    excerpt: Excerpt | None = None

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


class FieldsSpec(msgspec.Struct, frozen=True):
    """The parsed `fields` parameter; no selectors means "keep everything"."""

    selectors: tuple[FieldSelector, ...] = ()


def parse_fields(text: str) -> FieldsSpec:
    """Parse a comma separated `fields` list; commas inside `excerpt(...)` do not split."""
    if not isinstance(text, str):
        raise FilterSyntaxError("The fields parameter must be a string.")
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterSyntaxError(f"The fields parameter is too long (the maximum is {MAX_FILTER_LENGTH} characters).")
    selectors = [_parse_selector(item.strip()) for item in _split_top_level(text) if item.strip()]
    return FieldsSpec(tuple(selectors))


def apply_fields(record: dict[str, Any], spec: FieldsSpec) -> dict[str, Any]:
    """Project `record` (and nested objects / lists of objects) onto `spec`; returns a new dict.

    Values kept whole are shared with `record`, not copied.
    """
    if not spec.selectors:
        return dict(record)
    fields: dict[str, Excerpt | None] = {}
    for selector in spec.selectors:
        fields[selector.dotted] = selector.excerpt  # a repeated path: the last one wins, as in PocketBase
    return _pick_map(record, fields)


def _split_top_level(text: str) -> list[str]:
    items: list[str] = []
    depth = 0
    quote = ""
    start = 0
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise FilterSyntaxError(f"Unbalanced ')' at position {index + 1} in the fields parameter.")
        elif char == "," and depth == 0:
            items.append(text[start:index])
            start = index + 1
    if depth or quote:
        raise FilterSyntaxError("Unbalanced parentheses or quotes in the fields parameter.")
    items.append(text[start:])
    return items


def _parse_selector(item: str) -> FieldSelector:
    name, colon, modifier = item.partition(":")
    name = name.strip()
    segments = name.split(".")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        shown = name if len(name) <= 40 else name[:37] + "..."
        raise FilterSyntaxError(f"Invalid field {shown!r} in the fields parameter.")
    excerpt = _parse_modifier(modifier, name) if colon else None
    return FieldSelector(tuple(segments), excerpt)


def _parse_modifier(raw: str, field: str) -> Excerpt:
    match = _MODIFIER.fullmatch(raw)
    if match is None or match.group(1) != "excerpt":
        raise FilterSyntaxError(
            f"Unknown modifier {raw.strip()[:40]!r} for field {field!r}; expected excerpt(max, withEllipsis)."
        )
    args = [arg for arg in re.split(r"[,\s]+", match.group(2) or "") if arg]
    if not 1 <= len(args) <= 2:
        raise FilterSyntaxError("The excerpt modifier expects (max, withEllipsis?).")
    if not re.fullmatch(r"[0-9]{1,9}", args[0]) or int(args[0]) == 0:
        raise FilterSyntaxError("The excerpt max argument must be a whole number greater than 0.")
    return Excerpt(int(args[0]), len(args) == 2 and args[1] in _TRUE_WORDS)


def _covers(field: str, key: str) -> bool:
    return (field + ".").startswith(key + ".")


def _pick(value: Any, fields: dict[str, Excerpt | None]) -> Any:
    if isinstance(value, dict):
        return _pick_map(value, fields)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [_pick_map(item, fields) if isinstance(item, dict) else item for item in value]
    return value  # a scalar cannot be projected further: keep it whole


def _pick_map(data: dict[str, Any], fields: dict[str, Excerpt | None]) -> dict[str, Any]:
    if not fields:
        return dict(data)
    fields = dict(fields)
    if "*" in fields:
        star = fields["*"]
        for key in data:
            if not any(_covers(field, key) for field in fields):
                fields[key] = star
    result: dict[str, Any] = {}
    for key, value in data.items():
        matching = {field: excerpt for field, excerpt in fields.items() if _covers(field, key)}
        if not matching:
            continue
        if key in matching:  # the key itself is requested: keep it whole (with its modifier)
            excerpt = matching[key]
            result[key] = excerpt.apply(value) if excerpt else value
            continue
        result[key] = _pick(value, {field[len(key) + 1 :]: excerpt for field, excerpt in matching.items()})
    return result
