"""Logical functions: IF, SWITCH, AND, OR, NOT, XOR, BLANK, ISERROR, TRUE, FALSE, ERROR."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.tools.formula.errors import FormulaEvaluationError
from shared.tools.formula.functions.registry import Context, function
from shared.tools.formula.types import ANY, BOOL, ValueType, common
from shared.tools.formula.values import equal, flatten, truthy

Thunk = Callable[[], Any]


def _if_type(args: list[ValueType]) -> ValueType:
    return common(args[1:3])


@function("IF", 2, 3, ("any",), _if_type, lazy=True)
def if_(ctx: Context, condition: Thunk, then: Thunk, otherwise: Thunk | None = None) -> Any:
    if truthy(condition()):
        return then()
    return otherwise() if otherwise is not None else None


def _switch_type(args: list[ValueType]) -> ValueType:
    results = [args[i] for i in range(2, len(args), 2)]
    if len(args) % 2 == 0:
        results.append(args[-1])
    return common(results)


@function("SWITCH", 2, None, ("any",), _switch_type, lazy=True)
def switch(ctx: Context, expression: Thunk, *rest: Thunk) -> Any:
    """SWITCH(expr, pattern, result, ..., [default]): the result of the first pattern equal to expr."""
    value = expression()
    pairs, default = (rest[:-1], rest[-1]) if len(rest) % 2 else (rest, None)
    for i in range(0, len(pairs), 2):
        ctx.step()
        if equal(value, pairs[i]()):
            return pairs[i + 1]()
    return default() if default is not None else None


@function("AND", 1, None, ("any",), BOOL)
def and_(ctx: Context, *values: Any) -> bool:
    items = flatten(list(values))
    ctx.step(len(items))
    return all(truthy(v) for v in items)


@function("OR", 1, None, ("any",), BOOL)
def or_(ctx: Context, *values: Any) -> bool:
    items = flatten(list(values))
    ctx.step(len(items))
    return any(truthy(v) for v in items)


@function("XOR", 1, None, ("any",), BOOL)
def xor(ctx: Context, *values: Any) -> bool:
    """True when an odd number of the arguments are true."""
    items = flatten(list(values))
    ctx.step(len(items))
    return sum(1 for v in items if truthy(v)) % 2 == 1


@function("NOT", 1, 1, ("any",), BOOL)
def not_(ctx: Context, value: Any) -> bool:
    return not truthy(value)


@function("BLANK", 0, 0, (), ANY)
def blank(ctx: Context) -> None:
    return None


@function("ISERROR", 1, 1, ("any",), BOOL, lazy=True)
def iserror(ctx: Context, value: Thunk) -> bool:
    try:
        value()
    except FormulaEvaluationError as exc:
        if getattr(exc, "fatal", False):  # the step budget is spent for the whole formula, not this argument
            raise
        return True
    return False


@function("TRUE", 0, 0, (), BOOL)
def true(ctx: Context) -> bool:
    return True


@function("FALSE", 0, 0, (), BOOL)
def false(ctx: Context) -> bool:
    return False


@function("ERROR", 0, 1, ("text",), ANY)
def error(ctx: Context, message: Any = None) -> Any:
    raise FormulaEvaluationError(str(message) if message else "ERROR() was called.")
