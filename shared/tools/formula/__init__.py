"""Airtable's formula language: parse and check a definition, then evaluate it over a record's values.

Usage::

    formula = compile_formula('IF({total} > 1000, "big", "small")', TypesByName({"total": NUMBER}))
    formula.result_type        # text            (FormulaDefinitionError, with a position, if invalid)
    formula.evaluate({"total": 1200}, now=datetime.now(UTC))   # "big" (FormulaEvaluationError: #ERROR)

The package imports nothing from the rest of `shared`; the domain plugs in through `FormulaResolver`.
Limits are named in limits.py; functions, one module per family, in functions/.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.tools.formula.compile import CompiledFormula, compile_formula, reads_clock, referenced_fields
    from shared.tools.formula.errors import FormulaDefinitionError, FormulaError, FormulaEvaluationError
    from shared.tools.formula.parser import parse_formula
    from shared.tools.formula.resolver import FormulaResolver, TypesByName
    from shared.tools.formula.types import ANY, BOOL, DATE, NUMBER, TEXT, ValueType, list_of
    from shared.tools.formula.values import ErrorValue

# name -> module: imported on first use, so that loading the field types (every cold start) does not load the
# checker, the evaluator and the function table (about 15 ms) until a formula is defined or computed
_EXPORTS = {
    "CompiledFormula": "compile", "compile_formula": "compile", "reads_clock": "compile",
    "referenced_fields": "compile", "FormulaDefinitionError": "errors", "FormulaError": "errors",
    "FormulaEvaluationError": "errors", "parse_formula": "parser", "FormulaResolver": "resolver",
    "TypesByName": "resolver", "ANY": "types", "BOOL": "types", "DATE": "types", "NUMBER": "types",
    "TEXT": "types", "ValueType": "types", "list_of": "types", "ErrorValue": "values",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "ANY", "BOOL", "DATE", "NUMBER", "TEXT", "CompiledFormula", "ErrorValue", "FormulaDefinitionError", "FormulaError",
    "FormulaEvaluationError", "FormulaResolver", "TypesByName", "ValueType", "compile_formula", "list_of",
    "parse_formula", "reads_clock", "referenced_fields",
]
