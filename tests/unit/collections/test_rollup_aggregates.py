"""Rollup aggregates over the linked records' values, with Airtable's results (blanks, lists, no records)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.collections.fields import RollupField

# (aggregate, one value per linked record, Airtable's result)
CASES: list[tuple[str, list[Any], Any]] = [
    ("SUM", [1, 2.5, 0], 3.5),
    ("SUM", [], 0),
    ("SUM", [[1, 2], 3], 6),  # a multi-valued target spreads
    ("AVERAGE", [1, 2, 6], 3),
    ("AVERAGE", [], 0),
    ("MIN", [4, 2, 9], 2),
    ("MAX", [4, 2, 9], 9),
    ("MAX", ["2024-01-02 00:00:00.000Z", "2025-03-01 00:00:00.000Z"], "2025-03-01 00:00:00.000Z"),
    ("MIN", [], 0),
    ("COUNT", [1, "", 3, None], 2),  # numbers only
    ("COUNTA", ["a", "", None, "b"], 2),  # non-blank values
    ("COUNTALL", ["a", "", None], 3),  # every linked record
    ("CONCATENATE", ["a", 1, "b"], "a1b"),
    ("ARRAYJOIN", ["a", "", "b"], "a, b"),
    ("ARRAYUNIQUE", ["a", "b", "a", ""], ["a", "b"]),
    ("AND", [True, True], True),
    ("AND", [True, False], False),
    ("AND", [], False),
    ("OR", [False, True], True),
    ("OR", [], False),
    ("XOR", [True, True, True], True),
    ("XOR", [True, True], False),
]


@pytest.mark.parametrize(("aggregate", "values", "expected"), CASES)
def test_aggregate_of_linked_values(aggregate: str, values: list[Any], expected: Any) -> None:
    # Given a rollup with this aggregate
    field = RollupField.model_validate({"name": "r", "aggregate": aggregate})
    # When it aggregates the linked records' values
    got = field.aggregate_of(values)
    # Then the result is Airtable's
    assert got == pytest.approx(expected) if isinstance(expected, float) else got == expected


@pytest.mark.parametrize(("aggregate", "sums", "expected"), [
    ("SUM", {"sum": 10.5, "records": 3}, 10.5),
    ("AVERAGE", {"sum": 9, "numbers": 3}, 3),
    ("AVERAGE", {"sum": 0, "numbers": 0}, 0),
    ("COUNT", {"numbers": 2, "records": 5}, 2),
    ("COUNTA", {"filled": 4}, 4),
    ("COUNTALL", {"records": 5}, 5),
])
def test_incremental_aggregates_read_their_sums(aggregate: str, sums: dict[str, float], expected: Any) -> None:
    # Given an incremental rollup, when its value is read from maintained sums, then it is the aggregate's
    field = RollupField.model_validate({"name": "r", "aggregate": aggregate})
    assert field.is_incremental()
    assert field.from_sums(sums) == expected
