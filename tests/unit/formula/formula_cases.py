"""Evaluating one formula over literal field values, for the table-driven function tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.tools.formula import ANY, BOOL, DATE, NUMBER, TEXT, TypesByName, ValueType, compile_formula, list_of
from shared.tools.formula.values import iso

# the clock of every case (a Tuesday)
NOW = datetime(2024, 3, 12, 15, 30, 45, tzinfo=UTC)
ERROR = "#ERROR"


def _type_of(value: Any) -> ValueType:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return TEXT
    if isinstance(value, datetime):
        return DATE
    if isinstance(value, list):
        return list_of(_type_of(value[0]) if value else ANY)
    return ANY


def evaluate(formula: str, **fields: Any) -> Any:
    """The formula's value (dates as ISO text, ERROR for an evaluation error) over the given fields."""
    from shared.tools.formula import FormulaEvaluationError

    compiled = compile_formula(formula, TypesByName({name: _type_of(v) for name, v in fields.items()}))
    try:
        value = compiled.evaluate(fields, now=NOW)
    except FormulaEvaluationError:
        return ERROR
    return iso(value) if isinstance(value, datetime) else value
