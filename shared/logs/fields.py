"""Which fields a logs filter and sort may name, as PocketBase allows them, and their values in one log.

PocketBase (apis/logs.go) resolves `id`, `created`, `level`, `message`, `data` and any `data.<path>`
(`^data\\.[\\w\\.\\:]*\\w+$`): the columns as they are, a path as SQLite's JSON_EXTRACT of the data, null
when absent, compared without null's fallback to "" (JSON). Anything else fails the query.
"""

from __future__ import annotations

import json
import re
from typing import Any

from shared.logs.model import LogEntry
from shared.tools.filter import (
    RANDOM_SORT,
    And,
    Call,
    Compare,
    Expr,
    FilterEvaluationError,
    Identifier,
    Operand,
    Or,
    Resolved,
    SortKey,
)
from shared.tools.filter import ROWID_SORT as ROWID

COLUMNS = frozenset({"id", "created", "level", "message", "data"})
_DATA_PATH = re.compile(r"^data\.[\w.:]*\w+$")
# Sort keys that name the storage order (id order is creation order): a time-ordered read serves them.
TIME_ORDER_KEYS = frozenset({("id",), ("created",), (ROWID,)})


def is_allowed(path: tuple[str, ...]) -> bool:
    dotted = ".".join(path)
    return dotted in COLUMNS or bool(_DATA_PATH.match(dotted))


def check_filter_fields(expr: Expr) -> None:
    """Raise FilterEvaluationError when the filter names a field logs do not have (as PocketBase, even
    when no log would be read)."""
    if isinstance(expr, (And, Or)):
        for item in expr.items:
            check_filter_fields(item)
    elif isinstance(expr, Compare):
        _check_operand(expr.left)
        _check_operand(expr.right)


def _check_operand(operand: Operand) -> None:
    if isinstance(operand, Identifier) and not is_allowed(operand.path):
        raise FilterEvaluationError(f"invalid left operand {operand.dotted!r} - failed to resolve field")
    if isinstance(operand, Call):
        for argument in operand.args:
            _check_operand(argument)


def check_sort_fields(keys: list[SortKey]) -> None:
    for key in keys:
        if key.path not in ((ROWID,), (RANDOM_SORT,)) and not is_allowed(key.path):
            raise FilterEvaluationError(f"invalid sort field {'.'.join(key.path)!r}")


def field_value(entry: LogEntry, path: tuple[str, ...]) -> tuple[Any, bool]:
    """(value, whether it exists) of a field of one log; a data path follows objects key by key."""
    head = path[0]
    if len(path) == 1:
        if head == "id":
            return entry.id, True
        if head == "created":
            return entry.created, True
        if head == "level":
            return entry.level, True
        if head == "message":
            return entry.message, True
        if head == "data":
            return json.dumps(entry.data, separators=(",", ":")), True
    value: Any = entry.data
    for segment in path[1:]:
        if not isinstance(value, dict) or segment not in value:
            return None, False
        value = value[segment]
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":")), True  # JSON_EXTRACT gives an object's JSON text
    return value, True


class LogFieldResolver:
    """The filter language's view of one log."""

    def __init__(self, entry: LogEntry) -> None:
        self.entry = entry

    def resolve(self, identifier: Identifier) -> Resolved:
        if not is_allowed(identifier.path):
            raise FilterEvaluationError(f"unknown log field {identifier.dotted!r}")
        value, exists = field_value(self.entry, identifier.path)
        is_json = identifier.path[0] == "data"
        return Resolved([value], multi=False, exists=exists, null_fallback=not is_json)
