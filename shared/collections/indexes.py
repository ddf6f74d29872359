"""PocketBase's CREATE INDEX strings: parsed into IndexSpec and built back, as its dbutils does."""

from __future__ import annotations

import re
from collections.abc import Iterable

import msgspec

from shared.errors import BadRequestError

_INDEX_REGEX = re.compile(
    r"create\s+(unique\s+)?\s*index\s*(if\s+not\s+exists\s+)?(\S*)\s+on\s+(\S*)\s*\(([\s\S]*)\)"
    r"(?:\s*where\s+([\s\S]*))?",
    re.IGNORECASE | re.MULTILINE,
)
_COLUMN_REGEX = re.compile(r"^([\s\S]+?)(?:\s+collate\s+(\w+))?(?:\s+(asc|desc))?$", re.IGNORECASE | re.MULTILINE)
_TRIM_CHARS = "`\"'[]\r\n\t\f\v "


class IndexColumn(msgspec.Struct, frozen=True):
    """One indexed column or expression."""

    name: str
    descending: bool = False
    collate: str = ""
    # keeps an explicit "ASC" so that parse -> build round-trips
    explicit_sort: bool = False


class IndexSpec(msgspec.Struct, frozen=True):
    """A parsed CREATE INDEX statement."""

    name: str
    unique: bool = False
    columns: tuple[IndexColumn, ...] = ()
    where: str | None = None
    table: str = ""
    if_not_exists: bool = False
    schema: str = ""

    @property
    def is_valid(self) -> bool:
        return bool(self.name and self.table and self.columns)


class InvalidIndexError(BadRequestError):
    """A CREATE INDEX string that doesn't parse."""

    def __init__(self, raw: str) -> None:
        super().__init__(
            "Invalid CREATE INDEX expression.",
            {"indexes": {"code": "validation_invalid_index_expression",
                         "message": "Invalid CREATE INDEX expression."}},
        )
        self.raw = raw


def parse_index(raw: str) -> IndexSpec:
    """Parse a CREATE INDEX string; raises InvalidIndexError when it lacks a name, table or columns."""
    spec = try_parse_index(raw)
    if spec is None:
        raise InvalidIndexError(raw)
    return spec


def try_parse_index(raw: str) -> IndexSpec | None:
    """Parse a CREATE INDEX string, or None when it isn't a valid one."""
    match = _INDEX_REGEX.search(raw)
    if not match:
        return None
    unique, optional, raw_name, raw_table, raw_columns, raw_where = match.groups()
    name_parts = split_top_level(raw_name, ".")
    schema, name = ("", name_parts[0]) if len(name_parts) < 2 else (name_parts[0], name_parts[1])
    spec = IndexSpec(
        name=name.strip(_TRIM_CHARS),
        unique=bool(unique and unique.strip()),
        columns=tuple(_parse_columns(raw_columns)),
        where=(raw_where or "").strip() or None,
        table=raw_table.strip(_TRIM_CHARS),
        if_not_exists=bool(optional and optional.strip()),
        schema=schema.strip(_TRIM_CHARS),
    )
    return spec if spec.is_valid else None


def build_index(spec: IndexSpec) -> str:
    """The CREATE INDEX string for spec, formatted exactly as PocketBase's Index.Build."""
    parts = ["CREATE ", "UNIQUE " if spec.unique else "", "INDEX ", "IF NOT EXISTS " if spec.if_not_exists else ""]
    if spec.schema:
        parts.append(f"`{spec.schema}`.")
    parts.append(f"`{spec.name}` ON `{spec.table}` (")
    multiline = len(spec.columns) > 1
    rendered = [_render_column(column) for column in spec.columns if column.name.strip()]
    if multiline:
        parts.append("\n  " + ",\n  ".join(rendered) + ("\n" if rendered else ""))
    else:
        parts.extend(rendered)
    parts.append(")")
    if spec.where:
        parts.append(f" WHERE {spec.where}")
    return "".join(parts)


def find_single_column_unique_index(indexes: Iterable[str], column: str) -> IndexSpec | None:
    """The first UNIQUE index on exactly this one column (case-insensitive; WHERE clauses ignored)."""
    for raw in indexes:
        spec = try_parse_index(raw)
        if spec and spec.unique and len(spec.columns) == 1 and spec.columns[0].name.lower() == column.lower():
            return spec
    return None


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on separator outside quotes and parentheses, trimming each part (PocketBase's tokenizer)."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "`\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    tail = "".join(current).strip()
    if tail or parts:
        parts.append(tail)
    return [part for part in parts if part] or [""]


def _parse_columns(raw: str) -> list[IndexColumn]:
    columns = []
    for part in split_top_level(raw, ","):
        match = _COLUMN_REGEX.match(part)
        if not match:
            continue
        name = match.group(1).strip(_TRIM_CHARS)
        if not name:
            continue
        sort = (match.group(3) or "").upper()
        columns.append(IndexColumn(name=name, descending=sort == "DESC", collate=(match.group(2) or "").strip(),
                                   explicit_sort=bool(sort)))
    return columns


def _render_column(column: IndexColumn) -> str:
    name = column.name.strip()
    # names with spaces or parentheses are expressions and stay unquoted
    text = name if ("(" in name or " " in name) else f"`{name}`"
    if column.collate:
        text += f" COLLATE {column.collate}"
    if column.descending:
        text += " DESC"
    elif column.explicit_sort:
        text += " ASC"
    return text
