"""Compiling a formula: parse, check against the fields, and the cached questions the domain asks of a text."""


from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from shared.tools.formula.ast import Node, calls, field_names
from shared.tools.formula.checker import check_formula
from shared.tools.formula.errors import FormulaDefinitionError
from shared.tools.formula.evaluate import evaluate_node
from shared.tools.formula.functions import FUNCTIONS
from shared.tools.formula.parser import parse_formula
from shared.tools.formula.resolver import FormulaResolver
from shared.tools.formula.types import ValueType


class CompiledFormula(msgspec.Struct, frozen=True):
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
