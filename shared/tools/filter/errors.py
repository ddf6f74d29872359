"""Errors raised by the filter, sort and fields languages; each carries a human sentence."""

from __future__ import annotations


class FilterError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message: str) -> None:
        # An empty message would reach the client as a blank 400, so fall back to a generic sentence.
        self.message = message or "The filter expression is invalid."
        super().__init__(self.message)


class FilterSyntaxError(FilterError):
    """The text is not a valid filter, sort or fields expression, or it exceeds a limit."""


class FilterEvaluationError(FilterError):
    """A parsed filter could not be evaluated (unknown field, bad modifier for the field, ...)."""
