"""Array functions: ARRAYUNIQUE, ARRAYCOMPACT, ARRAYFLATTEN (ARRAYJOIN is a text function, in text.py)."""

from __future__ import annotations

from typing import Any

from shared.tools.formula.errors import FormulaEvaluationError
from shared.tools.formula.functions.registry import Context, function
from shared.tools.formula.limits import MAX_LIST_ITEMS
from shared.tools.formula.types import ANY, ValueType, list_of
from shared.tools.formula.values import flatten, to_text


def _same_list(args: list[ValueType]) -> ValueType:
    first = args[0]
    return list_of(first.item or ANY) if first.is_list else list_of(first)


def _items(ctx: Context, values: Any) -> list[Any]:
    items = flatten([values])
    if len(items) > MAX_LIST_ITEMS:
        raise FormulaEvaluationError(f"The list has more than {MAX_LIST_ITEMS} items.")
    ctx.step(len(items))
    return items


@function("ARRAYUNIQUE", 1, 1, ("list",), _same_list)
def arrayunique(ctx: Context, values: Any) -> list[Any]:
    """The distinct items, first occurrence first."""
    seen: set[tuple[str, str]] = set()
    out = []
    for item in _items(ctx, values):
        key = (type(item).__name__, to_text(item))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


@function("ARRAYCOMPACT", 1, 1, ("list",), _same_list)
def arraycompact(ctx: Context, values: Any) -> list[Any]:
    """Without blanks and empty text (0 and false stay)."""
    return [item for item in _items(ctx, values) if item is not None and item != ""]


@function("ARRAYFLATTEN", 1, 1, ("list",), _same_list)
def arrayflatten(ctx: Context, values: Any) -> list[Any]:
    return _items(ctx, values)
