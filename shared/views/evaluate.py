"""Evaluates the subset's scalar expressions and aggregates over a row, with SQLite's semantics.

A row maps ColumnRef -> value (NULL is None). SQLite's rules kept: NULL propagates through arithmetic and
comparisons, AND/OR are three-valued, booleans are 1/0, integer division truncates, division by zero is NULL,
and values of different classes order NULL < numbers < text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlglot import exp

from shared.views.subset import ColumnRef, ViewQueryError, column_ref

Row = Mapping[ColumnRef, Any]


def sql_value(value: Any) -> Any:
    """A stored value as SQLite holds it: bools as 1/0, integral numbers as integers."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _rank(value: Any) -> int:
    return 0 if value is None else 1 if isinstance(value, int | float) else 2


def compare(left: Any, right: Any) -> int:
    """SQLite's order of two non-NULL values."""
    if _rank(left) != _rank(right):
        return _rank(left) - _rank(right)
    if isinstance(left, int | float):
        return (left > right) - (left < right)
    left_text, right_text = sql_text(left), sql_text(right)
    return (left_text > right_text) - (left_text < right_text)


def sql_text(value: Any) -> str:
    """A non-NULL value as SQLite prints it in text (`||`, an id)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, separators=(",", ":"))
    return str(value)


def sql_number(value: Any) -> int | float:
    """A value as SQLite reads it in arithmetic: a number, or the numeric prefix of a text (0 without one)."""
    if isinstance(value, int | float):
        return value
    match = re.match(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", str(value))
    if not match:
        return 0
    number = float(match.group(0))
    return int(number) if number.is_integer() and "." not in match.group(0) and "e" not in match.group(0).lower() \
        else number


def _truth(value: Any) -> bool | None:
    return None if value is None else bool(sql_number(value))


def _bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


_COMPARISONS: dict[type[exp.Expression], Callable[[int], bool]] = {
    exp.EQ: lambda c: c == 0, exp.NEQ: lambda c: c != 0, exp.GT: lambda c: c > 0, exp.GTE: lambda c: c >= 0,
    exp.LT: lambda c: c < 0, exp.LTE: lambda c: c <= 0}


def _arithmetic(node: exp.Expression, left: Any, right: Any) -> Any:
    if left is None or right is None:
        return None
    a, b = sql_number(left), sql_number(right)
    if isinstance(node, exp.Add):
        return a + b
    if isinstance(node, exp.Sub):
        return a - b
    if isinstance(node, exp.Mul):
        return a * b
    if b == 0:
        return None
    if isinstance(node, exp.Div):
        return int(a / b) if isinstance(a, int) and isinstance(b, int) else a / b
    return int(math.fmod(a, b)) if isinstance(a, int) and isinstance(b, int) else math.fmod(a, b)


def _like(value: Any, pattern: Any) -> int | None:
    if value is None or pattern is None:
        return None
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in sql_text(pattern))
    return int(re.fullmatch(regex, sql_text(value), re.IGNORECASE | re.DOTALL) is not None)


def _round(value: int | float, digits: int) -> float:
    """SQLite rounds half away from zero (Python's round() to even)."""
    exponent = Decimal(1).scaleb(-max(0, min(digits, 15)))
    return float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))


def _cast(value: Any, to: str) -> Any:
    if value is None:
        return None
    if to in ("INT", "INTEGER", "BIGINT"):
        return int(sql_number(value))
    if to in ("REAL", "DOUBLE", "FLOAT", "DECIMAL", "NUMERIC"):
        number = sql_number(value)
        return float(number) if to != "NUMERIC" else number
    if to in ("TEXT", "VARCHAR", "CHAR"):
        return sql_text(value)
    if to in ("BOOLEAN", "BOOL"):
        return int(bool(sql_number(value)))
    return value


def evaluate(node: exp.Expression, row: Row, source_alias: str) -> Any:
    """The node's value on this row."""
    def ev(sub: exp.Expression) -> Any:
        return evaluate(sub, row, source_alias)

    if isinstance(node, exp.Column):
        ref = column_ref(node)
        return sql_value(row.get(ColumnRef(ref.alias or source_alias, ref.name.lower())))
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else sql_number(node.this)
    if isinstance(node, exp.Boolean):
        return int(node.this)
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Paren):
        return ev(node.this)
    if isinstance(node, exp.Neg):
        value = ev(node.this)
        return None if value is None else -sql_number(value)
    if isinstance(node, exp.Add | exp.Sub | exp.Mul | exp.Div | exp.Mod):
        return _arithmetic(node, ev(node.this), ev(node.expression))
    if isinstance(node, exp.DPipe):
        left, right = ev(node.this), ev(node.expression)
        return None if left is None or right is None else sql_text(left) + sql_text(right)
    if type(node) in _COMPARISONS:
        left, right = ev(node.this), ev(node.expression)
        return None if left is None or right is None else int(_COMPARISONS[type(node)](compare(left, right)))
    if isinstance(node, exp.And):
        left, right = _truth(ev(node.this)), _truth(ev(node.expression))
        return _bool(False if left is False or right is False else None if left is None or right is None else True)
    if isinstance(node, exp.Or):
        left, right = _truth(ev(node.this)), _truth(ev(node.expression))
        return _bool(True if left or right else None if left is None or right is None else False)
    if isinstance(node, exp.Not):
        value = _truth(ev(node.this))
        return _bool(None if value is None else not value)
    if isinstance(node, exp.Is):
        left, right = ev(node.this), ev(node.expression)
        return int(left is right if right is None or left is None else compare(left, right) == 0)
    if isinstance(node, exp.In):
        value = ev(node.this)
        options = [ev(option) for option in node.expressions]
        if value is None:
            return None
        if any(o is not None and compare(value, o) == 0 for o in options):
            return 1
        return None if any(o is None for o in options) else 0
    if isinstance(node, exp.Between):
        value, low, high = ev(node.this), ev(node.args["low"]), ev(node.args["high"])
        if value is None or low is None or high is None:
            return None
        return int(compare(value, low) >= 0 and compare(value, high) <= 0)
    if isinstance(node, exp.Like):
        return _like(ev(node.this), ev(node.expression))
    if isinstance(node, exp.Case):
        subject = ev(node.this) if node.this is not None else None
        for branch in node.args.get("ifs") or []:
            test = ev(branch.this)
            hit = (test is not None and subject is not None and compare(subject, test) == 0) \
                if node.this is not None else _truth(test)
            if hit:
                return ev(branch.args["true"])
        default = node.args.get("default")
        return ev(default) if default is not None else None
    if isinstance(node, exp.If):
        if _truth(ev(node.this)):
            return ev(node.args["true"])
        false = node.args.get("false")
        return ev(false) if false is not None else None
    if isinstance(node, exp.Coalesce):
        for option in [node.this, *node.expressions]:
            value = ev(option)
            if value is not None:
                return value
        return None
    if isinstance(node, exp.Lower | exp.Upper):
        value = ev(node.this)
        return None if value is None else (sql_text(value).lower() if isinstance(node, exp.Lower)
                                           else sql_text(value).upper())
    if isinstance(node, exp.Length):
        value = ev(node.this)
        return None if value is None else len(sql_text(value))
    if isinstance(node, exp.Abs):
        value = ev(node.this)
        return None if value is None else abs(sql_number(value))
    if isinstance(node, exp.Round):
        value = ev(node.this)
        digits = ev(node.args["decimals"]) if node.args.get("decimals") is not None else 0
        return None if value is None else _round(sql_number(value), int(sql_number(digits or 0)))
    if isinstance(node, exp.Cast):
        return _cast(ev(node.this), node.to.this.value if hasattr(node.to.this, "value") else str(node.to.this))
    raise ViewQueryError(f"Invalid query - {node.key.upper()} is not supported in a materialized view.")


def aggregate(kind: str, argument: exp.Expression, rows: Iterable[Row], source_alias: str) -> Any:
    """COUNT, SUM, AVG, MIN or MAX of the argument over the group's rows (COUNT(*) when it is a Star)."""
    rows = list(rows)
    if kind == "count" and isinstance(argument, exp.Star):
        return len(rows)
    values = [v for v in (evaluate(argument, row, source_alias) for row in rows) if v is not None]
    if kind == "count":
        return len(values)
    if not values:
        return None
    if kind in ("sum", "avg"):
        numbers = [sql_number(v) for v in values]
        total: int | float = sum(numbers)
        return total if kind == "sum" else total / len(numbers)
    best = values[0]
    for value in values[1:]:
        if (compare(value, best) < 0) == (kind == "min") and compare(value, best) != 0:
            best = value
    return best
