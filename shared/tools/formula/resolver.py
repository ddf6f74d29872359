"""How the formula language learns about fields: a small protocol the domain implements."""

from __future__ import annotations

from typing import Protocol

from shared.tools.formula.types import ValueType


class FormulaResolver(Protocol):
    """Field references of a formula, checked when it is defined."""

    def field_type(self, name: str) -> ValueType | None:
        """The type of the field's value, or None when there is no such field (an "unknown field" error)."""


class TypesByName:
    """A FormulaResolver over a plain mapping of field names to types."""

    def __init__(self, types: dict[str, ValueType]) -> None:
        self.types = types

    def field_type(self, name: str) -> ValueType | None:
        return self.types.get(name)
