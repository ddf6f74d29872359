"""Fuzz: any text compiles or raises FormulaDefinitionError (with a position inside it); anything compiled
evaluates over any values or raises FormulaEvaluationError; no input exhausts the stack."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.tools.formula import (
    ANY,
    DATE,
    NUMBER,
    TEXT,
    FormulaDefinitionError,
    FormulaEvaluationError,
    TypesByName,
    compile_formula,
    list_of,
)
from shared.tools.formula.functions import FUNCTIONS
from shared.tools.formula.limits import MAX_FORMULA_LENGTH, MAX_NESTING_DEPTH

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=300)
NOW = datetime(2024, 5, 15, 12, 34, 56, tzinfo=UTC)
TYPES = TypesByName({"price": NUMBER, "title": TEXT, "due": DATE, "tags": list_of(TEXT), "data": ANY,
                     "Full name": TEXT})

values = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20), st.floats(),
                   st.text(max_size=8), st.sampled_from(["", "12", "2024-02-29", "1e999", "$3", "-0"]),
                   st.datetimes(timezones=st.just(UTC)))
records = st.fixed_dictionaries({
    "price": values, "title": values, "due": values, "tags": st.lists(values, max_size=4), "data": values,
    "Full name": values})

PIECES = [*(f"{name}(" for name in FUNCTIONS), "(", ")", ",", "+", "-", "*", "/", "&", "=", "!=", "<", "<=", ">",
          ">=", "{price}", "{Full name}", "title", "due", "tags", "data", "{nope}", "nope", "1", "0", "2.5",
          "-3", "1e3", '"a"', "'b'", '"2024-01-31"', '"days"', '"months"', '"YYYY-MM-DD"', '""', " ", "{", "}",
          '"', "\\", "NOW()", "TODAY()", "BLANK()"]


def _check_definition_error(text: str, error: FormulaDefinitionError) -> None:
    assert error.message
    assert 0 <= error.position <= max(len(text), MAX_FORMULA_LENGTH)
    assert error.column >= 1


@FUZZ
@given(st.text(max_size=200))
def test_any_text_compiles_or_is_a_definition_error(text: str) -> None:
    try:
        compile_formula(text, TYPES)
    except FormulaDefinitionError as error:
        _check_definition_error(text, error)


@FUZZ
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join), records)
def test_token_soup_compiles_and_evaluates_or_fails_cleanly(text: str, record: dict[str, Any]) -> None:
    try:
        compiled = compile_formula(text, TYPES)
    except FormulaDefinitionError as error:
        _check_definition_error(text, error)
        return
    try:
        compiled.evaluate(record, now=NOW)
    except FormulaEvaluationError as error:
        assert error.message


@pytest.mark.parametrize("text", [
    "(" * 10_000 + "1" + ")" * 10_000,
    "-" * 3000 + "1",
    "IF(" * 2000 + "1" + ")" * 2000,
    "NOT(" * 700 + "1" + ")" * 700,
    "-(" * 1000 + "1" + ")" * 1000,
    "+".join(["1"] * 1999),
    "x" * (MAX_FORMULA_LENGTH + 1),
    "CONCATENATE(" + ",".join(['"a"'] * 100) + ")",
])
def test_oversized_input_is_a_definition_error_not_a_crash(text: str) -> None:
    with pytest.raises(FormulaDefinitionError):
        compile_formula(text, TYPES)


def test_nesting_up_to_the_limit_is_accepted() -> None:
    depth = MAX_NESTING_DEPTH // 3
    compiled = compile_formula("(" * depth + "1" + ")" * depth, TYPES)
    assert compiled.evaluate({}, now=NOW) == 1
