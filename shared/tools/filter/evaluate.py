"""`evaluate(expr, resolver, now)`: decides whether a parsed filter holds, asking the resolver for values.

Semantics, following PocketBase's SQL (see values.py for how two scalars compare):

- Multi-valued operands (`Resolved.multi`, or the `:each` modifier): without `?` the comparison must hold
  for every value (PocketBase's "match all" NOT EXISTS subquery) and for at least one; with `?` for at
  least one. When both sides are multi-valued, every pair is compared. An empty multi-value is one null
  value (a LEFT JOIN's NULL row), so `tags:each = ""` holds for no tags and `tags:each != ""` does not. A
  comparison against null that SQL leaves unknown (`>`, `~`, ...) counts neither for nor against "every
  value", as in SQL's NOT EXISTS. (Which operands are multi-valued is the resolver's call: PocketBase
  compares a bare multi-valued column as its JSON text, a single value.)
- A single-valued operand whose resolver returned several values (e.g. a function of a multi-valued
  field) matches when any value does, as a SQL join row would.
- null: `=`/`!=` treat null and `''` alike (missing @request keys included), except against an operand
  resolved with `null_fallback=False` (JSON), where null is only null; ordering and `~`/`!~`
  against null never match (SQL unknown). Use `:isset` to tell a missing key from an empty one.
- Modifiers: `:isset` -> bool from `Resolved.exists`; `:length` -> item count (0 or 1 for a single
  value, the list length for a list value); `:each` -> multi-valued over the items; `:lower` -> ASCII
  lowercase of text values (SQLite's lower()); `:changed` -> the resolver's answer, used as is.
- `~` wraps its right side as PocketBase does: quoted texts, macros and @request values become
  `%text%` with `%`/`_` escaped unless they contain an unescaped `%`; fields become `%value%` unescaped.
- A `CONCEALED` value (the resolver hides it from this caller) makes every comparison with it false.
- Macros use `now` (UTC), fixed once per call so that every macro agrees.
"""

from __future__ import annotations

from datetime import datetime
from itertools import product
from typing import Any

import msgspec

from shared.tools.filter.ast import And, Call, Compare, Expr, Identifier, Literal, Macro, Operand, Or
from shared.tools.filter.errors import FilterEvaluationError
from shared.tools.filter.geo import geo_distance
from shared.tools.filter.like import ascii_lower
from shared.tools.filter.limits import MAX_FUNCTION_COMBINATIONS
from shared.tools.filter.macros import macro_value, utc_now
from shared.tools.filter.resolver import CONCEALED, Concealed, FieldResolver, Resolved
from shared.tools.filter.strftime import sqlite_strftime
from shared.tools.filter.values import LikeOperand, compare_values, normalize


def evaluate(expr: Expr, resolver: FieldResolver, now: datetime | None = None) -> bool:
    """Whether `expr` holds for the record/request `resolver` describes.

    Raises FilterEvaluationError (from here or from the resolver) when it cannot be decided.
    """
    return _Evaluation(resolver, utc_now(now)).holds(expr)


class _Values(msgspec.Struct, frozen=True):
    values: list[Any]
    multi: bool
    like_operand: LikeOperand
    null_fallback: bool = True


class _Evaluation:
    def __init__(self, resolver: FieldResolver, now: datetime) -> None:
        self._resolver = resolver
        self._now = now

    def holds(self, expr: Expr) -> bool:
        if isinstance(expr, And):
            return all(self.holds(item) for item in expr.items)
        if isinstance(expr, Or):
            return any(self.holds(item) for item in expr.items)
        if isinstance(expr, Compare):
            return self._compare(expr)
        raise FilterEvaluationError(f"Cannot evaluate {type(expr).__name__} as a condition.")

    def _compare(self, expr: Compare) -> bool:
        left = self._operand(expr.left)
        right = self._operand(expr.right)
        null_fallback = left.null_fallback and right.null_fallback
        results = (
            # a concealed value is unknown to the caller: no comparison with it holds, `!=` included, and
            # among several values it counts neither for nor against "every value"
            None if isinstance(a, Concealed) or isinstance(b, Concealed)
            else compare_values(a, expr.op, b, right.like_operand, null_fallback)
            for a in (left.values or [None])
            for b in (right.values or [None])
        )
        if expr.any_of or not (left.multi or right.multi):
            return any(result is True for result in results)
        matched = False
        for result in results:
            if result is False:
                return False
            matched = matched or result is True
        return matched

    def _operand(self, operand: Operand) -> _Values:
        if isinstance(operand, Literal):
            return _Values([operand.value], multi=False, like_operand=LikeOperand.LITERAL)
        if isinstance(operand, Macro):
            return _Values([macro_value(operand.name, self._now)], multi=False, like_operand=LikeOperand.LITERAL)
        if isinstance(operand, Identifier):
            resolved = self._resolve(operand)
            values, multi = _apply_modifier(operand, resolved)
            # PocketBase binds @request.* values as parameters, so `~` treats them like quoted texts.
            kind = LikeOperand.LITERAL if operand.is_request else LikeOperand.FIELD
            # a modifier's result (a count, a flag) is a plain SQL value again
            return _Values(values, multi, kind, resolved.null_fallback or operand.modifier is not None)
        if isinstance(operand, Call):
            return _Values(self._call(operand), multi=False, like_operand=LikeOperand.FIELD)
        raise FilterEvaluationError(f"Cannot evaluate {type(operand).__name__} as an operand.")

    def _resolve(self, identifier: Identifier) -> Resolved:
        resolved = self._resolver.resolve(identifier)
        if not isinstance(resolved, Resolved):
            raise FilterEvaluationError(f"The field {identifier} could not be resolved.")
        return resolved

    def _call(self, call: Call) -> list[Any]:
        argument_values = [self._operand(arg).values or [None] for arg in call.args]
        combinations = 1
        for values in argument_values:
            combinations *= len(values)
            if combinations > MAX_FUNCTION_COMBINATIONS:
                raise FilterEvaluationError(f"The arguments of {call.name}() have too many values.")
        if call.name == "geoDistance" and len(argument_values) == 4:
            return [_concealing(geo_distance, arguments) for arguments in product(*argument_values)]
        if call.name == "strftime" and argument_values:
            return [_concealing(lambda *a: _strftime(a, self._now), arguments)
                    for arguments in product(*argument_values)]
        raise FilterEvaluationError(f"Unsupported function call {call}.")


def _concealing(function: Any, arguments: tuple[Any, ...]) -> Any:
    """A function of a concealed value is concealed too, so that it cannot be probed either."""
    if any(isinstance(argument, Concealed) for argument in arguments):
        return CONCEALED
    return function(*arguments)


def _strftime(arguments: tuple[Any, ...], now: datetime) -> str | None:
    format_text = normalize(arguments[0])
    if not isinstance(format_text, str):
        return None
    value = normalize(arguments[1]) if len(arguments) > 1 else "now"
    modifiers = [normalize(modifier) for modifier in arguments[2:]]
    return sqlite_strftime(format_text, value, modifiers, now)


def _apply_modifier(identifier: Identifier, resolved: Resolved) -> tuple[list[Any], bool]:
    values = list(resolved.values)
    modifier = identifier.modifier
    if modifier is None or modifier == "changed" or resolved.modifier_applied:
        return values, resolved.multi
    if modifier == "isset":
        return [resolved.exists], False
    if modifier == "lower":
        return [ascii_lower(value) if isinstance(value, str) and not isinstance(value, Concealed) else value
                for value in values], resolved.multi
    if modifier == "length":
        return [_length(values, resolved.multi)], False
    if modifier == "each":
        items: list[Any] = []
        for value in values:
            items.extend(value if isinstance(value, list | tuple) else [value])
        return items, True
    raise FilterEvaluationError(f"Unknown modifier :{modifier} on {identifier.dotted}.")


def _length(values: list[Any], multi: bool) -> int:
    if multi:
        return len(values)
    # PocketBase's json_array_length of a plain column counts an empty text or NULL as no item
    present = [value for value in values if value is not None and value != ""]
    if len(present) == 1 and isinstance(present[0], list | tuple):
        return len(present[0])
    return len(present)
