"""Errors of the formula language: definition errors (with a position) and evaluation errors (#ERROR)."""

from __future__ import annotations


class FormulaError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message: str) -> None:
        self.message = message or "The formula is invalid."
        super().__init__(self.message)


class FormulaDefinitionError(FormulaError):
    """The formula text is not valid: syntax, a limit, an unknown field or function, arity, a type mismatch.

    position is the 0-based character offset of the offending part, column its 1-based column on its line.
    """

    def __init__(self, message: str, position: int, *, code: str = "invalid_formula", text: str = "") -> None:
        self.position = max(0, position)
        self.code = code
        line_start = text.rfind("\n", 0, self.position) + 1 if text else 0
        self.line = text.count("\n", 0, self.position) + 1 if text else 1
        self.column = self.position - line_start + 1
        super().__init__(f"{message.rstrip('.')} (at line {self.line}, column {self.column}).")
        self.reason = message


class FormulaEvaluationError(FormulaError):
    """A valid formula failed on one record's values (division by zero, a bad date, too many steps)."""
