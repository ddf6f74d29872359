"""Evaluating a checked formula over one record's values, within the step budget."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared.tools.formula.ast import Call, Chain, FieldRef, Negate, Node, Number, Text
from shared.tools.formula.errors import FormulaEvaluationError
from shared.tools.formula.functions import FUNCTIONS
from shared.tools.formula.limits import MAX_EVALUATION_STEPS
from shared.tools.formula.values import ErrorValue, clean_number, equal, order, to_number, to_text


class StepBudgetError(FormulaEvaluationError):
    """The formula did too much work; ISERROR cannot catch it (the budget is the whole formula's)."""

    fatal = True


class Evaluation:
    """One evaluation: the values by field name, the clock, and the steps spent so far."""

    def __init__(self, values: Mapping[str, Any], now: datetime, max_steps: int = MAX_EVALUATION_STEPS) -> None:
        self.values = values
        self.now = now
        self.steps = 0
        self.max_steps = max_steps

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > self.max_steps:
            raise StepBudgetError(f"The formula needs more than {self.max_steps} evaluation steps.")

    def run(self, node: Node) -> Any:
        self.step()
        if isinstance(node, Number | Text):
            return node.value
        if isinstance(node, FieldRef):
            value = self.values.get(node.name)
            if isinstance(value, ErrorValue):
                raise FormulaEvaluationError(f"{{{node.name}}} has an error: {value.message}")
            return value
        if isinstance(node, Negate):
            return clean_number(-to_number(self.run(node.operand)))
        if isinstance(node, Chain):
            return self.chain(node)
        return self.call(node)

    def chain(self, node: Chain) -> Any:
        result = self.run(node.first)
        for op, operand, _ in node.rest:
            result = _apply(op, result, self.run(operand))
        return result

    def call(self, node: Call) -> Any:
        function = FUNCTIONS[node.name]
        if function.lazy:
            return function.run(self, *(_thunk(self, arg) for arg in node.args))
        return function.run(self, *(self.run(arg) for arg in node.args))


def _thunk(evaluation: Evaluation, node: Node) -> Any:
    return lambda: evaluation.run(node)


def _apply(op: str, left: Any, right: Any) -> Any:
    if op == "&":
        return to_text(left) + to_text(right)
    if op == "=":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op in ("<", "<=", ">", ">="):
        sign = order(left, right)
        return {"<": sign < 0, "<=": sign <= 0, ">": sign > 0, ">=": sign >= 0}[op]
    a, b = to_number(left), to_number(right)
    if op == "+":
        return clean_number(a + b)
    if op == "-":
        return clean_number(a - b)
    if op == "*":
        return clean_number(a * b)
    if b == 0:
        raise FormulaEvaluationError("Division by zero.")
    return clean_number(a / b)


def evaluate_node(node: Node, values: Mapping[str, Any], now: datetime) -> Any:
    """The value of a checked formula; raises FormulaEvaluationError (the #ERROR cases)."""
    try:
        return Evaluation(values, now).run(node)
    except (OverflowError, ValueError, RecursionError) as exc:
        raise FormulaEvaluationError(f"The formula failed: {exc}.") from exc
