"""The function table: each function's arity, the kinds of its parameters, its result type and its code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import msgspec

from shared.tools.formula.types import ValueType


class Context(Protocol):
    """What a function may use while evaluating: the clock and the step budget."""

    now: datetime

    def step(self, count: int = 1) -> None:
        """Count work (list items, repetitions); raises FormulaEvaluationError past the limit."""


ResultType = ValueType | Callable[[list[ValueType]], ValueType]


class Function(msgspec.Struct, frozen=True):
    """params: the kind each argument should be ("number", "numbers" (a number or a list of them), "text",
    "date", "list", "any"); the last repeats for
    variadic functions (max_args None). lazy: `run` gets argument thunks (IF, SWITCH, ISERROR evaluate only what
    they need, so an error in a branch not taken is no error). clock: depends on the current time."""

    name: str
    min_args: int
    max_args: int | None
    params: tuple[str, ...]
    result: ResultType
    run: Callable[..., Any]
    lazy: bool = False
    clock: bool = False

    def param(self, index: int) -> str:
        if not self.params:
            return "any"
        return self.params[index] if index < len(self.params) else self.params[-1]

    def result_type(self, args: list[ValueType]) -> ValueType:
        return self.result(args) if callable(self.result) else self.result

    def arity_text(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args} argument{'s' if self.min_args != 1 else ''}"
        if self.min_args == self.max_args:
            return f"{self.min_args} argument{'s' if self.min_args != 1 else ''}"
        return f"{self.min_args} to {self.max_args} arguments"


FUNCTIONS: dict[str, Function] = {}


def function(name: str, min_args: int, max_args: int | None, params: tuple[str, ...], result: ResultType, *,
             lazy: bool = False, clock: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated `run(ctx, *args)` under name."""
    def register(run: Callable[..., Any]) -> Callable[..., Any]:
        FUNCTIONS[name] = Function(name, min_args, max_args, params, result, run, lazy, clock)
        return run
    return register
