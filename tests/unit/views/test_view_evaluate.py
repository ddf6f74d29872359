"""The subset's expressions and aggregates evaluate as SQLite does (the values PocketBase's views answer)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlglot

from shared.views.evaluate import aggregate, evaluate
from shared.views.subset import ColumnRef

ROW = {ColumnRef("t", "n"): 7, ColumnRef("t", "x"): 2.5, ColumnRef("t", "s"): "Ab", ColumnRef("t", "b"): True,
       ColumnRef("t", "z"): None, ColumnRef("t", "e"): ""}


def _eval(text: str, row: dict[ColumnRef, Any] = ROW) -> Any:
    return evaluate(sqlglot.parse_one(text, dialect="sqlite"), row, "t")


@pytest.mark.parametrize(("text", "expected"), [
    ("n * 2", 14), ("n / 2", 3), ("x * 2", 5), ("n / 0", None), ("n % 4", 3), ("-n", -7), ("n + z", None),
    ("s || '-' || n", "Ab-7"), ("s || z", None), ("n > 5", 1), ("n = '7'", 0), ("'a' > 9", 1),
    ("b = true", 1), ("b AND z", None), ("b OR z", 1), ("NOT b", 0), ("z IS NULL", 1), ("e IS NOT NULL", 1),
    ("n IN (1, 7)", 1), ("n IN (1, NULL)", None), ("n BETWEEN 1 AND 7", 1), ("s LIKE 'a%'", 1),
    ("CASE WHEN n > 5 THEN 'big' ELSE 'small' END", "big"), ("CASE n WHEN 7 THEN 'seven' END", "seven"),
    ("IIF(n > 9, 1, 2)", 2), ("COALESCE(z, e, 'x')", ""), ("IFNULL(z, 3)", 3), ("LOWER(s)", "ab"),
    ("UPPER(s)", "AB"), ("LENGTH(s)", 2), ("ABS(-x)", 2.5), ("ROUND(x)", 3.0), ("ROUND(2.345, 2)", 2.35),
    ("CAST(x AS INTEGER)", 2), ("CAST(n AS TEXT)", "7"), ("CAST('3.5' AS REAL)", 3.5),
])
def test_scalar_expressions_follow_sqlite(text: str, expected: Any) -> None:
    assert _eval(text) == expected


def test_aggregates_skip_nulls_and_count_rows() -> None:
    # Given three rows, one with a NULL
    rows = [{ColumnRef("t", "v"): 1}, {ColumnRef("t", "v"): None}, {ColumnRef("t", "v"): 4}]
    column = sqlglot.parse_one("v")
    star = sqlglot.parse_one("COUNT(*)", dialect="sqlite").this
    # Then COUNT(*) counts rows, the others skip NULL, as SQLite
    assert aggregate("count", star, rows, "t") == 3
    assert [aggregate(k, column, rows, "t") for k in ("count", "sum", "avg", "min", "max")] == [2, 5, 2.5, 1, 4]
    assert aggregate("sum", column, [{ColumnRef("t", "v"): None}], "t") is None
