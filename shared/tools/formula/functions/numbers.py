"""Numeric functions: ROUND, ROUNDUP, ROUNDDOWN, FLOOR, CEILING, ABS, MOD, POWER, SQRT, EXP, LOG, INT, EVEN, ODD,
and the aggregates MIN, MAX, SUM, AVERAGE, COUNT, COUNTA, COUNTALL (lists are spread into their items)."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from typing import Any

from shared.tools.formula.errors import FormulaEvaluationError
from shared.tools.formula.functions.registry import Context, function
from shared.tools.formula.types import NUMBER
from shared.tools.formula.values import clean_number, flatten, is_blank, to_number


def _round(value: Any, places: Any, mode: str) -> int | float:
    """Decimal rounding of the number as written (2.675 rounds to 2.68, as in a spreadsheet, not 2.67)."""
    digits = int(to_number(places)) if places is not None else 0
    try:
        exact = Decimal(repr(float(to_number(value))))
        rounded = exact.quantize(Decimal(1).scaleb(-digits), rounding=mode) if digits >= 0 else \
            (exact.scaleb(digits).quantize(Decimal(1), rounding=mode)).scaleb(-digits)
    except InvalidOperation as exc:
        raise FormulaEvaluationError("The number cannot be rounded to so many places.") from exc
    return clean_number(float(rounded))


@function("ROUND", 1, 2, ("number", "number"), NUMBER)
def round_(ctx: Context, value: Any, places: Any = None) -> int | float:
    """Half away from zero: ROUND(2.5) is 3, ROUND(-2.5) is -3; negative places round left of the point."""
    return _round(value, places, ROUND_HALF_UP)


@function("ROUNDUP", 1, 2, ("number", "number"), NUMBER)
def roundup(ctx: Context, value: Any, places: Any = None) -> int | float:
    """Away from zero."""
    return _round(value, places, ROUND_UP)


@function("ROUNDDOWN", 1, 2, ("number", "number"), NUMBER)
def rounddown(ctx: Context, value: Any, places: Any = None) -> int | float:
    """Toward zero."""
    return _round(value, places, ROUND_DOWN)


def _multiple(value: Any, significance: Any, mode: str) -> int | float:
    step = to_number(significance) if significance is not None else 1
    if step == 0:
        return 0
    try:
        quotient = (Decimal(repr(float(to_number(value)))) / Decimal(repr(float(abs(step))))).quantize(
            Decimal(1), rounding=mode)
    except InvalidOperation as exc:
        raise FormulaEvaluationError("The number is too large.") from exc
    return clean_number(float(quotient * Decimal(repr(float(abs(step))))))


@function("FLOOR", 1, 2, ("number", "number"), NUMBER)
def floor(ctx: Context, value: Any, significance: Any = None) -> int | float:
    """The nearest multiple of significance (default 1) at or below the value."""
    return _multiple(value, significance, ROUND_FLOOR)


@function("CEILING", 1, 2, ("number", "number"), NUMBER)
def ceiling(ctx: Context, value: Any, significance: Any = None) -> int | float:
    """The nearest multiple of significance (default 1) at or above the value."""
    return _multiple(value, significance, ROUND_CEILING)


@function("ABS", 1, 1, ("number",), NUMBER)
def abs_(ctx: Context, value: Any) -> int | float:
    return abs(to_number(value))


@function("MOD", 2, 2, ("number", "number"), NUMBER)
def mod(ctx: Context, value: Any, divisor: Any) -> int | float:
    """The remainder with the sign of the value (JavaScript's %, Airtable's runtime): MOD(-7, 3) is -1."""
    d = to_number(divisor)
    if d == 0:
        raise FormulaEvaluationError("Division by zero.")
    return clean_number(math.fmod(to_number(value), d))


@function("POWER", 2, 2, ("number", "number"), NUMBER)
def power(ctx: Context, base: Any, exponent: Any) -> int | float:
    try:
        result = float(to_number(base)) ** float(to_number(exponent))
    except (OverflowError, ZeroDivisionError) as exc:
        raise FormulaEvaluationError("The power is out of range.") from exc
    if isinstance(result, complex):
        raise FormulaEvaluationError("The power of a negative number to a fraction is not a real number.")
    return clean_number(result)


@function("SQRT", 1, 1, ("number",), NUMBER)
def sqrt(ctx: Context, value: Any) -> int | float:
    number = to_number(value)
    if number < 0:
        raise FormulaEvaluationError("The square root of a negative number is not a real number.")
    return clean_number(math.sqrt(number))


@function("EXP", 1, 1, ("number",), NUMBER)
def exp(ctx: Context, value: Any) -> int | float:
    try:
        return clean_number(math.exp(to_number(value)))
    except OverflowError as exc:
        raise FormulaEvaluationError("The result is too large.") from exc


@function("LOG", 1, 2, ("number", "number"), NUMBER)
def log(ctx: Context, value: Any, base: Any = None) -> int | float:
    """Base 10 unless given: LOG(1024, 2) is 10."""
    number, b = to_number(value), to_number(base) if base is not None else 10
    if number <= 0 or b <= 0 or b == 1:
        raise FormulaEvaluationError("LOG needs a positive number and a positive base other than 1.")
    result = math.log10(number) if b == 10 else math.log(number, b)
    return clean_number(round(result, 12))


@function("INT", 1, 1, ("number",), NUMBER)
def int_(ctx: Context, value: Any) -> int:
    """The greatest integer at or below the value: INT(-1.5) is -2."""
    return math.floor(to_number(value))


@function("EVEN", 1, 1, ("number",), NUMBER)
def even(ctx: Context, value: Any) -> int:
    """Away from zero to an even integer: EVEN(1.5) is 2, EVEN(3) is 4, EVEN(-1) is -2."""
    number = to_number(value)
    magnitude = math.ceil(abs(number))
    magnitude += magnitude % 2
    return int(math.copysign(magnitude, number)) if number else 0


@function("ODD", 1, 1, ("number",), NUMBER)
def odd(ctx: Context, value: Any) -> int:
    """Away from zero to an odd integer: ODD(1.5) is 3, ODD(2) is 3, ODD(0) is 1."""
    number = to_number(value)
    magnitude = math.ceil(abs(number))
    if magnitude % 2 == 0:
        magnitude += 1
    return int(math.copysign(magnitude, number)) if number else 1


def numbers_of(ctx: Context, values: tuple[Any, ...]) -> list[int | float]:
    """The numeric items of the arguments: blanks and text are ignored, as a spreadsheet's SUM does."""
    items = flatten(list(values))
    ctx.step(len(items))
    return [int(v) if isinstance(v, bool) else v for v in items if isinstance(v, int | float)]


@function("SUM", 1, None, ("numbers",), NUMBER)
def sum_(ctx: Context, *values: Any) -> int | float:
    return clean_number(math.fsum(numbers_of(ctx, values)))


@function("AVERAGE", 1, None, ("numbers",), NUMBER)
def average(ctx: Context, *values: Any) -> int | float:
    numbers = numbers_of(ctx, values)
    if not numbers:
        raise FormulaEvaluationError("AVERAGE of no numbers.")
    return clean_number(math.fsum(numbers) / len(numbers))


@function("MIN", 1, None, ("numbers",), NUMBER)
def min_(ctx: Context, *values: Any) -> int | float:
    """0 when no argument is a number (Airtable)."""
    numbers = numbers_of(ctx, values)
    return min(numbers) if numbers else 0


@function("MAX", 1, None, ("numbers",), NUMBER)
def max_(ctx: Context, *values: Any) -> int | float:
    numbers = numbers_of(ctx, values)
    return max(numbers) if numbers else 0


@function("COUNT", 1, None, ("any",), NUMBER)
def count(ctx: Context, *values: Any) -> int:
    """The numeric items."""
    return len(numbers_of(ctx, values))


@function("COUNTA", 1, None, ("any",), NUMBER)
def counta(ctx: Context, *values: Any) -> int:
    """The non-empty items, text and numbers alike (0 counts; blank and "" do not)."""
    items = flatten(list(values))
    ctx.step(len(items))
    return sum(1 for v in items if not is_blank(v))


@function("COUNTALL", 1, None, ("any",), NUMBER)
def countall(ctx: Context, *values: Any) -> int:
    """Every item, blanks included."""
    items = flatten(list(values))
    ctx.step(len(items))
    return len(items)
