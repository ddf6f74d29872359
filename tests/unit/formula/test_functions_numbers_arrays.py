"""Numeric and array functions: Airtable's documented results, rounding edges, blanks in aggregates."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.unit.formula.formula_cases import ERROR, evaluate

CASES: list[tuple[str, dict[str, Any], Any]] = [
    ("ABS(-5)", {}, 5),
    ("AVERAGE(1, 2, 3)", {}, 2),
    ("AVERAGE(1, 2, 3, 4)", {}, 2.5),
    ("AVERAGE({Scores})", {"Scores": [10, 20, None]}, 15),
    ("AVERAGE({Scores})", {"Scores": []}, ERROR),
    ("CEILING(1.01, 0.1)", {}, 1.1),
    ("CEILING(-1.99, 0.1)", {}, -1.9),
    ("CEILING(2.5)", {}, 3),
    ('COUNT(1, 2, 3, "", "four")', {}, 3),
    ('COUNTA(1, 2, 3, "", "four")', {}, 4),
    ('COUNTALL(1, 2, 3, "", "four")', {}, 5),
    ("COUNTA({Tags})", {"Tags": ["a", "", None, "b"]}, 2),
    ("COUNTA(0)", {}, 1),
    ("EVEN(1.5)", {}, 2),
    ("EVEN(3)", {}, 4),
    ("EVEN(2)", {}, 2),
    ("EVEN(-1)", {}, -2),
    ("EVEN(0)", {}, 0),
    ("FLOOR(1.99, 0.1)", {}, 1.9),
    ("FLOOR(-1.99, 0.1)", {}, -2),
    ("FLOOR(2.5)", {}, 2),
    ("INT(1.99)", {}, 1),
    ("INT(-1.99)", {}, -2),
    ("LOG(1024, 2)", {}, 10),
    ("LOG(10000)", {}, 4),
    ("LOG(0)", {}, ERROR),
    ("MAX(1, 3, 5, 7)", {}, 7),
    ("MIN(1, 3, 5, 7)", {}, 1),
    ("MAX({Scores})", {"Scores": [3, 9, 4]}, 9),
    ('MIN("a", BLANK())', {}, 0),
    ("MOD(7, 5)", {}, 2),
    ("MOD(-7, 3)", {}, -1),
    ("MOD(7, 0)", {}, ERROR),
    ("ODD(1.5)", {}, 3),
    ("ODD(2)", {}, 3),
    ("ODD(-2.1)", {}, -3),
    ("ODD(0)", {}, 1),
    ("POWER(2, 5)", {}, 32),
    ("POWER(-8, 1/3)", {}, ERROR),
    ("ROUND(1.99, 0)", {}, 2),
    ("ROUND(16.8, -1)", {}, 20),
    ("ROUND(2.5, 0)", {}, 3),
    ("ROUND(-2.5, 0)", {}, -3),
    ("ROUND(2.675, 2)", {}, 2.68),
    ("ROUND(1.005, 2)", {}, 1.01),
    ("ROUNDDOWN(1.99, 0)", {}, 1),
    ("ROUNDDOWN(-16.8, -1)", {}, -10),
    ("ROUNDUP(1.1, 0)", {}, 2),
    ("ROUNDUP(-1.1, 0)", {}, -2),
    ("ROUNDUP(1.2345, 2)", {}, 1.24),
    ("SQRT(100)", {}, 10),
    ("SQRT(-1)", {}, ERROR),
    ("EXP(0)", {}, 1),
    ("SUM(1, 3, 5, 7)", {}, 16),
    ("SUM({Amounts}, 5)", {"Amounts": [1.5, 2.5, None]}, 9),
    ("SUM(0.1, 0.2)", {}, 0.30000000000000004),
    ('SUM("3", 4)', {}, 4),  # text is ignored by an aggregate, as in a spreadsheet
    ("{Price} * {Qty}", {"Price": 19.99, "Qty": 3}, 59.97),
    # arrays
    ('ARRAYJOIN({Tags}, "; ")', {"Tags": ["a", "b", "c"]}, "a; b; c"),
    ("ARRAYJOIN({Tags})", {"Tags": ["a", None, "c"]}, "a, c"),
    ("ARRAYUNIQUE({Tags})", {"Tags": ["a", "b", "a", "c", "b"]}, ["a", "b", "c"]),
    ("ARRAYUNIQUE({Nums})", {"Nums": [1, "1", 1]}, [1, "1"]),
    ("ARRAYCOMPACT({Tags})", {"Tags": ["a", "", None, "b", 0]}, ["a", "b", 0]),
    ("ARRAYFLATTEN({Nested})", {"Nested": [[1, 2], [3, [4]]]}, [1, 2, 3, 4]),
    ("ARRAYJOIN(ARRAYUNIQUE(ARRAYFLATTEN({Nested})))", {"Nested": [["x"], ["x", "y"]]}, "x, y"),
]


@pytest.mark.parametrize(("formula", "fields", "expected"), CASES, ids=[c[0] for c in CASES])
def test_function(formula: str, fields: dict[str, Any], expected: Any) -> None:
    # Given the fields, When the formula is evaluated, Then it gives Airtable's documented result
    result = evaluate(formula, **fields)
    if isinstance(expected, float) and isinstance(result, float):
        assert math.isclose(result, expected, rel_tol=0, abs_tol=1e-12)
    else:
        assert result == expected


def test_exp_of_one_is_e() -> None:
    assert evaluate("EXP(1)") == pytest.approx(math.e)
