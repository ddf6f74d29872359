"""Airtable's formula language: parse and check a definition, then evaluate it over a record's values.

Usage::

    formula = compile_formula('IF({total} > 1000, "big", "small")', TypesByName({"total": NUMBER}))
    formula.result_type        # text            (FormulaDefinitionError, with a position, if invalid)
    formula.evaluate({"total": 1200}, now=datetime.now(UTC))   # "big" (FormulaEvaluationError: #ERROR)

The package imports nothing from the rest of `shared`; the domain plugs in through `FormulaResolver`.
Limits are named in limits.py; functions, one module per family, in functions/.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.tools.formula.ast import Node, calls, field_names
from shared.tools.formula.checker import check_formula
from shared.tools.formula.errors import FormulaDefinitionError, FormulaError, FormulaEvaluationError
from shared.tools.formula.evaluate import evaluate_node
from shared.tools.formula.functions import FUNCTIONS
from shared.tools.formula.parser import parse_formula
from shared.tools.formula.resolver import FormulaResolver, TypesByName
from shared.tools.formula.types import ANY, BOOL, DATE, NUMBER, TEXT, ValueType, list_of
from shared.tools.formula.values import ErrorValue


@dataclass(frozen=True)
class CompiledFormula:
    """A checked formula: its tree, result type, the fields it reads and whether it reads the clock."""

    text: str
    tree: Node
    result_type: ValueType
    fields: tuple[str, ...]
    time_dependent: bool

    def evaluate(self, values: Mapping[str, Any], *, now: datetime) -> Any:
        return evaluate_node(self.tree, values, now)


@functools.lru_cache(maxsize=1024)
def referenced_fields(text: str) -> tuple[str, ...]:
    """The field names a formula text reads (none when it does not parse)."""
    try:
        return tuple(field_names(parse_formula(text)))
    except FormulaDefinitionError:
        return ()


@functools.lru_cache(maxsize=1024)
def reads_clock(text: str) -> bool:
    try:
        return any(FUNCTIONS[name].clock for name in calls(parse_formula(text)) if name in FUNCTIONS)
    except FormulaDefinitionError:
        return False


def compile_formula(text: str, resolver: FormulaResolver) -> CompiledFormula:
    """Parse and check; raises FormulaDefinitionError naming the problem and its position."""
    tree = parse_formula(text)
    result = check_formula(text, tree, resolver)
    clock = any(FUNCTIONS[name].clock for name in calls(tree))
    return CompiledFormula(text, tree, result, tuple(field_names(tree)), clock)


__all__ = [
    "ANY", "BOOL", "DATE", "NUMBER", "TEXT", "CompiledFormula", "ErrorValue", "FormulaDefinitionError", "FormulaError",
    "FormulaEvaluationError", "FormulaResolver", "TypesByName", "ValueType", "compile_formula", "list_of",
    "parse_formula", "reads_clock", "referenced_fields",
]
